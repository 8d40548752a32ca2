"""HTNet's authors' tensor layout (``Model.py`` of
``wangzhifengharrison/HTNet``) and the plugin's: the names of one in the
other, for their state_dicts (``tools/official/compare_htnet.py``, a
state_dict the authors' training script saves)."""
import re
from typing import Optional, Tuple


def htnet_official_key(key: str) -> Optional[str]:
    """The plugin's name of a state_dict key of the authors' ``HTNet``
    (``Model.py``), or None for a key that is not the backbone's (the
    classifier's ``mlp_head``, see :func:`htnet_official_head_key`)."""
    rules: Tuple[Tuple[str, str], ...] = (
        (r'^to_patch_embedding\.1\.', 'patch_embed.'),
        (r'^layers\.(\d+)\.0\.pos_emb$', r'levels.\1.pos_embed'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.0\.norm\.g$',
         r'levels.\1.blocks.\2.norm1.weight'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.0\.norm\.b$',
         r'levels.\1.blocks.\2.norm1.bias'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.0\.fn\.to_qkv\.',
         r'levels.\1.blocks.\2.attn.qkv.'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.0\.fn\.to_out\.0\.',
         r'levels.\1.blocks.\2.attn.proj.'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.1\.norm\.g$',
         r'levels.\1.blocks.\2.norm2.weight'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.1\.norm\.b$',
         r'levels.\1.blocks.\2.norm2.bias'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.1\.fn\.net\.0\.',
         r'levels.\1.blocks.\2.ffn.fc1.'),
        (r'^layers\.(\d+)\.0\.layers\.(\d+)\.1\.fn\.net\.3\.',
         r'levels.\1.blocks.\2.ffn.fc2.'),
        (r'^layers\.(\d+)\.1\.0\.', r'aggregates.\1.conv.'),
        (r'^layers\.(\d+)\.1\.1\.g$', r'aggregates.\1.norm.weight'),
        (r'^layers\.(\d+)\.1\.1\.b$', r'aggregates.\1.norm.bias'),
    )
    for pattern, repl in rules:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    return None


def htnet_official_head_key(key: str) -> Optional[str]:
    """The plugin's name (under ``cls_head.``) of a key of the authors'
    ``mlp_head``, or None."""
    return {
        'mlp_head.0.g': 'norm.weight',
        'mlp_head.0.b': 'norm.bias',
        'mlp_head.2.weight': 'fc_cls.weight',
        'mlp_head.2.bias': 'fc_cls.bias'
    }.get(key)


def convert_htnet_state_dict(state_dict: dict) -> Tuple[dict, dict]:
    """Split a state_dict of the authors' ``HTNet`` into the plugin's
    backbone and head state_dicts (:func:`htnet_official_key`,
    :func:`htnet_official_head_key`).

    Raises:
        KeyError: For a key that is neither, naming it.
    """
    backbone, head = {}, {}
    for key, value in state_dict.items():
        name = htnet_official_key(key)
        if name is not None:
            backbone[name] = value
            continue
        name = htnet_official_head_key(key)
        if name is None:
            raise KeyError(f'{key}: not a tensor of the authors\' HTNet')
        head[name] = value
    return backbone, head
