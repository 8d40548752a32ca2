"""Command-line pieces that the preprocessing tools share.

``tools/data/preprocess_faces.py`` and ``tools/data/compute_flow.py`` both
read the records of one dataset from a normalized annotation file, turn a
frame root into an output root and end with a JSON run report and a
summary. :func:`add_input_args` and :func:`add_run_args` add their common
arguments, :func:`read_records` checks the layout and reads the records,
:func:`input_error` prints the one-line error of bad input and
:func:`run_and_report` times the run, then :func:`finish_run` writes the
report, prints the summary and returns the exit code.

Several runs may write into one output root (another data set's clips, a
run completed later): the report is then extended, not replaced. Its
top-level settings are the last run's, ``clips`` holds every clip of every
run (the last result of each), and ``runs`` lists the runs. A run whose
output settings differ from those the root was written with (another
alignment target or detector) is refused before it starts: one root holds
outputs of one kind.
"""
import argparse
import os.path as osp
import sys
import time
from typing import Callable, Dict, List, Sequence, Tuple, Type

from ..annotations.layouts import get_template
from ..utils.cli import one_line
from ..utils.fileio import read_json
from .clip_spec import ClipResult
from .records import records_of
from .runner import write_report
from .summary import count_results, summarize

#: Errors of bad input that a tool reports in one line (exit code 2).
INPUT_ERRORS = (KeyError, ValueError, FileNotFoundError, OSError)


def add_input_args(parser: argparse.ArgumentParser, dataset_help: str,
                   src_help: str, dst_help: str, layout_help: str) -> None:
    """Add ``--dataset``, ``--ann``, ``--src``, ``--dst`` and ``--layout``.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        dataset_help (str): Help of ``--dataset``.
        src_help (str): Help of ``--src`` (the frame root read).
        dst_help (str): Help of ``--dst`` (the output root).
        layout_help (str): Help of ``--layout`` (the frame layout of
            ``--src``, defaulting to ``--dataset``).
    """
    parser.add_argument('--dataset', required=True, help=dataset_help)
    parser.add_argument('--ann', required=True,
                        help='normalized annotation JSON')
    parser.add_argument('--src', required=True, help=src_help)
    parser.add_argument('--dst', required=True, help=dst_help)
    parser.add_argument('--layout', help=layout_help)


def add_run_args(parser: argparse.ArgumentParser, report_file: str) -> None:
    """Add ``--report`` and ``--no-progress``.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        report_file (str): Name of the report under ``--dst`` by default.
    """
    parser.add_argument(
        '--report', help=f'run report JSON; defaults to DST/{report_file}')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')


def read_records(args: argparse.Namespace) -> Tuple[str, List[Dict]]:
    """Check the frame layout and read the records of ``--dataset``.

    Args:
        args (argparse.Namespace): With ``dataset``, ``ann`` and ``layout``.

    Returns:
        tuple[str, list[dict]]: The layout of ``--src`` (``--layout``, else
        ``--dataset``) and the records of the dataset.

    Raises:
        KeyError: For an unknown layout.
        FileNotFoundError: If the annotation file is missing.
        ValueError: If it is not a normalized annotation file or holds no
            record of the dataset.
    """
    layout = args.layout or args.dataset
    get_template(layout)
    return layout, records_of(args.ann, args.dataset)


def prog_name() -> str:
    """The running tool's name, for messages."""
    return osp.basename(sys.argv[0]) or 'tool'


def input_error(exc: Exception) -> int:
    """Print ``<tool>: error: <reason>`` on stderr; return the exit code 2.

    Args:
        exc (Exception): The error (see
            :func:`~mmaction_tsfmicro.utils.cli.one_line`).

    Returns:
        int: 2.
    """
    print(f'{prog_name()}: error: {one_line(exc)}', file=sys.stderr)
    return 2


#: The report keys that describe one run, not the outputs.
RUN_KEYS = ('dataset', 'ann', 'src', 'seconds', 'counts')


def report_path(args: argparse.Namespace, report_file: str) -> str:
    """Where the run report goes (``--report``, else under ``--dst``)."""
    return args.report or osp.join(args.dst, report_file)


def check_same_outputs(args: argparse.Namespace, report_file: str,
                       settings: Dict, keys: Sequence[str]) -> None:
    """Refuse a run into an output root written with other settings.

    Args:
        args (argparse.Namespace): With ``dst``, ``report`` and
            ``overwrite``.
        report_file (str): See :func:`finish_run`.
        settings (dict): This run's settings.
        keys (Sequence[str]): The settings the outputs depend on.

    Raises:
        ValueError: Naming the report and the first setting that differs.
    """
    path = report_path(args, report_file)
    if not osp.isfile(path) or getattr(args, 'overwrite', False):
        return
    old = read_json(path)
    for key in keys:
        if key in old and old[key] != settings.get(key):
            raise ValueError(
                f'{path}: {args.dst} holds outputs made with {key} '
                f'{old[key]!r}, not {settings.get(key)!r}; use another '
                '--dst, or --overwrite to redo them all')


def _merged(path: str, results: Sequence[ClipResult],
            this_run: Dict) -> Tuple[List[ClipResult], List[Dict]]:
    """Every clip of the earlier runs' report at ``path`` that this run did
    not redo, after this run's results; and the list of runs."""
    if not osp.isfile(path):
        return list(results), [this_run]
    old = read_json(path)
    keys = {r.key for r in results}
    kept = [ClipResult(**c) for c in old.get('clips', [])
            if c.get('key') not in keys]
    runs = old.get('runs') or [
        {k: old[k] for k in RUN_KEYS if k in old}]
    return list(results) + kept, runs + [this_run]


def finish_run(args: argparse.Namespace,
               results: Sequence[ClipResult],
               elapsed: float,
               report_file: str,
               settings: Dict,
               noun: str = 'clips') -> int:
    """Write the run report, print the summary and return the exit code.

    Args:
        args (argparse.Namespace): With ``dataset``, ``ann``, ``src``,
            ``dst`` and ``report``.
        results (Sequence[ClipResult]): The run's results.
        elapsed (float): Seconds the run took.
        report_file (str): Name of the report under ``--dst`` when
            ``--report`` is not given.
        settings (dict): The tool's settings, recorded in the report after
            the dataset and the folders.
        noun (str): What the results are of, for the summary.

    Returns:
        int: 1 if any result failed, else 0.
    """
    report = report_path(args, report_file)
    this_run = dict(dataset=args.dataset, ann=osp.abspath(args.ann),
                    src=osp.abspath(args.src), seconds=round(elapsed, 2),
                    counts=count_results(results))
    every, runs = _merged(report, results, this_run)
    write_report(
        report,
        every,
        extra=dict(
            dataset=args.dataset,
            ann=osp.abspath(args.ann),
            src=osp.abspath(args.src),
            dst=osp.abspath(args.dst),
            **settings,
            seconds=round(elapsed, 2),
            runs=runs))
    print(summarize(results, noun))
    print(f'report: {report} ({elapsed:.1f} s)')
    failed = [r for r in results if r.status == 'failed']
    for r in failed:  # also on stderr, where errors are looked for
        print(f'{prog_name()}: FAILED {r.key}: {r.reason}', file=sys.stderr)
    if failed:
        print(f'{prog_name()}: {len(failed)} of {len(results)} {noun} '
              f'failed (listed in {report}); fix them and run the same '
              'command again: finished ones are skipped', file=sys.stderr)
    return 1 if failed else 0


def run_and_report(args: argparse.Namespace,
                   run: Callable[[], Sequence[ClipResult]],
                   report_file: str,
                   settings: Dict,
                   noun: str = 'clips',
                   errors: Tuple[Type[Exception], ...] = INPUT_ERRORS,
                   output_keys: Sequence[str] = ()) -> int:
    """Run a tool's jobs, then report them (:func:`finish_run`).

    Args:
        args (argparse.Namespace): See :func:`finish_run`.
        run (callable): Runs the jobs and returns their results.
        report_file (str): See :func:`finish_run`.
        settings (dict): See :func:`finish_run`.
        noun (str): See :func:`finish_run`.
        errors (tuple[type]): Errors of ``run`` printed in one line
            (:func:`input_error`).
        output_keys (Sequence[str]): The settings the outputs depend on,
            checked against an earlier run's report before the run
            (:func:`check_same_outputs`).

    Returns:
        int: 2 if ``run`` raised one of ``errors``, else the exit code of
        :func:`finish_run`.
    """
    try:
        check_same_outputs(args, report_file, settings, output_keys)
    except ValueError as exc:
        return input_error(exc)
    start = time.perf_counter()
    try:
        results = run()
    except errors as exc:
        return input_error(exc)
    return finish_run(args, results, time.perf_counter() - start,
                      report_file, settings, noun)
