"""The Markdown table of ``tools/analysis_tools/benchmark_methods.py``:
pooled UF1 / UAR / accuracy per seed, their mean and spread, parameters,
FLOPs, LOSO time and the exact ``tools/loso.py`` command of each row; for
TSFmicro rows also the numbers of epoch selection on the test subject,
labelled optimistic. It is written atomically between the markers
``<!-- benchmark_methods:begin -->`` and ``<!-- benchmark_methods:end -->``
of an existing file, or as the whole file.
"""
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence

from ..utils.fileio import write_text
from .loso_methods import BenchmarkError

BEGIN = '<!-- benchmark_methods:begin -->'
END = '<!-- benchmark_methods:end -->'


# ---------------------------------------------------------------------------
# the table
def mean_sd(values: Sequence[float]) -> str:
    """``mean ± sd`` (sample standard deviation; ``mean`` alone for one)."""
    if not values:
        return '-'
    mean = sum(values) / len(values)
    if len(values) < 2:
        return f'{mean:.4f}'
    sd = math.sqrt(sum((v - mean)**2 for v in values) / (len(values) - 1))
    return f'{mean:.4f} ± {sd:.4f}'


def _count(n: Optional[int], unit: str = '') -> str:
    if n is None:
        return '-'
    for scale, suffix in ((1e9, 'G'), (1e6, 'M'), (1e3, 'k')):
        if n >= scale:
            return f'{n / scale:.2f} {suffix}{unit}'
    return f'{n} {unit}'.strip()


def _minutes(seconds: Optional[float]) -> str:
    return '-' if seconds is None else f'{seconds / 60:.1f} min'


def render_table(rows: List[Dict], seeds: Sequence[int],
                 command: str) -> str:
    """The Markdown section: the command, the table, the notes."""
    head = ['method', 'paper', 'config']
    for metric in ('UF1', 'UAR', 'acc'):
        head += [f'{metric} per seed ({", ".join(map(str, seeds))})',
                 f'{metric} mean ± sd']
    head += ['params', 'FLOPs', 'LOSO time', 'selected on test '
             '(OPTIMISTIC) UF1 / UAR', 'command']
    lines = [
        f'Made by `{command}` (seeds {", ".join(map(str, seeds))}; pooled '
        'MEGC scores over all folds, each fold tested with its last '
        "epoch's weights).", '', '| ' + ' | '.join(head) + ' |',
        '|' + '---|' * len(head)
    ]
    for row in rows:
        cells = [row['name'], row['paper'] or '-', f"`{row['config']}`"]
        done = [r for r in row['runs'] if r['status'] != 'failed']
        for key in ('uf1', 'uar', 'acc'):
            per_seed = [
                f"{r['report'][key]:.4f}" if r['status'] != 'failed' else
                'failed' for r in row['runs']
            ]
            cells += [' / '.join(per_seed),
                      mean_sd([r['report'][key] for r in done])]
        comp = row.get('complexity') or {}
        times = [sum(s['seconds'] for s in r['report']['per_subject'].values())
                 for r in done]
        cells += [
            _count(comp.get('params')),
            _count(comp.get('flops')),
            _minutes(sum(times) / len(times) if times else None)
        ]
        selected = [r['report'].get('selected_on_test') for r in done]
        if row['select_on_test'] and selected and all(selected):
            cells.append(mean_sd([s['uf1'] for s in selected]) + ' / ' +
                         mean_sd([s['uar'] for s in selected]))
        else:
            cells.append('-')
        cells.append('<br>'.join(f"`{r['command']}`" for r in row['runs']))
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines += [
        '', 'UF1, UAR, accuracy: pooled over the folds (MEGC 2019). Mean ± '
        'sd: over the seeds (sample standard deviation). LOSO time: the '
        'sum of the folds\' training and test times, mean over the seeds. '
        'FLOPs: one multiply-add per FLOP, one test sample. Selected on '
        'test (OPTIMISTIC): for TSFmicro rows, each fold\'s best epoch on '
        'its own test subject, i.e. model selection on the test data (as '
        'the official code does); not a valid LOSO result, shown only for '
        'comparison with papers that report it.'
    ]
    return '\n'.join(lines) + '\n'


def summary(row: Dict) -> Dict:
    """A row for ``benchmark.json``: its scores, not the whole reports."""
    runs = []
    for r in row['runs']:
        run = {k: r[k] for k in ('seed', 'work_dir', 'command', 'status')}
        if r['status'] == 'failed':
            run['reason'] = r['reason']
        else:
            rep = r['report']
            run.update({k: rep[k] for k in ('uf1', 'uar', 'acc',
                                            'num_folds', 'num_samples')})
            run['seconds'] = sum(
                s['seconds'] for s in rep['per_subject'].values())
            sel = rep.get('selected_on_test')
            if sel:
                run['selected_on_test'] = {
                    k: sel[k] for k in ('uf1', 'uar', 'acc', 'optimistic')
                }
        runs.append(run)
    return dict({k: row[k] for k in ('name', 'paper', 'config',
                                     'select_on_test')},
                complexity=row.get('complexity'), runs=runs)


def write_out(path: str, section: str) -> None:
    """Write ``section`` between the markers of ``path`` (or as the whole
    file when it does not exist), atomically."""
    block = f'{BEGIN}\n{section}{END}\n'
    if not osp.isfile(path):
        write_text(path, block)
        return
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(
            BEGIN) > text.index(END):
        raise BenchmarkError(
            f'{path}: exists but does not hold the markers {BEGIN} and '
            f'{END} once each, in that order; add them where the table '
            'goes, or give another --out')
    start = text.index(BEGIN)
    end = text.index(END) + len(END)
    rest = text[end:]
    write_text(path, text[:start] + block.rstrip('\n') +
               ('\n' if not rest.startswith('\n') else '') + rest)
