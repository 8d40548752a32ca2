"""The two explanations end to end, as ``tools/visualizations/visualize.py`` runs them.

* :func:`explain_samples`: the attribution pictures (Grad-CAM and
  integrated gradients of both branches) of chosen samples under one model
  (a config and its checkpoint); :func:`explain_clip` the same for a clip
  in no annotation file (a video, a frame folder, a pair);
* :func:`embed_fold`: the t-SNE picture of every sample of the annotation
  file under the model of one LOSO fold, its held-out subject marked.
"""
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config

from ..engine.cfg_options import merge_cfg_options
from ..visualization.explain_figures import (MapRow, plot_attributions,
                                             plot_embedding)
from .attribution import BranchAttribution
from .embedding import FeatureSet, fused_features, tsne
from .folds import LosoFold, choose_fold, loso_folds
from .gradcam import branch_grad_cam
from .inputs import (build_test_dataset, class_names, find_sample, frame_pair,
                     load_model, preprocess, sample_name, split_sample_name)
from .integrated_gradients import branch_integrated_gradients

#: Display blur of the integrated-gradients maps, a fraction of the width
#: (2 pixels of a 112-pixel input).
IG_SIGMA = 1 / 56


def class_index(classes: Sequence[str], name: Optional[str]) -> Optional[int]:
    """The index of the class ``name`` (None stays None).

    Raises:
        ValueError: For an unknown class, naming the classes.
    """
    if name is None:
        return None
    if name not in classes:
        raise ValueError(f'unknown class {name!r}; the classes: '
                         f'{", ".join(classes)}')
    return list(classes).index(name)


def picture_name(sample: str, target_class: Optional[str] = None) -> str:
    """The PNG file name of a sample's picture: ``<subject>_<clip>.png``, or
    ``<subject>_<clip>_<class>.png`` for a chosen class, with every
    character but letters, digits, ``.``, ``_`` and ``-`` replaced by
    ``_``."""
    stem = sample if target_class is None else f'{sample}_{target_class}'
    return re.sub(r'[^A-Za-z0-9._-]', '_', stem.replace('/', '_')) + '.png'


@dataclass
class SampleExplanation:
    """The attribution picture written for one sample.

    Attributes:
        sample (str): ``<subject key>/<clip>``.
        path (str): The PNG.
        label (str): The true class.
        predicted (str): The predicted class.
        target (str): The explained class.
        probability (float): The predicted class's probability.
        gradcam (BranchAttribution): Grad-CAM maps (a batch of one).
        integrated (BranchAttribution): Integrated-gradients maps.
    """

    sample: str
    path: str
    label: str
    predicted: str
    target: str
    probability: float
    gradcam: BranchAttribution
    integrated: BranchAttribution


def attribution_rows(gradcam: BranchAttribution,
                     integrated: BranchAttribution,
                     index: int = 0) -> List[MapRow]:
    """The rows of a sample's picture: Grad-CAM on the last maps, then
    integrated gradients at the inputs (blurred by :data:`IG_SIGMA` of the
    input's width for display) with the score each input adds over its
    reference."""
    gains = integrated.gains[index]
    width = integrated.temporal.shape[-1]
    return [
        MapRow('Grad-CAM (last map)', gradcam.temporal[index],
               gradcam.spatial[index]),
        MapRow('integrated gradients', integrated.temporal[index],
               integrated.spatial[index],
               (f'motion {gains[0]:+.2f}', f'onset {gains[1]:+.2f}'),
               sigma=IG_SIGMA * width)
    ]


def explain_item(model, item: dict, target: Optional[int],
                 classes: Sequence[str], name: str, label: str, head: str,
                 path: str, steps: int) -> SampleExplanation:
    """Grad-CAM and integrated gradients of one pipeline output, drawn to
    ``path`` under the title ``<head>   predicted: ...   maps for: ...``."""
    inputs = preprocess(model, [item])['inputs']
    gradcam = branch_grad_cam(model, inputs, target)
    integrated = branch_integrated_gradients(model, inputs, gradcam.target,
                                             steps)
    probs = gradcam.probabilities[0]
    pred, explained = int(gradcam.predicted[0]), int(gradcam.target[0])
    onset, apex = frame_pair(item)
    title = (f'{head}   predicted: {classes[pred]} (p={probs[pred]:.2f})   '
             f'maps for: {classes[explained]}')
    plot_attributions(onset, apex, attribution_rows(gradcam, integrated),
                      probs, classes, explained, path, title=title)
    return SampleExplanation(name, path, label, classes[pred],
                             classes[explained], float(probs[pred]),
                             gradcam, integrated)


def explain_samples(cfg: Config,
                    checkpoint: Optional[str],
                    samples: Sequence[str],
                    out_dir: str,
                    target_class: Optional[str] = None,
                    device: Optional[str] = None,
                    steps: int = 16) -> List[SampleExplanation]:
    """Write the attribution picture of each sample.

    Each sample comes from the config's test dataset with ``test_subjects``
    set to its subject, through the test pipeline and the model's data
    preprocessor: the input testing sees. The picture holds Grad-CAM
    (:mod:`.gradcam`) and integrated gradients (:mod:`.integrated_gradients`)
    of both branches.

    Args:
        cfg (Config): The model's config.
        checkpoint (str, optional): Its weights (None: random weights).
        samples (Sequence[str]): ``SUBJECT/CLIP`` names.
        out_dir (str): Folder of the PNGs (:func:`picture_name`).
        target_class (str, optional): The class to explain; defaults to
            each sample's predicted class.
        device (str, optional): Where the model runs.
        steps (int): Points of the integrated gradients' path integral.

    Returns:
        list[SampleExplanation]: One per sample, in order.
    """
    datasets: Dict[str, object] = {}
    chosen = []  # (dataset, index): every name is checked before the model
    for name in samples:
        subject = split_sample_name(name)[0]
        if subject not in datasets:
            datasets[subject] = build_test_dataset(cfg, [subject])
        chosen.append((datasets[subject],
                       find_sample(datasets[subject], name)))
    if not chosen:
        raise ValueError('no sample to explain')
    classes = class_names(chosen[0][0])
    target = class_index(classes, target_class)
    model = load_model(cfg, checkpoint, device)
    written = []
    for dataset, index in chosen:
        info = dataset.get_data_info(index)
        full = sample_name(info)
        label = classes[int(info['label'])]
        written.append(explain_item(
            model, dataset[index], target, classes, full, label,
            f'{full}   true: {label}',
            osp.join(out_dir, picture_name(full, target_class)), steps))
    return written


def clip_name(source: Dict) -> str:
    """A clip's picture name: its file or folder, and its key frames."""
    if source['source'] == 'pair':
        stem = osp.splitext(osp.basename(str(source['onset'])))[0]
        return f'pair_{stem}'
    stem = osp.splitext(osp.basename(osp.normpath(source['source'])))[0]
    return f"{stem}_{source['onset']}-{source['apex']}"


def explain_clip(config: Optional[str],
                 checkpoint: str,
                 clip: Dict,
                 out_dir: str,
                 target_class: Optional[str] = None,
                 device: Optional[str] = None,
                 steps: int = 16,
                 align: Optional[bool] = None) -> SampleExplanation:
    """Write the attribution picture of a clip that is in no annotation
    file: a video, a frame folder or an onset/apex pair, with or without
    key frames, prepared as ``tools/infer.py`` prepares it
    (:func:`~mmaction_tsfmicro.apis.inference.load_clip`: aligned like the
    training frames, the apex estimated when none is given).

    Args:
        config (str, optional): The model's config; None takes the one the
            checkpoint holds.
        checkpoint (str): Its weights (a release records the face
            preprocessing the alignment needs).
        clip (dict): As :func:`~mmaction_tsfmicro.apis.inference.
            inference_clip` takes it.
        out_dir (str): Folder of the PNG (:func:`clip_name`).
        target_class (str, optional): The class to explain; defaults to the
            predicted class.
        device (str, optional): Where the model runs.
        steps (int): Points of the integrated gradients' path integral.
        align (bool, optional): As :func:`~mmaction_tsfmicro.apis.
            inference.inference_clip` takes it.

    Returns:
        SampleExplanation: ``sample`` is the clip's name with its key
        frames, ``label`` ``'?'`` (unknown).
    """
    from ..apis.inference import init_model, load_clip, pipeline_after_loading
    from .inputs import default_device
    model = init_model(config, checkpoint, device or default_device())
    model.float().eval()
    classes = list((model.dataset_meta or {}).get('classes') or [
        str(i) for i in range(model.cls_head.num_classes)])
    target = class_index(classes, target_class)
    data = load_clip(model, clip, align)
    source = data.pop('source')
    item = pipeline_after_loading(model.cfg)(data)
    name = clip_name(source)
    keys = ('pair' if source['source'] == 'pair' else
            f"onset {source['onset']}, apex {source['apex']}" +
            (' (estimated)' if source.get('apex_estimated') else ''))
    return explain_item(
        model, item, target, classes, name, '?',
        f"{osp.basename(str(source['source']))}   {keys}",
        osp.join(out_dir, picture_name(name, target_class)), steps)


@dataclass
class FoldEmbedding:
    """A t-SNE picture of one fold.

    Attributes:
        fold (LosoFold): The fold whose model embedded the samples.
        checkpoint (str): Its checkpoint.
        features (FeatureSet): Every sample's features, in dataset order.
        coords (np.ndarray): ``(N, 2)`` t-SNE coordinates.
        held_out (np.ndarray): ``(N,)`` whether the sample is of the fold's
            test subject.
        classes (list[str]): Class names.
        path (str): The PNG.
    """

    fold: LosoFold
    checkpoint: str
    features: FeatureSet
    coords: np.ndarray
    held_out: np.ndarray
    classes: List[str]
    path: str


def embedding_title(fold: LosoFold, checkpoint: str, features: FeatureSet,
                    held_out: np.ndarray) -> str:
    """The title of a fold's t-SNE picture: which model, which subject is
    unseen, how many clips, how many the model gets right."""
    num_train = len({s for s, h in zip(features.subjects, held_out) if not h})
    right = features.predicted == features.labels
    n_out = int(held_out.sum())
    return (f't-SNE of the fused features, model of fold {fold.subject} '
            f'({osp.basename(checkpoint)}), every clip of the data set\n'
            f'stars: {fold.subject}, held out (unseen in training), '
            f'{n_out} clips, {int(right[held_out].sum())} predicted right; '
            f'discs: the {num_train} training subjects, '
            f'{int((~held_out).sum())} clips, '
            f'{int(right[~held_out].sum())} right')


def embed_fold(work_dir: str,
               out: str,
               subject: Optional[str] = None,
               seed: int = 0,
               perplexity: float = 30.,
               device: Optional[str] = None,
               cfg_options: Optional[dict] = None,
               batch_size: int = 16) -> FoldEmbedding:
    """Write the t-SNE picture of one LOSO fold's model.

    Each fold is its own model, so the folds' feature spaces are not
    comparable: one fold's model (its last checkpoint) embeds every sample
    of the annotation file, through its test pipeline; the fold's held-out
    subject is marked apart from the subjects it was trained on.

    Args:
        work_dir (str): A LOSO work dir.
        out (str): The PNG.
        subject (str, optional): The fold's test subject. Defaults to the
            first fold.
        seed (int): The t-SNE seed.
        perplexity (float): The t-SNE perplexity.
        device (str, optional): Where the model runs.
        cfg_options (dict, optional): Changes to the fold's config (e.g.
            the data paths), merged as ``--cfg-options`` are.
        batch_size (int): Samples per forward pass.

    Returns:
        FoldEmbedding: What was drawn.
    """
    fold = choose_fold(loso_folds(work_dir), subject)
    cfg = fold.load_config()
    if cfg_options:
        merge_cfg_options(cfg, cfg_options, fold.config)
    checkpoint = fold.last_checkpoint()
    dataset = build_test_dataset(cfg, None)
    classes = class_names(dataset)
    model = load_model(cfg, checkpoint, device)
    features = fused_features(model, dataset, batch_size=batch_size)
    held_out = np.array([s == fold.subject for s in features.subjects])
    if not held_out.any():
        raise ValueError(f'the annotation file of {fold.config} holds no '
                         f'sample of the fold subject {fold.subject!r}')
    coords = tsne(features.features, seed=seed, perplexity=perplexity)
    plot_embedding(
        coords,
        features.labels,
        classes,
        held_out,
        out,
        title=embedding_title(fold, checkpoint, features, held_out),
        highlight_label=f'{fold.subject} (held out)',
        other_label='training subjects')
    return FoldEmbedding(fold, checkpoint, features, coords, held_out,
                         classes, out)
