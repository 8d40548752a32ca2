"""Work spread over processes: the one process pool of the package's batch
jobs (face alignment of clips and of long videos, optical flow).

The workers are started with ``spawn`` by default: the face detectors
(MediaPipe, dlib) and OpenCV start threads that do not survive a fork.
"""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterable, Iterator, Optional, Sequence, TypeVar

T = TypeVar('T')
R = TypeVar('R')


def imap_processes(fn: Callable[[T], R],
                   items: Iterable[T],
                   workers: int,
                   initializer: Optional[Callable] = None,
                   initargs: Sequence = (),
                   start_method: str = 'spawn') -> Iterator[R]:
    """Apply ``fn`` to every item in ``workers`` processes; yield each
    result as it comes (in the order the items finish).

    Args:
        fn (callable): A function of one item (importable by the workers).
        items (Iterable): The items.
        workers (int): Worker processes (at most one per item).
        initializer (callable, optional): Run once in each worker first.
        initargs (Sequence): Its arguments.
        start_method (str): ``'spawn'`` (default), ``'forkserver'`` or
            ``'fork'``.

    Yields:
        The results of ``fn``.

    Raises:
        Exception: The first error ``fn`` raised; the items not started
            are cancelled.
    """
    items = list(items)
    if not items:
        return
    context = multiprocessing.get_context(start_method)
    pool = ProcessPoolExecutor(
        max(1, min(workers, len(items))), mp_context=context,
        initializer=initializer, initargs=tuple(initargs))
    try:
        futures = [pool.submit(fn, item) for item in items]
        for future in as_completed(futures):
            yield future.result()
    except BaseException:
        # an error (a full disk) or an interruption stops the run: the
        # items not started yet are dropped, not run only to fail too
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
