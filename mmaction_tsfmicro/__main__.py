"""``python -m mmaction_tsfmicro TOOL [ARGS]``: see :mod:`.cli`."""
from .cli import main

main()
