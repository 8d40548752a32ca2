"""The machine's resources as this process may use them."""
import os


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask), at least
    1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
