"""Figures of the LOSO report, drawn with matplotlib's Agg canvas (no
display, no pyplot state, only the fonts matplotlib ships)."""
from typing import Dict, Sequence

import numpy as np

from ..utils.fileio import atomic_path


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format='png', bbox_inches='tight')


def plot_confusion_matrix(cm: Sequence[Sequence[int]],
                          classes: Sequence[str],
                          path: str,
                          title: str = 'Confusion matrix') -> None:
    """Save the confusion matrix as a PNG: colours are row-normalized
    (recall), cells show counts and percentages.

    Args:
        cm (Sequence[Sequence[int]]): Counts, rows = true classes.
        classes (Sequence[str]): Class names.
        path (str): Output PNG.
        title (str): Figure title.
    """
    cm = np.asarray(cm, dtype=np.int64)
    n = len(classes)
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros(cm.shape), where=rows > 0)
    side = 1.6 + 0.9 * n
    fig = _figure(side + 1.2, side)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(norm, cmap='Blues', vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label='row fraction')
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                f'{cm[i, j]}\n{100 * norm[i, j]:.0f}%',
                ha='center',
                va='center',
                fontsize=8,
                color='white' if norm[i, j] > 0.5 else 'black')
    ax.set_xticks(range(n), labels=classes, rotation=45, ha='right')
    ax.set_yticks(range(n), labels=classes)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title)
    _save(fig, path)


def plot_per_subject(per_subject: Dict[str, Dict],
                     path: str,
                     pooled: Dict[str, float] = None) -> None:
    """Save a bar chart of each subject's accuracy and F1 as a PNG.

    Args:
        per_subject (dict): Subject -> dict with ``acc``, ``uf1`` and
            ``num_samples``.
        path (str): Output PNG.
        pooled (dict, optional): Pooled ``uf1``/``acc`` drawn as lines.
    """
    subjects = list(per_subject)
    acc = np.array([per_subject[s]['acc'] for s in subjects])
    f1 = np.array([per_subject[s]['uf1'] for s in subjects])
    counts = [per_subject[s]['num_samples'] for s in subjects]
    x = np.arange(len(subjects))
    fig = _figure(max(5., 1.5 + 0.45 * len(subjects)), 3.8)
    ax = fig.add_subplot(1, 1, 1)
    ax.bar(x - 0.2, acc, width=0.4, label='accuracy', color='#4c72b0')
    ax.bar(x + 0.2, f1, width=0.4, label='F1 (fold)', color='#dd8452')
    for xi, n in zip(x, counts):
        ax.text(xi, 1.02, f'n={n}', ha='center', va='bottom', fontsize=7)
    if pooled:
        ax.axhline(
            pooled['uf1'],
            color='#dd8452',
            ls='--',
            lw=1,
            label=f"pooled UF1 {pooled['uf1']:.3f}")
        ax.axhline(
            pooled['acc'],
            color='#4c72b0',
            ls=':',
            lw=1,
            label=f"pooled acc {pooled['acc']:.3f}")
    ax.set_xticks(x, labels=subjects, rotation=60, ha='right', fontsize=8)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel('score')
    ax.set_title('Per subject (each LOSO fold)')
    ax.legend(fontsize=7, loc='lower right')
    _save(fig, path)
