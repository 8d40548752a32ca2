"""The command line of every tool: errors in one line, no traceback.

A tool's ``main`` runs inside :func:`run_main`: an error stops the tool with
one line on stderr (``prog: error: <what and where>``) and exit status 2
(1 for an interruption), not a traceback. With the environment variable
``TSFMICRO_DEBUG=1`` the traceback is shown instead. Argument errors of an
:class:`ArgumentParser` are one line too. Only the standard library is
used, so light tools (the annotation converter) share it.
"""
import argparse
import os
import re
import sys
from typing import Callable, NoReturn, Optional

#: Set to 1 to see tracebacks instead of one-line errors.
DEBUG_ENV = 'TSFMICRO_DEBUG'

#: The first line of an exception re-raised from a DataLoader worker.
_WORKER = re.compile(r'Caught \w+ in DataLoader worker process \d+\.')
#: A traceback's last line: ``SomeError: message``.
_LAST_LINE = re.compile(r'^(?:[\w.]+\.)?(\w+(?:Error|Exception|Warning)): ?'
                        r'(.*)$')


def debug_enabled() -> bool:
    """Whether :data:`DEBUG_ENV` asks for tracebacks."""
    return os.environ.get(DEBUG_ENV, '').strip() not in ('', '0')


def one_line(exc: BaseException) -> str:
    """The message of an error as one line.

    * a :class:`KeyError` loses the quotes ``str`` adds;
    * an error re-raised from a DataLoader worker (whose message holds the
      worker's traceback) becomes the worker's own error message;
    * the registry's advice after a missing name is shortened;
    * white space is folded.

    Args:
        exc (BaseException): The error.

    Returns:
        str: One line; the error's type name if it has no message.
    """
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(
            exc.args[0], str):
        text = exc.args[0]
    else:
        text = str(exc)
    if _WORKER.search(text):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        match = _LAST_LINE.match(lines[-1]) if lines else None
        text = match.group(2) if match else (lines[-1] if lines else text)
        if text.startswith(("'", '"')) and text[-1:] == text[:1]:
            text = text[1:-1]  # a KeyError's quotes
    text = re.sub(r' Please check whether the value of .*$', '', text,
                  flags=re.S)
    text = ' '.join(text.split())
    return text or type(exc).__name__


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are one line:
    ``prog: error: message (see prog --help)``."""

    def error(self, message: str) -> NoReturn:
        """Print the error in one line and exit with status 2."""
        self.exit(2, f'{self.prog}: error: {message} (see {self.prog} '
                  '--help)\n')


def fail(prog: str, message: str, code: int = 2) -> NoReturn:
    """Print ``prog: error: message`` on stderr and exit."""
    print(f'{prog}: error: {" ".join(str(message).split())}',
          file=sys.stderr)
    sys.exit(code)


def run_main(main: Callable[[], Optional[int]],
             prog: Optional[str] = None) -> None:
    """Run a tool's ``main``; exit with its status unless it is 0.

    Any error becomes one line on stderr and exit status 2, a
    ``KeyboardInterrupt`` status 130; ``TSFMICRO_DEBUG=1`` re-raises.

    Args:
        main (callable): The tool's main; returns its exit status (None
            means 0).
        prog (str, optional): The tool's name in messages. Defaults to the
            script's file name.
    """
    prog = prog or os.path.basename(sys.argv[0]) or 'tool'
    try:
        code = main()
    except KeyboardInterrupt:
        if debug_enabled():
            raise
        print(f'{prog}: interrupted', file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - every error is reported
        if debug_enabled():
            raise
        fail(prog, one_line(exc))
    if code:
        sys.exit(code)
