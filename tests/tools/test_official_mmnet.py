"""tools/official/compare_mmnet.py on a stand-in checkout: a CASME2_5.py
whose MMNet holds the plugin's model under the authors' tensor names (those
of the recorded state_dict, tests/data/official_mmnet_keys.json) and which,
like the authors' script, imports a helper module that does not exist, so
that the tool's two sides, the conversion and the verdict are exercised
without the authors' code."""
import os.path as osp
import re
import subprocess
import sys

from conftest import REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools', 'official', 'compare_mmnet.py')

#: Names and shift, in a module beside the script (as the authors' model
#: modules are): the side runs only the script's imports and its MMNet.
NAMES = '''
import re

RULES = {rules!r}
OFFSET = {offset!r}


def official_name(key):
    for pattern, repl in RULES:
        if re.match(pattern, key):
            name = re.sub(pattern, repl, key)
            return re.sub(r'<(\\d+)>', lambda m: str(int(m.group(1)) + 1),
                          name)
    raise KeyError(key)
'''

STAND_IN = '''
import torch
from torch import nn
from opencv_flow import OpticFlow  # absent, as in the authors' repository

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.models.backbones.mmnet import MMNet as Backbone
from mmaction_tsfmicro.models.heads.mmnet_head import MMNetHead
from standin_names import OFFSET, official_name


def run_training():
    raise SystemExit('the training script must not run')


class MMNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = Backbone('paper')
        self.head = MMNetHead(5, 512, 14)

    def state_dict(self, *args, **kwargs):
        out = {}
        for part, prefix in ((self.backbone, 'b.'), (self.head, 'h.')):
            for key, value in part.state_dict().items():
                out[official_name(prefix + key)] = value
        return out

    def forward(self, x1, x2, x3, x4, x5, x6, x7, x8, x9, if_shuffle):
        pair = torch.stack((x1, x5), dim=2)
        return self.head(self.backbone(pair)) + OFFSET


run_training()
'''

#: The plugin's names -> the authors' (the inverse of the converter).
RULES = [
    (r'^b\.motion_stem\.0\.conv\.', 'conv_act.0.'),
    (r'^b\.motion_stem\.0\.bn\.', 'conv_act.1.'),
    (r'^b\.motion_stem\.1\.conv\.', 'main_branch.conv1.'),
    (r'^b\.motion_stem\.1\.bn\.', 'main_branch.bn1.'),
    (r'^b\.stages\.(\d+)\.(\d+)\.', r'main_branch.layer<\1>.\2.'),
    (r'^b\.position\.pos_embed$', 'vit_pos.pos_embed'),
    (r'^b\.position\.patch_embed\.', 'vit_pos.patch_embed.proj.'),
    (r'^b\.position\.blocks\.(\d+)\.ffn\.layers\.0\.0\.',
     r'vit_pos.blocks.\1.mlp.fc1.'),
    (r'^b\.position\.blocks\.(\d+)\.ffn\.layers\.1\.',
     r'vit_pos.blocks.\1.mlp.fc2.'),
    (r'^b\.position\.blocks\.(\d+)\.', r'vit_pos.blocks.\1.'),
    (r'^b\.position\.norm\.', 'vit_pos.norm.'),
    (r'^h\.fc_cls\.', 'main_branch.fc.'),
]


def stand_in(folder, offset=0.0):
    folder.mkdir()
    (folder / 'CASME2_5.py').write_text(STAND_IN)
    (folder / 'standin_names.py').write_text(
        NAMES.format(rules=RULES, offset=offset))
    return folder


def run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          cwd=REPO_ROOT)


def test_the_stand_in_speaks_the_recorded_authors_names():
    import json

    from mmaction_tsfmicro.models.backbones.mmnet import MMNet
    from mmaction_tsfmicro.models.heads.mmnet_head import MMNetHead
    recorded = json.load(open(osp.join(REPO_ROOT, 'tests', 'data',
                                       'official_mmnet_keys.json')))['keys']
    names = {}
    for part, prefix in ((MMNet(), 'b.'), (MMNetHead(5, 512, 14), 'h.')):
        for key, value in part.state_dict().items():
            key = prefix + key
            name = next(re.sub(p, r, key) for p, r in RULES
                        if re.match(p, key))
            name = re.sub(r'<(\d+)>', lambda m: str(int(m.group(1)) + 1),
                          name)
            names[name] = list(value.shape)
    assert names == {k: v for k, v in recorded.items() if k in names}
    assert len(names) == len(recorded) - 13  # the unused tensors


def test_a_shifted_model_is_caught_by_its_shift(tmp_path):
    """The stand-in adds 1e-3 to every logit: the tool reports that
    difference, to float precision, and fails; the script's missing helper
    is skipped and its training never runs."""
    out = tmp_path / 'parity.json'
    proc = run('--mmnet-repo', stand_in(tmp_path / 'off', 1e-3), '--batch',
               2, '--out', out)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.fullmatch(r"authors' side: CASME2_5\.py:4: skipped \(No module "
                        r"named 'opencv_flow'\)", lines[0])
    match = re.fullmatch(r'authors: 9,438,841 parameters in the forward, 2 '
                         r'pairs, max \|logit difference\| (\S+) \(logits up '
                         r'to \S+\)', lines[1])
    assert match and abs(float(match.group(1)) - 1e-3) < 1e-5
    assert lines[2].endswith('at unknown')  # not a git checkout
    assert lines[3].startswith('differs: 0.001')
    import json
    (result, ) = json.loads(out.read_text())['results']
    assert result['parameters'] == 9438841 and result['batch'] == 2


def test_a_folder_without_the_authors_code_is_one_line(tmp_path):
    proc = run('--mmnet-repo', tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f'compare_mmnet.py: error: {tmp_path}: no '
                           'CASME2_5.py (give a checkout of '
                           'muse1998/MMNet)\n')
