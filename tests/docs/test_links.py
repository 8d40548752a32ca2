"""Every relative link of README.md and docs/ points at a file of the
repository, and every ``#anchor`` at a heading of its target (GitHub's
anchors: lower case, punctuation dropped, spaces to hyphens, a ``-1``,
``-2``... for repeated headings)."""
import glob
import os.path as osp
import re

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAGES = sorted([osp.join(REPO, 'README.md')] +
               glob.glob(osp.join(REPO, 'docs', '**', '*.md'), recursive=True))
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
FENCE = re.compile(r'^(```|~~~)')


def prose(path):
    """The lines of a Markdown file outside its code blocks."""
    inside = False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if FENCE.match(line.strip()):
                inside = not inside
            elif not inside:
                yield line


def anchors(path):
    """GitHub's anchors of the headings of a Markdown file."""
    out, seen = set(), {}
    for line in prose(path):
        m = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
        if not m:
            continue
        slug = re.sub(r'[^\w\- ]', '', m.group(1).lower()).replace(' ', '-')
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f'{slug}-{n}')
    return out


def links():
    for page in PAGES:
        for line in prose(page):
            for target in LINK.findall(line):
                if re.match(r'^[a-z]+:', target):  # http:, mailto:
                    continue
                yield osp.relpath(page, REPO), target


@pytest.mark.parametrize('page, target', list(links()))
def test_link_resolves(page, target):
    path, _, anchor = target.partition('#')
    resolved = osp.normpath(osp.join(REPO, osp.dirname(page), path)) \
        if path else osp.join(REPO, page)
    assert osp.exists(resolved), f'{page}: {target}: no such file'
    if anchor and resolved.endswith('.md'):
        assert anchor in anchors(resolved), (
            f'{page}: {target}: no heading with that anchor in '
            f'{osp.relpath(resolved, REPO)}')


def test_the_anchor_rule(tmp_path):
    # what GitHub makes of the headings this repository uses
    page = tmp_path / 'page.md'
    page.write_text(
        '## Model against the official code: `tools/analysis_tools/benchmark.py`\n'
        '### One fold per task: Slurm arrays\n'
        '## Speed\n## Speed\n```\n# not a heading\n```\n')
    assert anchors(str(page)) == {
        'model-against-the-official-code-toolsanalysis_toolsbenchmarkpy',
        'one-fold-per-task-slurm-arrays', 'speed', 'speed-1'
    }
