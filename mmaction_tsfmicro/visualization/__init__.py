"""Pictures of micro-expression samples (MMAction2's VISUALIZERS, HOOKS).

* :mod:`.panels`: the onset, apex and difference panels of a frame pair;
* :mod:`.me_visualizer`: :class:`MicroExpressionVisualizer`, the picture of
  one sample with its true and predicted class;
* :mod:`.me_visualization_hook`: :class:`MicroExpressionVisualizationHook`,
  which draws the samples of a test (``tools/test.py --show-dir``);
* :mod:`.picture_names`: a picture's file name, after its sample;
* :mod:`.display`: whether a window can be opened (``--show``).
"""
from .display import check_display, display_unavailable_reason
from .me_visualization_hook import MicroExpressionVisualizationHook
from .me_visualizer import MicroExpressionVisualizer

__all__ = [
    'MicroExpressionVisualizer', 'MicroExpressionVisualizationHook',
    'check_display', 'display_unavailable_reason'
]
