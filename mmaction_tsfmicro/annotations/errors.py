"""The error of bad annotation input."""


class AnnotationError(ValueError):
    """Bad input. The message is one line that names the file, the row (as
    a spreadsheet shows it) or the key at fault."""
