"""Face preprocessing and optical flow for micro-expression clips.

Light to import: the face detector backends (MediaPipe, dlib) are imported
only when a detector is built (see :mod:`.landmarks`).
"""
