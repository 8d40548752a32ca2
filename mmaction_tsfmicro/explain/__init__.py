"""Explanations of a trained TSFmicro: where and how it looks.

One concept per module:

* :mod:`.inputs`: the model (config + checkpoint, eval, float32) and the
  samples of the config's test pipeline;
* :mod:`.attribution`: what the attribution methods return, and their
  shared helpers;
* :mod:`.gradcam`: Grad-CAM of the temporal and the spatial branch on their
  last feature maps (a hook on the backbone, no change to the model);
* :mod:`.integrated_gradients`: integrated gradients of both branches at
  their inputs, against a no-motion and a mean-colour reference (hooks on
  the backbone's modules);
* :mod:`.embedding`: the fused features (the neck's output, pooled) of a
  data set and their t-SNE;
* :mod:`.folds`: the folds of a LOSO work dir and their last checkpoints;
* the pictures: ``visualization/explain_figures.py`` (matplotlib's Agg
  canvas);
* :mod:`.commands`: both explanations end to end
  (``tools/visualizations/visualize.py``).
"""
from .attribution import BranchAttribution
from .commands import embed_fold, explain_samples
from .embedding import FeatureSet, fused_features, tsne
from .folds import LosoFold, choose_fold, loso_folds
from .gradcam import BackboneMaps, branch_grad_cam, grad_cam
from .integrated_gradients import ScaledInput, branch_integrated_gradients

__all__ = [
    'BackboneMaps', 'BranchAttribution', 'FeatureSet', 'LosoFold',
    'ScaledInput', 'branch_grad_cam', 'branch_integrated_gradients',
    'choose_fold', 'embed_fold', 'explain_samples', 'fused_features',
    'grad_cam', 'loso_folds', 'tsne'
]
