"""Spotting micro-expressions in long videos (no torch, no MMAction2).

* :mod:`.spans`: per-frame scores into spans (threshold, merged gaps,
  lengths), offline and online with the same result;
* :mod:`.layouts`: the long-video layouts of CAS(ME)^2 and SAMM;
* :mod:`.sheets`: reading their interval sheets;
* :mod:`.face_tracking`: a face aligned frame by frame, detected once and
  tracked (the streaming tool and the alignment of training videos);
* :mod:`.video_alignment`: whole videos aligned so, offline
  (``tools/data/align_long_videos.py``).

The model (``models/heads/spotting_head.py``,
``models/recognizers/spotting_recognizer.py``), its dataset
(``datasets/long_video_dataset.py``), the metric
(``evaluation/spotting.py``, ``evaluation/metrics/spotting_metric.py``)
and streaming (``apis/streaming.py``, ``tools/stream.py``) build on these.
See docs/spotting.md.
"""
from .spans import Span, SpanFinder

__all__ = ['Span', 'SpanFinder']
