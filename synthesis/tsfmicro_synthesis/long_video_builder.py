"""Building the demo long-video set: frames, videos, sheet, annotation.

Output, in the layout of CAS(ME)^2 (``casme2_long``, the default) or of
SAMM Long Videos (``samm_long``), see :mod:`mmaction_tsfmicro.spotting.
layouts`::

    DIR/rawpic/s01/01_0101demo1/img1.jpg ...  frames, numbered from 1
    DIR/rawvideo/s01/01_0101demo1.avi         the same video (optional)
    DIR/CAS(ME)^2code_demo.xlsx               the intervals, CAS(ME)^2's sheet
    DIR/spotting.json                         the plugin's normalized file
    DIR/manifest.json, DIR/README.md          options, sources, every plan

:func:`build_long_videos` chooses the subjects among the catalogue's photos
(:func:`.subjects.select_subjects`), draws every video's plan
(:mod:`.long_video_plans`) and renders the videos in worker processes
(:func:`render_video_task`); the folder, the manifest and the resume are
:class:`.set_builder.SetBuilder`'s, as for the demo clip set.
"""
import contextlib
import glob
import os.path as osp
import time
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.spotting.layouts import get_long_layout
from mmaction_tsfmicro.utils.fileio import (atomic_dir, atomic_path,
                                            remove_tree, write_json,
                                            write_text)
from .catalogue import CATALOGUE, find_source, load_image
from .long_video import render_long_video
from .long_video_plans import LongVideoConfig, LongVideoPlan, draw_video_plan
from .long_video_records import (SPOTTING_FILE, manifest, readme, sheet_rows,
                                 video_file, write_spotting_file)
from .long_video_sheets import write_casme2_sheet, write_samm_sheet
from .plans import DemoConfig
from .set_builder import README_FILE, SetBuilder
from .subjects import select_subjects


def _frame_folder(root: str, config: LongVideoConfig,
                  plan: LongVideoPlan) -> str:
    template = get_long_layout(config.layout).frames
    return osp.dirname(frame_path(template, root, plan.subject, plan.video,
                                  1))


def render_video_task(task: Dict) -> Dict:
    """Render one video into its frame folder (and ``.avi``), atomically.

    Args:
        task (dict): ``root``, ``plan``, ``source`` (catalogue name),
            ``points`` (the photo's landmarks), ``config``, ``part`` (path
            of the JSON record to write).

    Returns:
        dict: ``subject``, ``video``, ``frames``, ``bytes``, ``seconds``.
    """
    t0 = time.perf_counter()
    root, plan = task['root'], task['plan']
    config: LongVideoConfig = task['config']
    template = get_long_layout(config.layout).frames
    folder = _frame_folder(root, config, plan)
    video_path = video_file(root, config, plan)
    if video_path:  # what an interrupted run left
        for stale in glob.glob(osp.join(
                glob.escape(osp.dirname(video_path)),
                f'.{glob.escape(plan.video)}.*.tmp.avi')):
            remove_tree(stale)
    image = load_image(find_source(task['source']))
    frames = render_long_video(image, task['points'], plan,
                               config.frame_size)
    nbytes = count = 0
    size = config.frame_size
    with atomic_dir(folder) as work:
        writer = None
        with (atomic_path(video_path) if video_path else
              contextlib.nullcontext()) as tmp_video:
            if tmp_video:
                # Motion-JPEG, as the frames: the video and the frame
                # folder hold the same pictures
                writer = cv2.VideoWriter(
                    tmp_video, cv2.CAP_OPENCV_MJPEG,
                    cv2.VideoWriter_fourcc(*'MJPG'), plan.fps, (size, size),
                    [cv2.VIDEOWRITER_PROP_QUALITY, config.jpeg_quality])
                if not writer.isOpened():
                    raise RuntimeError(f'{video_path}: OpenCV cannot write '
                                       'Motion-JPEG video')
            for index, frame in enumerate(frames):
                path = frame_path(template, root, plan.subject, plan.video,
                                  index + 1)
                ok, buf = cv2.imencode(
                    '.jpg', frame,
                    [cv2.IMWRITE_JPEG_QUALITY, config.jpeg_quality])
                if not ok:
                    raise RuntimeError(f'JPEG encoding failed for {path}')
                with open(osp.join(work, osp.basename(path)), 'wb') as f:
                    f.write(buf.tobytes())
                if writer is not None:
                    writer.write(frame)
                nbytes += len(buf)
                count += 1
            if writer is not None:
                writer.release()
        part = dict(subject=plan.subject, video=plan.video, frames=count,
                    bytes=nbytes)
        write_json(task['part'], part)
    part['seconds'] = time.perf_counter() - t0
    return part


def _photo_sources(config: LongVideoConfig) -> tuple:
    names = config.sources or tuple(s.name for s in CATALOGUE
                                    if s.kind == 'image')
    for name in names:
        if find_source(name).kind != 'image':
            raise ValueError(f'{name}: the long videos are made from '
                             'photos, not from a video')
    return tuple(names)


def _plans(config: LongVideoConfig, subjects: List[Dict]) -> List[Dict]:
    layout = get_long_layout(config.layout)
    entries = []
    for subj in subjects:
        folder = layout.subject_folder(subj['number'])
        plans = [draw_video_plan(config, folder, subj['number'],
                                 layout.video_folder(subj['number'], v), v)
                 for v in range(1, config.videos_per_subject + 1)]
        entries.append(dict(subj, folder=folder, plans=plans))
    return entries


class LongVideoBuilder(SetBuilder):
    """The demo long videos: one unit per video (:func:`render_video_task`).
    """

    what = 'demo long videos'

    def prepare(self, mapper: Callable) -> None:
        config = self.config
        demo = DemoConfig(seed=config.seed, subjects=config.subjects,
                          min_iod=config.min_iod, max_yaw=config.max_yaw,
                          sources=_photo_sources(config))
        subjects, self.rejected = select_subjects(demo, mapper)
        self.entries = _plans(config, subjects)
        self.log(f'{len(self.entries)} subjects: ' + ', '.join(
            f"{e['folder']}={e['source'].name}" for e in self.entries))

    def units(self) -> List[Tuple[str, str, Callable, Dict]]:
        return [(f'{plan.subject}_{plan.video}',
                 _frame_folder(self.out_dir, self.config, plan),
                 render_video_task,
                 dict(root=self.out_dir, plan=plan,
                      source=entry['source'].name,
                      points=np.asarray(entry['face'].points),
                      config=self.config))
                for entry in self.entries for plan in entry['plans']]

    def describe(self, part: Dict) -> str:
        return (f"{part['subject']}/{part['video']}: {part['frames']} "
                f"frames, {part['bytes'] / 1e6:.1f} MB, "
                f"{part['seconds']:.1f} s")

    def owned_names(self, manifest: Dict) -> List[str]:
        layout = get_long_layout(manifest.get('layout',
                                              self.config.layout))
        top = {p.split('/')[0] for p in (layout.frames, layout.video_file)}
        return sorted(top) + [layout.sheet, SPOTTING_FILE, *super(
        ).owned_names(manifest)]

    def manifest(self, parts: Optional[Dict[str, Dict]]) -> Dict:
        return manifest(self.config, self.entries, self.rejected,
                        complete=parts is not None)

    def finish(self, parts: Dict[str, Dict]) -> Dict[str, int]:
        config, out_dir = self.config, self.out_dir
        layout = get_long_layout(config.layout)
        sheet = osp.join(out_dir, layout.sheet)
        rows = sheet_rows(self.entries, layout.name)
        if layout.name == 'casme2_long':
            write_casme2_sheet(rows, sheet)
        else:
            write_samm_sheet(rows, sheet, config.rate)
        write_spotting_file(osp.join(out_dir, SPOTTING_FILE), config,
                            self.entries, out_dir)
        write_text(osp.join(out_dir, README_FILE),
                   readme(self.manifest(parts)))
        return dict(subjects=len(self.entries),
                    videos=sum(len(e['plans']) for e in self.entries),
                    expressions=len(rows))


def build_long_videos(out_dir: str,
                      config: LongVideoConfig = LongVideoConfig(),
                      workers: int = 2,
                      overwrite: bool = False,
                      log: Optional[Callable[[str], None]] = print) -> Dict:
    """Generate (or complete) the demo long videos in ``out_dir``.

    Args:
        out_dir (str): Output folder.
        config (LongVideoConfig): Options; they decide the content.
        workers (int): Worker processes (1: in this process).
        overwrite (bool): Replace a set made with other options.
        log (Callable, optional): Progress messages; None for silence.

    Returns:
        dict: ``subjects``, ``videos``, ``expressions``, ``frames`` and
        ``bytes`` written now, ``skipped`` videos, ``seconds``.
    """
    return LongVideoBuilder(out_dir, config, workers, overwrite, log).run()
