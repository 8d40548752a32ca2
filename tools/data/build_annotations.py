"""Convert a dataset's official label sheet(s) to the normalized annotation.

Examples::

    python tools/data/build_annotations.py casme2 \\
        CASME2-coding-20190701.xlsx --classes 5 -o casme2_5cls.json
    python tools/data/build_annotations.py megc2019 combined_3class_gt.csv \\
        CASME2-coding-20190701.xlsx SAMM_Micro_FACS_Codes_v2.xlsx \\
        --classes 3 -o megc2019_3cls.json
    python tools/data/build_annotations.py --print-mapping

It prints what it read, the sample counts and every irregular row with the
rule applied to it (docs/annotations.md), and stores the same in the
file's ``metainfo``. Bad input stops it with one line on stderr and exit
status 2.

The annotation package needs openpyxl and the standard library only (no
torch, no MMAction2), so the tool starts in well under a second.
"""
import argparse
import os
import os.path as osp
import sys

import mmaction_tsfmicro.annotations as ann
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(
        description='Convert micro-expression label sheets to the '
        'normalized annotation file (MMEngine format).')
    specs = [ann.get_dataset(n)
             for n in ann.dataset_names(convertible=True)]
    parser.add_argument(
        'dataset', nargs='?',
        choices=[s.name for s in specs],
        help='the dataset: ' + '; '.join(f'{s.name}: {s.title}'
                                         for s in specs))
    parser.add_argument(
        'sheets', nargs='*', metavar='SHEET',
        help='the label sheet (.xlsx/.csv): ' + '; '.join(
            f'{s.name}: {s.sheet_files}' for s in specs) +
        ' (the composite\'s files in any order, or ROLE=PATH with ROLE '
        'composite, casme2, samm, smic)')
    parser.add_argument(
        '--classes', metavar='K',
        help='the class set: ' + ', '.join(
            f'{s.title} ' + ' or '.join(str(len(c.classes))
                                        for c in s.class_sets)
            for s in specs) + ' (default: the first)')
    parser.add_argument('-o', '--out', metavar='OUT.json',
                        help='the annotation file to write')
    parser.add_argument(
        '--print-mapping', action='store_true',
        help='print the emotion-word -> class table of every class set '
        '(or of the given dataset\'s set) and exit')
    parser.add_argument('--limit', type=int, default=10,
                        help='rows listed per "left out" or "kept" rule in '
                        'the summary (default: 10; all are in the metainfo; '
                        'dropped and repaired rows are always all listed)')
    args = parser.parse_args(argv)
    if not args.print_mapping:
        if args.dataset is None:
            parser.error('the dataset is required (or --print-mapping)')
        if not args.sheets:
            parser.error(f'give the {args.dataset} label sheet(s)')
        if not args.out:
            parser.error('-o/--out OUT.json is required')
    return args


def fail(message: str) -> None:
    """Print one error line to stderr and exit with status 2."""
    prog = osp.basename(sys.argv[0]) or 'build_annotations.py'
    print(f'{prog}: error: {message}', file=sys.stderr)
    sys.exit(2)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        if args.print_mapping:
            names = None
            if args.dataset:
                cs = ann.class_set_for(args.dataset, args.classes)
                names = [cs.name] if args.classes else [
                    c.name for c in ann.get_dataset(args.dataset).class_sets
                ]
            text = ann.mapping_table(names)
        else:
            ann.check_output_path(args.out)
            records, report = ann.convert(args.dataset, args.sheets,
                                          args.classes)
            ann.write_annotation_file(args.out, records,
                                      report.metainfo(records))
            text = (report.summary(records, limit=args.limit) +
                    f'\nwrote {len(records)} samples to {args.out}\n')
    except ann.AnnotationError as e:
        fail(' '.join(str(e).split()))
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: the file is written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == '__main__':
    run_main(main)
