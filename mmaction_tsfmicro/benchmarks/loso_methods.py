"""Several methods through the same LOSO protocol
(``tools/analysis_tools/benchmark_methods.py``).

Every method (a config, or an entry of a list file such as
``configs/baselines/demo_methods.py``) runs through ``tools/loso.py``'s
own machinery (:func:`mmaction_tsfmicro.loso.run_loso`) once per seed,
each (method, seed) in its own work dir ``WORK_DIR/<name>/seed<S>`` (the
name with each run of characters other than letters, digits and ``._-`` as
``_``), on the same subjects, with the same last-epoch protocol. A run
that finished earlier is read from its ``loso_report.json``, not run again
(after checking that its config, seed, subjects and options are still
those asked for); an interrupted one is resumed. :mod:`.results_table`
writes the table.

A list file is a Python (or YAML) file with ``methods = [...]``; each
entry is a config path or a dict with ``config`` and optionally ``name``,
``paper``, ``cfg_options`` (a dict, merged as ``--cfg-options``) and
``select_on_test`` (default: True for TSFmicro backbones).
"""
import argparse
import hashlib
import os.path as osp
import re
import shlex
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from ..loso import FoldsFailed, LosoOptions, ProtocolError, run_loso
from ..loso.options import merged_config
from ..loso.report_text import REPORT_JSON
from ..loso.subjects import choose_subjects, set_subjects
from ..loso.work_dir import PLAN_FILE, config_text
from ..utils.cli import one_line
from ..utils.fileio import read_json

SUMMARY_JSON = 'benchmark.json'


class BenchmarkError(ValueError):
    """Bad input to the benchmark (one line naming the file or entry)."""


@dataclass
class Method:
    """One row of the table.

    Args:
        name (str): The row's name (and work dir folder).
        config (str): The config file.
        paper (str): The paper it follows, for the table.
        cfg_options (dict): Config overrides (``--cfg-options``).
        select_on_test (bool, optional): Also report epoch selection on
            the test subject (optimistic); None: for TSFmicro backbones.
    """
    name: str
    config: str
    paper: str = ''
    cfg_options: Dict = field(default_factory=dict)
    select_on_test: Optional[bool] = None


# ---------------------------------------------------------------------------
# the methods
def _read(path: str):
    """The config or list file at ``path``; a file that does not parse is
    a :class:`BenchmarkError` naming it."""
    from mmengine.config import Config
    try:
        return Config.fromfile(path)
    except Exception as e:  # noqa: BLE001 - SyntaxError, YAML errors...
        raise BenchmarkError(f'{path}: cannot be read ({one_line(e)})'
                             ) from None


def _is_list_file(path: str) -> bool:
    """A YAML/JSON file, or a Python file with ``methods`` and no model."""
    if path.endswith(('.yml', '.yaml', '.json')):
        return True
    cfg = _read(path)
    return 'methods' in cfg and 'model' not in cfg


def _entry(entry, where: str) -> Method:
    if isinstance(entry, str):
        entry = dict(config=entry)
    if not isinstance(entry, dict) or not isinstance(entry.get('config'),
                                                     str):
        raise BenchmarkError(f'{where}: an entry is a config path or a dict '
                             f'with config=, got {entry!r}')
    unknown = set(entry) - {'config', 'name', 'paper', 'cfg_options',
                            'select_on_test'}
    if unknown:
        raise BenchmarkError(f'{where}: unknown key(s) {sorted(unknown)}')
    config = entry['config']
    if not osp.isfile(config):
        raise BenchmarkError(f'{where}: config file not found: {config}')
    options = entry.get('cfg_options') or {}
    if not isinstance(options, dict):
        raise BenchmarkError(f'{where}: cfg_options must be a dict, got '
                             f'{options!r}')
    return Method(
        name=str(entry.get('name') or osp.splitext(osp.basename(config))[0]),
        config=config,
        paper=str(entry.get('paper') or ''),
        cfg_options=dict(options),
        select_on_test=entry.get('select_on_test'))


def load_methods(paths: Sequence[str]) -> List[Method]:
    """The methods of the configs and list files given.

    Args:
        paths (Sequence[str]): Config files and list files, in order.

    Returns:
        list[Method]: One per config, names distinct.
    """
    methods = []
    for path in paths:
        if not osp.isfile(path):
            raise BenchmarkError(f'{path}: file not found')
        if not _is_list_file(path):
            methods.append(_entry(path, path))
            continue
        entries = _read(path).to_dict().get('methods')
        if not isinstance(entries, (list, tuple)) or not entries:
            raise BenchmarkError(f'{path}: a list file needs a non-empty '
                                 'list methods = [...]')
        methods += [
            _entry(e, f'{path}: methods[{i}]') for i, e in enumerate(entries)
        ]
    seen: Dict[str, str] = {}
    for m in methods:
        if folder_name(m.name) in seen:
            raise BenchmarkError(
                f'methods {seen[folder_name(m.name)]!r} and {m.name!r} would '
                'share a work dir; give each a distinct name=')
        seen[folder_name(m.name)] = m.name
    return methods


def folder_name(name: str) -> str:
    """A method's folder in the work dir: its name with every run of
    characters but letters, digits, ``.``, ``_`` and ``-`` made ``_``."""
    return re.sub(r'[^A-Za-z0-9._-]+', '_', name).strip('_') or 'method'


def selects_on_test(method: Method) -> bool:
    """Whether the row also reports selection on the test subject."""
    if method.select_on_test is not None:
        return bool(method.select_on_test)
    from mmengine.config import Config
    model = Config.fromfile(method.config).get('model') or {}
    return (model.get('backbone') or {}).get('type') == 'TSFmicro'


# ---------------------------------------------------------------------------
# one (method, seed)
def _options(method: Method, seed: int, work_dir: str,
             args: argparse.Namespace) -> LosoOptions:
    return LosoOptions(
        config=method.config,
        work_dir=work_dir,
        subjects=args.subjects,
        resume=True,
        jobs=args.jobs,
        cfg_options=dict(method.cfg_options) or None,
        seed=seed,
        select_on_test=selects_on_test(method),
        threads=args.threads,
        keep_checkpoints=args.keep_checkpoints,
        argv=['tools/loso.py'] + loso_argv(method, seed, work_dir, args))


def _option_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return '[' + ','.join(_option_text(v) for v in value) + ']'
    return str(value)


def loso_argv(method: Method, seed: int, work_dir: str,
              args: argparse.Namespace) -> List[str]:
    """The ``tools/loso.py`` arguments that run (or resume) this row."""
    argv = [method.config, '--work-dir', work_dir, '--seed', str(seed)]
    if args.subjects:
        argv += ['--subjects', ','.join(args.subjects)]
    if selects_on_test(method):
        argv.append('--select-on-test')
    if method.cfg_options:
        argv += ['--cfg-options'] + [
            f'{k}={_option_text(v)}' for k, v in method.cfg_options.items()
        ]
    return argv


def finished_report(opts: LosoOptions) -> Optional[Dict]:
    """The report of a finished run in ``opts.work_dir``, checked to be the
    run asked for; None when it has not finished."""
    report_path = osp.join(opts.work_dir, REPORT_JSON)
    plan_path = osp.join(opts.work_dir, PLAN_FILE)
    if not (osp.isfile(report_path) and osp.isfile(plan_path)):
        return None
    plan = read_json(plan_path)
    digest = hashlib.sha256(
        config_text(merged_config(opts)).encode()).hexdigest()
    problems = []
    if plan['config_sha256'] != digest:
        problems.append('its merged config differs from the config and '
                        'options asked for now')
    if plan['seed'] != opts.seed:
        problems.append(f"its seed is {plan['seed']}, not {opts.seed}")
    if plan['subjects'] != choose_subjects(plan['all_subjects'],
                                           opts.subjects):
        problems.append('its subjects differ')
    if bool(plan['select_on_test']) != bool(opts.select_on_test):
        problems.append('--select-on-test differs')
    if problems:
        raise BenchmarkError(
            f'{opts.work_dir} holds a finished run of other settings ('
            f'{"; ".join(problems)}): remove it or choose another '
            '--work-dir')
    return read_json(report_path)


def run_row(method: Method, seed: int, args: argparse.Namespace) -> Dict:
    """Run, resume or read one (method, seed); return its result."""
    # the command shows the work dir as it was given (relative stays
    # relative, so the table reads the same on every machine)
    given = osp.join(args.work_dir, folder_name(method.name), f'seed{seed}')
    work_dir = osp.abspath(given)
    opts = _options(method, seed, work_dir, args)
    command = shlex.join(['python', 'tools/loso.py'] +
                         loso_argv(method, seed, given, args))
    result = dict(seed=seed, work_dir=work_dir, command=command)
    report = finished_report(opts)
    if report is not None:
        print(f'[benchmark] {method.name} seed {seed}: finished earlier, '
              f'read from {osp.join(work_dir, REPORT_JSON)}', flush=True)
        return dict(result, report=report, status='read')
    print(f'[benchmark] {method.name} seed {seed}: {command}', flush=True)
    try:
        report = run_loso(opts)
    except (FoldsFailed, ProtocolError) as e:
        print(f'[benchmark] {method.name} seed {seed} FAILED: {one_line(e)}',
              file=sys.stderr, flush=True)
        return dict(result, status='failed', reason=one_line(e))
    return dict(result, report=report, status='ran')


# ---------------------------------------------------------------------------
# parameters and FLOPs
def complexity(method: Method, subject: str) -> Dict:
    """Parameters and FLOPs of a method's model for one test sample.

    The input is what the config's test pipeline gives for a sample of
    ``subject`` (a pair, N frames or a flow field). For the frame pair of
    TSFmicro configs this is :func:`~mmaction_tsfmicro.apis.complexity.
    model_complexity`; other inputs are counted the same way (MMEngine's
    ``get_model_complexity_info``, one multiply-add = one FLOP) on that
    shape.
    """
    from mmaction.registry import DATASETS, MODELS
    from mmengine.registry import init_default_scope

    from mmaction_tsfmicro.apis.complexity import (input_shape,
                                                   model_complexity,
                                                   recognizer_flops)
    cfg = merged_config(
        LosoOptions(config=method.config, work_dir='.',
                    cfg_options=dict(method.cfg_options) or None))
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    dataset_cfg = cfg.test_dataloader.dataset
    set_subjects(dataset_cfg, test=[subject], exclude=None)
    shape = (1, ) + tuple(DATASETS.build(dataset_cfg)[0]['inputs'].shape)
    if shape == (1, ) + tuple(input_shape(cfg)):
        return model_complexity(cfg)
    model = MODELS.build(cfg.model).eval()
    return dict(params=int(sum(p.numel() for p in model.parameters())),
                flops=recognizer_flops(model, shape), input_shape=list(shape))


def run_methods(methods: List[Method], args: argparse.Namespace) -> List[Dict]:
    """Run every method once per seed (:func:`run_row`) on the same folds;
    return the table's rows.

    Raises:
        BenchmarkError: If two methods ran different folds.
    """
    rows = []
    folds = None
    for method in methods:
        runs = [run_row(method, seed, args) for seed in args.seeds]
        row = dict(name=method.name, paper=method.paper,
                   config=method.config, runs=runs,
                   select_on_test=selects_on_test(method))
        done = [r for r in runs if r['status'] != 'failed']
        for r in done:
            subjects = sorted(r['report']['per_subject'])
            if folds is None:
                folds = (method.name, subjects)
            elif subjects != folds[1]:
                raise BenchmarkError(
                    f'{method.name} ran the folds {subjects}, '
                    f'{folds[0]} the folds {folds[1]}: a table compares '
                    'methods on the same folds (give --subjects, or list '
                    'methods of one data set)')
        if done:
            row['complexity'] = complexity(method, folds[1][0])
        rows.append(row)
    return rows
