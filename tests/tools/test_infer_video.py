"""tools/infer.py on a video nobody annotated: the released spotter finds
the spans, the released recognizer classifies each; scored against the
generator's truth (F1, STRS); its mistakes are one line."""
import csv
import glob
import json
import os.path as osp

import cv2
import pytest
from conftest import REPO_ROOT, run_script
from tsfmicro_synthesis.long_video_builder import build_long_videos
from tsfmicro_synthesis.long_video_plans import LongVideoConfig

TOOL = osp.join(REPO_ROOT, 'tools', 'infer.py')


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    """A long video the spotter has not seen: another seed, 8 s, 256 px,
    the demo's recipe."""
    raw = str(tmp_path_factory.mktemp('long'))
    build_long_videos(raw, LongVideoConfig(
        seed=2027, subjects=1, videos_per_subject=1, duration=(8.0, 8.0)),
        workers=1, log=None)
    (path, ) = glob.glob(osp.join(raw, 'rawvideo', '*', '*.avi'))
    frames = int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT))
    return dict(path=path, ann=osp.join(raw, 'spotting.json'),
                frames=frames)


@pytest.fixture(scope='module')
def release():
    (path, ) = glob.glob(osp.join(REPO_ROOT, 'checkpoints',
                                  'tsfmicro_tiny_demo_all-subjects-*.pth'))
    return path


def test_spans_found_classified_and_scored(video, release, tmp_path,
                                           monkeypatch, capsys):
    out = tmp_path / 'out' / 'spans.json'
    drawn = tmp_path / 'drawn.avi'
    code, stdout, err = run_script(
        TOOL, ['-', release, video['path'], '--truth', video['ann'], '--out',
               str(out), '--out-video', str(drawn)], monkeypatch, capsys)
    assert code == 0, err
    record = json.loads(out.read_text())
    spans = record['spans']
    assert spans and record['frames'] == video['frames']
    assert record['spotter'].endswith('.pth') and osp.basename(
        record['spotter']).startswith('spotter_tsfmicro-seq_demo-long-')
    classes = ['happiness', 'disgust', 'repression', 'surprise', 'others']
    assert record['classes'] == classes
    for span in spans:
        assert span['onset'] <= span['apex'] <= span['offset']
        assert span['emotion'] == classes[span['label']]
        assert span['spotter_emotion'] in classes
        assert len(span['class_scores']) == 5
        assert span['residual_px'] >= 0
    lines = stdout.splitlines()
    assert lines[0].split()[:5] == ['span', 'frames', 'seconds', 'apex',
                                    'class']
    first = lines[1].split()
    assert first[:4] == ['1', f"{spans[0]['onset']}-{spans[0]['offset']}",
                         f"{spans[0]['onset_time']:.2f}-"
                         f"{spans[0]['offset_time']:.2f}",
                         str(spans[0]['apex'])]
    assert first[4] == spans[0]['emotion']
    evaluation = record['evaluation']
    truths = json.load(open(video['ann']))['data_list']
    assert evaluation['tp'] + evaluation['fn'] == len(truths)
    assert evaluation['tp'] + evaluation['fp'] == len(spans)
    assert evaluation['tp'] >= 1  # an unseen recording: spans are found
    assert evaluation['strs'] == pytest.approx(
        evaluation['spotting_f1'] * evaluation['analysis_f1'])
    assert evaluation['spotting_f1'] == pytest.approx(evaluation['f1'])
    assert f"STRS {evaluation['strs']:.3f}" in stdout
    rows = list(csv.reader(open(out.with_suffix('.csv'))))
    assert rows[0][-4:] == ['apex', 'spotter_emotion', 'spotter_class_score',
                            'residual_px']
    assert len(rows) == 1 + len(spans)
    cap = cv2.VideoCapture(str(drawn))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == video['frames']


def test_options_that_do_not_apply_are_one_line(video, release, tmp_path,
                                                monkeypatch, capsys):
    cases = [
        ([video['path'], '--onset', 1, '--apex', 9, '--threshold', 0.3],
         '--threshold applies to a video searched for micro-expressions '
         '(no key frames, no --whole-clip)'),
        ([video['path'], '--out-video', tmp_path / 'x.gif'],
         f"--out-video {tmp_path / 'x.gif'}: the video must end with .avi "
         'or .mp4'),
        ([video['path'], '--spotter', tmp_path / 'none.pth'],
         f"{tmp_path / 'none.pth'}: checkpoint not found"),
        ([video['path'], '--truth', tmp_path / 'none.json'],
         f"{tmp_path / 'none.json'}: spotting file not found"),
        ([video['path'], '--spotter', release],
         f'{release}: not a spotter'),
    ]
    for args, message in cases:
        code, _, err = run_script(TOOL, ['-', release, *map(str, args)],
                                  monkeypatch, capsys)
        assert code == 2, err
        assert err.startswith(f'infer.py: error: {message}'), err
        assert err.count('\n') == 1, err
