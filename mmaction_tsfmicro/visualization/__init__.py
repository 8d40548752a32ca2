"""Figures: pictures of micro-expression samples (MMAction2's VISUALIZERS,
HOOKS) and every other figure of the plugin.

* :mod:`.panels`: the onset, apex and difference panels of a frame pair;
* :mod:`.me_visualizer`: :class:`MicroExpressionVisualizer`, the picture of
  one sample with its true and predicted class;
* :mod:`.me_visualization_hook`: :class:`MicroExpressionVisualizationHook`,
  which draws the samples of a test (``tools/test.py --show-dir``);
* :mod:`.picture_names`: a picture's file name, after its sample;
* :mod:`.display`: whether a window can be opened (``--show``);
* :mod:`.loso_figures`: the LOSO report's confusion matrix and per-subject
  scores;
* :mod:`.explain_figures`: the attribution maps and embeddings of
  ``tools/visualizations/visualize.py``;
* :mod:`.preprocessing_figures`: the before/after pictures of
  docs/preprocessing.md.

Every figure of the plugin is drawn here.
"""
from .display import check_display, display_unavailable_reason
from .me_visualization_hook import MicroExpressionVisualizationHook
from .me_visualizer import MicroExpressionVisualizer

__all__ = [
    'MicroExpressionVisualizer', 'MicroExpressionVisualizationHook',
    'check_display', 'display_unavailable_reason'
]
