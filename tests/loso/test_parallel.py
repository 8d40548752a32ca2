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
    for subject in ('s1', 's2'):
        (tmp_path / subject).mkdir()
        tasks.append(task(tmp_path / subject, subject))
    assert run_parallel(tasks, jobs=2) == ['s1', 's2']
    out = capsys.readouterr().out
    assert 'fold s1: FAILED (exit code 1)' in out
    assert 'fold_task.json' in out  # the tail of the child's log
    log = (tmp_path / 's2' / WORKER_LOG).read_text()
    assert log.startswith('\n==== ') and 'FileNotFoundError' in log
    assert fold_command(tasks[0])[-1] == str(tmp_path / 's1')
