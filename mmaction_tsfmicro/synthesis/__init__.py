"""Demo micro-expression data set: synthetic AU motions on real faces.

The faces are real people from files that ship inside installed packages
(:mod:`.sources`); the expressions are displacement fields defined on the
faces' landmarks (:mod:`.action_units`), rendered with a temporal profile,
head drift, lighting change and sensor noise (:mod:`.render`), written in
CASME II's frame layout with a coding sheet in CASME II's format
(:mod:`.coding_sheet`) by :func:`build_demo_dataset` (:mod:`.builder`).
Command line: ``tools/data/make_demo_dataset.py``; see docs/demo.md.
"""
from .action_units import ACTION_UNITS, CLASS_VARIANTS, CLASSES
from .builder import (MANIFEST_FILE, SHEET_FILE, DemoOptionsError,
                      build_demo_dataset)
from .plans import ClipPlan, DemoConfig

__all__ = [
    'ACTION_UNITS', 'CLASS_VARIANTS', 'CLASSES', 'ClipPlan', 'DemoConfig',
    'DemoOptionsError', 'MANIFEST_FILE', 'SHEET_FILE', 'build_demo_dataset'
]
