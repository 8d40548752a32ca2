"""Accuracy of a recognizer under head motion, by alignment strategy.

Rendered clips (one per class and face, the demo's recipe with a seed the
demo set does not use) are given a head motion that grows from the onset to
the apex (a shift of up to ``K`` pixels of the frame and a rotation of
``0.15 K`` degrees), then aligned three ways and classified with their true
onset and apex:

* ``one transform``: the onset's transform for both frames, as training
  clips are aligned;
* ``tracked``: every frame stabilized onto the onset by tracking;
* ``default``: what inference does (:func:`~mmaction_tsfmicro.
  preprocessing.alignment.frames.track_clip`): one transform up to the
  head-motion limit, tracked beyond.

Example (docs/inference.md)::

    python tools/analysis_tools/benchmark_head_motion.py \\
        checkpoints/tsfmicro_tiny_demo_all-subjects-343fa2fe.pth
"""
import argparse
import itertools

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main

SOURCES = ('feat/0-f1-su-ph.jpg', 'feat/15-f13-anc-ph.jpg',
           'skimage/astronaut.png', 'matplotlib/grace_hopper.jpg')


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(description='Recognizer accuracy under head '
                            'motion, by alignment strategy')
    parser.add_argument('checkpoint', help='a released recognizer')
    parser.add_argument('--motions', type=float, nargs='+',
                        default=[0, 6, 12, 24],
                        help='head shifts at the apex (px of the frame)')
    parser.add_argument('--seed', type=int, default=5001)
    parser.add_argument('--work', default='/tmp/benchmark_head_motion.mp4',
                        help='the video file each clip is written to')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import cv2
    import numpy as np

    from mmaction_tsfmicro.apis.inference import inference_clip, init_model
    from mmaction_tsfmicro.preprocessing.alignment.frames import (
        align_like_training, track_clip)
    from mmaction_tsfmicro.preprocessing.video import iter_frames
    from tsfmicro_synthesis.clip_video import write_clip_video
    model = init_model(None, args.checkpoint)
    classes = list(model.dataset_meta['classes'])
    prep = model.preprocessing

    def predict(onset, apex):
        """The class of an aligned (BGR) pair, as inference gives it."""
        pair = [cv2.cvtColor(x, cv2.COLOR_BGR2RGB) for x in (onset, apex)]
        return int(inference_clip(model, dict(frames=pair)).pred_label)

    def moved(img, k):
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.15 * k, 1.0)
        m[:, 2] += (k, 0.5 * k)
        return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)

    clips = []
    for source, (label, name) in itertools.product(SOURCES,
                                                   enumerate(classes)):
        clip = write_clip_video(args.work, source, name, args.seed)
        frames = list(iter_frames(args.work))
        clips.append((label, frames[clip['onset']:clip['apex'] + 1]))
    print(f'{len(clips)} clips; correct of {len(clips)} by alignment:')
    print(f"{'shift (px)':>10}  {'moved (crop px)':>15}  {'one transform':>13}"
          f"  {'tracked':>7}  {'default':>7}")
    for k in args.motions:
        right = dict(one=0, tracked=0, default=0)
        motion = []
        for label, frames in clips:
            n = len(frames) - 1
            frames = [moved(f, k * i / n) for i, f in enumerate(frames)]
            one, _ = align_like_training([frames[0], frames[-1]],
                                         dict(prep, max_shift=None))
            tracked, _ = track_clip(frames, prep, max_motion=0.0)
            default, record = track_clip(frames, prep)
            motion.append(max(record['moved_px']))
            right['one'] += predict(one[0], one[1]) == label
            right['tracked'] += predict(tracked[0], tracked[-1]) == label
            right['default'] += predict(default[0], default[-1]) == label
        print(f"{k:>10g}  {np.mean(motion):>15.2f}  {right['one']:>13}  "
              f"{right['tracked']:>7}  {right['default']:>7}", flush=True)
    return 0


if __name__ == '__main__':
    run_main(main)
