import json

import numpy as np
import pandas as pd
import pytest

import mmaction_tsfmicro.plugin  # noqa: F401
from mmaction_tsfmicro.evaluation.functional import me_scores
from mmaction_tsfmicro.evaluation.metrics import MEMetric
from mmaction_tsfmicro.loso.report import write_report
from mmaction_tsfmicro.utils.fileio import write_json

CLASSES = ['negative', 'positive', 'surprise']
# fold -> (dataset, labels, predictions)
FOLDS = {
    'casme2/sub01': ('casme2', [0, 0, 1], [0, 0, 0]),
    'samm/006': ('samm', [1, 2], [1, 1]),
}


def make_fold(work_dir, subject, dataset, labels, preds, selected=None,
              seconds=1.0, train_step=None):
    fold_dir = work_dir / ('fold_' + subject.replace('/', '_'))
    fold_dir.mkdir(parents=True)
    name = subject.split('/')[1]

    def results(ps):
        return [
            dict(
                label=y,
                pred=p,
                scores=list(np.eye(3)[p] * 0.9 + 0.05),
                dataset=dataset,
                subject=name,
                subject_key=subject,
                clip=f'c{i}',
                sample_idx=i) for i, (y, p) in enumerate(zip(labels, ps))
        ]

    def write(path, ps):
        s = me_scores(labels, ps, 3)
        MEMetric.write_predictions(
            str(path), results(ps), CLASSES,
            {k: s[k]
             for k in ('uf1', 'uar', 'acc')})
        return {k: s[k] for k in ('uf1', 'uar', 'acc')}

    metrics = write(fold_dir / 'predictions.json', preds)
    selection = None
    if selected is not None:
        (fold_dir / 'test_subject_by_epoch').mkdir()
        write(fold_dir / 'test_subject_by_epoch' / 'epoch_1.json', selected)
        selection = dict(
            epoch=1,
            metric='uf1',
            value=0.0,
            file='test_subject_by_epoch/epoch_1.json',
            history={})
    write_json(
        str(fold_dir / 'fold_result.json'),
        dict(
            status='done',
            subject=subject,
            test_subjects=[subject],
            train_subjects=[s for s in FOLDS if s != subject],
            num_train_samples=3,
            num_test_samples=len(labels),
            metrics=metrics,
            predictions='predictions.json',
            epochs=2,
            checkpoint='epoch_2.pth',
            resumed_from=None,
            selected_on_test=selection,
            seconds=seconds,
            train_step=train_step))


def make_plan(select_on_test=False):
    return dict(
        config='/x/tiny.py',
        config_sha256='ab' * 32,
        seed=3,
        subjects=list(FOLDS),
        select_on_test=select_on_test,
        selection_metric='uf1' if select_on_test else None,
        invocations=[
            dict(command='python tools/loso.py tiny.py '
                 '--work-dir w')
        ])


@pytest.fixture
def report_dir(tmp_path):
    for subject, (dataset, labels, preds) in FOLDS.items():
        make_fold(tmp_path, subject, dataset, labels, preds)
    report = write_report(str(tmp_path), make_plan())
    return tmp_path, report


def test_pooled_scores_and_per_fold_average(report_dir):
    _, report = report_dir
    # pooled: y=[0,0,1,1,2], p=[0,0,0,1,1]: F1 0.8, 0.5, 0
    assert report['uf1'] == pytest.approx((0.8 + 0.5 + 0) / 3)
    assert report['uar'] == pytest.approx((1 + 0.5 + 0) / 3)
    assert report['acc'] == pytest.approx(3 / 5)
    assert report['num_samples'] == 5 and report['num_folds'] == 2
    # each fold averages the classes its subject has: (0.8+0)/2, (2/3+0)/2
    avg = report['per_fold_average']
    assert avg['uf1'] == pytest.approx((0.4 + 1 / 3) / 2)
    assert avg['acc'] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert avg['uf1'] != pytest.approx(report['uf1'])
    assert 'NOT the MEGC metric' in avg['note']
    assert report['per_subject']['samm/006']['classes_present'] == [
        'positive', 'surprise'
    ]
    assert report['per_class']['surprise'] == dict(
        support=1,
        predicted=0,
        tp=0,
        fp=0,
        fn=1,
        f1=0.0,
        recall=0.0,
        precision=None)
    assert set(report['per_dataset']) == {'casme2', 'samm'}
    assert report['per_dataset']['samm']['acc'] == 0.5
    assert report['selected_on_test'] is None
    assert report['seed'] == 3 and report['commands'] == [
        'python tools/loso.py tiny.py --work-dir w'
    ]


def test_files_are_written_and_consistent(report_dir):
    work_dir, report = report_dir
    on_disk = json.loads((work_dir / 'loso_report.json').read_text())
    assert on_disk['uf1'] == report['uf1']
    table = pd.read_csv(work_dir / 'predictions.csv')
    assert len(table) == report['num_samples']
    assert list(table.columns[:11]) == [
        'fold', 'dataset', 'subject', 'subject_key', 'clip', 'sample_idx',
        'label', 'label_name', 'pred', 'pred_name', 'correct'
    ]
    assert [c for c in table.columns
            if c.startswith('score_')] == [f'score_{c}' for c in CLASSES]
    again = me_scores(table['label'], table['pred'], 3)
    for key in ('uf1', 'uar', 'acc'):
        assert again[key] == pytest.approx(on_disk[key])
    assert (table['label_name'] == [CLASSES[i] for i in table['label']]).all()
    log = (work_dir / 'loso_megc.log').read_text()
    assert 'Subject: casme2/sub01' in log
    assert 'Predicted    : [1, 1]' in log
    assert f"UF1: {report['uf1']:.4f}" in log
    assert 'samm: UF1' in log and 'not the MEGC metric' in log
    md = (work_dir / 'loso_report.md').read_text()
    assert '| UF1 | 0.4333 | 0.3667 |' in md
    assert 'per-fold average' in md
    for png in ('confusion_matrix.png', 'per_subject.png'):
        assert (work_dir / png).read_bytes()[:4] == b'\x89PNG'
    leftovers = [p.name for p in work_dir.iterdir() if '.tmp' in p.name]
    assert leftovers == []


def test_selected_numbers_are_marked_optimistic(tmp_path):
    for subject, (dataset, labels, preds) in FOLDS.items():
        make_fold(tmp_path, subject, dataset, labels, preds, selected=labels)
    report = write_report(str(tmp_path), make_plan(select_on_test=True))
    sel = report['selected_on_test']
    assert sel['optimistic'] is True and 'OPTIMISTIC' in sel['warning']
    assert sel['uf1'] == 1.0 and report['uf1'] < 1.0
    assert sel['epochs'] == {s: 1 for s in FOLDS}
    md = (tmp_path / 'loso_report.md').read_text()
    assert 'selected on test (optimistic)' in md
    assert 'OPTIMISTIC' in (tmp_path / 'loso_megc.log').read_text()


def test_an_unfinished_fold_stops_the_report(tmp_path):
    make_fold(tmp_path, 'casme2/sub01', *FOLDS['casme2/sub01'])
    with pytest.raises(FileNotFoundError, match='--resume'):
        write_report(str(tmp_path), make_plan())
    assert not (tmp_path / 'loso_report.json').exists()


def test_wall_times_of_the_folds_and_the_commands(tmp_path):
    # three folds of 40 s, 200 s and 90 s; a first command killed before
    # its report (no wall time), then a resume that ran two folds
    folds = dict(FOLDS, **{'casme2/sub02': ('casme2', [2], [2])})
    # the training iterations of two folds (the third, of an older
    # release, recorded none)
    steps = (dict(iterations=9, seconds=0.2, data_seconds=0.01),
             dict(iterations=8, seconds=0.3, data_seconds=0.04), None)
    for (subject, (dataset, labels, preds)), seconds, step in zip(
            folds.items(), (40., 200., 90.), steps):
        make_fold(tmp_path, subject, dataset, labels, preds,
                  seconds=seconds, train_step=step)
    plan = make_plan()
    plan['subjects'] = list(folds)
    plan['invocations'] = [
        dict(time='2026-12-01T10:00:00+00:00', command='c1', jobs=None),
        dict(time='2026-12-01T11:00:00+00:00', command='c2 --resume',
             jobs=2, threads=1, folds_run=2, wall_seconds=5432.1)
    ]
    report = write_report(str(tmp_path), plan)
    assert report['per_subject']['samm/006']['seconds'] == 200.
    timing = report['timing']
    assert timing['fold_seconds'] == dict(
        total=330., mean=110., median=90., min=40., max=200., std=66.83,
        slowest='samm/006', fastest='casme2/sub01')
    assert timing['wall_seconds'] == 5432.1
    assert timing['train_step'] == dict(seconds=0.25, data_seconds=0.025,
                                        folds=2)
    assert report['per_subject']['samm/006']['train_step'] == steps[1]
    assert [r['wall_seconds'] for r in timing['invocations']] == [None,
                                                                  5432.1]
    assert timing['invocations'][1] == dict(
        time='2026-12-01T11:00:00+00:00', jobs=2, threads=1, folds_run=2,
        fold=None, wall_seconds=5432.1)
    on_disk = json.loads((tmp_path / 'loso_report.json').read_text())
    assert on_disk['timing'] == timing
    md = (tmp_path / 'loso_report.md').read_text()
    assert '| samm/006 | 2 | 1 | 0.5000 | 0.3333 | 0.5000 | 3 | 2 | - | ' \
        '200.0 |' in md
    assert ('## Time\n\n3 folds, 6 min of fold time in all: mean 2 min, '
            'median 2 min, from 40 s (casme2/sub01) to 3 min (samm/006), '
            'standard deviation 67 s.\n\nA training iteration took 250 ms '
            'on average over the 2 folds, of which 25 ms (10 %) waiting for '
            'data.\n') in md
    # the commands that reached their report, with their wall time
    assert ('| command started | folds run | jobs | threads a fold | wall '
            'time |\n|---|---:|---:|---:|---:|\n'
            '| 2026-12-01T11:00:00+00:00 | 2 | 2 | 1 | 1.5 h |\n') in md
    assert 'c1' not in md.split('## Time')[1].split('## Files')[0]
    assert 'Wall time in all: 1.5 h (5432 s).' in md


def test_a_report_without_wall_times_has_no_time_table(report_dir):
    work_dir, report = report_dir
    assert report['timing']['wall_seconds'] is None
    md = (work_dir / 'loso_report.md').read_text()
    assert '2 folds, 2 s of fold time in all' in md
    assert 'Wall time in all' not in md and '| command started |' not in md
