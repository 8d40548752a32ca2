"""The package as a wheel, the OpenMMLab way: built from the repository's
tracked files, installed with ``--no-deps`` into a fresh virtual
environment that has the runtime set, and used from a folder outside the
repository: ``mim list``, ``mim search``, ``mim train`` and ``mim test``,
the package's LOSO entry and inference with the released checkpoint."""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

from mmaction_tsfmicro.testing import make_synthetic_dataset

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: The released model's name in the metafile and its checkpoint's stem
RELEASE = 'tsfmicro_retnet-tiny_1xb32-30e_demo-all-subjects'
RELEASE_FILE = 'tsfmicro_tiny_demo_all-subjects'


def run(cmd, cwd, env=None, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (cmd, proc.stdout[-3000:],
                                  proc.stderr[-3000:])
    return proc


@pytest.fixture(scope='module')
def wheel_env(tmp_path_factory):
    """The wheel, and a fresh virtual environment with it installed."""
    tmp = tmp_path_factory.mktemp('packaging')
    # the tracked files only, as a clone has them: the build leaves the
    # working tree as it is
    source = tmp / 'source'
    files = subprocess.run(['git', 'ls-files'], cwd=REPO, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in files:
        if osp.isfile(osp.join(REPO, name)):
            os.makedirs(source / osp.dirname(name), exist_ok=True)
            shutil.copy2(osp.join(REPO, name), source / name)
    dist = tmp / 'dist'
    run([sys.executable, '-m', 'pip', 'wheel', '.', '--no-deps',
         '--no-build-isolation', '-q', '-w', dist], cwd=source)
    (wheel, ) = glob.glob(str(dist / '*.whl'))
    # a fresh environment whose runtime set is this one's (a path entry,
    # so this one's editable install of the plugin is not seen)
    venv = tmp / 'venv'
    run([sys.executable, '-m', 'venv', '--without-pip', venv], cwd=tmp)
    purelib = sysconfig.get_paths()['purelib']
    site = glob.glob(str(venv / 'lib' / 'python*' / 'site-packages'))[0]
    with open(osp.join(site, 'runtime_set.pth'), 'w') as f:
        f.write(purelib + '\n')
    python = venv / 'bin' / 'python'
    run([python, '-m', 'pip', 'install', '--no-deps', '-q', wheel],
        cwd=tmp)
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop('PYTHONPATH', None)
    work = tmp / 'elsewhere'
    work.mkdir()
    return dict(wheel=wheel, python=python, env=env, work=work, venv=venv)


def test_the_wheel_holds_configs_tools_index_and_release(wheel_env):
    names = zipfile.ZipFile(wheel_env['wheel']).namelist()
    mim = 'mmaction_tsfmicro/.mim/'
    for path in ('model-index.yml', 'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py',
                 'configs/tsfmicro/metafile.yml',
                 'configs/_base_/default_runtime.py', 'tools/train.py',
                 'tools/loso.py', 'tools/infer.py'):
        assert mim + path in names, path
    assert [n for n in names if n.startswith(mim + 'checkpoints/')
            and n.endswith('.pth')]
    # nothing of the repository's tests or demo generator
    assert not [n for n in names if n.startswith(('tests/', 'synthesis/'))]
    metadata = [n for n in names if n.endswith('METADATA')][0]
    text = zipfile.ZipFile(wheel_env['wheel']).read(metadata).decode()
    # the MMCV flavour is the user's choice, not the build machine's
    assert 'Requires-Dist: mmcv' not in text.replace(
        'extra == "mim"', '').split('Provides-Extra: mim')[0]


def test_the_installed_package_is_the_wheel_s(wheel_env):
    proc = run([wheel_env['python'], '-c',
                'import mmaction_tsfmicro, os; print(os.path.dirname('
                'mmaction_tsfmicro.__file__))'], cwd=wheel_env['work'],
               env=wheel_env['env'])
    assert proc.stdout.strip().startswith(str(wheel_env['venv']))


def test_mim_lists_and_searches_the_package(wheel_env):
    mim = [wheel_env['python'], '-m', 'mim']
    listed = run(mim + ['list'], cwd=wheel_env['work'], env=wheel_env['env'])
    assert 'mmaction-tsfmicro' in listed.stdout
    found = run(mim + ['search', 'mmaction_tsfmicro'],
                cwd=wheel_env['work'], env=wheel_env['env'])
    assert RELEASE in found.stdout


def test_train_test_loso_and_infer_without_the_repository(wheel_env):
    env, work, python = wheel_env['env'], wheel_env['work'], \
        wheel_env['python']
    root = work / 'data' / 'frames'
    ann = make_synthetic_dataset(str(root), subjects=('sub01', 'sub02'),
                                 num_frames=5)
    data = [f'{split}.dataset.{key}={value}'
            for split in ('train_dataloader', 'test_dataloader')
            for key, value in (('ann_file', ann),
                               ('data_prefix.img', str(root)))]
    mim = [python, '-m', 'mim']
    run(mim + ['train', 'mmaction_tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py', '--gpus',
               '0', '--work-dir', 'train', '--cfg-options',
               'train_cfg.max_epochs=1', 'train_dataloader.num_workers=0',
               'test_dataloader.num_workers=0', *data], cwd=work, env=env)
    checkpoint = work / 'train' / 'epoch_1.pth'
    assert checkpoint.is_file()
    tested = run(mim + ['test', 'mmaction_tsfmicro', 'tsfmicro_retnet-tiny_1xb32-30e_demo.py',
                        '--checkpoint', checkpoint, '--gpus', '0',
                        '--work-dir', 'test', '--cfg-options',
                        'test_dataloader.num_workers=0', *data],
                 cwd=work, env=env)
    assert 'uf1' in (tested.stdout + tested.stderr).lower()
    # the LOSO entry, on two folds
    run([python, '-m', 'mmaction_tsfmicro', 'loso',
         'configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py', '--work-dir', 'loso', '--subjects',
         'sub01,sub02', '--jobs', '1', '--cfg-options',
         'train_cfg.max_epochs=1', *data], cwd=work, env=env)
    report = json.load(open(work / 'loso' / 'loso_report.json'))
    assert report['num_folds'] == 2
    # the released checkpoint, from the package, on a folder of frames
    (release, ) = glob.glob(str(
        wheel_env['venv'] / 'lib' / 'python*' / 'site-packages' /
        'mmaction_tsfmicro' / '.mim' / 'checkpoints' / f'{RELEASE_FILE}-*.pth'))
    clip = sorted(os.listdir(root / 'sub01'))[0]
    out = run(['tsfmicro', 'infer', '-', release, root / 'sub01' / clip,
               '--onset', 1, '--apex', 3, '--no-align', '--out', 'r.json'],
              cwd=work, env=env)
    assert out.stdout.splitlines()[-2].startswith('predicted: ')
    assert json.load(open(work / 'r.json'))['predicted'] in (
        'happiness', 'disgust', 'repression', 'surprise', 'others')
    # a video nobody annotated: the released spotter, found in the package
    from tsfmicro_synthesis.long_video_builder import build_long_videos
    from tsfmicro_synthesis.long_video_plans import LongVideoConfig
    build_long_videos(str(work / 'long'), LongVideoConfig(
        seed=5, subjects=1, videos_per_subject=1, duration=(6.0, 6.0),
        expressions=(2, 2), frame_size=160), workers=1, log=None)
    (video, ) = glob.glob(str(work / 'long' / 'rawvideo' / '*' / '*.avi'))
    run(['tsfmicro', 'infer', '-', release, video, '--out', 'spans.json'],
        cwd=work, env=env)
    spotted = json.load(open(work / 'spans.json'))
    assert osp.dirname(spotted['spotter']) == osp.dirname(release)
    assert osp.basename(spotted['spotter']).startswith(
        'spotter_tsfmicro-seq_demo-long-')
