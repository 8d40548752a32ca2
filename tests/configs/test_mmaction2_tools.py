"""MMAction2's own ``tools/train.py`` and ``tools/test.py`` run the shipped
configs: the config's ``custom_imports`` loads the plugin in a fresh
process that has imported nothing of it.

One config per data set layout and model kind runs here (CASME II through
the alias config, SAMM, CAS(ME)^3, the sequence model, the MEGC 2019
composite); every config runs through the plugin's own tools, which read
configs the same way (tests/configs/test_train_every_config.py)."""
import json
import os
import os.path as osp
import pickle
import subprocess
import sys
import textwrap

import mmaction

from .config_cases import (CASES, MEGC, data_options, megc_options,
                           shrink_options)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MIM_TOOLS = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools')

# Runs MMAction2's tools in one fresh interpreter (so that the cost of
# importing torch and MMAction2 is paid once), each tool as its own
# __main__, and reports whether the plugin was imported before the first
# config was read.
DRIVER = textwrap.dedent('''
    import json, runpy, sys
    jobs = json.load(open(sys.argv[1]))
    before = any(m.startswith('mmaction_tsfmicro') for m in sys.modules)
    for argv in jobs:
        sys.argv = argv
        runpy.run_path(argv[0], run_name='__main__')
    print(json.dumps(dict(plugin_before=before, plugin_after=(
        'mmaction_tsfmicro.plugin' in sys.modules))))
''')


#: The configs run here, one per layout and model kind.
ROUTES = ('configs/tsfmicro_casme2.py',
          'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_samm.py',
          'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_casme3.py',
          'configs/tsfmicro_seq/tsfmicro-seq_retnet-tiny_1xb32-30e_demo.py')


def test_configs_run_in_mmaction2_tools(tmp_path):
    assert set(ROUTES) <= set(CASES)
    cases = {c: data_options(c, str(tmp_path / f'frames{i}'))
             for i, c in enumerate(ROUTES)}
    cases[MEGC] = megc_options(str(tmp_path / 'megc'))
    jobs, dumps = [], {}
    for i, (config, options) in enumerate(cases.items()):
        work = str(tmp_path / f'work{i}')
        dumps[config] = str(tmp_path / f'preds{i}.pkl')
        jobs.append([
            osp.join(MIM_TOOLS, 'train.py'), config, '--work-dir', work,
            '--cfg-options', *shrink_options(config), *options
        ])
        jobs.append([
            osp.join(MIM_TOOLS, 'test.py'), config,
            osp.join(work, 'epoch_1.pth'), '--work-dir', work + '_test',
            '--dump', dumps[config], '--cfg-options',
            *shrink_options(config), *options
        ])
    (tmp_path / 'jobs.json').write_text(json.dumps(jobs))
    (tmp_path / 'driver.py').write_text(DRIVER)
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run(
        [sys.executable, str(tmp_path / 'driver.py'),
         str(tmp_path / 'jobs.json')],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state == dict(plugin_before=False, plugin_after=True)
    for config, dump in dumps.items():
        with open(dump, 'rb') as f:
            preds = pickle.load(f)
        classes = CASES[config]['classes'] if config in CASES else 3
        # the default fold tests its first subject, one clip per class
        assert len(preds) == classes, config
        assert all(p['pred_score'].shape == (classes, ) for p in preds)
