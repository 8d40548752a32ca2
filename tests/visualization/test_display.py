"""--show is refused in one line where no window can be opened."""
import socket
import sys

import pytest

from mmaction_tsfmicro.visualization import display


@pytest.mark.skipif(sys.platform in ('win32', 'darwin'),
                    reason='X11 displays only')
def test_no_display_is_refused_in_one_line(monkeypatch):
    monkeypatch.setattr(display, '_opencv_gui', lambda: 'QT5')
    monkeypatch.delenv('DISPLAY', raising=False)
    assert display.display_unavailable_reason() == (
        'no display (DISPLAY is not set)')
    with pytest.raises(RuntimeError) as info:
        display.check_display('--show')
    assert str(info.value) == (
        '--show needs a window: no display (DISPLAY is not set); save the '
        "pictures with --show-dir DIR (the hook's out_dir) instead")


@pytest.mark.skipif(sys.platform in ('win32', 'darwin'),
                    reason='X11 displays only')
def test_a_display_that_does_not_answer_is_refused(monkeypatch):
    monkeypatch.setattr(display, '_opencv_gui', lambda: 'QT5')
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    if port < 6000:
        pytest.skip('no free port above 6000')
    monkeypatch.setenv('DISPLAY', f'127.0.0.1:{port - 6000}')
    assert 'does not answer' in display.display_unavailable_reason()
    monkeypatch.setenv('DISPLAY', ':54321')  # no such local X server
    assert display.display_unavailable_reason() == (
        "the display DISPLAY=':54321' does not answer")


def test_a_headless_opencv_is_refused(monkeypatch):
    monkeypatch.setattr(display, '_opencv_gui', lambda: 'NONE')
    assert 'no window support' in display.display_unavailable_reason()


def test_reads_the_gui_of_the_installed_opencv():
    assert display._opencv_gui() != 'unknown'
