"""Keep at most K samples of each class per subject: an imbalanced (or a
smaller) copy of an annotation file, to study class imbalance on a balanced
set such as the demo's.

For each subject and class the first K samples in clip order are kept
(``--keep others=3 disgust=2``; a class not named keeps all its samples),
so the result is deterministic. It prints the counts and the class weights
``N / (K n_c)`` of the result, ready for
``model.cls_head.loss_cls.class_weight``.

Example (the imbalanced demo set of docs/results.md, close to CASME II's
proportions)::

    python tools/data/subsample_annotations.py \\
        data/demo/annotations/demo_5cls.json \\
        data/demo/annotations/demo_5cls_imbalanced.json \\
        --keep others=3 disgust=2 happiness=1 surprise=1 repression=1
"""
import argparse
import collections
from typing import Dict, List, Optional

from mmaction_tsfmicro.annotations.annotation_file import (
    load_annotation_file, write_annotation_file)
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

# metainfo fields that describe the source file, not the subsample
SOURCE_FIELDS = ('counts', 'sources', 'irregular', 'notes', 'generated_by')


def parse_keep(items: List[str], classes: List[str]) -> Dict[str, int]:
    """``['others=3', ...]`` as ``{'others': 3}``, checked against the
    file's classes."""
    keep = {}
    for item in items:
        name, sep, value = item.partition('=')
        if not sep or not value.strip().isdigit():
            raise ValueError(f'--keep {item}: expected CLASS=K with K a '
                             'whole number, e.g. others=3')
        if name not in classes:
            raise ValueError(f'--keep {item}: no class {name!r} in the file '
                             f'(its classes: {", ".join(classes)})')
        keep[name] = int(value)
    return keep


def subsample(records: List[Dict], keep: Dict[str, int]) -> List[Dict]:
    """The first ``keep[class]`` records of each (subject, class) in clip
    order; every record of a class not in ``keep``."""
    seen: collections.Counter = collections.Counter()
    out = []
    for r in sorted(records, key=lambda r: (r.get('dataset', ''),
                                            r['subject'], r['clip'])):
        key = (r.get('dataset'), r['subject'], r['emotion'])
        if r['emotion'] not in keep or seen[key] < keep[r['emotion']]:
            seen[key] += 1
            out.append(r)
    return out


def class_weights(records: List[Dict], classes: List[str]) -> List[float]:
    """``N / (K n_c)`` per class index (0 for a class without samples)."""
    counts = collections.Counter(r['label'] for r in records)
    n, k = len(records), len(classes)
    return [round(n / (k * counts[i]), 4) if counts[i] else 0.0
            for i in range(k)]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann', help='annotation file to read')
    parser.add_argument('out', help='annotation file to write')
    parser.add_argument('--keep', nargs='+', required=True,
                        metavar='CLASS=K',
                        help='at most K samples of CLASS per subject')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    data = load_annotation_file(args.ann)
    classes = list(data['metainfo']['classes'])
    keep = parse_keep(args.keep, classes)
    records = subsample(data['data_list'], keep)
    meta = {k: v for k, v in data['metainfo'].items()
            if k not in SOURCE_FIELDS}
    meta['subsampled_from'] = dict(file=args.ann, keep=keep)
    write_annotation_file(args.out, records, meta)
    counts = collections.Counter(r['emotion'] for r in records)
    print(f'{len(records)} of {len(data["data_list"])} samples kept: ' +
          ', '.join(f'{c} {counts[c]}' for c in classes))
    print('class weights N / (K n_c): '
          f'[{",".join(str(w) for w in class_weights(records, classes))}]')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_main(main)
