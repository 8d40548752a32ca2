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
import os.path as osp
import platform
import subprocess
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..utils.fileio import atomic_path, read_json, write_json, write_text
from ..evaluation.functional import me_scores
from .folds import CONFIG_FILE, FOLD_PREDICTIONS, fold_names, read_record
from .plots import plot_confusion_matrix, plot_per_subject

REPORT_JSON = 'loso_report.json'
PREDICTIONS_CSV = 'predictions.csv'
MEGC_LOG = 'loso_megc.log'
REPORT_MD = 'loso_report.md'
CONFUSION_PNG = 'confusion_matrix.png'
PER_SUBJECT_PNG = 'per_subject.png'

DEFINITIONS = dict(
    uf1='mean over the classes present in the ground truth of '
    '2TP_c / (2TP_c + FP_c + FN_c), on the predictions pooled over all '
    'folds (MEGC 2019)',
    uar='mean over the classes present in the ground truth of '
    'TP_c / N_c (recall), on the pooled predictions (MEGC 2019)',
    acc='correct / all, on the pooled predictions')
PER_FOLD_NOTE = (
    "mean over folds of each fold's own score (a fold's UF1/UAR average "
    "only the classes present in its test subject); NOT the MEGC metric, "
    'which pools the predictions of all folds first')
OPTIMISTIC_NOTE = (
    'OPTIMISTIC: for each fold the epoch with the best test-subject score '
    'was kept, i.e. the model was selected on the test data. Not a valid '
    'LOSO result; shown only for comparison with papers that did this.')


class Fold:
    """A finished fold: its record and predictions."""

    def __init__(self, subject: str, fold_dir: str) -> None:
        self.subject = subject
        self.fold_dir = fold_dir
        self.name = osp.basename(fold_dir)
        record = read_record(fold_dir)
        if record is None:
            raise FileNotFoundError(
                f'{fold_dir}: the fold has not finished (no '
                'fold_result.json); run tools/loso.py with --resume')
        self.record = record
        self.data = read_json(osp.join(fold_dir, record['predictions']))

    def selected_data(self) -> Dict:
        sel = self.record.get('selected_on_test')
        if not sel:
            raise ValueError(f'{self.fold_dir}: the fold has no epoch '
                             'selected on the test subject')
        return read_json(osp.join(self.fold_dir, sel['file']))


def _check_classes(folds: Sequence[Fold]) -> List[str]:
    classes = folds[0].data['classes']
    for fold in folds[1:]:
        if fold.data['classes'] != classes:
            raise ValueError(
                f"{fold.fold_dir}/{FOLD_PREDICTIONS}: classes "
                f"{fold.data['classes']} differ from {classes} of "
                f'{folds[0].fold_dir}')
    return list(classes)


def _rows(folds: Sequence[Fold], selected: bool = False) -> List[Dict]:
    rows = []
    for fold in folds:
        data = fold.selected_data() if selected else fold.data
        for p in data['predictions']:
            rows.append(dict(p, fold=fold.name))
    return rows


def _scores(rows: Sequence[Dict], classes: Sequence[str]) -> Dict:
    return me_scores([r['label'] for r in rows], [r['pred'] for r in rows],
                     len(classes), classes)


def _summary(scores: Dict) -> Dict:
    return {k: scores[k] for k in ('uf1', 'uar', 'acc', 'num_samples')}


def _per_fold(folds: Sequence[Fold], rows_by_fold: Dict[str, List[Dict]],
              classes: Sequence[str]) -> Tuple[Dict, Dict]:
    per_subject, values = {}, {'uf1': [], 'uar': [], 'acc': []}
    for fold in folds:
        rows = rows_by_fold[fold.name]
        s = _scores(rows, classes)
        for k in values:
            values[k].append(s[k])
        per_subject[fold.subject] = dict(
            fold=fold.name,
            num_samples=s['num_samples'],
            correct=int(sum(r['label'] == r['pred'] for r in rows)),
            acc=s['acc'],
            uf1=s['uf1'],
            uar=s['uar'],
            classes_present=[classes[c] for c in s['present_classes']],
            datasets=sorted({str(r['dataset'])
                             for r in rows}))
    average = {k: float(np.mean(v)) for k, v in values.items()}
    average.update(num_folds=len(folds), note=PER_FOLD_NOTE)
    return per_subject, average


def _group(rows: Sequence[Dict]) -> Dict[str, List[Dict]]:
    out: Dict[str, List[Dict]] = {}
    for r in rows:
        out.setdefault(r['fold'], []).append(r)
    return out


def _per_dataset(rows: Sequence[Dict], classes: Sequence[str]) -> Dict:
    out = {}
    for dataset in sorted({str(r['dataset']) for r in rows}):
        sub = [r for r in rows if str(r['dataset']) == dataset]
        s = _scores(sub, classes)
        out[dataset] = dict(
            _summary(s), num_subjects=len({r['subject_key']
                                           for r in sub}))
    return out


def _environment() -> Dict:
    import mmengine
    import torch

    import mmaction
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
    classes = _check_classes(folds)
    rows = _rows(folds)
    pooled = _scores(rows, classes)
    per_subject, per_fold_average = _per_fold(folds, _group(rows), classes)
    for fold in folds:
        rec = fold.record
        per_subject[fold.subject].update(
            num_train_samples=rec['num_train_samples'],
            epochs=rec['epochs'],
            resumed_from=rec['resumed_from'],
            seconds=rec['seconds'])
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
        per_dataset=_per_dataset(rows, classes),
        per_subject=per_subject,
        confusion_matrix=pooled['confusion_matrix'],
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
        sel_rows = _rows(folds, selected=True)
        sel = _scores(sel_rows, classes)
        _, sel_avg = _per_fold(folds, _group(sel_rows), classes)
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


def megc_log(report: Dict, rows: Sequence[Dict]) -> str:
    """The evaluation log in the style of the MEGC 2019 scripts: each
    subject's predictions and ground truth, then the scores of everything
    evaluated so far."""
    classes = report['classes']
    lines = [
        f"LOSO evaluation: {report['num_folds']} subjects, "
        f"{report['num_samples']} samples, classes: " +
        ', '.join(f'{i}={c}' for i, c in enumerate(classes)),
        f"Model selection: {report['model_selection']}", ''
    ]
    by_fold = _group(rows)
    seen: List[Dict] = []
    for subject, info in report['per_subject'].items():
        fold_rows = by_fold[info['fold']]
        seen.extend(fold_rows)
        s = _scores(seen, classes)
        lines += [
            f"Subject: {subject}  samples: {info['num_samples']}  "
            f"accuracy: {info['acc']:.4f}",
            'Predicted    : ' + str([r['pred'] for r in fold_rows]),
            'Ground Truth : ' + str([r['label'] for r in fold_rows]),
            f"Evaluation until this subject: UF1: {s['uf1']:.4f} | "
            f"UAR: {s['uar']:.4f} | Accuracy: {s['acc']:.4f}", ''
        ]
    lines.append(f"Final evaluation (pooled over {report['num_folds']} "
                 f"folds): UF1: {report['uf1']:.4f} | UAR: "
                 f"{report['uar']:.4f} | Accuracy: {report['acc']:.4f}")
    if len(report['per_dataset']) > 1:
        for name, d in report['per_dataset'].items():
            lines.append(f"  {name}: UF1: {d['uf1']:.4f} | UAR: "
                         f"{d['uar']:.4f} | Accuracy: {d['acc']:.4f} "
                         f"({d['num_samples']} samples)")
    avg = report['per_fold_average']
    lines.append(f"Per-fold average (not the MEGC metric): F1: "
                 f"{avg['uf1']:.4f} | UAR: {avg['uar']:.4f} | Accuracy: "
                 f"{avg['acc']:.4f}")
    sel = report.get('selected_on_test')
    if sel:
        lines.append(f"Selected on the test subject (OPTIMISTIC): UF1: "
                     f"{sel['uf1']:.4f} | UAR: {sel['uar']:.4f} | "
                     f"Accuracy: {sel['acc']:.4f}")
    return '\n'.join(lines) + '\n'


def _f(v: Optional[float]) -> str:
    return '-' if v is None else f'{v:.4f}'


def markdown(report: Dict) -> str:
    """The Markdown summary of a report."""
    avg = report['per_fold_average']
    out = [
        f"# LOSO report: {osp.basename(report['config'])}", '',
        f"Leave-one-subject-out: {report['num_folds']} folds, "
        f"{report['num_samples']} test samples, {len(report['classes'])} "
        f"classes ({', '.join(report['classes'])}). Model selection: "
        f"{report['model_selection']}. Seed {report['seed']}.", '',
        '| metric | pooled (MEGC 2019) | per-fold average\\* |',
        '|---|---:|---:|', f"| UF1 | {_f(report['uf1'])} | {_f(avg['uf1'])} |",
        f"| UAR | {_f(report['uar'])} | {_f(avg['uar'])} |",
        f"| accuracy | {_f(report['acc'])} | {_f(avg['acc'])} |", '',
        f"\\* {avg['note']}.", ''
    ]
    sel = report.get('selected_on_test')
    if sel:
        out += [
            '## Epoch selected on the test subject (optimistic)', '',
            f"**{sel['warning']}** Selection metric: "
            f"{sel['selection_metric']}.", '',
            '| metric | last epoch (valid) | selected on test (optimistic) |',
            '|---|---:|---:|',
            f"| UF1 | {_f(report['uf1'])} | {_f(sel['uf1'])} |",
            f"| UAR | {_f(report['uar'])} | {_f(sel['uar'])} |",
            f"| accuracy | {_f(report['acc'])} | {_f(sel['acc'])} |", '',
            'Selected epochs: ' + ', '.join(f'{s}: {e}'
                                            for s, e in sel['epochs'].items()),
            ''
        ]
    out += [
        '## Per class (pooled)', '',
        '| class | samples | predicted | F1 | recall | precision |',
        '|---|---:|---:|---:|---:|---:|'
    ]
    for name, c in report['per_class'].items():
        out.append(f"| {name} | {c['support']} | {c['predicted']} | "
                   f"{_f(c['f1'])} | {_f(c['recall'])} | "
                   f"{_f(c['precision'])} |")
    out += [
        '', '## Per dataset (pooled)', '',
        '| dataset | subjects | samples | UF1 | UAR | accuracy |',
        '|---|---:|---:|---:|---:|---:|'
    ]
    for name, d in report['per_dataset'].items():
        out.append(f"| {name} | {d['num_subjects']} | {d['num_samples']} | "
                   f"{_f(d['uf1'])} | {_f(d['uar'])} | {_f(d['acc'])} |")
    out += [
        '', '## Per subject (one fold each)', '',
        'F1 and UAR of a fold average the classes present in its subject.', '',
        '| subject | samples | correct | accuracy | F1 | UAR | train samples '
        '| epochs | resumed from |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---|'
    ]
    for subject, s in report['per_subject'].items():
        out.append(f"| {subject} | {s['num_samples']} | {s['correct']} | "
                   f"{_f(s['acc'])} | {_f(s['uf1'])} | {_f(s['uar'])} | "
                   f"{s['num_train_samples']} | {s['epochs']} | "
                   f"{s['resumed_from'] or '-'} |")
    files = report['files']
    out += [
        '', f"![confusion matrix]({files['confusion_matrix']})",
        f"![per subject]({files['per_subject']})", '', '## Files', '',
        f"- `{files['predictions']}`: one row per test sample",
        f"- `{files['megc_log']}`: MEGC-style evaluation log",
        f"- `{REPORT_JSON}`: everything above, machine-readable",
        f"- `{report['config_file']}`: the merged config (sha256 "
        f"{report['config_sha256'][:12]}...)", '', '## Commands', ''
    ]
    out += [f'    {c}' for c in report['commands']]
    env = report['environment']
    out += [
        '', 'Environment: ' + ', '.join(f'{k} {v}' for k, v in env.items()), ''
    ]
    return '\n'.join(out)


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
