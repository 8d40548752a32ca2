"""tools/loso.py end to end on a tiny generated data set (3 subjects,
3 epochs, 32x32 frames): report files, resume after a kill, --jobs,
--select-on-test, distributed folds."""
import json
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest
from conftest import run_script

from mmaction_tsfmicro.evaluation.functional import me_scores
from mmaction_tsfmicro.testing import make_synthetic_dataset
from mmaction_tsfmicro.utils.modules import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'loso.py')
CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'loso_tiny.py')
SUBJECTS = ['sub01', 'sub02', 'sub03']
REPORT_FILES = ('loso_report.json', 'predictions.csv', 'loso_megc.log',
                'loso_report.md', 'confusion_matrix.png', 'per_subject.png')


def env():
    return dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')


def loso(cwd, *args, timeout=300):
    return subprocess.run([sys.executable, TOOL, CFG, *args, '--threads', '1'],
                          cwd=cwd,
                          env=env(),
                          capture_output=True,
                          text=True,
                          timeout=timeout)


def ok(proc):
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def load_tool():
    return load_script(TOOL, 'loso_tool')


def report(work_dir):
    with open(osp.join(work_dir, 'loso_report.json')) as f:
        return json.load(f)


def rep_step(work_dir, subject):
    """A fold's training iterations, as the report gives them."""
    return report(work_dir)['per_subject'][subject]['train_step']


def fold_predictions(work_dir, subject):
    with open(osp.join(work_dir, f'fold_{subject}', 'predictions.json')) as f:
        return json.load(f)['predictions']


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('loso')
    make_synthetic_dataset(
        str(root / 'data' / 'synthetic_loso'),
        subjects=SUBJECTS,
        clips_per_class=2)
    return root


@pytest.fixture(scope='module')
def reference(data_dir):
    proc = ok(loso(data_dir, '--work-dir', 'ref'))
    return str(data_dir / 'ref'), proc


def test_end_to_end_report(reference):
    work_dir, proc = reference
    for name in REPORT_FILES:
        assert osp.getsize(osp.join(work_dir, name)) > 0, name
    rep = report(work_dir)
    assert rep['num_folds'] == 3 and rep['num_samples'] == 30
    assert list(rep['per_subject']) == SUBJECTS
    # the report's numbers come back from the CSV
    table = pd.read_csv(osp.join(work_dir, 'predictions.csv'))
    assert len(table) == rep['num_samples']
    again = me_scores(table['label'], table['pred'], len(rep['classes']))
    for key in ('uf1', 'uar', 'acc'):
        assert again[key] == pytest.approx(rep[key])
    assert sorted(table['subject'].unique()) == SUBJECTS
    assert 'NOT the MEGC metric' in rep['per_fold_average']['note']
    assert 'last training epoch (3)' in rep['model_selection']
    assert rep['seed'] == 0 and '--work-dir ref' in rep['commands'][0]
    assert f"UF1 {rep['uf1']:.4f}" in proc.stdout
    assert 'per-fold average (not the MEGC metric)' in proc.stdout


def test_no_fold_trains_on_its_test_subject(reference):
    work_dir, _ = reference
    for subject in SUBJECTS:
        fold_dir = osp.join(work_dir, f'fold_{subject}')
        with open(osp.join(fold_dir, 'fold_result.json')) as f:
            rec = json.load(f)
        # subjects the built datasets actually loaded
        assert rec['test_subjects'] == [subject]
        assert rec['train_subjects'] == [s for s in SUBJECTS if s != subject]
        assert rec['num_train_samples'] == 20
        # MMEngine's iteration timer over the 3 epochs of 5 batches of 4
        step = rec['train_step']
        assert step['iterations'] == 15
        assert 0 < step['data_seconds'] < step['seconds']
        assert rep_step(work_dir, subject) == step
        assert {p['subject']
                for p in fold_predictions(work_dir, subject)} == {subject}
        # only the last epoch's checkpoint is kept
        assert sorted(f for f in os.listdir(fold_dir)
                      if f.endswith('.pth')) == ['epoch_3.pth']


def test_existing_work_dir_is_refused_without_resume(reference, capsys):
    work_dir, _ = reference
    before = {
        n: os.stat(osp.join(work_dir, n)).st_mtime_ns
        for n in ('loso_plan.json', 'loso_report.json')
    }
    code = load_tool().main([CFG, '--work-dir', work_dir])
    assert code == 2
    err = capsys.readouterr().err
    assert 'already holds a LOSO run (3 finished fold(s)' in err
    assert 'pass --resume' in err
    code = load_tool().main([
        CFG, '--work-dir', work_dir, '--resume', '--cfg-options',
        'train_cfg.max_epochs=4'
    ])
    assert code == 2
    err = capsys.readouterr().err
    assert err == (
        f'tools/loso.py: error: cannot resume {work_dir}: the options differ '
        'from those the run was started with: --cfg-options '
        'train_cfg.max_epochs=4 (the run has none). Leave them out to reuse '
        "the run's (stored in loso_options.json), or choose another "
        '--work-dir\n')
    code = load_tool().main([CFG, '--work-dir', work_dir, '--resume',
                             '--seed', '5', '--select-on-test'])
    assert code == 2
    assert ('--seed 5 (the run has not given); --select-on-test True (the '
            'run has not given)') in capsys.readouterr().err
    assert before == {
        n: os.stat(osp.join(work_dir, n)).st_mtime_ns
        for n in before
    }


def test_resume_reuses_the_options_and_refuses_an_edited_config(
        data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(data_dir)
    config = tmp_path / 'tiny.py'
    config.write_text(f'_base_ = [{CFG!r}]\n')
    work = str(tmp_path / 'w')
    options = ['--subjects', 'sub01', '--threads', '1', '--cfg-options',
               'train_cfg.max_epochs=1', 'train_dataloader.batch_size=8']
    assert load_tool().main([str(config), '--work-dir', work] + options) == 0
    capsys.readouterr()
    with open(osp.join(work, 'loso_options.json')) as f:
        stored = json.load(f)
    assert stored['cfg_options'] == {'train_cfg.max_epochs': 1,
                                     'train_dataloader.batch_size': 8}
    assert stored['subjects'] == ['sub01']
    # --resume alone takes the run's options: nothing to redo
    assert load_tool().main([str(config), '--work-dir', work, '--resume',
                             '--threads', '1']) == 0
    out = capsys.readouterr().out
    assert '1 fold(s) finished earlier and kept: sub01' in out
    assert 'LOSO over 1 folds' in out
    config.write_text(f'_base_ = [{CFG!r}]\n'
                      'optim_wrapper = dict(optimizer=dict(lr=2e-2))\n')
    assert load_tool().main([str(config), '--work-dir', work,
                             '--resume']) == 2
    err = capsys.readouterr().err
    assert 'the merged config differs from loso_config.py' in err
    assert "first difference, line" in err and 'lr=0.02' in err


def test_bad_options_are_refused_in_one_line(data_dir, tmp_path, capsys,
                                             monkeypatch):
    monkeypatch.chdir(data_dir)
    tool = load_tool()
    work = str(tmp_path / 'w')
    assert tool.main([CFG, '--work-dir', work, '--subjects', 'sub09']) == 2
    assert "unknown subject 'sub09'; known: sub01, sub02, sub03" in \
        capsys.readouterr().err
    assert not osp.exists(work)  # a refused run leaves nothing behind
    assert tool.main(
        [CFG, '--work-dir', work, '--jobs', '2', '--launcher', 'pytorch']) == 2
    assert '--jobs must be 1' in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)  # no data here
    assert tool.main([CFG, '--work-dir', work]) == 2
    assert 'data/synthetic_loso/annotations.json: file not found' in \
        capsys.readouterr().err
    assert tool.main([str(tmp_path / 'nope.py'), '--work-dir', work]) == 2
    assert 'nope.py' in capsys.readouterr().err
    if not __import__('torch').cuda.is_available():
        # a CPU without bfloat16 units
        from mmaction_tsfmicro.engine import optim_wrappers
        monkeypatch.setattr(optim_wrappers, 'cpu_has_bf16', lambda: False)
        monkeypatch.chdir(data_dir)
        assert tool.main([CFG, '--work-dir', work, '--amp']) == 2
        assert capsys.readouterr().err.strip() == (
            'tools/loso.py: error: --amp needs a GPU, or a CPU with bfloat16 '
            'units (AVX512-BF16 or AMX); this CPU has neither: drop --amp')
    assert not osp.exists(work)


def test_selection_on_test_is_refused(data_dir, tmp_path, capsys):
    child = tmp_path / 'best.py'
    child.write_text(
        f"_base_ = [{CFG!r}]\n"
        "default_hooks = dict(checkpoint=dict(save_best='uf1'))\n")
    code = load_tool().main([str(child), '--work-dir', str(tmp_path / 'w')])
    assert code == 2
    err = capsys.readouterr().err
    assert "default_hooks.checkpoint.save_best='uf1'" in err
    assert 'test subject' in err and '--select-on-test' in err
    assert not (tmp_path / 'w').exists()


def test_resume_after_kill_equals_uninterrupted(data_dir, reference):
    ref_dir, _ = reference
    work_dir = data_dir / 'killed'
    proc = subprocess.Popen(
        [sys.executable, TOOL, CFG, '--work-dir', 'killed', '--jobs', '1',
         '--threads', '1'],
        cwd=data_dir,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True)
    # kill the run once fold 2 has saved its first checkpoint
    marker = work_dir / 'fold_sub02' / 'last_checkpoint'
    deadline = time.time() + 240
    while not marker.exists():
        assert proc.poll() is None, 'the run ended before it was killed'
        assert time.time() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (work_dir / 'fold_sub02' / 'fold_result.json').exists()
    assert not (work_dir / 'loso_report.json').exists()
    fold1 = (work_dir / 'fold_sub01' / 'fold_result.json').read_bytes()

    ok(loso(data_dir, '--work-dir', 'killed', '--resume'))
    # the finished fold was kept, the interrupted one resumed
    assert (work_dir / 'fold_sub01' / 'fold_result.json').read_bytes() == fold1
    with open(work_dir / 'fold_sub02' / 'fold_result.json') as f:
        assert json.load(f)['resumed_from'] in ('epoch_1.pth', 'epoch_2.pth')
    # identical to the uninterrupted run, down to the scores
    pd.testing.assert_frame_equal(
        pd.read_csv(work_dir / 'predictions.csv'),
        pd.read_csv(osp.join(ref_dir, 'predictions.csv')))
    resumed, ref = report(work_dir), report(ref_dir)
    for key in ('uf1', 'uar', 'acc', 'per_fold_average', 'per_class'):
        assert resumed[key] == ref[key]
    assert [i['resume'] for i in resumed['invocations']] == [False, True]
    # the resumed fold's iteration times count the epochs before the kill
    # too (they come back with the checkpoint)
    assert rep_step(work_dir, 'sub02')['iterations'] == 15


@pytest.fixture(scope='module')
def parallel(data_dir):
    proc = ok(
        loso(data_dir, '--work-dir', 'jobs2', '--jobs', '2',
             '--select-on-test', '--subjects', 'sub01,sub02',
             '--keep-checkpoints', 'none'))
    return str(data_dir / 'jobs2'), proc


def test_jobs_2_gives_the_numbers_of_jobs_1(parallel, reference):
    work_dir, proc = parallel
    ref_dir, _ = reference
    assert 'running 2 fold(s), 2 at once' in proc.stdout
    assert not [
        f for f in os.listdir(osp.join(work_dir, 'fold_sub01'))
        if f.endswith('.pth')
    ]  # --keep-checkpoints none
    rows = []
    for subject in ('sub01', 'sub02'):
        assert fold_predictions(work_dir,
                                subject) == fold_predictions(ref_dir, subject)
        rows += fold_predictions(ref_dir, subject)
    rep = report(work_dir)
    expected = me_scores([r['label'] for r in rows], [r['pred'] for r in rows],
                         5)
    assert (rep['uf1'], rep['uar'],
            rep['acc']) == (expected['uf1'], expected['uar'], expected['acc'])


def test_select_on_test_reports_both_numbers(parallel):
    work_dir, proc = parallel
    rep = report(work_dir)
    sel = rep['selected_on_test']
    assert sel['optimistic'] is True and 'OPTIMISTIC' in sel['warning']
    assert set(sel['epochs']) == {'sub01', 'sub02'}
    assert all(1 <= e <= 3 for e in sel['epochs'].values())
    for subject in ('sub01', 'sub02'):
        fold_dir = osp.join(work_dir, f'fold_{subject}')
        # validation after the last epoch saw what the test saw
        with open(osp.join(fold_dir, 'test_subject_by_epoch',
                           'epoch_3.json')) as f:
            assert json.load(f)['predictions'] == fold_predictions(
                work_dir, subject)
    assert 'selected on the test subject (OPTIMISTIC)' in proc.stdout
    md = open(osp.join(work_dir, 'loso_report.md')).read()
    assert '| last epoch (valid) | selected on test (optimistic) |' in md


def test_distributed_folds(data_dir):
    proc = subprocess.run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={free_port()}', TOOL, CFG, '--work-dir', 'dist',
        '--launcher', 'pytorch', '--subjects', 'sub01,sub02', '--threads', '1',
        '--cfg-options', 'train_cfg.max_epochs=1'
    ],
                          cwd=data_dir,
                          env=env(),
                          capture_output=True,
                          text=True,
                          timeout=300)
    ok(proc)
    rep = report(data_dir / 'dist')
    assert rep['num_folds'] == 2 and rep['num_samples'] == 20
    assert rep['invocations'][0]['world_size'] == 2
    with open(data_dir / 'dist' / 'fold_sub01' / 'fold_result.json') as f:
        rec = json.load(f)
    assert rec['world_size'] == 2 and rec['num_test_samples'] == 10
    assert proc.stdout.count('LOSO over 2 folds') == 1  # rank 0 reports


def test_fold_tasks_side_by_side_give_the_whole_run(data_dir, reference):
    """Three --fold tasks started together into one work dir (a Slurm
    array's tasks): one plans, each runs its fold, the last writes the
    report, which is the whole run's."""
    ref_dir, _ = reference
    tasks = [
        subprocess.Popen(
            [sys.executable, TOOL, CFG, '--work-dir', 'array', '--fold',
             str(i), '--threads', '1'],
            cwd=data_dir, env=env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True) for i in range(3)
    ]
    outputs = [t.communicate(timeout=300) for t in tasks]
    for task, (out, err) in zip(tasks, outputs):
        assert task.returncode == 0, out[-2000:] + err[-2000:]
    work_dir = data_dir / 'array'
    summaries = [out for out, _ in outputs if 'LOSO over 3 folds' in out]
    assert summaries  # the task that finished last wrote the report
    assert all('fold(s) of the run left' in out for out, _ in outputs
               if out not in summaries)
    pd.testing.assert_frame_equal(
        pd.read_csv(work_dir / 'predictions.csv'),
        pd.read_csv(osp.join(ref_dir, 'predictions.csv')))
    rep = report(work_dir)
    for key in ('uf1', 'uar', 'acc', 'per_class'):
        assert rep[key] == report(ref_dir)[key]
    assert sorted(i['fold'] for i in rep['invocations']) == SUBJECTS
    assert all(i['folds_run'] == 1 for i in rep['invocations'])
    walls = [i['wall_seconds'] for i in rep['invocations']]
    # the tasks overlapped: the run's wall time is less than their sum
    assert max(walls) <= rep['timing']['wall_seconds'] < sum(walls)
    md = (work_dir / 'loso_report.md').read_text()
    for subject in SUBJECTS:
        assert f' | 1 ({subject}) | 1 | 1 | ' in md
    assert 'overlapping --fold tasks counted once' in md

    # a task run again (a requeue) finds its fold done and the report
    again = ok(loso(data_dir, '--work-dir', 'array', '--fold', 'sub02'))
    assert 'fold sub02 finished earlier; nothing to run' in again.stdout
    assert 'LOSO over 3 folds' in again.stdout
    # a fold out of range, a task with other options, a whole run while a
    # fold is held: one line each, nothing changed
    for args, message in (
        (['--fold', '3'], '--fold 3: the run has 3 folds, so an index runs '
         'from 0 to 2 (e.g. #SBATCH --array=0-2)'),
        (['--fold', '0', '--cfg-options', 'train_cfg.max_epochs=2'],
         'the options differ from those the run was started with: '
         "--cfg-options train_cfg.max_epochs=2 (the run has none)"),
        (['--fold', '0', '--jobs', '2'],
         '--fold runs one fold: --jobs must be 1'),
    ):
        bad = loso(data_dir, '--work-dir', 'array', *args)
        assert bad.returncode == 2 and 'Traceback' not in bad.stderr
        assert message in bad.stderr.strip(), bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    # the refused commands left no trace in the run's record
    after = report(work_dir)['invocations']
    assert after[:3] == rep['invocations'] and len(after) == 4
    assert (after[3]['fold'], after[3]['folds_run']) == ('sub02', 0)


def test_a_whole_run_refuses_folds_run_elsewhere(data_dir, monkeypatch,
                                                 capsys):
    """A --fold task is running sub02: a whole run of the same work dir
    refuses to start instead of running sub02 a second time."""
    work = data_dir / 'half'
    ok(loso(data_dir, '--work-dir', 'half', '--fold', 'sub01',
            '--cfg-options', 'train_cfg.max_epochs=1'))
    (work / 'fold_sub02').mkdir()
    holder = subprocess.Popen(
        [sys.executable, '-c',
         'import time\n'
         'from mmaction_tsfmicro.loso.locks import fold_lock\n'
         f'with fold_lock({str(work / "fold_sub02")!r}):\n'
         '    print("held", flush=True); time.sleep(60)'],
        env=env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        # refused before any fold starts: in this process
        code, _, err = run_script(
            TOOL, [CFG, '--work-dir', 'half', '--resume', '--threads', '1'],
            monkeypatch, capsys, cwd=data_dir)
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert err.strip() == (
        f'tools/loso.py: error: {work}: fold(s) sub02 are being run by '
        f'tools/loso.py --fold processes (pid {holder.pid}); run this when '
        'they have ended, or run the other folds with --fold too')
    # once it has ended, the whole run finishes the rest
    done = ok(loso(data_dir, '--work-dir', 'half', '--resume'))
    assert '1 fold(s) finished earlier and kept: sub01' in done.stdout
    assert report(work)['num_folds'] == 3


def test_what_a_fold_builds_is_checked_before_any_fold_starts(
        data_dir, tmp_path, monkeypatch, capsys):
    """Mistakes in the config are refused up front: one line, exit 2,
    no work dir, as tools/train.py refuses them. (In this process: the
    checks run before any fold process starts.)"""
    work = str(tmp_path / 'w')
    for option, message in (
        ('model.backbone.bogus_arg=1', "model: TSFmicro.__init__() got an "
         "unexpected keyword argument 'bogus_arg'"),
        ('train_dataloader.bogus=1', 'train_dataloader.bogus: not an '
         'argument of a data loader'),
        ('test_dataloader.dataset.layout=nope', 'test_dataloader.dataset: '),
        (f'load_from={tmp_path}/nope.pth', f'load_from={tmp_path}/nope.pth: '
         'checkpoint not found'),
    ):
        for extra in ([], ['--fold', '0']):
            code, _, err = run_script(
                TOOL, [CFG, '--work-dir', work, '--threads', '1',
                       '--cfg-options', option, *extra], monkeypatch,
                capsys, cwd=data_dir)
            assert code == 2, err
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(
                f'tools/loso.py: error: {message}'), (option, lines)
            assert not osp.exists(work)


def first_onset_frame(data_dir, subject):
    """The path of the onset frame of a subject's first clip."""
    root = data_dir / 'data' / 'synthetic_loso'
    with open(root / 'annotations.json') as f:
        rec = next(r for r in json.load(f)['data_list']
                   if r['subject'] == subject)
    return root / subject / rec['clip'] / f"img{rec['onset']}.jpg"


@pytest.mark.parametrize('jobs', ['1', '2'])
def test_a_failing_fold_is_reported_alike_and_blocks_nothing(
        data_dir, tmp_path, jobs):
    # a frame of sub03 cut short after the frame check: the folds that
    # train on sub03 fail when they read it
    frame = first_onset_frame(data_dir, 'sub03')
    shown = osp.relpath(frame, data_dir)  # as the config names it
    whole = frame.read_bytes()
    work = str(tmp_path / 'w')
    try:
        frame.write_bytes(whole[:len(whole) // 2])
        bad = loso(data_dir, '--work-dir', work, '--jobs', jobs,
                   '--subjects', 'sub01,sub02,sub03', '--cfg-options',
                   'train_cfg.max_epochs=1')
    finally:
        frame.write_bytes(whole)
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    failed = ['sub01'] if jobs == '1' else ['sub01', 'sub02']
    # one line for the folds that failed alike, and a summary; no traceback
    assert len(lines) == 2 and 'Traceback' not in bad.stderr
    assert lines[0].startswith(f'[loso] fold {", ".join(failed)} FAILED: '
                               f'{shown}: truncated image'), lines[0]
    logs = lines[0].rsplit('(log: ' if jobs == '1' else '(logs: ',
                           1)[1].rstrip(')').split(', ')
    for log, subject in zip(logs, failed, strict=True):
        assert osp.isfile(log) and log.startswith(
            osp.join(work, f'fold_{subject}'))
        with open(osp.join(work, f'fold_{subject}', 'fold_error.json')) as f:
            assert shown in json.load(f)['reason']
    assert lines[-1] == (
        f'tools/loso.py: error: {len(failed)} fold(s) failed '
        f'({", ".join(failed)}); no new fold was started after the first '
        'failure; nothing was finished, so the corrected command can run in '
        f'the same --work-dir {work}')
    assert not osp.exists(osp.join(work, 'fold_sub03', 'worker.log'))
    # the frame restored, the same command with --resume finishes the run
    fixed = ok(loso(data_dir, '--work-dir', work, '--jobs', jobs,
                    '--resume', '--subjects', 'sub01,sub02,sub03',
                    '--cfg-options', 'train_cfg.max_epochs=1'))
    assert 'LOSO over 3 folds' in fixed.stdout
    assert report(work)['num_folds'] == 3
    assert not osp.exists(osp.join(work, 'fold_sub01', 'fold_error.json'))


def test_jobs_takes_a_number_or_auto(capsys):
    tool = load_tool()
    assert tool.parse_args([CFG, '--work-dir', 'w']).jobs is None  # auto
    assert tool.parse_args([CFG, '--work-dir', 'w', '--jobs', 'auto'
                            ]).jobs is None
    args = tool.parse_args([CFG, '--work-dir', 'w', '--jobs', '3',
                            '--frame-cache', 'off', '--verbose'])
    assert (args.jobs, args.frame_cache, args.verbose) == (3, 'off', True)
    assert args.allocator == 'tuned'  # glibc's settings that keep memory
    assert tool.parse_args([CFG, '--work-dir', 'w', '--allocator', 'glibc'
                            ]).allocator == 'glibc'
    with pytest.raises(SystemExit):
        tool.parse_args([CFG, '--work-dir', 'w', '--jobs', 'many'])
    assert "--jobs: expected a number or 'auto', got 'many'" in \
        capsys.readouterr().err
