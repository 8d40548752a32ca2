import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.loso.fold import FoldTask
from mmaction_tsfmicro.loso.parallel import (WORKER_LOG, fold_command,
                                             run_parallel)


def task(fold_dir, subject):
    return FoldTask(
        subject=subject,
        fold_dir=str(fold_dir),
        select_on_test=False,
        selection_metric=None,
        max_epochs=1,
        threads=1)


def test_failed_folds_are_reported_with_their_log(tmp_path, capsys):
    # fold folders without fold_task.json: the children fail at once
    tasks = []
    for subject in ('s1', 's2', 's3'):
        (tmp_path / subject).mkdir()
        tasks.append(task(tmp_path / subject, subject))
    failures = run_parallel(tasks, jobs=2)
    # the two first ran at once and failed; after a failure no fold starts
    assert list(failures) == ['s1', 's2']
    assert not (tmp_path / 's3' / WORKER_LOG).exists()
    s1 = failures['s1']
    assert s1['log'] == str(tmp_path / 's1' / WORKER_LOG)
    # a child that could not record its reason: its exit code and log
    assert s1['reason'].startswith('the fold process ended with exit code 1;'
                                   ' the last line of its log: '
                                   'FileNotFoundError: ')
    assert 'fold_task.json' in s1['reason']
    out = capsys.readouterr().out
    assert 'fold s1: started' in out and 'fold s3' not in out
    log = (tmp_path / 's2' / WORKER_LOG).read_text()
    assert log.startswith('\n==== ') and 'FileNotFoundError' in log
    assert fold_command(tasks[0])[-1] == str(tmp_path / 's1')
