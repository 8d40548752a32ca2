"""MMNet's authors' tensor layout (``MMNet`` of ``CASME2_5.py`` with
``CA_block.py`` and ``PC_module.py`` of ``muse1998/MMNet``) and the
plugin's: the names of one in the other, for their state_dicts
(``tools/official/compare_mmnet.py``; a state_dict the authors' training
script saves). The authors publish no trained weights.

Tensors the authors' forward never uses are dropped: ``pos.`` (a 1x1
convolution), ``head.`` (a 12544-to-38 classifier), ``timeembed``, and the
ViT's ``cls_token``, ``head.`` and ``to_Mask.``.
"""
import re
from typing import Optional, Sequence, Tuple

import torch

#: The class of each row of the authors' 5-class CASME II classifier
#: (``CASME2_5.py``); ``'others'`` is the plugin's ``'others'``.
MMNET_CASME2_CLASSES = ('happiness', 'repression', 'disgust', 'surprise',
                        'others')

UNUSED = (r'^pos\.', r'^head\.', r'^timeembed$', r'^vit_pos\.cls_token$',
          r'^vit_pos\.head\.', r'^vit_pos\.to_Mask\.')

_RULES: Tuple[Tuple[str, str], ...] = (
    (r'^conv_act\.0\.', 'motion_stem.0.conv.'),
    (r'^conv_act\.1\.', 'motion_stem.0.bn.'),
    (r'^main_branch\.conv1\.', 'motion_stem.1.conv.'),
    (r'^main_branch\.bn1\.', 'motion_stem.1.bn.'),
    (r'^main_branch\.layer(\d+)\.(\d+)\.', r'stages.<\1>.\2.'),
    (r'^vit_pos\.pos_embed$', 'position.pos_embed'),
    (r'^vit_pos\.patch_embed\.proj\.', 'position.patch_embed.'),
    (r'^vit_pos\.blocks\.(\d+)\.(norm1|norm2|attn\.qkv|attn\.proj)\.',
     r'position.blocks.\1.\2.'),
    (r'^vit_pos\.blocks\.(\d+)\.mlp\.fc1\.',
     r'position.blocks.\1.ffn.layers.0.0.'),
    (r'^vit_pos\.blocks\.(\d+)\.mlp\.fc2\.',
     r'position.blocks.\1.ffn.layers.1.'),
    (r'^vit_pos\.norm\.', 'position.norm.'),
)


def mmnet_official_key(key: str) -> Optional[str]:
    """The plugin's backbone name of a key of the authors' ``MMNet``, or
    None for the classifier (``main_branch.fc.``) and unused tensors."""
    for pattern, repl in _RULES:
        if re.match(pattern, key):
            name = re.sub(pattern, repl, key)
            # the authors' layer1..4 are the plugin's stages 0..3
            return re.sub(r'<(\d+)>', lambda m: str(int(m.group(1)) - 1),
                          name)
    return None


def convert_mmnet_state_dict(
        state_dict: dict,
        classes: Optional[Sequence[str]] = None) -> Tuple[dict, dict]:
    """Split a state_dict of the authors' ``MMNet`` into the plugin's
    ``MMNet`` backbone and ``MMNetHead`` state_dicts.

    Args:
        state_dict (dict): The authors' state_dict (a ``module.`` prefix of
            ``DataParallel`` is removed).
        classes (Sequence[str], optional): The class of each row of the
            result's classifier, a reordering of
            :data:`MMNET_CASME2_CLASSES`; by default the authors' order.

    Raises:
        KeyError: For a key that is none of the authors' tensors, naming it.
        ValueError: For ``classes`` that are not the authors' classes.
    """
    backbone, head = {}, {}
    for key, value in state_dict.items():
        key = key[len('module.'):] if key.startswith('module.') else key
        if any(re.match(pattern, key) for pattern in UNUSED):
            continue
        if key in ('main_branch.fc.weight', 'main_branch.fc.bias'):
            head['fc_cls.' + key.rsplit('.', 1)[1]] = value
            continue
        name = mmnet_official_key(key)
        if name is None:
            raise KeyError(f'{key}: not a tensor of the authors\' MMNet')
        backbone[name] = value
    if classes is not None:
        if sorted(classes) != sorted(MMNET_CASME2_CLASSES):
            raise ValueError(f'classes {list(classes)} are not the authors\' '
                             f'{list(MMNET_CASME2_CLASSES)}')
        order = torch.tensor([MMNET_CASME2_CLASSES.index(c) for c in classes])
        head = {k: v[order].clone() for k, v in head.items()}
    return backbone, head
