"""Spotting micro-expressions in long videos: the task as one map.

This package holds the task's torch-free parts (no torch, no MMAction2):

* :mod:`.layouts`: the long-video layouts of CAS(ME)^2 and SAMM;
* :mod:`.sheets`: reading their interval sheets;
* :mod:`.annotation`: a sheet and a frame root into the normalized
  spotting file (``tools/data/build_spotting_annotation.py``);
* :mod:`.spans`: per-frame scores into spans (threshold, merged gaps,
  lengths), offline and online with the same result;
* :mod:`.truth`: the annotated intervals of one video of a spotting file.

The rest of the task lives in the stage each part belongs to, as every
task of the plugin does (docs/spotting.md walks through it in order):

1. faces: ``preprocessing/alignment/tracking.py`` (a face detected once,
   then tracked) and ``preprocessing/alignment/videos.py`` (whole videos,
   ``tools/data/align_long_videos.py``);
2. data: ``datasets/long_video_dataset.py`` (``LongVideoDataset``: windows
   of frames with per-frame labels);
3. model: ``models/backbones/tsfmicro_seq.py``,
   ``models/heads/spotting_head.py``,
   ``models/recognizers/spotting_recognizer.py``
   (``MicroExpressionSpotter``);
4. metric: ``evaluation/spotting.py`` (the MEGC protocol) and
   ``evaluation/metrics/spotting_metric.py`` (``SpottingMetric``);
5. streaming: ``apis/streaming.py`` (``StreamSpotter``, ``tools/stream.py``);
6. config: ``configs/spotting/spotter_tsfmicro-seq_1xb8-10e_demo-long.py``.
"""
from .spans import Span, SpanFinder

__all__ = ['Span', 'SpanFinder']
