"""Spot-then-recognize over the videos of a spotting file, pooled.

Every video of the chosen subjects is searched by the spotter and each span
classified by the recognizer, as ``tools/infer.py VIDEO`` does; the spans
are scored against the file's intervals, pooled over the videos: spotting
precision, recall and F1 (MEGC: IoU >= 0.5), and MEGC 2023's STRS with the
recognizer's classes and with the spotter's own (see docs/inference.md).

Example (the held-out subjects of the demo spotter)::

    python tools/analysis_tools/spot_then_recognize.py \\
        data/demo_long/raw/spotting.json data/demo_long/raw \\
        checkpoints/tsfmicro_tiny_demo_all-subjects-343fa2fe.pth \\
        --subjects s14 s15 s16 s17 --out work_dirs/str_demo.json
"""
import argparse
import os.path as osp

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(description='Spot-then-recognize over the videos '
                            'of a spotting file, pooled (F1, STRS)')
    parser.add_argument('ann_file', help='a normalized spotting file')
    parser.add_argument('root', help='the folder its video_file paths are '
                        'relative to')
    parser.add_argument('checkpoint', help='the recognizer (its config is '
                        'the one stored in it)')
    parser.add_argument('--spotter', metavar='CKPT',
                        help='the spotter (default: the released one)')
    parser.add_argument('--subjects', nargs='+', metavar='SUBJECT',
                        help='only these subjects\' videos (default: all)')
    parser.add_argument('--out', metavar='JSON', help='write every span and '
                        'the scores')
    parser.add_argument('--onset-pad', type=int, default=0,
                        help='frames before each span that its clip starts '
                        'with (default: 0)')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmaction_tsfmicro.annotations.annotation_file import \
        load_annotation_file
    from mmaction_tsfmicro.utils.fileio import check_output_path, write_json
    if args.out:
        check_output_path(args.out, option='--out')
    data = load_annotation_file(args.ann_file)
    entries = [e for e in data['metainfo'].get('videos', [])
               if not args.subjects or e['subject'] in args.subjects]
    missing = sorted(set(args.subjects or []) -
                     {e['subject'] for e in entries})
    if missing:
        raise ValueError(f'{args.ann_file}: no video of subject(s) '
                         f'{", ".join(missing)}')
    videos = []
    for entry in entries:
        if not entry.get('video_file'):
            raise ValueError(f"{args.ann_file}: video {entry['video']} has "
                             'no video_file')
        path = osp.join(args.root, entry['video_file'])
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: video not found (video '
                                    f"{entry['video']} of {args.ann_file})")
        videos.append(path)
    from mmaction_tsfmicro.apis.inference import init_model
    from mmaction_tsfmicro.apis.publish import released_checkpoint
    from mmaction_tsfmicro.apis.video_inference import (spot_and_recognize,
                                                        str_evaluation)
    from mmaction_tsfmicro.evaluation.spotting import (counts_scores,
                                                       video_result)
    from mmaction_tsfmicro.spotting.truth import video_truth
    recognizer = init_model(None, args.checkpoint, args.device)
    spotter_path = args.spotter or released_checkpoint('spotter')
    spotter = init_model(None, spotter_path, args.device)
    results, pooled = {}, dict(tp=0, fp=0, fn=0)
    classes = None
    for path in videos:
        truth = video_truth(args.ann_file, path)
        found = spot_and_recognize(path, spotter, recognizer,
                                   onset_pad=args.onset_pad)
        classes = found['classes']
        counts = video_result([(s['onset'], s['offset'])
                               for s in found['spans']], truth['truths'])
        for key in pooled:
            pooled[key] += counts[key]
        results[path] = (found['spans'], truth)
        print(f"{osp.basename(path)}: {len(found['spans'])} spans, "
              f"{len(truth['truths'])} truths, TP {counts['tp']} FP "
              f"{counts['fp']} FN {counts['fn']}", flush=True)
    scores = dict(pooled, **counts_scores(**pooled))
    scores.update(str_evaluation(results, classes))
    print(f"{len(videos)} videos: TP {scores['tp']}, FP {scores['fp']}, FN "
          f"{scores['fn']}; precision {scores['precision']:.3f}, recall "
          f"{scores['recall']:.3f}, F1 {scores['f1']:.3f}")
    if 'strs' in scores:
        print(f"STRS {scores['strs']:.3f} with the recognizer's classes "
              f"(analysis F1 {scores['analysis_f1']:.3f}; matched spans "
              f"only {scores['strs_matched']:.3f}), "
              f"{scores['spotter_strs']:.3f} with the spotter's (analysis "
              f"F1 {scores['spotter_analysis_f1']:.3f})")
    if args.out:
        write_json(args.out, dict(
            ann_file=args.ann_file, checkpoint=args.checkpoint,
            spotter=spotter_path, scores=scores,
            videos={p: spans for p, (spans, _) in results.items()}))
        print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    run_main(main)
