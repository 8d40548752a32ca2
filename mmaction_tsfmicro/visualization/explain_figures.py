"""The pictures of the explanations, drawn with matplotlib's Agg canvas
(no display, no pyplot state, only the fonts matplotlib ships).

Every figure has a fixed size in pixels (``width x height`` at ``dpi``) and
is written atomically as a PNG.
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from ..utils.fileio import atomic_path

#: Colour map of the attribution maps; a value v in [0, 1] (of the map's
#: maximum) is drawn with opacity CAM_ALPHA * v, so that the image shows
#: where the map is low.
CAM_CMAP = 'jet'
CAM_ALPHA = 0.8
#: Colours of the classes (matplotlib's ``tab10``, then ``tab20``).
CLASS_CMAP = 'tab10'


def new_figure(width: int, height: int, dpi: int = 100):
    """A ``width x height`` pixel matplotlib figure on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi,
                 layout='constrained')
    FigureCanvasAgg(fig)
    return fig


def save_png(fig, path: str) -> None:
    """Write a figure as an RGB PNG of exactly its size, atomically (the
    figure is opaque: its alpha channel would only add bytes)."""
    from PIL import Image
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    with atomic_path(path) as tmp:
        Image.fromarray(rgb).save(tmp, format='PNG', optimize=True)


def class_colours(num: int) -> np.ndarray:
    """``(num, 4)`` RGBA colours, one per class."""
    from matplotlib import colormaps
    cmap = colormaps[CLASS_CMAP if num <= 10 else 'tab20']
    return np.array([cmap(i % cmap.N) for i in range(num)])


def motion_image(onset: np.ndarray, apex: np.ndarray) -> np.ndarray:
    """``|apex - onset|`` averaged over the channels, scaled to ``[0, 1]``
    by its 99.5th percentile (the changes of a micro-expression are a few
    grey levels), or by its maximum when that percentile is 0.

    Args:
        onset (np.ndarray): ``H x W x C`` frame.
        apex (np.ndarray): ``H x W x C`` frame.

    Returns:
        np.ndarray: ``H x W`` float in ``[0, 1]``.
    """
    diff = np.abs(apex.astype(np.float32) - onset.astype(np.float32))
    diff = diff.mean(axis=2) if diff.ndim == 3 else diff
    top = float(np.percentile(diff, 99.5)) or float(diff.max())
    return np.clip(diff / top, 0, 1) if top > 0 else np.zeros_like(diff)


def _scaled(cam: np.ndarray) -> np.ndarray:
    top = float(cam.max())
    return cam / top if top > 0 else np.zeros_like(cam)


def smooth(cam: np.ndarray, sigma: float) -> np.ndarray:
    """A map blurred by a Gaussian of ``sigma`` pixels (for display: the
    credits of single pixels become visible); ``sigma <= 0`` keeps it."""
    if sigma <= 0:
        return cam
    import cv2
    return cv2.GaussianBlur(
        np.ascontiguousarray(cam, dtype=np.float32), (0, 0), sigma)


def overlay(cam: np.ndarray) -> np.ndarray:
    """``H x W x 4`` RGBA picture of a map >= 0: colour and opacity grow
    with the value (:data:`CAM_CMAP`, :data:`CAM_ALPHA`)."""
    from matplotlib import colormaps
    v = _scaled(cam)
    rgba = colormaps[CAM_CMAP](v)
    rgba[..., 3] = CAM_ALPHA * v
    return rgba


def _image_panel(ax, image: np.ndarray, title: str,
                 cam: Optional[np.ndarray] = None) -> None:
    # the model's pixels as they are (and a PNG that stays small)
    if image.ndim == 2:
        ax.imshow(image, cmap='gray', vmin=0, vmax=1, interpolation='nearest')
    else:
        ax.imshow(image, interpolation='nearest')
    if cam is not None and cam.max() > 0:
        ax.imshow(overlay(cam), interpolation='nearest')
    ax.set_title(title, fontsize=8)
    ax.set_axis_off()


@dataclass
class MapRow:
    """One row of attribution maps: a method's temporal and spatial map.

    Attributes:
        method (str): The method's name in the panel titles.
        temporal (np.ndarray): ``H x W`` map; its positive part is drawn.
        spatial (np.ndarray): ``H x W`` map.
        notes (tuple[str, str]): A line under each panel's title.
        sigma (float): Gaussian blur (pixels) of both maps for display;
            0 draws them as they are.
    """

    method: str
    temporal: np.ndarray
    spatial: np.ndarray
    notes: Tuple[str, str] = ('', '')
    sigma: float = 0.


def _map_title(branch: str, row: MapRow, note: str, cam: np.ndarray) -> str:
    peak = float(cam.max())
    lines = [f'{branch}: {row.method}',
             f'max {peak:.3g}' if peak > 0 else 'no positive evidence']
    if note:
        lines[1] += f', {note}'
    return '\n'.join(lines)


def plot_attributions(onset: np.ndarray,
                      apex: np.ndarray,
                      rows: Sequence[MapRow],
                      probabilities: Sequence[float],
                      classes: Sequence[str],
                      target: int,
                      path: str,
                      title: str = '',
                      width: int = 800,
                      height: int = 480,
                      dpi: int = 100) -> None:
    """Save the attribution maps of one sample as a PNG.

    The first column shows the inputs: the onset frame (the spatial
    branch's input) and ``|apex - onset|`` (the temporal branch's); then a
    row per method: the temporal map over ``|apex - onset|`` and the spatial
    map over the onset; the last column the class probabilities (the
    explained class outlined). The positive part of each map is drawn
    (blurred by the row's ``sigma``), scaled to its own maximum (given in
    the panel's title); a map without a positive value is not drawn.

    Args:
        onset (np.ndarray): ``H x W x 3`` uint8 RGB onset frame.
        apex (np.ndarray): ``H x W x 3`` uint8 RGB apex frame.
        rows (Sequence[MapRow]): The methods' maps.
        probabilities (Sequence[float]): Class probabilities.
        classes (Sequence[str]): Class names.
        target (int): The explained class.
        path (str): Output PNG.
        title (str): Figure title.
        width (int): Width in pixels.
        height (int): Height in pixels.
        dpi (int): Resolution.
    """
    if not rows:
        raise ValueError('no attribution maps to draw')
    fig = new_figure(width, height, dpi)
    num = max(2, len(rows))
    grid = fig.add_gridspec(num, 4, width_ratios=[1, 1, 1, 0.9])
    motion = motion_image(onset, apex)
    _image_panel(fig.add_subplot(grid[0, 0]), onset,
                 'onset\n(spatial input)')
    _image_panel(fig.add_subplot(grid[1, 0]), motion,
                 '|apex - onset|\n(temporal input)')
    for r, row in enumerate(rows):
        temporal = smooth(np.maximum(row.temporal, 0), row.sigma)
        spatial = smooth(np.maximum(row.spatial, 0), row.sigma)
        _image_panel(fig.add_subplot(grid[r, 1]), motion,
                     _map_title('temporal', row, row.notes[0], temporal),
                     temporal)
        _image_panel(fig.add_subplot(grid[r, 2]), onset,
                     _map_title('spatial', row, row.notes[1], spatial),
                     spatial)

    ax = fig.add_subplot(grid[:, 3])
    probs = np.asarray(probabilities, dtype=float)
    y = np.arange(len(classes))
    bars = ax.barh(y, probs, color=class_colours(len(classes)))
    bars[target].set_edgecolor('black')
    bars[target].set_linewidth(1.5)
    ax.set_yticks(y, labels=list(classes), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.tick_params(axis='x', labelsize=7)
    ax.set_title('class probability\n(outlined: explained)', fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    save_png(fig, path)


def plot_embedding(coords: np.ndarray,
                   labels: Sequence[int],
                   classes: Sequence[str],
                   highlighted: Sequence[bool],
                   path: str,
                   title: str = '',
                   highlight_label: str = 'highlighted',
                   other_label: str = 'others',
                   width: int = 800,
                   height: int = 680,
                   dpi: int = 100) -> None:
    """Save a 2-D embedding as a scatter plot coloured by class.

    Highlighted points (e.g. a held-out subject) are drawn as large stars
    with a black edge over the others (small discs).

    Args:
        coords (np.ndarray): ``(N, 2)`` coordinates.
        labels (Sequence[int]): ``(N,)`` class indices.
        classes (Sequence[str]): Class names.
        highlighted (Sequence[bool]): ``(N,)`` which points to highlight.
        path (str): Output PNG.
        title (str): Figure title.
        highlight_label (str): Legend entry of the highlighted points.
        other_label (str): Legend entry of the others.
        width (int): Width in pixels.
        height (int): Height in pixels.
        dpi (int): Resolution.
    """
    from matplotlib.lines import Line2D
    coords = np.asarray(coords, dtype=float)
    labels = np.asarray(labels, dtype=int)
    highlighted = np.asarray(highlighted, dtype=bool)
    if coords.shape != (len(labels), 2) or highlighted.shape != labels.shape:
        raise ValueError(f'coords {coords.shape}, labels {labels.shape} and '
                         f'highlighted {highlighted.shape} do not agree')
    colours = class_colours(len(classes))
    fig = new_figure(width, height, dpi)
    ax = fig.add_subplot(1, 1, 1)
    rest = ~highlighted
    ax.scatter(coords[rest, 0], coords[rest, 1], s=18, c=colours[labels[rest]],
               alpha=0.55, linewidths=0)
    ax.scatter(coords[highlighted, 0], coords[highlighted, 1], s=150,
               marker='*', c=colours[labels[highlighted]], edgecolors='black',
               linewidths=0.8, zorder=3)
    handles = [
        Line2D([], [], ls='', marker='s', markersize=7, color=colours[i],
               label=name) for i, name in enumerate(classes)
    ] + [
        Line2D([], [], ls='', marker='o', markersize=5, color='grey',
               alpha=0.6, label=other_label),
        Line2D([], [], ls='', marker='*', markersize=11, color='grey',
               markeredgecolor='black', label=highlight_label)
    ]
    ax.legend(handles=handles, fontsize=7, loc='best', framealpha=0.85)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel('t-SNE 1', fontsize=8)
    ax.set_ylabel('t-SNE 2', fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    save_png(fig, path)
