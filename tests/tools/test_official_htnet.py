"""tools/official/compare_htnet.py on a stand-in checkout: a Model.py whose
HTNet holds the plugin's model under the authors' tensor names (the names
the recorded state_dict of tests/data/official_htnet_keys.json has), so
that the tool's two sides, the conversion and the verdict are exercised
without the authors' code."""
import json
import os.path as osp
import re
import subprocess
import sys

from conftest import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'official', 'compare_htnet.py')

STAND_IN = '''
import re
import torch
from torch import nn

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models.backbones.htnet import HTNet as Backbone
from mmaction_tsfmicro.models.heads.htnet_head import HTNetHead

RULES = {rules!r}
OFFSET = {offset!r}


def official_name(key):
    for pattern, repl in RULES:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    raise KeyError(key)


class HTNet(nn.Module):

    def __init__(self, *, num_classes, **kwargs):
        super().__init__()
        self.backbone = Backbone(**kwargs)
        self.head = HTNetHead(num_classes, self.backbone.out_channels)

    def state_dict(self, *args, **kwargs):
        out = {{}}
        for part, prefix in ((self.backbone, 'b.'), (self.head, 'h.')):
            for key, value in part.state_dict().items():
                out[official_name(prefix + key)] = value
        return out

    def forward(self, x):
        return self.head(self.backbone(x)) + OFFSET
'''

#: The plugin's names -> the authors' (the inverse of the converter).
RULES = [
    (r'^b\.patch_embed\.', 'to_patch_embedding.1.'),
    (r'^b\.levels\.(\d+)\.pos_embed$', r'layers.\1.0.pos_emb'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.norm1\.weight$',
     r'layers.\1.0.layers.\2.0.norm.g'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.norm1\.bias$',
     r'layers.\1.0.layers.\2.0.norm.b'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.attn\.qkv\.',
     r'layers.\1.0.layers.\2.0.fn.to_qkv.'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.attn\.proj\.',
     r'layers.\1.0.layers.\2.0.fn.to_out.0.'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.norm2\.weight$',
     r'layers.\1.0.layers.\2.1.norm.g'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.norm2\.bias$',
     r'layers.\1.0.layers.\2.1.norm.b'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.ffn\.fc1\.',
     r'layers.\1.0.layers.\2.1.fn.net.0.'),
    (r'^b\.levels\.(\d+)\.blocks\.(\d+)\.ffn\.fc2\.',
     r'layers.\1.0.layers.\2.1.fn.net.3.'),
    (r'^b\.aggregates\.(\d+)\.conv\.', r'layers.\1.1.0.'),
    (r'^b\.aggregates\.(\d+)\.norm\.weight$', r'layers.\1.1.1.g'),
    (r'^b\.aggregates\.(\d+)\.norm\.bias$', r'layers.\1.1.1.b'),
    (r'^h\.norm\.weight$', 'mlp_head.0.g'),
    (r'^h\.norm\.bias$', 'mlp_head.0.b'),
    (r'^h\.fc_cls\.', 'mlp_head.2.'),
]


def stand_in(folder, offset=0.0):
    folder.mkdir()
    (folder / 'Model.py').write_text(STAND_IN.format(rules=RULES,
                                                     offset=offset))
    return folder


def run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          cwd=REPO_ROOT)


def test_the_inverse_names_are_the_recorded_authors_names():
    """The stand-in's names on the authors' setting are exactly the
    recorded ones: the stand-in speaks the authors' layout."""
    from mmaction_tsfmicro.models.backbones.htnet import HTNet
    from mmaction_tsfmicro.models.heads.htnet_head import HTNetHead
    recorded = json.load(open(osp.join(REPO_ROOT, 'tests', 'data',
                                       'official_htnet_keys.json')))['keys']
    names = {}
    for part, prefix in ((HTNet(), 'b.'), (HTNetHead(3, 1024), 'h.')):
        for key, value in part.state_dict().items():
            key = prefix + key
            (name, ) = [re.sub(p, r, key) for p, r in RULES
                        if re.match(p, key)]
            names[name] = list(value.shape)
    assert names == recorded


def test_a_shift_within_the_tolerance_passes(tmp_path):
    """The stand-in adds 1e-3 to every logit: the tool reports that
    difference (to float precision: the conversion is otherwise exact) and
    passes under a tolerance of 1e-2 (the failing verdict:
    tests/tools/test_official_mmnet.py)."""
    out = tmp_path / 'parity.json'
    proc = run('--htnet-repo', stand_in(tmp_path / 'off', 1e-3), '--settings',
               'small', '--tolerance', 1e-2, '--out', out)
    assert proc.returncode == 0, proc.stderr
    (result, ) = json.loads(out.read_text())['results']
    assert result['setting'] == 'small'
    assert abs(result['max_abs_diff'] - 1e-3) < 1e-6
    assert result['parameters'] == 102277
    assert re.fullmatch(r'small: 102,277 parameters, 8 inputs, max \|logit '
                        r'difference\| 0\.001\d*', proc.stdout.splitlines()[0])
    assert 'at unknown' in proc.stdout  # not a git checkout
    assert 'differs' not in proc.stdout


def test_a_folder_without_the_authors_code_is_one_line(tmp_path):
    proc = run('--htnet-repo', tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f'compare_htnet.py: error: {tmp_path}: no '
                           'Model.py (give a checkout of '
                           'wangzhifengharrison/HTNet)\n')
