"""The fused features of a data set and their t-SNE embedding.

A sample's feature is the neck's output (the fused temporal and spatial map,
``(C, 1, h, w)``) averaged over its positions: the ``C``-vector the head
classifies, before its token-wise projection. t-SNE (scikit-learn's
``TSNE``) places the samples in 2-D so that near neighbours in feature space
stay near; distances between far clusters and cluster sizes mean little.
"""
from dataclasses import dataclass
from typing import List

import numpy as np
import torch
from torch import nn

from .inputs import preprocess, sample_name


@dataclass
class FeatureSet:
    """Pooled fused features of every sample of a dataset, in its order.

    Attributes:
        features (np.ndarray): ``(N, C)`` float32.
        labels (np.ndarray): ``(N,)`` true class indices.
        predicted (np.ndarray): ``(N,)`` predicted class indices.
        subjects (list[str]): Each sample's subject key.
        samples (list[str]): Each sample's name, ``<subject key>/<clip>``.
    """

    features: np.ndarray
    labels: np.ndarray
    predicted: np.ndarray
    subjects: List[str]
    samples: List[str]


def fused_features(model: nn.Module,
                   dataset,
                   batch_size: int = 16) -> FeatureSet:
    """Run every sample of ``dataset`` through the model; keep the neck's
    output averaged over its positions, and the prediction.

    Args:
        model (nn.Module): A ``Recognizer3D`` with a neck, in eval mode.
        dataset (BaseDataset): Its samples, in order, each once.
        batch_size (int): Samples per forward pass.

    Returns:
        FeatureSet: One row per sample.
    """
    if not getattr(model, 'with_neck', False):
        raise ValueError('the model has no neck; the fused features are the '
                         "neck's output")
    feats, preds, labels, subjects, names = [], [], [], [], []
    for start in range(0, len(dataset), batch_size):
        indices = range(start, min(start + batch_size, len(dataset)))
        batch = preprocess(model, [dataset[i] for i in indices])
        with torch.no_grad():
            fused, _ = model.extract_feat(batch['inputs'], stage='neck')
            logits = model.cls_head(fused)
        feats.append(fused.flatten(2).mean(dim=2).float().cpu().numpy())
        preds.append(logits.argmax(dim=1).cpu().numpy())
        for i in indices:
            info = dataset.get_data_info(i)
            labels.append(int(info['label']))
            subjects.append(str(info.get('subject_key', info['subject'])))
            names.append(sample_name(info))
    if not feats:
        raise ValueError('the dataset holds no samples')
    return FeatureSet(
        features=np.concatenate(feats).astype(np.float32),
        labels=np.asarray(labels, dtype=np.int64),
        predicted=np.concatenate(preds).astype(np.int64),
        subjects=subjects,
        samples=names)


def tsne(features: np.ndarray,
         seed: int = 0,
         perplexity: float = 30.,
         pca_dims: int = 50) -> np.ndarray:
    """2-D t-SNE of feature vectors, deterministic for a seed.

    The features are standardized per dimension and, past ``pca_dims``
    dimensions, reduced by PCA first (as scikit-learn advises); the
    perplexity is capped at ``(N - 1) / 3`` so that small sets work.
    The embedding starts from PCA (``init='pca'``), so the same features
    give the same picture; the seed fixes whatever else draws at random.

    Args:
        features (np.ndarray): ``(N, C)``, N >= 2.
        seed (int): Random seed (``random_state``).
        perplexity (float): t-SNE perplexity (before the cap).
        pca_dims (int): Dimensions kept by the PCA step.

    Returns:
        np.ndarray: ``(N, 2)`` float coordinates.
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f't-SNE needs (N >= 2, C) features, got shape '
                         f'{x.shape}')
    if not np.isfinite(x).all():
        raise ValueError('the features hold NaN or infinite values')
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.)
    if x.shape[1] > pca_dims and len(x) > pca_dims:
        x = PCA(n_components=pca_dims, random_state=seed).fit_transform(x)
    perplexity = float(min(perplexity, max(1., (len(x) - 1) / 3)))
    return TSNE(
        n_components=2,
        perplexity=perplexity,
        init='pca',
        learning_rate='auto',
        random_state=seed).fit_transform(x)
