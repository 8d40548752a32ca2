"""Windows of long videos with per-frame labels, for spotting."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmaction.utils import ConfigType

from ..annotations import load_annotation_file
from ..annotations.layouts import filename_tmpl, frame_dir, get_template
from .me_dataset import MicroExpressionDataset, resolve_subjects


@DATASETS.register_module()
class LongVideoDataset(BaseActionDataset):
    """Windows of the long videos of a normalized spotting file.

    The file (``tools/data/make_demo_long_videos.py`` writes one; see
    docs/spotting.md) holds one record per annotated expression (its
    ``clip_dir`` the video folder, frame numbers of the video) and in its
    ``metainfo`` the frame-path template (``layout``) and every video with
    its frame count (``videos``). Each video becomes windows of
    ``clip_len`` frames, ``frame_interval`` apart, starting every
    ``stride`` frames (the last one ends at the video's end); with
    ``whole_videos`` each video is one sample (evaluation: the scores of a
    whole video, as the streaming tool computes them). In training
    (``random_shift``) a window's start moves by up to half a stride each
    time it is drawn.

    A sample given to the pipeline holds ``frame_dir``, ``filename_tmpl``,
    ``frame_inds`` (the frame numbers, for ``RawFrameDecode``), ``clip_len``
    and ``num_clips`` (for ``FormatShape``), ``video`` (``subject/video``),
    ``subject``, ``gt_spans`` (every ``[onset, offset, label]`` of the
    video), and the per-frame labels ``spot_labels`` (1 for frames from an
    expression's onset to its offset, both included, else 0; float32) and
    ``class_labels`` (the expression's label, else -1; int64).

    Args:
        ann_file (str): The normalized spotting file.
        pipeline (list): Transforms.
        data_prefix (dict): ``img``: the root of the frames.
        layout (str, optional): Frame-path template (or a layout name);
            defaults to the file's ``metainfo.layout``.
        clip_len (int): Frames of a window. Defaults to 64.
        frame_interval (int): Step between a window's frames. Defaults to 1.
        stride (int, optional): Frames between window starts; defaults to
            half a window.
        whole_videos (bool): One sample per whole video. Defaults to False.
        random_shift (bool, optional): Move windows at random when drawn;
            defaults to ``not test_mode``.
        test_subjects (sequence[str], optional): Keep only these subjects.
        exclude_subjects (sequence[str], optional): Drop these subjects.
        check_frames (bool): Refuse videos whose first or last frame is
            missing, when built. Defaults to True.
        **kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[ConfigType, Callable]],
                 data_prefix: ConfigType = dict(img=''),
                 layout: Optional[str] = None,
                 clip_len: int = 64,
                 frame_interval: int = 1,
                 stride: Optional[int] = None,
                 whole_videos: bool = False,
                 random_shift: Optional[bool] = None,
                 test_subjects: Optional[Sequence[str]] = None,
                 exclude_subjects: Optional[Sequence[str]] = None,
                 check_frames: bool = True,
                 **kwargs) -> None:
        if clip_len < 1 or frame_interval < 1 or (stride is not None
                                                  and stride < 1):
            raise ValueError(f'{ann_file}: clip_len, frame_interval and '
                             'stride must be positive, got '
                             f'{clip_len}, {frame_interval}, {stride}')
        if layout is not None:
            get_template(layout)
        self.layout = layout
        self.clip_len = int(clip_len)
        self.frame_interval = int(frame_interval)
        self.stride = int(stride or max(1, clip_len * frame_interval // 2))
        self.whole_videos = whole_videos
        self.check_frames = check_frames
        self.test_subjects = MicroExpressionDataset._as_list(
            test_subjects, 'test_subjects')
        self.exclude_subjects = MicroExpressionDataset._as_list(
            exclude_subjects, 'exclude_subjects')
        self._random_shift = random_shift
        super().__init__(ann_file, pipeline=pipeline,
                         data_prefix=data_prefix, **kwargs)

    @property
    def random_shift(self) -> bool:
        """Whether windows move at random when drawn."""
        return (not self.test_mode) if self._random_shift is None else \
            bool(self._random_shift)

    @property
    def subjects(self) -> List[str]:
        """The subjects loaded (for ``SubjectSplitCheckHook``)."""
        return list(getattr(self, '_subjects', []))

    def _videos(self) -> List[Dict]:
        data = load_annotation_file(self.ann_file)
        meta = data['metainfo']
        for key, value in meta.items():
            self._metainfo.setdefault(key, value)
        if 'videos' not in meta:
            raise KeyError(f'{self.ann_file}: metainfo has no "videos"; not '
                           'a spotting file (docs/spotting.md)')
        layout = self.layout or meta.get('layout')
        if layout is None:
            raise KeyError(f'{self.ann_file}: metainfo has no "layout"; set '
                           'layout= to the frame-path template')
        root = self.data_prefix.get('img', '')
        spans: Dict[tuple, List[List[int]]] = {}
        for rec in data['data_list']:
            key = (rec['subject'], rec.get('clip_dir', rec['clip']))
            spans.setdefault(key, []).append(
                [rec['onset'], rec['offset'], rec['label']])
        videos, known = [], set()
        for entry in meta['videos']:
            subject, video = str(entry['subject']), str(entry['video'])
            known.add((subject, video))
            videos.append(dict(
                subject=subject, video_name=video,
                video=f'{subject}/{video}',
                frame_dir=frame_dir(layout, root, subject, video),
                filename_tmpl=filename_tmpl(layout, subject, video),
                first_frame=int(entry.get('first_frame', 1)),
                num_frames=int(entry['num_frames']),
                gt_spans=sorted(spans.get((subject, video), []))))
        orphans = sorted(set(spans) - known)
        if orphans:
            raise KeyError(f'{self.ann_file}: records of videos not in '
                           f'metainfo.videos: {orphans[:3]}')
        return videos

    def _windows(self, video: Dict) -> List[Dict]:
        first, n = video['first_frame'], video['num_frames']
        span = (self.clip_len - 1) * self.frame_interval + 1
        if self.whole_videos:
            return [dict(video, start=first, length=n, interval=1)]
        if span > n:
            raise ValueError(f'{self.ann_file}: video {video["video"]} has '
                             f'{n} frames, fewer than a window ({span})')
        starts = list(range(first, first + n - span + 1, self.stride))
        if starts[-1] != first + n - span:
            starts.append(first + n - span)
        return [dict(video, start=s, length=self.clip_len,
                     interval=self.frame_interval) for s in starts]

    def load_data_list(self) -> List[Dict]:
        """Every window of every video of the file."""
        return [w for v in self._videos() for w in self._windows(v)]

    def filter_data(self) -> List[Dict]:
        """Select the subjects (``test_subjects`` / ``exclude_subjects``)
        and check that the videos' frames are there."""
        data_list = super().filter_data()
        keys = [d['subject'] for d in data_list]
        if self.test_subjects is not None:
            keep = resolve_subjects(self.test_subjects, keys,
                                    'test_subjects', self.ann_file)
            data_list = [d for d in data_list if d['subject'] in keep]
        if self.exclude_subjects is not None:
            drop = resolve_subjects(self.exclude_subjects, keys,
                                    'exclude_subjects', self.ann_file)
            data_list = [d for d in data_list if d['subject'] not in drop]
        self._subjects = sorted({d['subject'] for d in data_list})
        if self.check_frames:
            seen = set()
            for d in data_list:
                if d['video'] in seen:
                    continue
                seen.add(d['video'])
                for frame in (d['first_frame'],
                              d['first_frame'] + d['num_frames'] - 1):
                    path = osp.join(d['frame_dir'],
                                    d['filename_tmpl'].format(frame))
                    if not osp.isfile(path):
                        raise FileNotFoundError(
                            f'{self.ann_file}: video {d["video"]} lacks '
                            f'frame {frame} ({path}); is data_prefix the '
                            'root of the (aligned) frames?')
        return data_list

    def get_data_info(self, idx: int) -> Dict:
        """A window with its frame numbers and per-frame labels."""
        info = super().get_data_info(idx)
        start, length = info['start'], info['length']
        interval = info['interval']
        first, n = info['first_frame'], info['num_frames']
        if self.random_shift and not self.whole_videos:
            span = (length - 1) * interval + 1
            half = self.stride // 2
            lo, hi = max(first, start - half), min(first + n - span,
                                                   start + half)
            start = int(np.random.randint(lo, hi + 1))
        frames = start + interval * np.arange(length, dtype=np.int64)
        spot = np.zeros(length, np.float32)
        cls = np.full(length, -1, np.int64)
        for onset, offset, label in info['gt_spans']:
            inside = (frames >= onset) & (frames <= offset)
            spot[inside] = 1.0
            cls[inside] = label
        info.update(frame_inds=frames, clip_len=length, num_clips=1,
                    spot_labels=spot, class_labels=cls, modality='RGB')
        return info
