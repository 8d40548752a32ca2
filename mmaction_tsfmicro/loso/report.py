"""Pool the predictions of every LOSO fold and write the report.

Files written in the LOSO work dir (each atomically):

* ``loso_report.json``: pooled UF1/UAR/accuracy (MEGC 2019), the per-fold
  averages (labelled), per class / subject / dataset, the confusion
  matrix, the run's config, seed and commands;
* ``predictions.csv``: one row per test sample;
* ``loso_megc.log``: the MEGC evaluation log (per subject, running totals);
* ``loso_report.md``: a Markdown summary;
* ``confusion_matrix.png``, ``per_subject.png``.
"""
import datetime
import os.path as osp
import platform
import statistics
import subprocess
from typing import Dict, List, Optional, Sequence, Tuple

from ..utils.fileio import atomic_path, write_json, write_text
from ..visualization.loso_figures import (plot_confusion_matrix,
                                          plot_per_subject)
from .pooling import (Fold, check_classes, fold_rows, group_by_fold,
                      per_dataset_scores, per_fold_scores, pooled_scores)
from .report_text import REPORT_JSON, markdown, megc_log
from .subjects import fold_names
from .work_dir import CONFIG_FILE

PREDICTIONS_CSV = 'predictions.csv'
MEGC_LOG = 'loso_megc.log'
REPORT_MD = 'loso_report.md'
CONFUSION_PNG = 'confusion_matrix.png'
PER_SUBJECT_PNG = 'per_subject.png'

DEFINITIONS = dict(
    uf1='mean over the classes true or predicted of '
    '2TP_c / (2TP_c + FP_c + FN_c), on the predictions pooled over all '
    'folds (MEGC 2019)',
    uar='mean over the classes true or predicted of '
    'TP_c / N_c (recall), on the pooled predictions (MEGC 2019)',
    acc='correct / all, on the pooled predictions')

OPTIMISTIC_NOTE = (
    'OPTIMISTIC: for each fold the epoch with the best test-subject score '
    'was kept, i.e. the model was selected on the test data. Not a valid '
    'LOSO result; shown only for comparison with papers that did this.')


def _environment() -> Dict:
    import mmaction
    import mmengine
    import torch

    import mmaction_tsfmicro
    env = dict(
        python=platform.python_version(),
        torch=torch.__version__,
        mmengine=mmengine.__version__,
        mmaction2=mmaction.__version__,
        mmaction_tsfmicro=mmaction_tsfmicro.__version__)
    repo = osp.dirname(osp.dirname(osp.abspath(mmaction_tsfmicro.__file__)))
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'],
                                cwd=repo,
                                capture_output=True,
                                text=True,
                                timeout=10)
        if commit.returncode == 0:
            env['git_commit'] = commit.stdout.strip()
            status = subprocess.run(
                ['git', 'status', '--porcelain', '--untracked-files=no'],
                cwd=repo,
                capture_output=True,
                text=True,
                timeout=10)
            env['git_dirty'] = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return env


def busy_seconds(runs: List[Dict]) -> Optional[float]:
    """Seconds during which at least one of ``runs`` (each with its start
    ``time``, ISO 8601, and ``wall_seconds``) was running: their sum when
    they ran one after another, less when they overlapped (the tasks of an
    array). None when none recorded its wall time."""
    spans = []
    for run in runs:
        if run.get('wall_seconds') is None:
            continue
        try:
            start = datetime.datetime.fromisoformat(run['time']).timestamp()
        except (TypeError, ValueError):
            start = None
        spans.append((start, float(run['wall_seconds'])))
    if not spans:
        return None
    if any(start is None for start, _ in spans):
        return round(sum(wall for _, wall in spans), 2)
    total, end = 0., None
    for start, wall in sorted(spans):
        if end is None or start >= end:
            total += wall
            end = start + wall
        elif start + wall > end:
            total += start + wall - end
            end = start + wall
    return round(total, 2)


def timing(per_subject: Dict[str, Dict], plan: Dict) -> Dict:
    """Wall times: of each fold (its last attempt, training and testing),
    their spread, and of the ``tools/loso.py`` invocations.

    Args:
        per_subject (dict): The report's ``per_subject`` (with
            ``seconds``).
        plan (dict): The run's plan (its ``invocations``).

    Returns:
        dict: ``fold_seconds`` (total, mean, median, min, max, std and the
        slowest and fastest subject), ``train_step`` (the folds' mean
        seconds of a training iteration and of its wait for data, or None),
        ``wall_seconds`` (of the invocations that recorded it), and each
        invocation's ``jobs``, ``threads``, ``folds_run`` and
        ``wall_seconds``.
    """
    seconds = {s: float(v['seconds'] or 0.) for s, v in per_subject.items()}
    values = list(seconds.values())
    folds = dict(
        total=round(sum(values), 2),
        mean=round(statistics.mean(values), 2),
        median=round(statistics.median(values), 2),
        min=round(min(values), 2),
        max=round(max(values), 2),
        std=round(statistics.pstdev(values), 2),
        slowest=max(seconds, key=seconds.get),
        fastest=min(seconds, key=seconds.get)) if values else {}
    runs = [
        dict(time=i.get('time'), jobs=i.get('jobs'), threads=i.get('threads'),
             folds_run=i.get('folds_run'), fold=i.get('fold'),
             wall_seconds=i.get('wall_seconds'))
        for i in plan.get('invocations', [])
    ]
    steps = [v['train_step'] for v in per_subject.values()
             if v.get('train_step')]
    waits = [st['data_seconds'] for st in steps
             if st.get('data_seconds') is not None]
    train_step = dict(
        seconds=round(statistics.mean(st['seconds'] for st in steps), 4),
        data_seconds=round(statistics.mean(waits), 4) if waits else None,
        folds=len(steps)) if steps else None
    return dict(
        fold_seconds=folds,
        train_step=train_step,
        wall_seconds=busy_seconds(runs),
        invocations=runs,
        note='a fold\'s seconds are those of its last attempt (building '
        'its runner, training, testing); the wall time is the time during '
        'which a tools/loso.py command of the run was running, start to '
        'report (overlapping --fold tasks counted once)')


def build_report(work_dir: str, plan: Dict) -> Tuple[Dict, List[Dict]]:
    """Pool the folds of ``plan`` into the report dict.

    Args:
        work_dir (str): The LOSO work dir.
        plan (dict): Its plan (``loso_plan.json``).

    Returns:
        tuple[dict, list[dict]]: The report and the pooled prediction rows.
    """
    names = fold_names(plan['subjects'])
    folds = [Fold(s, osp.join(work_dir, names[s])) for s in plan['subjects']]
    classes = check_classes(folds)
    rows = fold_rows(folds)
    pooled = pooled_scores(rows, classes)
    per_subject, per_fold_average = per_fold_scores(folds, group_by_fold(rows),
                                                    classes)
    for fold in folds:
        rec = fold.record
        per_subject[fold.subject].update(
            num_train_samples=rec['num_train_samples'],
            epochs=rec['epochs'],
            resumed_from=rec['resumed_from'],
            seconds=rec['seconds'],
            train_step=rec.get('train_step'))
    epochs = sorted({f.record['epochs'] for f in folds})
    report = dict(
        protocol='leave-one-subject-out (LOSO)',
        model_selection=(
            f'none: each fold is tested with the weights of '
            f'its last training epoch ({", ".join(map(str, epochs))})'),
        uf1=pooled['uf1'],
        uar=pooled['uar'],
        acc=pooled['acc'],
        num_samples=pooled['num_samples'],
        num_folds=len(folds),
        classes=classes,
        definitions=DEFINITIONS,
        per_fold_average=per_fold_average,
        per_class=pooled['per_class'],
        per_dataset=per_dataset_scores(rows, classes),
        per_subject=per_subject,
        confusion_matrix=pooled['confusion_matrix'],
        timing=timing(per_subject, plan),
        selected_on_test=None,
        config=plan['config'],
        config_file=CONFIG_FILE,
        config_sha256=plan['config_sha256'],
        seed=plan['seed'],
        commands=[i['command'] for i in plan['invocations']],
        invocations=plan['invocations'],
        environment=_environment(),
        files=dict(
            predictions=PREDICTIONS_CSV,
            megc_log=MEGC_LOG,
            markdown=REPORT_MD,
            confusion_matrix=CONFUSION_PNG,
            per_subject=PER_SUBJECT_PNG))
    if plan.get('select_on_test'):
        sel_rows = fold_rows(folds, selected=True)
        sel = pooled_scores(sel_rows, classes)
        _, sel_avg = per_fold_scores(folds, group_by_fold(sel_rows), classes)
        report['selected_on_test'] = dict(
            optimistic=True,
            warning=OPTIMISTIC_NOTE,
            selection_metric=plan['selection_metric'],
            epochs={
                f.subject: f.record['selected_on_test']['epoch']
                for f in folds
            },
            uf1=sel['uf1'],
            uar=sel['uar'],
            acc=sel['acc'],
            num_samples=sel['num_samples'],
            per_fold_average=sel_avg,
            per_class=sel['per_class'])
    return report, rows


def write_predictions_csv(path: str, rows: Sequence[Dict],
                          classes: Sequence[str]) -> None:
    """One row per test sample: identity, label, prediction, scores."""
    import pandas as pd
    table = pd.DataFrame([
        dict(
            fold=r['fold'],
            dataset=r['dataset'],
            subject=r['subject'],
            subject_key=r['subject_key'],
            clip=r['clip'],
            sample_idx=r['sample_idx'],
            label=r['label'],
            label_name=classes[r['label']],
            pred=r['pred'],
            pred_name=classes[r['pred']],
            correct=int(r['label'] == r['pred']),
            **{
                f'score_{c}': s
                for c, s in zip(classes, r['scores'])
            }) for r in rows
    ])
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def write_report(work_dir: str, plan: Dict) -> Dict:
    """Pool the folds and write every report file (atomically).

    Args:
        work_dir (str): The LOSO work dir.
        plan (dict): Its plan.

    Returns:
        dict: The report (as in ``loso_report.json``).
    """
    report, rows = build_report(work_dir, plan)
    classes = report['classes']
    write_predictions_csv(osp.join(work_dir, PREDICTIONS_CSV), rows, classes)
    write_text(osp.join(work_dir, MEGC_LOG), megc_log(report, rows))
    plot_confusion_matrix(
        report['confusion_matrix'],
        classes,
        osp.join(work_dir, CONFUSION_PNG),
        title=f"LOSO, pooled over {report['num_folds']} folds "
        f"(UF1 {report['uf1']:.3f})")
    plot_per_subject(report['per_subject'], osp.join(work_dir,
                                                     PER_SUBJECT_PNG), report)
    write_text(osp.join(work_dir, REPORT_MD), markdown(report))
    write_json(osp.join(work_dir, REPORT_JSON), report)
    return report
