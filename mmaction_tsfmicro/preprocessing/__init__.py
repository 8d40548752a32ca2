"""Face preprocessing and optical flow for micro-expression clips.

Light to import: the face detector backends (MediaPipe, dlib) are imported
only when a detector is built (see :mod:`.landmarks`).
"""
from .layouts import (LAYOUTS, filename_tmpl, frame_dir, frame_path,
                      frame_regex, get_template, list_frames)

__all__ = [
    'LAYOUTS', 'filename_tmpl', 'frame_dir', 'frame_path', 'frame_regex',
    'get_template', 'list_frames'
]
