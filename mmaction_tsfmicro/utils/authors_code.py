"""Running a method's authors' code beside the plugin's model, for the
parity tools of ``tools/official/`` (nothing of the authors' code is part
of this project: a user's checkout runs in its own environment)."""
import json
import os.path as osp
import subprocess
import tempfile
from typing import Dict, List, Optional, Sequence

import torch


def repo_commit(repo: str) -> str:
    """The checkout's commit, or ``'unknown'`` (not a git checkout)."""
    proc = subprocess.run(['git', '-C', repo, 'rev-parse', 'HEAD'],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else 'unknown'


def run_authors_side(python: str, side: str, args: Sequence[str],
                     settings: List[dict]) -> Dict:
    """Run ``side`` (a script of ``tools/official/``) with ``python`` and
    return what it saved.

    The script gets ``args``, then ``--settings JSON --out FILE``; it saves
    one ``torch.save`` file. Its stderr lines ending a skipped import
    (``...: skipped (...)``) are printed; a failure is one line.

    Raises:
        RuntimeError: The side failed, with its last stderr line.
    """
    with tempfile.TemporaryDirectory() as tmp:
        spec = osp.join(tmp, 'settings.json')
        with open(spec, 'w') as f:
            json.dump(settings, f)
        case = osp.join(tmp, 'case.pt')
        proc = subprocess.run(
            [python, side, *args, '--settings', spec, '--out', case],
            capture_output=True, text=True)
        for line in proc.stderr.splitlines():
            if ': skipped (' in line:
                print(f'authors\' side: {line}')
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ['?'])[-1]
            raise RuntimeError(f'the authors\' side failed: {tail}')
        return torch.load(case, weights_only=False)


def parity_verdict(repo: str, repo_key: str, results: List[dict],
                   tolerance: float, out: Optional[str] = None) -> int:
    """Print the checkout's commit, write ``out`` (JSON: ``repo_key``, the
    commit, the tolerance and ``results``) and judge: 1, printing the worst
    difference, when a result's ``max_abs_diff`` exceeds ``tolerance``,
    else 0."""
    commit = repo_commit(repo)
    print(f'authors\' code: {repo} at {commit}')
    if out:
        from .fileio import write_json
        write_json(out, {repo_key: repo, 'commit': commit,
                         'tolerance': tolerance, 'results': results})
    worst = max(r['max_abs_diff'] for r in results)
    if worst > tolerance:
        print(f'differs: {worst:.3g} > {tolerance:g}')
        return 1
    return 0
