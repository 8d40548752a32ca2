"""The README's real-data commands are those of the CASME II page, which
``test_dataset_pages.py`` runs (only the GPU and job counts differ)."""
from pathlib import Path

from .page_commands import page_commands

REPO = Path(__file__).resolve().parents[2]


def without_counts(argv):
    """``argv`` without ``--jobs N``, and for a launcher its GPU count and
    options (one fold's split is the config's own)."""
    if argv[0].endswith('dist_train.sh'):
        return argv[:2]
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == '--jobs':
            skip = True
        else:
            out.append(arg)
    return out


def test_readme_real_data_commands_are_the_casme2_pages():
    readme = page_commands(REPO / 'README.md', '## Use it with MMAction2')
    real = [c for c in readme if 'casme2' in c.text]
    assert len(real) == 5
    page = [without_counts(c.argv)
            for c in page_commands(REPO / 'docs' / 'datasets' / 'casme2.md')]
    for cmd in real:
        assert without_counts(cmd.argv) in page, f'README.md {cmd.where()}'
