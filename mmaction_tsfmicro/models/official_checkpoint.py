"""The official TSFmicro model's checkpoints in this plugin's layout.

The official implementation (``classes/model/ts_micro.py``, class
``ts_micro``) keeps the spatial ViT under ``vit_pos.`` and the temporal RMT
together with the classification head under ``main_branch.``.
:func:`convert` renames every tensor to the ``backbone.`` / ``cls_head.``
layout of the plugin's ``Recognizer3D`` and checks names and shapes against
a model built from a config; :func:`convert_official_checkpoint` writes an
MMEngine checkpoint (``{'state_dict': ..., 'meta': ...}``) usable as
``load_from`` (``tools/official/convert_official_checkpoint.py``).

Tensors the official forward never uses (``vit_pos.cls_token``,
``vit_pos.head``, ``vit_pos.to_Mask``) are dropped; the per-stage decay and
rotary buffers (``Relpos.decay`` / ``Relpos.angle``), which this plugin
computes from its config, are compared with the config and dropped.

The official code orders the classes of some data sets differently from
the plugin's class sets (its ``classes/*/dataset_c*.py``): CASME II
happiness, repression, disgust, surprise, others; CAS(ME)^3 anger, disgust,
fear, happy, sad, surprise, others, and happy, surprise, others, negative;
the 3-class sets positive, surprise, negative. :func:`reorder_classes`
reorders the classifier's rows to the plugin's class set, so that the
converted model predicts the same class names as the official one.
"""
import os.path as osp
import pickle
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from ..utils.fileio import atomic_path

#: Official key prefixes whose tensors the official forward never reads.
UNUSED_PREFIXES = ('vit_pos.cls_token', 'vit_pos.head.', 'vit_pos.to_Mask.')

#: The official code's class order (label 0, 1, ...) of each of the
#: plugin's class sets, in the plugin's class names (``classes/cas2/
#: dataset_c5.py``, ``samm/dataset_c5.py``, ``cas3/dataset_c7.py``,
#: ``cas3/dataset_c4.py``, ``samm/dataset_c3.py`` and ``fusion/cas2/
#: dataset_cas2_c3.py`` of the official repository).
OFFICIAL_CLASSES: Dict[str, Tuple[str, ...]] = {
    'casme2_5': ('happiness', 'repression', 'disgust', 'surprise', 'others'),
    'samm_5': ('anger', 'contempt', 'happiness', 'surprise', 'other'),
    'casme3_7': ('anger', 'disgust', 'fear', 'happy', 'sad', 'surprise',
                 'others'),
    'casme3_4': ('positive', 'surprise', 'others', 'negative'),
    'megc2019_3': ('positive', 'surprise', 'negative'),
}
#: The classifier's tensors, one row per class.
CLASSIFIER_KEYS = ('cls_head.fc_cls.weight', 'cls_head.fc_cls.bias')

#: ``Relpos`` buffers: official name -> attribute of ``RetentionRelPos``.
RELPOS_BUFFERS = {'decay': 'log_decay', 'angle': 'angle'}

_BLOCK = r'main_branch\.layers\.(\d+)\.blocks\.(\d+)\.'
_STAGE = r'main_branch\.layers\.(\d+)\.'
_VIT_BLOCK = r'vit_pos\.blocks\.(\d+)\.'


def _stem(match: re.Match) -> str:
    """Official stem ``proj.{k}``: conv at k = 0, 3, 6, 9; BN right after."""
    index, rest = int(match.group(1)), match.group(2)
    layer, offset = divmod(index, 3)
    if offset == 2:
        raise KeyError('GELU layers have no tensors')
    return f'backbone.stem.{layer}.{"conv" if offset == 0 else "bn"}.{rest}'


#: (official pattern, plugin name or function of the match)
RULES: List[Tuple[str, object]] = [
    (r'vit_pos\.pos_embed', 'backbone.spatial.pos_embed'),
    (r'vit_pos\.patch_embed\.proj\.(weight|bias)',
     r'backbone.spatial.patch_embed.\1'),
    (_VIT_BLOCK + r'(norm1|norm2)\.(.+)', r'backbone.spatial.blocks.\1.\2.\3'),
    (_VIT_BLOCK + r'attn\.(qkv|proj)\.(.+)',
     r'backbone.spatial.blocks.\1.attn.\2.\3'),
    (_VIT_BLOCK + r'mlp\.fc1\.(.+)',
     r'backbone.spatial.blocks.\1.ffn.layers.0.0.\2'),
    (_VIT_BLOCK + r'mlp\.fc2\.(.+)',
     r'backbone.spatial.blocks.\1.ffn.layers.1.\2'),
    (r'vit_pos\.norm\.(.+)', r'backbone.spatial.norm.\1'),
    (r'main_branch\.patch_embed\.proj\.(\d+)\.(.+)', _stem),
    (_BLOCK + r'retention_layer_norm\.(.+)',
     r'backbone.stages.\1.blocks.\2.norm1.\3'),
    (_BLOCK + r'final_layer_norm\.(.+)',
     r'backbone.stages.\1.blocks.\2.norm2.\3'),
    (_BLOCK + r'retention\.(q_proj|k_proj|v_proj|out_proj)\.(.+)',
     r'backbone.stages.\1.blocks.\2.attn.\3.\4'),
    (_BLOCK + r'retention\.lepe\.conv\.(.+)',
     r'backbone.stages.\1.blocks.\2.attn.lepe.\3'),
    (_BLOCK + r'ffn\.(fc1|fc2)\.(.+)',
     r'backbone.stages.\1.blocks.\2.ffn.\3.\4'),
    (_BLOCK + r'ffn\.dwconv\.conv\.(.+)',
     r'backbone.stages.\1.blocks.\2.ffn.dwconv.\3'),
    (_BLOCK + r'pos\.conv\.(.+)', r'backbone.stages.\1.blocks.\2.pos.\3'),
    (_STAGE + r'downsample\.reduction\.(.+)',
     r'backbone.stages.\1.downsample.conv.\2'),
    (_STAGE + r'downsample\.norm\.(.+)',
     r'backbone.stages.\1.downsample.bn.\2'),
    (r'main_branch\.proj\.(.+)', r'cls_head.fc_proj.\1'),
    (r'main_branch\.norm\.(.+)', r'cls_head.bn.\1'),
    (r'main_branch\.head\.(.+)', r'cls_head.fc_cls.\1'),
]


class ConversionError(ValueError):
    """A key or a shape of the official state_dict does not fit."""


def map_official_key(key: str) -> Optional[str]:
    """Plugin name of an official tensor, or None if it is dropped.

    Args:
        key (str): Official ``ts_micro`` state_dict key.

    Returns:
        str | None: ``backbone.`` / ``cls_head.`` key, or None for the
        unused tensors and the ``Relpos`` buffers.

    Raises:
        ConversionError: If no rule knows the key.
    """
    if key.startswith(UNUSED_PREFIXES) or re.fullmatch(
            _STAGE + r'Relpos\.(decay|angle)', key):
        return None
    for pattern, target in RULES:
        match = re.fullmatch(pattern, key)
        if match is None:
            continue
        try:
            if callable(target):
                return target(match)
            return match.expand(target)
        except KeyError:
            break
    raise ConversionError(f'unexpected key in the official checkpoint: {key}')


def unwrap_state_dict(obj: object, source: str) -> Dict[str, torch.Tensor]:
    """The tensor dict inside a loaded file (a bare state_dict, or one under
    ``state_dict`` / ``model``), with a ``module.`` prefix removed."""
    if isinstance(obj, dict):
        for wrapper in ('state_dict', 'model'):
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
                break
    if not isinstance(obj, dict) or not obj:
        raise ConversionError(f'{source}: no state_dict found')
    if all(k.startswith('module.') for k in obj):
        obj = {k[len('module.'):]: v for k, v in obj.items()}
    for key, value in obj.items():
        if not torch.is_tensor(value):
            raise ConversionError(f'{source}: {key} is not a tensor')
    return obj


def infer_num_classes(official: Dict[str, torch.Tensor]) -> int:
    """Number of classes from ``main_branch.head.weight``."""
    key = 'main_branch.head.weight'
    if key not in official:
        raise ConversionError(f'missing key in the official checkpoint: {key}')
    return int(official[key].shape[0])


def check_relpos(official: Dict[str, torch.Tensor],
                 reference_buffers: Dict[str, torch.Tensor]) -> None:
    """Compare the official ``Relpos`` buffers with the plugin's.

    Args:
        official (dict): Official state_dict.
        reference_buffers (dict): ``'<stage>.<decay|angle>'`` -> the
            plugin's value for that stage.

    Raises:
        ConversionError: If a buffer has another shape or value, i.e. the
            checkpoint was made with other heads/decays than the config.
    """
    for key, value in official.items():
        match = re.fullmatch(_STAGE + r'Relpos\.(decay|angle)', key)
        if match is None:
            continue
        ref_key = f'{match.group(1)}.{match.group(2)}'
        if ref_key not in reference_buffers:
            raise ConversionError(
                f'unexpected key in the official checkpoint: {key}')
        ref = reference_buffers[ref_key]
        if tuple(value.shape) != tuple(ref.shape):
            raise ConversionError(
                f'shape mismatch for {key}: official {tuple(value.shape)}, '
                f'config {tuple(ref.shape)}')
        if not torch.allclose(value.float(), ref.float(), atol=1e-6):
            raise ConversionError(
                f'{key} differs from the config (other decay_init/'
                'decay_range/num_heads/embed_dims?)')


def convert(official: Dict[str, torch.Tensor],
            reference: Dict[str, torch.Tensor],
            reference_buffers: Optional[Dict[str, torch.Tensor]] = None
            ) -> Dict[str, torch.Tensor]:
    """Rename an official state_dict and check it against the plugin's.

    Args:
        official (dict): Official ``ts_micro`` state_dict.
        reference (dict): State_dict of the target plugin model (names and
            shapes are checked against it).
        reference_buffers (dict, optional): Relpos buffers of the target,
            see :func:`check_relpos`; skipped if None.

    Returns:
        dict: The plugin state_dict (same tensors, new names).

    Raises:
        ConversionError: For an unexpected or missing key or a shape
            mismatch; the message names the key.
    """
    converted: Dict[str, torch.Tensor] = {}
    origin: Dict[str, str] = {}
    for key, value in official.items():
        new_key = map_official_key(key)
        if new_key is None:
            continue
        if new_key not in reference:
            raise ConversionError(
                f'unexpected key in the official checkpoint: {key} '
                f'(-> {new_key}, absent from the model)')
        if tuple(value.shape) != tuple(reference[new_key].shape):
            raise ConversionError(
                f'shape mismatch for {key} (-> {new_key}): official '
                f'{tuple(value.shape)}, model '
                f'{tuple(reference[new_key].shape)}')
        converted[new_key] = value
        origin[new_key] = key
    missing = [k for k in reference if k not in converted]
    if missing:
        raise ConversionError(
            f'missing key in the official checkpoint for {missing[0]}'
            + (f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''))
    if reference_buffers is not None:
        check_relpos(official, reference_buffers)
    return converted


def reorder_classes(state_dict: Dict[str, torch.Tensor],
                    official: Sequence[str],
                    target: Sequence[str]) -> Dict[str, torch.Tensor]:
    """Reorder the classifier's rows from the official class order to the
    target class set's.

    Args:
        state_dict (dict): A converted (plugin) state_dict.
        official (sequence[str]): The class of each official row.
        target (sequence[str]): The class of each row of the result.

    Returns:
        dict: A new state_dict; row ``i`` of the classifier is the official
        row of class ``target[i]``.

    Raises:
        ConversionError: If the two orders name other classes.
    """
    if sorted(official) != sorted(target):
        raise ConversionError(f'the official classes {list(official)} are '
                              f'not the classes {list(target)}')
    order = torch.tensor([list(official).index(c) for c in target])
    out = dict(state_dict)
    for key in CLASSIFIER_KEYS:
        out[key] = state_dict[key][order].clone()
    return out


def build_reference(config: str, num_classes: int
                    ) -> Tuple[Dict[str, torch.Tensor],
                               Dict[str, torch.Tensor]]:
    """State_dict and Relpos buffers of the model of ``config``.

    Args:
        config (str): Model config (e.g. ``configs/_base_/models/
            tsfmicro.py``); ``model.cls_head.num_classes`` is overridden.
        num_classes (int): Number of classes.

    Returns:
        tuple[dict, dict]: The model's state_dict and its
        ``'<stage>.<decay|angle>'`` buffers.
    """
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from .. import plugin  # noqa: F401  (registers the plugin)

    cfg = Config.fromfile(config)
    cfg.model.cls_head.num_classes = num_classes
    init_default_scope('mmaction')
    model = MODELS.build(cfg.model)
    if model.backbone.fusion != 'late':
        raise ConversionError(f'{config}: the official ts_micro is the '
                              "fusion='late' model")
    buffers = {}
    for i, stage in enumerate(model.backbone.stages):
        for name, attr in RELPOS_BUFFERS.items():
            buffers[f'{i}.{name}'] = getattr(stage.rel_pos, attr)
    return model.state_dict(), buffers


def load_official_weights(model: torch.nn.Module, path: str) -> None:
    """Convert the official state_dict at ``path`` into ``model``
    (strict: every tensor of the model is set)."""
    official = torch.load(path, map_location='cpu', weights_only=True)
    state = convert(official, model.state_dict())
    model.load_state_dict(state, strict=True)


def save_atomic(obj: dict, path: str) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename."""
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def convert_official_checkpoint(src: str,
                                dst: str,
                                class_set: str,
                                config: str,
                                build: Callable = build_reference) -> str:
    """Convert the official state_dict in ``src`` for the plugin's class set
    ``class_set`` and write it to ``dst`` (atomically).

    Args:
        src (str): The official state_dict (``.pth``).
        dst (str): The output checkpoint.
        class_set (str): The plugin's class set the checkpoint is for.
        config (str): The model config it is for (paper size, late fusion).
        build (callable): Builds the reference state_dict and buffers
            (:func:`build_reference`).

    Returns:
        str: What was written, in one line.

    Raises:
        ConversionError: For a file, class count or tensor that does not
            fit; the message names it.
    """
    from ..annotations import CLASS_SETS
    classes = list(CLASS_SETS[class_set].classes)
    try:
        loaded = torch.load(src, map_location='cpu', weights_only=True)
    except (OSError, RuntimeError, EOFError,
            pickle.UnpicklingError) as err:
        raise ConversionError(
            f'{src}: cannot load ({" ".join(str(err).split())})') from None
    official = unwrap_state_dict(loaded, src)
    num_classes = infer_num_classes(official)
    if num_classes != len(classes):
        raise ConversionError(
            f'{src}: the checkpoint has {num_classes} classes, the '
            f'class set {class_set} {len(classes)} '
            f'({", ".join(classes)})')
    reference, buffers = build(config, num_classes)
    state_dict = convert(official, reference, buffers)
    state_dict = reorder_classes(state_dict, OFFICIAL_CLASSES[class_set],
                                 classes)
    meta = dict(
        source=osp.basename(src),
        converted_from='official TSFmicro ts_micro state_dict',
        config=osp.relpath(config) if osp.exists(config) else config,
        num_classes=num_classes,
        class_set=class_set,
        classes=classes,
        official_classes=list(OFFICIAL_CLASSES[class_set]))
    save_atomic(dict(state_dict=state_dict, meta=meta), dst)
    return (f'{len(state_dict)} tensors written to {dst} '
            f'({len(official) - len(state_dict)} official tensors dropped)')
