"""The commands a page of ``docs/`` gives, read from its ``bash`` blocks.

A command is a line of a fenced ``bash`` block (continuation lines joined)
that starts with ``python tools/`` or ``tools/``; the other lines (``mkdir``,
``ln -s`` with placeholder paths, ``python -m ...``) are shown, not run.
The line is split as the shell splits it (:func:`shlex.split`, comments
dropped).
"""
import argparse
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from mmaction_tsfmicro.engine.cfg_options import CfgOptionsAction

_COMMAND = re.compile(r'(python tools/|tools/)\S')
_FENCE = re.compile(r'^\s*```(\S*)')
#: A concrete path under data/: no placeholder (<N>, XX, *, {...}, ...).
_DATA_PATH = re.compile(r'(?<![\w/.])data/[^\s`]+')


@dataclass
class Command:
    """One command of a page.

    Args:
        text (str): The command as written (continuations joined).
        argv (list[str]): Its words, as the shell gives them.
        line (int): The page's line number where it starts.
    """
    text: str
    argv: List[str]
    line: int

    @property
    def tool(self) -> str:
        """``tools/train.py``, ``tools/dist_train.sh``, ..."""
        return self.argv[1] if self.argv[0] == 'python' else self.argv[0]

    @property
    def args(self) -> List[str]:
        """The words after the tool."""
        return self.argv[2:] if self.argv[0] == 'python' else self.argv[1:]

    def option(self, name: str) -> Optional[str]:
        """The value of the last ``name VALUE`` (None if absent)."""
        value = None
        for i, word in enumerate(self.args[:-1]):
            if word == name:
                value = self.args[i + 1]
        return value

    def cfg_options(self) -> Dict[str, Any]:
        """The ``--cfg-options`` pairs, parsed as the tools parse them."""
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument('--cfg-options', nargs='+',
                            action=CfgOptionsAction, default={})
        known, _ = parser.parse_known_args(self.args)
        return dict(known.cfg_options)

    def where(self) -> str:
        """For messages: the page line and the command."""
        return f'line {self.line}: {self.text}'


def page_commands(page: Path, section: Optional[str] = None
                  ) -> List[Command]:
    """The runnable commands of a page, in order (of its ``section``
    only: the lines from that heading to the next heading of its level)."""
    lines = page.read_text().splitlines()
    first, last = 0, len(lines)
    if section is not None:
        first = lines.index(section)
        level = section.split(' ')[0] + ' '
        last = next((i for i in range(first + 1, len(lines))
                     if lines[i].startswith(level)), len(lines))
    commands: List[Command] = []
    info, pending, start = None, '', 0
    for number, line in enumerate(lines[first:last], start=first + 1):
        fence = _FENCE.match(line)
        if fence:
            info = None if info is not None else fence.group(1)
            continue
        if info != 'bash':
            continue
        if not pending:
            start = number
        stripped = line.strip()
        if stripped.endswith('\\'):
            pending += stripped[:-1] + ' '
            continue
        text = (pending + stripped).strip()
        pending = ''
        if _COMMAND.match(text):
            commands.append(
                Command(text, shlex.split(text, comments=True), start))
    return commands


def page_data_paths(page: Path, before: str) -> List[str]:
    """The concrete files under ``data/`` that the page names before the
    heading ``before`` (placeholders such as ``<N>``, ``XX`` or ``...``
    are not files)."""
    text = page.read_text().split(before)[0]
    paths = []
    for match in _DATA_PATH.finditer(text):
        path = re.sub(r'[^A-Za-z0-9]+$', '', match.group(0))
        if re.search(r'[<>{}*]|XX|\.\.\.', path):
            continue
        if not re.search(r'\.(jpg|png|xlsx|csv|json|md)$', path):
            continue
        if path not in paths:
            paths.append(path)
    return paths
