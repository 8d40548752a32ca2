"""Checks of encoded images that decoders let pass.

OpenCV and libjpeg decode a JPEG that was cut short (a half-copied file)
without an error: the missing rows come out grey and a warning goes to
stderr. :func:`check_complete` finds such files from their bytes: a JPEG
must end its last scan with the end-of-image marker, a PNG must hold its
``IEND`` chunk. Only the standard library is used.
"""

JPEG_START = b'\xff\xd8'
PNG_START = b'\x89PNG\r\n\x1a\n'


def truncation(data: bytes) -> str:
    """Why an encoded JPEG or PNG is incomplete, or ``''`` if it is whole
    (or of another format).

    Args:
        data (bytes): The file's bytes.

    Returns:
        str: The reason, e.g. ``'the JPEG data ends before its
        end-of-image marker'``.
    """
    if not data:
        return 'the file is empty'
    if data.startswith(JPEG_START):
        # inside a scan 0xFF is always followed by 0x00 or a restart
        # marker, so an end-of-image marker after the last start-of-scan
        # marker is the image's own
        if data.rfind(b'\xff\xd9') < max(data.rfind(b'\xff\xda'), 2):
            return 'the JPEG data ends before its end-of-image marker'
    elif data.startswith(PNG_START):
        if data.rfind(b'IEND') < len(PNG_START):
            return 'the PNG data ends before its IEND chunk'
    return ''


def check_complete(data: bytes, path: str) -> None:
    """Raise if an encoded image is cut short.

    Args:
        data (bytes): The file's bytes.
        path (str): The file, for the message.

    Raises:
        ValueError: ``<path>: truncated image (<reason>); copy the file
        again``.
    """
    reason = truncation(data)
    if reason:
        raise ValueError(f'{path}: truncated image ({reason}); copy the '
                         'file again')
