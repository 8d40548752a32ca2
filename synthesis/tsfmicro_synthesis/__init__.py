"""Demo micro-expression data set: synthetic AU motions on real faces.

The faces are real people from files that ship inside installed packages
(:mod:`.catalogue`), found with their landmarks and checked
(:mod:`.face_observation`), and chosen as subjects (:mod:`.subjects`). The
expressions are displacement fields defined on the faces' landmarks
(:mod:`.action_units`). Each clip follows a plan drawn from the seed
(:mod:`.plans`) and is rendered in a face frame (:mod:`.geometry`) from a
photo or from a calm window of a video (:mod:`.frame_sources`,
:mod:`.video_windows`), with a temporal profile and head drift
(:mod:`.motion`), lighting change and sensor noise (:mod:`.render`); its
frames are written in CASME II's frame layout (:mod:`.clip_frames`), with a
coding sheet in CASME II's format (:mod:`.coding_sheet`), by
:func:`build_demo_dataset` (:mod:`.builder`); :mod:`.figures` draws
pictures of a written set. Command line: ``tools/data/make_demo_dataset.py``;
see docs/demo.md.
"""
from .action_units import ACTION_UNITS, CLASS_VARIANTS, CLASSES
from .builder import (MANIFEST_FILE, SHEET_FILE, DemoOptionsError,
                      build_demo_dataset)
from .plans import ClipPlan, DemoConfig

__all__ = [
    'ACTION_UNITS', 'CLASS_VARIANTS', 'CLASSES', 'ClipPlan', 'DemoConfig',
    'DemoOptionsError', 'MANIFEST_FILE', 'SHEET_FILE', 'build_demo_dataset'
]
