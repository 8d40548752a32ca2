"""The process's memory as benchmarks measure it (standard library only,
so that a script of another environment can load this file by its path).
"""
import os
import threading
import time
from typing import Optional


def rss_mb() -> float:
    """The process's resident memory now, in MiB (Linux ``/proc``; 0.0
    where it cannot be read)."""
    try:
        with open('/proc/self/statm') as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf('SC_PAGE_SIZE') / 2**20


class PeakRSS:
    """The highest rise of the resident memory while a block runs.

    A thread samples :func:`rss_mb` every ``interval`` seconds; ``mb`` is
    the highest sample (and the last reading) minus the reading on entry.
    Large blocks go back to the system when freed, so each block's own
    peak shows, not the process's lifetime maximum.

    Args:
        interval (float): Seconds between samples. Defaults to 0.001.

    Example:
        >>> with PeakRSS() as peak:
        ...     work()
        >>> peak.mb
    """

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.mb: Optional[float] = None
        self._peak = 0.0
        self._before = 0.0
        self._done = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def _sample(self) -> None:
        while not self._done.is_set():
            self._peak = max(self._peak, rss_mb())
            time.sleep(self.interval)

    def __enter__(self) -> 'PeakRSS':
        self._before = self._peak = rss_mb()
        self._done.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self._peak = max(self._peak, rss_mb())
        self.mb = self._peak - self._before
