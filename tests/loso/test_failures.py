"""How a failed fold is reported: the reason in one line, a full disk
named once with the work dir, whatever the writer that met it said."""
import shutil
from collections import namedtuple

from mmaction_tsfmicro.loso.experiment import report_failures
from mmaction_tsfmicro.loso.fold import FoldTask, read_failure, record_failure

FULL = ('no space left on the device (free some space and run the same '
        'command again; what was finished is kept)')


def task(work_dir, subject):
    (work_dir / f'fold_{subject}').mkdir(parents=True)
    return FoldTask(subject=subject, fold_dir=str(work_dir / f'fold_{subject}'),
                    select_on_test=False, selection_metric=None,
                    max_epochs=1)


def test_a_fold_failure_is_recorded_with_its_reason(tmp_path):
    failure = record_failure(task(tmp_path, 'sub01'),
                             ValueError('bad\n  value'))
    assert failure['reason'] == 'bad value'
    assert read_failure(str(tmp_path / 'fold_sub01')) == failure


def test_a_full_disk_is_named_whatever_torch_said(tmp_path, monkeypatch):
    # torch's writer says only "file write failed"; the free space says why
    usage = namedtuple('usage', 'total used free')
    monkeypatch.setattr(shutil, 'disk_usage', lambda p: usage(1, 1, 0))
    failure = record_failure(
        task(tmp_path, 'sub01'),
        RuntimeError('[enforce fail at inline_container.cc:595] . '
                     'PytorchStreamWriter failed writing file data/3: file '
                     'write failed'))
    assert failure['reason'] == f'{tmp_path}: {FULL}'
    assert failure['error'] == 'RuntimeError'
    monkeypatch.undo()
    failure = record_failure(task(tmp_path, 'sub02'),
                             OSError(28, 'No space left on device'))
    assert failure['reason'] == f'{tmp_path}: {FULL}'


def test_folds_failing_alike_are_one_line(tmp_path, capsys):
    same = f'{tmp_path}: {FULL}'
    failures = {
        's1': dict(reason=same, log='w/s1.log'),
        's2': dict(reason=same, log='w/s2.log'),
        's3': dict(reason='other', log=None),
    }
    summary = report_failures(failures, str(tmp_path), kept=True)
    assert capsys.readouterr().err.splitlines() == [
        f'[loso] fold s1, s2 FAILED: {same} (logs: w/s1.log, w/s2.log)',
        '[loso] fold s3 FAILED: other']
    assert summary.startswith('3 fold(s) failed (s1, s2, s3); no new fold '
                              'was started after the first failure')
