"""The LOSO report as text: the MEGC-style evaluation log and the Markdown
summary, both rendered from the report dict."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

from .pooling import group_by_fold, pooled_scores

#: The report's machine-readable file (named in the Markdown summary).
REPORT_JSON = 'loso_report.json'


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
    by_fold = group_by_fold(rows)
    seen: List[Dict] = []
    for subject, info in report['per_subject'].items():
        fold_rows = by_fold[info['fold']]
        seen.extend(fold_rows)
        s = pooled_scores(seen, classes)
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


def _s(v: Optional[float]) -> str:
    """Seconds, as the progress lines give them (``45 s``, ``14 min``)."""
    from .progress import format_duration
    return '-' if v is None else format_duration(v)


def timing_lines(report: Dict) -> List[str]:
    """The report's ``## Time`` section (empty for an older report)."""
    t = report.get('timing')
    if not t or not t.get('fold_seconds'):
        return []
    f = t['fold_seconds']
    out = [
        '## Time', '',
        f"{report['num_folds']} folds, {_s(f['total'])} of fold time in "
        f"all: mean {_s(f['mean'])}, median {_s(f['median'])}, from "
        f"{_s(f['min'])} ({f['fastest']}) to {_s(f['max'])} ({f['slowest']})"
        f", standard deviation {_s(f['std'])}.", ''
    ]
    step = t.get('train_step')
    if step:
        folds = ('in the one fold' if step['folds'] == 1 else
                 f"over the {step['folds']} folds")
        line = (f"A training iteration took {step['seconds'] * 1e3:.0f} ms "
                f'on average {folds}')
        if step['data_seconds'] is not None and step['seconds'] > 0:
            line += (f", of which {step['data_seconds'] * 1e3:.0f} ms ("
                     f"{100 * step['data_seconds'] / step['seconds']:.0f} %) "
                     'waiting for data')
        out += [line + '.', '']
    runs = [r for r in t['invocations'] if r.get('wall_seconds') is not None]
    if runs:
        out += ['| command started | folds run | jobs | threads a fold | wall '
                'time |', '|---|---:|---:|---:|---:|']
        for r in runs:
            folds = r['folds_run']
            if r.get('fold'):  # a --fold task
                folds = f"{folds} ({r['fold']})"
            out.append(f"| {r['time']} | {folds} | {r['jobs']} | "
                       f"{r['threads'] or 'all'} | {_s(r['wall_seconds'])} |")
        overlap = ' (the time during which a command ran: overlapping ' \
            '--fold tasks counted once)' if any(
                r.get('fold') for r in runs) else ''
        out += ['', f"Wall time in all: {_s(t['wall_seconds'])} "
                f"({t['wall_seconds']:.0f} s){overlap}.", '']
    return out


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
        'F1 and UAR of a fold average the classes true or predicted in '
        'it (scikit-learn\'s macro average).', '',
        '| subject | samples | correct | accuracy | F1 | UAR | train samples '
        '| epochs | resumed from | seconds |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|'
    ]
    for subject, s in report['per_subject'].items():
        seconds = s.get('seconds')
        out.append(f"| {subject} | {s['num_samples']} | {s['correct']} | "
                   f"{_f(s['acc'])} | {_f(s['uf1'])} | {_f(s['uar'])} | "
                   f"{s['num_train_samples']} | {s['epochs']} | "
                   f"{s['resumed_from'] or '-'} | "
                   f"{'-' if seconds is None else f'{seconds:.1f}'} |")
    out += [''] + timing_lines(report)
    files = report['files']
    out += [
        f"![confusion matrix]({files['confusion_matrix']})",
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
