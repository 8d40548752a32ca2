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
(:func:`render_video_task`). It is cached and resumable like the demo set:
each video's frame folder is written into a temporary folder and renamed
when complete, the options are stored in the manifest first, a re-run with
the same options skips the finished videos, and other options into the
same folder are refused unless ``overwrite``.
"""
import contextlib
import glob
import multiprocessing
import os
import os.path as osp
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Dict, List, Optional

import cv2
import numpy as np

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.spotting.layouts import get_long_layout
from mmaction_tsfmicro.utils.fileio import (
    atomic_dir, atomic_path, read_json, remove_tree, write_json, write_text)
from .catalogue import CATALOGUE, find_source, load_image
from .long_video import render_long_video
from .long_video_plans import LongVideoConfig, LongVideoPlan, draw_video_plan
from .long_video_records import (MANIFEST_FILE, SPOTTING_FILE, manifest,
                                 readme, sheet_rows, video_file,
                                 write_spotting_file)
from .long_video_sheets import write_casme2_sheet, write_samm_sheet
from .plans import DemoConfig
from .subjects import select_subjects

README_FILE = 'README.md'
PARTS_DIR = '.parts'


class LongVideoOptionsError(RuntimeError):
    """The output folder holds a set made with other options."""


def _init_worker() -> None:
    os.environ.setdefault('GLOG_minloglevel', '2')
    cv2.setNumThreads(1)


def _make_pool(workers: int) -> ProcessPoolExecutor:
    # forked from a fresh server (not from this process, which may run a
    # MediaPipe graph whose threads do not survive a fork)
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_init_worker)


def _part_path(root: str, plan: LongVideoPlan) -> str:
    return osp.join(root, PARTS_DIR, f'{plan.subject}_{plan.video}.json')


def _frame_folder(root: str, config: LongVideoConfig,
                  plan: LongVideoPlan) -> str:
    template = get_long_layout(config.layout).frames
    return osp.dirname(frame_path(template, root, plan.subject, plan.video,
                                  1))


def render_video_task(task: Dict) -> Dict:
    """Render one video into its frame folder (and ``.avi``), atomically.

    Args:
        task (dict): ``root``, ``plan``, ``source`` (catalogue name),
            ``points`` (the photo's landmarks), ``config``.

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
        write_json(_part_path(root, plan), part)
    part['seconds'] = time.perf_counter() - t0
    return part


def _check_folder(out_dir: str, options: Dict, overwrite: bool) -> None:
    if not osp.isdir(out_dir):
        return
    manifest = osp.join(out_dir, MANIFEST_FILE)
    if osp.isfile(manifest):
        old = read_json(manifest).get('options', {})
        if old == options:
            return
        if not overwrite:
            diff = ', '.join(
                f'{k}: {old.get(k)!r} -> {options.get(k)!r}'
                for k in sorted(set(old) | set(options))
                if old.get(k) != options.get(k))
            raise LongVideoOptionsError(
                f'{out_dir} holds demo long videos made with other options '
                f'({diff}); pass --overwrite to replace them or choose '
                'another --out folder')
        for name in os.listdir(out_dir):
            remove_tree(osp.join(out_dir, name))
        return
    if os.listdir(out_dir):
        raise LongVideoOptionsError(
            f'{out_dir} is not empty and holds no demo manifest '
            f'({MANIFEST_FILE}); choose an empty or new --out folder')


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
    log = log or (lambda msg: None)
    t0 = time.perf_counter()
    options = config.to_dict()
    _check_folder(out_dir, options, overwrite)
    pool = _make_pool(workers) if workers > 1 else None
    if pool is None:
        _init_worker()
    try:
        demo = DemoConfig(seed=config.seed, subjects=config.subjects,
                          min_iod=config.min_iod, max_yaw=config.max_yaw,
                          sources=_photo_sources(config))
        subjects, rejected = select_subjects(
            demo, pool.map if pool is not None else map)
        entries = _plans(config, subjects)
        log(f'{len(entries)} subjects: ' + ', '.join(
            f"{e['folder']}={e['source'].name}" for e in entries))
        os.makedirs(osp.join(out_dir, PARTS_DIR), exist_ok=True)
        write_json(osp.join(out_dir, MANIFEST_FILE),
                   manifest(config, entries, rejected, complete=False))
        tasks, skipped = [], []
        for entry in entries:
            for plan in entry['plans']:
                if osp.isfile(_part_path(out_dir, plan)) and osp.isdir(
                        _frame_folder(out_dir, config, plan)):
                    skipped.append(f'{plan.subject}/{plan.video}')
                    continue
                tasks.append(dict(root=out_dir, plan=plan,
                                  source=entry['source'].name,
                                  points=np.asarray(entry['face'].points),
                                  config=config))
        if skipped:
            log(f'already complete, skipped: {len(skipped)} videos')
        frames = nbytes = 0
        results = pool.map(render_video_task, tasks) if pool is not None \
            else map(render_video_task, tasks)
        for part in results:
            frames += part['frames']
            nbytes += part['bytes']
            log(f"{part['subject']}/{part['video']}: {part['frames']} "
                f"frames, {part['bytes'] / 1e6:.1f} MB, "
                f"{part['seconds']:.1f} s")
    finally:
        if pool is not None:
            pool.shutdown()
    layout = get_long_layout(config.layout)
    sheet = osp.join(out_dir, layout.sheet)
    rows = sheet_rows(entries, layout.name)
    if layout.name == 'casme2_long':
        write_casme2_sheet(rows, sheet)
    else:
        write_samm_sheet(rows, sheet, config.rate)
    write_spotting_file(osp.join(out_dir, SPOTTING_FILE), config, entries,
                        out_dir)
    record = manifest(config, entries, rejected, complete=True)
    write_text(osp.join(out_dir, README_FILE), readme(record))
    write_json(osp.join(out_dir, MANIFEST_FILE), record)
    summary = dict(subjects=len(entries),
                   videos=sum(len(e['plans']) for e in entries),
                   expressions=len(rows), frames=frames,
                   bytes=nbytes, skipped=skipped,
                   seconds=time.perf_counter() - t0)
    log(f"done in {summary['seconds']:.1f} s: {summary['subjects']} "
        f"subjects, {summary['videos']} videos, {summary['expressions']} "
        f'expressions ({frames} frames written now)')
    return summary
