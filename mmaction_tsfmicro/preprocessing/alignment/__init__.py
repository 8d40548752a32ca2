"""Face alignment, the one home of it, for every use (no torch):

* :mod:`.similarity`: the eye-based similarity fit and the warp that every
  use shares (:class:`AlignmentTarget`, :func:`estimate_transform`,
  :func:`warp_face`);
* :mod:`.frames`: frames given for inference, aligned as the training
  frames were (:func:`align_like_training`);
* :mod:`.tracking`: the face of a stream, detected once and then tracked
  frame to frame (:class:`FaceTracker`);
* :mod:`.videos`: long videos aligned frame by frame
  (``tools/data/align_long_videos.py``).

Clips of a data set are aligned by :mod:`..clip_job` with the similarity
fit of :mod:`.similarity` (``tools/data/preprocess_faces.py``).
"""
from .similarity import (AlignmentTarget, estimate_transform,
                         similarity_lstsq, transform_angle, transform_points,
                         transform_scale, warp_face)

__all__ = [
    'AlignmentTarget', 'estimate_transform', 'similarity_lstsq',
    'transform_angle', 'transform_points', 'transform_scale', 'warp_face'
]
