"""The machine a benchmark runs on: its CPU, its load and its measured
matrix-product peak, printed beside every figure (figures are compared only
within one run on one machine)."""
import os
import platform
import time

import torch


def cpu_name() -> str:
    """CPU model name from /proc/cpuinfo, else ``platform.processor()``."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def load_average() -> str:
    """1-minute load average of the machine, if the OS tells it."""
    try:
        return f'{os.getloadavg()[0]:.2f}'
    except (AttributeError, OSError):
        return 'n/a'


def peak_macs(device: str, dtype: torch.dtype, n: int = 2048,
              repeats: int = 5) -> float:
    """Multiply-adds per second of an n x n x n matrix product (the best of
    ``repeats``), the machine's practical peak for dense compute."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    best = float('inf')
    for _ in range(repeats + 1):
        if device == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        if device == 'cuda':
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return n**3 / best


def machine_description() -> str:
    """The CPU model and its logical CPUs, printed beside every figure."""
    return f'{cpu_name()} ({os.cpu_count()} logical CPUs)'
