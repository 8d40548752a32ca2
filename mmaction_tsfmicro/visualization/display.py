"""Whether a picture can be shown in a window (``tools/test.py --show``).

OpenCV's window toolkit (Qt, with only its X11 ``xcb`` platform in the
Linux wheels) aborts the whole process, with no Python error to catch, when
it cannot reach a display; so the display is checked before a window is
asked for, and a missing one is refused in one line.
"""
import os
import re
import socket
import sys
from typing import Optional

#: ``[host]:display[.screen]``, the form of ``DISPLAY``.
_DISPLAY = re.compile(r'^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$')


def _opencv_gui() -> str:
    """The window toolkit OpenCV was built with (``'NONE'`` in the
    headless wheels), from its build information."""
    import cv2
    match = re.search(r'^\s*GUI:\s*(\S+)', cv2.getBuildInformation(),
                      re.MULTILINE)
    return match.group(1) if match else 'unknown'


def _x_server_answers(display: str, timeout: float = 1.) -> bool:
    """Whether the X server of ``display`` accepts a connection: its Unix
    socket (by path or in Linux's abstract namespace) for a local display,
    TCP port 6000 + N for ``host:N`` (e.g. SSH forwarding)."""
    match = _DISPLAY.match(display)
    if match is None:
        return False
    host, number = match.group('host'), int(match.group('number'))
    if host in ('', 'unix'):
        path = f'/tmp/.X11-unix/X{number}'
        for address in (path, '\0' + path):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                try:
                    sock.connect(address)
                    return True
                except OSError:
                    continue
        return False
    try:
        socket.create_connection((host, 6000 + number), timeout).close()
        return True
    except OSError:
        return False


def display_unavailable_reason() -> Optional[str]:
    """Why no window can be opened here, or None if one can.

    Returns:
        str | None: e.g. ``'no display (DISPLAY is not set)'``.
    """
    if _opencv_gui().upper() == 'NONE':
        return 'the installed OpenCV has no window support (a headless build)'
    if sys.platform in ('win32', 'darwin'):
        return None  # their window systems need no display server
    display = os.environ.get('DISPLAY', '')
    if not display:
        return 'no display (DISPLAY is not set)'
    if not _x_server_answers(display):
        return f'the display DISPLAY={display!r} does not answer'
    return None


def check_display(what: str) -> None:
    """Refuse, in one line, to show pictures where no window can open.

    Args:
        what (str): What asked for the window, for the message (e.g.
            ``'--show'``).

    Raises:
        RuntimeError: ``<what> needs a window: <reason>; save the pictures
        with --show-dir DIR (the hook's out_dir) instead``.
    """
    reason = display_unavailable_reason()
    if reason is not None:
        raise RuntimeError(f'{what} needs a window: {reason}; save the '
                           "pictures with --show-dir DIR (the hook's "
                           'out_dir) instead')
