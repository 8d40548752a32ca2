"""Progress of a LOSO run a user can plan by: one line per finished fold.

::

    [loso] done 3/26 sub03: UF1 0.6100, 14 min; ETA 5.2 h

``UF1`` is the fold's own score (its test subject's predictions; the
pooled MEGC score comes with the report). The ETA assumes the folds left
take as long as the mean of those finished in this invocation and run
``jobs`` at a time: ``ceil(left / jobs) * mean``, with the time the
running folds have already spent taken off.
"""
import math
import time
from typing import Dict, List, Optional


def format_duration(seconds: float) -> str:
    """``45 s``, ``14 min``, ``5.2 h``."""
    if seconds < 90:
        return f'{seconds:.0f} s'
    if seconds < 90 * 60:
        return f'{seconds / 60:.0f} min'
    return f'{seconds / 3600:.1f} h'


def eta_seconds(durations: List[float], left: int, jobs: int,
                running_for: Optional[List[float]] = None) -> Optional[float]:
    """Seconds until the run ends, or None before any fold has finished.

    Args:
        durations (list[float]): Seconds of each fold finished so far.
        left (int): Folds not finished (running ones included).
        jobs (int): Folds run at once.
        running_for (list[float], optional): Seconds the running folds
            have already run.

    Returns:
        float | None: The estimate (0 when nothing is left).
    """
    if left <= 0:
        return 0.
    if not durations:
        return None
    mean = sum(durations) / len(durations)
    rounds = math.ceil(left / max(1, jobs))
    head_start = sum(running_for or []) / max(1, jobs)
    return max(0., rounds * mean - head_start)


class Progress:
    """Counts finished folds and prints the progress line of each.

    Args:
        total (int): Folds of the run.
        done_before (int): Folds finished by earlier invocations.
        jobs (int): Folds run at once.
        printer (callable): Prints one line (``[loso]`` is added by
            :func:`~.work_dir.log`).
    """

    def __init__(self, total: int, done_before: int, jobs: int,
                 printer) -> None:
        self.total = total
        self.done = done_before
        self.jobs = max(1, jobs)
        self.printer = printer
        self.durations: List[float] = []
        self.started: Dict[str, float] = {}

    def start(self, subject: str) -> None:
        """A fold started (now)."""
        self.started[subject] = time.time()

    def line(self, subject: str, seconds: float,
             uf1: Optional[float]) -> str:
        """The progress line of a fold that finished (and count it)."""
        self.started.pop(subject, None)
        self.done += 1
        self.durations.append(seconds)
        now = time.time()
        running = [now - t for t in self.started.values()]
        eta = eta_seconds(self.durations, self.total - self.done, self.jobs,
                          running)
        score = 'UF1 -' if uf1 is None else f'UF1 {uf1:.4f}'
        tail = 'all done' if self.done >= self.total else \
            f'ETA {format_duration(eta)}'
        return (f'done {self.done}/{self.total} {subject}: {score}, '
                f'{format_duration(seconds)}; {tail}')

    def finished(self, subject: str, seconds: float,
                 uf1: Optional[float]) -> None:
        """Print the line of a finished fold."""
        self.printer(self.line(subject, seconds, uf1))
