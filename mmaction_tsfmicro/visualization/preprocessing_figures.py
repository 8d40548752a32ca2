"""The before/after pictures of docs/preprocessing.md: a raw onset frame
with its landmarks and crop, the aligned clip, the onset-to-apex flow and
its strain (``tools/visualizations/preprocessing_figures.py``).
"""
import os
import os.path as osp

import cv2
import numpy as np

from ..annotations.layouts import frame_path
from ..preprocessing.alignment import AlignmentTarget
from ..preprocessing.landmarks import build_detector
from ..preprocessing.video import read_clip
from ..utils.fileio import write_json

VIDEO = 'single_face.mp4'
FIRST, COUNT = 14, 25  # video frames 14..38 become img1..img25
ONSET, APEX, OFFSET = 1, 19, 25
SUBJECT, CLIP = 'sub01', 'EP01_01'


def make_raw_tree(root: str) -> str:
    """Write the clip as a CASME II raw tree and its annotation file."""
    frames = read_clip(VIDEO, FIRST + COUNT)[FIRST:]
    for i, frame in enumerate(frames, start=1):
        path = frame_path('casme2', osp.join(root, 'raw'), SUBJECT, CLIP, i)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, frame)
    ann = osp.join(root, 'ann.json')
    write_json(
        ann,
        dict(
            metainfo=dict(classes=['happiness']),
            data_list=[
                dict(dataset='casme2', subject=SUBJECT, clip=CLIP,
                     onset=ONSET, apex=APEX, offset=OFFSET,
                     emotion='happiness', label=0)
            ]),
        indent=None)
    return ann


def label(image: np.ndarray, text: str) -> np.ndarray:
    out = image.copy()
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                (255, 255, 255), 1, cv2.LINE_AA)
    return out


def draw_raw(root: str, meta: dict, scale: float) -> np.ndarray:
    raw = cv2.imread(frame_path('casme2', osp.join(root, 'raw'), SUBJECT,
                                CLIP, ONSET))
    with build_detector(meta['detector']) as det:
        face = det.detect(raw)
    out = raw.copy()
    for x, y in face.points[::3]:
        cv2.circle(out, (int(x), int(y)), 1, (0, 200, 0), -1, cv2.LINE_AA)
    for x, y in meta['landmarks']['eyes'] + [meta['landmarks']['nose']]:
        cv2.drawMarker(out, (int(round(x)), int(round(y))), (0, 0, 255),
                       cv2.MARKER_CROSS, 12, 2)
    # the crop square mapped back into the raw frame
    size = meta['target']['size']
    inv = cv2.invertAffineTransform(np.array(meta['matrix']))
    corners = np.array([[0, 0], [size, 0], [size, size], [0, size]], float)
    quad = corners @ inv[:, :2].T + inv[:, 2]
    cv2.polylines(out, [np.round(quad).astype(np.int32)], True,
                  (255, 160, 0), 2, cv2.LINE_AA)
    out = cv2.resize(out, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_AREA)
    return label(out, f'raw onset frame, {meta["detector"]} landmarks, '
                 f'rotation {meta["angle_deg"]:.1f} deg')


def draw_aligned(root: str, meta: dict) -> np.ndarray:
    target = AlignmentTarget(**meta['target'])
    tiles = []
    for name, frame in (('onset', ONSET), ('apex', APEX),
                        ('offset', OFFSET)):
        crop = cv2.imread(frame_path('casme2', osp.join(root, 'aligned'),
                                     SUBJECT, CLIP, frame))
        for x, y in target.eyes():
            cv2.drawMarker(crop, (int(round(x)), int(round(y))),
                           (0, 0, 255), cv2.MARKER_CROSS, 10, 1)
        cv2.line(crop, (0, int(target.eye_y * target.size)),
                 (target.size, int(target.eye_y * target.size)),
                 (255, 160, 0), 1)
        tiles.append(label(crop, f'{name} (img{frame})'))
    return np.hstack(tiles)


def flow_colour(flow: np.ndarray, max_mag: float) -> np.ndarray:
    """HSV colour wheel: hue = direction, value = magnitude."""
    mag, ang = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    hsv = np.zeros(flow.shape[:2] + (3, ), np.uint8)
    hsv[..., 0] = (ang * 90 / np.pi).astype(np.uint8)
    hsv[..., 1] = 255
    hsv[..., 2] = np.clip(mag / max_mag * 255, 0, 255).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


def draw_flow(root: str) -> np.ndarray:
    data = np.load(osp.join(root, 'flow', SUBJECT, CLIP,
                            f'flow_{ONSET}_{APEX}.npy')).astype(np.float32)
    mag = np.hypot(data[..., 0], data[..., 1])
    colour = flow_colour(data[..., :2], np.percentile(mag, 99))
    strain = data[..., 2] / max(np.percentile(data[..., 2], 99), 1e-6)
    strain = cv2.applyColorMap(
        np.clip(strain * 255, 0, 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
    return np.hstack([
        label(colour, f'TV-L1 flow, max {mag.max():.1f} px'),
        label(strain, 'optical strain')
    ])


def save_png(path: str, image: np.ndarray) -> None:
    cv2.imwrite(path, image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f'{path}: {image.shape[1]}x{image.shape[0]}, '
          f'{osp.getsize(path) // 1024} KB')
