"""``tsfmicro TOOL [ARGS]``: the repository's tools from an installed wheel.

The wheel carries the tools (``mmaction_tsfmicro/.mim/tools``, as
MMAction2's carries its own for ``mim run``), so a user without the
repository runs them by name::

    tsfmicro loso configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py --work-dir work_dirs/x
    tsfmicro infer - tsfmicro_tiny_demo_all-subjects-343fa2fe.pth clip.mp4 \\
        --onset 4 --apex 15
    tsfmicro preprocess_faces --dataset casme2 ...
    tsfmicro list

``mim run mmaction_tsfmicro loso ...`` does the same. A config named by a
path relative to the package's configs (``configs/tsfmicro/...``) is found
there when it is not a file of the working directory.
"""
import os
import os.path as osp
import runpy
import sys
from typing import Dict, List, Optional

PACKAGE_ROOT = osp.dirname(osp.abspath(__file__))


def mim_root() -> str:
    """Where the configs, tools, model index and demo checkpoint are: the
    package's ``.mim`` (an installed wheel) or the repository (a clone)."""
    inside = osp.join(PACKAGE_ROOT, '.mim')
    if osp.isdir(osp.join(inside, 'tools')):
        return inside
    return osp.dirname(PACKAGE_ROOT)


def tools() -> Dict[str, str]:
    """Tool name -> script, for every tool (``tools/**/<name>.py``)."""
    root = osp.join(mim_root(), 'tools')
    found: Dict[str, str] = {}
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith('.py') and not name.startswith('_'):
                found.setdefault(name[:-3], osp.join(folder, name))
    return found


def _config_arg(args: List[str]) -> List[str]:
    """Point a config path that is not here at the package's copy."""
    out = []
    for arg in args:
        if (arg.endswith('.py') and not osp.exists(arg)
                and arg.startswith('configs' + osp.sep)):
            packaged = osp.join(mim_root(), arg)
            if osp.isfile(packaged):
                arg = packaged
        out.append(arg)
    return out


def main(argv: Optional[List[str]] = None) -> None:
    """Run ``tsfmicro TOOL [ARGS]`` (``tsfmicro list``: the tools)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    found = tools()
    if not argv or argv[0] in ('-h', '--help', 'list'):
        print('usage: tsfmicro TOOL [ARGS]  (tsfmicro TOOL --help)\n\n'
              'tools: ' + ', '.join(sorted(found)))
        sys.exit(0 if argv else 2)
    name = argv[0][:-3] if argv[0].endswith('.py') else argv[0]
    if name not in found:
        print(f'tsfmicro: error: no tool {name!r}; the tools: '
              f'{", ".join(sorted(found))}', file=sys.stderr)
        sys.exit(2)
    script = found[name]
    sys.argv = [osp.basename(script)] + _config_arg(argv[1:])
    runpy.run_path(script, run_name='__main__')


if __name__ == '__main__':
    main()
