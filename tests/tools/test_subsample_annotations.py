"""tools/data/subsample_annotations.py: at most K samples of a class per
subject, the first in clip order, with the class weights of the result."""
import json
import os
import os.path as osp
import subprocess
import sys

from mmaction_tsfmicro.annotations.annotation_file import (
    load_annotation_file, write_annotation_file)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'data', 'subsample_annotations.py')
CLASSES = ['happiness', 'disgust', 'repression', 'surprise', 'others']


def balanced(path):
    records = [
        dict(dataset='casme2', subject=s, clip=f'EP{c}{i}_{s}', onset=10,
             apex=15, offset=20, emotion=e, label=CLASSES.index(e))
        for s in ('sub02', 'sub01') for c, e in enumerate(CLASSES)
        for i in (2, 0, 1)
    ]
    write_annotation_file(str(path), records, dict(
        dataset_name='casme2', class_set='casme2_5', classes=CLASSES,
        counts=dict(samples=30)))


def run(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=ROOT))


def test_keeps_the_first_clips_and_prints_the_weights(tmp_path):
    src, out = tmp_path / 'all.json', tmp_path / 'sub' / 'imbalanced.json'
    balanced(src)
    proc = run(src, out, '--keep', 'others=3', 'disgust=2', 'happiness=1')
    assert proc.returncode == 0, proc.stderr
    data = load_annotation_file(str(out))
    kept = [(r['subject'], r['emotion'], r['clip']) for r in
            data['data_list']]
    for subject in ('sub01', 'sub02'):
        mine = [(e, c) for s, e, c in kept if s == subject]
        assert [c for e, c in mine if e == 'happiness'] == [
            f'EP00_{subject}']
        assert [c for e, c in mine if e == 'disgust'] == [
            f'EP10_{subject}', f'EP11_{subject}']
        # classes not named keep every sample
        assert len([e for e, _ in mine if e == 'repression']) == 3
        assert len([e for e, _ in mine if e == 'others']) == 3
    # 2 subjects x (1 + 2 + 3 + 3 + 3) = 24; weights 24 / (5 n_c)
    assert len(kept) == 24
    assert proc.stdout.splitlines() == [
        '24 of 30 samples kept: happiness 2, disgust 4, repression 6, '
        'surprise 6, others 6',
        'class weights N / (K n_c): [2.4,1.2,0.8,0.8,0.8]',
        f'wrote {out}'
    ]
    meta = data['metainfo']
    assert meta['classes'] == CLASSES and 'counts' not in meta
    assert meta['subsampled_from'] == dict(
        file=str(src), keep=dict(others=3, disgust=2, happiness=1))


def test_mistakes_are_one_line_and_write_nothing(tmp_path):
    src, out = tmp_path / 'all.json', tmp_path / 'out.json'
    balanced(src)
    proc = run(src, out, '--keep', 'other=3')
    assert proc.returncode == 2 and not out.exists()
    assert proc.stderr.strip().splitlines() == [
        "subsample_annotations.py: error: --keep other=3: no class 'other' "
        'in the file (its classes: happiness, disgust, repression, '
        'surprise, others)'
    ]
    proc = run(src, out, '--keep', 'others:3')
    assert proc.returncode == 2 and not out.exists()
    assert proc.stderr.strip().splitlines() == [
        'subsample_annotations.py: error: --keep others:3: expected '
        'CLASS=K with K a whole number, e.g. others=3'
    ]
    proc = run(tmp_path / 'missing.json', out, '--keep', 'others=3')
    assert proc.returncode == 2 and not out.exists()
    assert len(proc.stderr.strip().splitlines()) == 1
    assert 'missing.json' in proc.stderr
    json.loads(src.read_text())  # the source is untouched
