"""Building the demo data set: subjects, clips, frames, sheet, manifest.

Output (CASME II layout, ``frame_path('casme2', ...)``)::

    DIR/sub01/EP03_01/img117.jpg ...    frames, numbered from the clip's
                                        first frame number
    DIR/CASME2-coding-demo.xlsx         coding sheet, official columns
    DIR/manifest.json                   options, seed, sources, clip plans
    DIR/README.md                       the same for people

A run is resumable: each subject folder is written into a temporary folder
and renamed when complete, and a re-run with the same options skips the
subjects that exist. The options are stored in the manifest first; a run
with other options into the same folder is refused unless ``overwrite``.
"""
import json
import multiprocessing
import os
import os.path as osp
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..annotations.layouts import frame_path
from .action_units import CLASSES, describe
from .coding_sheet import SheetRow, write_sheet
from .plans import ClipPlan, DemoConfig, check_plans, draw_clip_plans
from .render import (EYE_DIST, Nuisance, photo_sources, prepare_photo,
                     render_frames, synthetic_drift, temporal_profile,
                     video_sources, window_calmness)
from .sources import (CATALOGUE, FaceObservation, check_candidate,
                      detect_source, find_source, load_image, read_video,
                      source_path, source_record, track_video)

SHEET_FILE = 'CASME2-coding-demo.xlsx'
MANIFEST_FILE = 'manifest.json'
README_FILE = 'README.md'
PARTS_DIR = '.parts'
LAYOUT = 'casme2'

#: Largest landmark deformation (inter-ocular distances) accepted in a video
#: window before falling back to the calmest windows available.
CALM_THRESHOLD = 0.02

_DETECTOR = None


class DemoOptionsError(RuntimeError):
    """The output folder holds a demo set made with other options."""


def _detector():
    """The worker's MediaPipe detector, built on first use."""
    global _DETECTOR
    if _DETECTOR is None:
        from ..preprocessing.landmarks import build_detector
        _DETECTOR = build_detector('mediapipe')
    return _DETECTOR


def _init_worker() -> None:
    os.environ.setdefault('GLOG_minloglevel', '2')
    cv2.setNumThreads(1)


def _make_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a fresh server process.

    Not forked from this process: it may hold a running MediaPipe graph
    (threads do not survive a fork), and not spawned one by one: the server
    imports this module once and every worker starts from it.
    """
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_init_worker)


def _write_json(path: str, data: Dict) -> None:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    folder = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-', suffix='.json')
    with os.fdopen(fd, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=False)
        f.write('\n')
    os.replace(tmp, path)


def _write_text(path: str, text: str) -> None:
    folder = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-', suffix='.txt')
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


# ----------------------------------------------------------------- discovery
def _observe_task(name: str) -> Tuple[str, Optional[FaceObservation]]:
    source = find_source(name)
    if source.same_person_as:
        return name, None
    return name, detect_source(source, _detector())


def select_subjects(config: DemoConfig, mapper: Callable = map
                    ) -> Tuple[List[Dict], List[Dict]]:
    """Find the candidates' faces and choose the subjects.

    Args:
        config (DemoConfig): Options (``sources``, ``subjects``,
            ``min_iod``, ``max_yaw``).
        mapper (Callable): ``map``-like function (e.g. a pool's).

    Returns:
        tuple: ``subjects`` (dicts with ``subject``, ``number``, ``source``
        (:class:`FaceSource`), ``face`` (:class:`FaceObservation`)) and
        ``rejected`` (dicts with the source record and the reason).
    """
    if config.sources is not None:
        candidates = [find_source(n) for n in config.sources]
    else:
        candidates = list(CATALOGUE)
    # with a number of subjects asked for, look at candidates in batches
    # until enough are found
    batch = len(candidates) if config.subjects is None else max(
        2, config.subjects)
    found: Dict[str, Optional[FaceObservation]] = {}
    usable = 0
    for i in range(0, len(candidates), batch):
        names = [c.name for c in candidates[i:i + batch]]
        for name, face in mapper(_observe_task, names):
            found[name] = face
            source = find_source(name)
            usable += check_candidate(source, face, config.min_iod,
                                      config.max_yaw) is None
        if config.subjects is not None and usable >= config.subjects:
            break
    subjects, rejected = [], []
    for source in candidates:
        if source.name not in found:
            continue
        face = found[source.name]
        reason = check_candidate(source, face, config.min_iod,
                                 config.max_yaw)
        if reason is None and config.subjects is not None and \
                len(subjects) >= config.subjects:
            reason = f'beyond the {config.subjects} subjects asked for'
        if reason is not None:
            rec = source_record(source)
            rec['reason'] = reason
            if face is not None:
                rec.update(face.summary())
            rejected.append(rec)
            continue
        number = len(subjects) + 1
        subjects.append(dict(subject=f'sub{number:02d}', number=number,
                             source=source, face=face))
    if config.subjects is not None and len(subjects) < config.subjects:
        raise ValueError(
            f'asked for {config.subjects} subjects but only {len(subjects)} '
            'faces are usable: ' + '; '.join(
                f"{r['name']}: {r['reason']}" for r in rejected))
    if not subjects:
        raise ValueError('no usable face found among the demo sources')
    return subjects, rejected


# ----------------------------------------------------------------- rendering
def _clip_rng(plan: ClipPlan) -> np.random.Generator:
    return np.random.default_rng(plan.render_seed)


def _nuisance(plan: ClipPlan) -> Nuisance:
    return Nuisance(light_gain=plan.light_gain, light_tilt=plan.light_tilt,
                    noise_sigma=plan.noise_sigma)


def _write_clip(frames, plan: ClipPlan, root: str, subject: str,
                quality: int) -> Tuple[int, int]:
    """Write a clip's frames as JPEG files; return (frames, bytes)."""
    count = nbytes = 0
    for number, frame in zip(plan.frame_numbers(), frames):
        path = frame_path(LAYOUT, root, subject, plan.clip, number)
        if count == 0:
            os.makedirs(osp.dirname(path), exist_ok=True)
        ok, buf = cv2.imencode('.jpg', frame,
                               [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError(f'JPEG encoding failed for {path}')
        with open(path, 'wb') as f:
            f.write(buf.tobytes())
        count += 1
        nbytes += len(buf)
    return count, nbytes


def photo_clip_frames(image: np.ndarray, points: np.ndarray, plan: ClipPlan,
                      size: int, nuisances: bool = True):
    """Frames of one clip made from a photo.

    Args:
        image (np.ndarray): The photo (BGR).
        points (np.ndarray): (478, 2) landmarks in the photo.
        plan (ClipPlan): The clip.
        size (int): Frame side.
        nuisances (bool): Add head drift, lighting change and noise.

    Returns:
        tuple: ``(frames iterator, sources)``; ``sources`` holds the
        face-frame landmarks and the head pose of each frame.
    """
    rng = _clip_rng(plan)
    image, points = prepare_photo(image, points, size)
    radius = 1.2 * EYE_DIST * size
    drift = synthetic_drift(rng, plan.num_frames,
                            plan.drift_px if nuisances else 0.0, radius)
    sources = photo_sources(image, points, size, plan.num_frames, drift,
                            plan.jitter)
    amp = temporal_profile(plan.num_frames, plan.onset, plan.apex,
                           plan.offset) * plan.amplitude
    frames = render_frames(sources, plan.action_units, amp, size,
                           plan.au_weights, plan.side_weights,
                           _nuisance(plan) if nuisances else None, rng)
    return frames, sources


def video_clip_frames(video: Dict[int, np.ndarray], points: np.ndarray,
                      start: int, span: int, plan: ClipPlan, size: int,
                      nuisances: bool = True):
    """Frames of one clip made from consecutive video frames.

    Args:
        video (dict[int, np.ndarray]): Decoded frames by index.
        points (np.ndarray): (N, 478, 2) smoothed landmark track.
        start (int): First real frame of the window.
        span (int): Real frames in the window.
        plan (ClipPlan): The clip.
        size (int): Frame side.
        nuisances (bool): Keep (scaled) head motion, add lighting change
            and noise.

    Returns:
        tuple: ``(frames iterator, sources)``.
    """
    sources = video_sources(video, points, start, span, size,
                            plan.num_frames,
                            plan.drift_px if nuisances else 0.0, plan.jitter)
    amp = temporal_profile(plan.num_frames, plan.onset, plan.apex,
                           plan.offset) * plan.amplitude
    frames = render_frames(sources, plan.action_units, amp, size,
                           plan.au_weights, plan.side_weights,
                           _nuisance(plan) if nuisances else None,
                           _clip_rng(plan), field_per_frame=True)
    return frames, sources


def choose_window(scores: np.ndarray, rng: np.random.Generator) -> int:
    """Pick a calm video window: any under the threshold, else the calmest.

    Args:
        scores (np.ndarray): :func:`window_calmness` scores by start.
        rng (np.random.Generator): Random source.

    Returns:
        int: The start frame.
    """
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0:
        raise ValueError('no video window with a face in every frame')
    calm = finite[scores[finite] <= CALM_THRESHOLD]
    if calm.size < 3:
        calm = finite[np.argsort(scores[finite], kind='stable')[:3]]
    return int(rng.choice(calm))


def video_windows(points: np.ndarray, plans: Sequence[ClipPlan]
                  ) -> List[Tuple[int, int]]:
    """Choose the real-frame window ``(start, span)`` of each video clip."""
    cache: Dict[int, np.ndarray] = {}
    out = []
    for plan in plans:
        span = int(round((plan.num_frames - 1) / plan.slow)) + 1
        span = int(min(max(span, 2), len(points)))
        if span not in cache:
            cache[span] = window_calmness(points, span)
        rng = np.random.default_rng([plan.render_seed, 1])
        out.append((choose_window(cache[span], rng), span))
    return out


def render_subject(task: Dict) -> Dict:
    """Render all clips of one subject into its folder (atomically).

    Args:
        task (dict): ``root``, ``subject``, ``source`` (name), ``points``
            (landmarks of a photo), ``plans`` (list of :class:`ClipPlan`),
            ``config`` (:class:`DemoConfig`).

    Returns:
        dict: The subject's part of the manifest, with counts and time.
    """
    start_time = time.perf_counter()
    root, subject = task['root'], task['subject']
    config: DemoConfig = task['config']
    plans: List[ClipPlan] = task['plans']
    source = find_source(task['source'])
    size = config.frame_size
    work = tempfile.mkdtemp(dir=root, prefix=f'.tmp-{subject}-')
    try:
        frames_total = bytes_total = 0
        clips_info = []
        if source.kind == 'video':
            points, _ = track_video(source_path(source), _detector(),
                                    frame_ranges=source.frame_ranges)
            windows = video_windows(points, plans)
            needed = sorted({k for s, n in windows for k in range(s, s + n)})
            video = read_video(source_path(source), needed)
            for plan, (start, span) in zip(plans, windows):
                frames, _ = video_clip_frames(video, points, start, span,
                                              plan, size)
                n, b = _write_clip(frames, plan, work, subject,
                                   config.jpeg_quality)
                frames_total += n
                bytes_total += b
                clips_info.append(dict(clip=plan.clip, video_frames=[
                    int(start), int(start + span - 1)]))
        else:
            image = load_image(source)
            points = np.asarray(task['points'], np.float64)
            for plan in plans:
                frames, _ = photo_clip_frames(image, points, plan, size)
                n, b = _write_clip(frames, plan, work, subject,
                                   config.jpeg_quality)
                frames_total += n
                bytes_total += b
        part = dict(subject=subject, frames=frames_total, bytes=bytes_total,
                    video_windows=clips_info)
        _write_json(osp.join(root, PARTS_DIR, f'{subject}.json'), part)
        os.rename(osp.join(work, subject), osp.join(root, subject))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    part['seconds'] = time.perf_counter() - start_time
    return part


# ----------------------------------------------------------------- the set
def _subject_entry(subj: Dict, plans: List[ClipPlan]) -> Dict:
    return dict(subject=subj['subject'],
                source=source_record(subj['source']),
                face=subj['face'].summary(),
                clips=[p.to_dict() for p in plans])


def _check_folder(out_dir: str, options: Dict, overwrite: bool) -> None:
    """Refuse a folder holding another set, or clear it with overwrite."""
    if not osp.isdir(out_dir):
        return
    manifest_path = osp.join(out_dir, MANIFEST_FILE)
    if osp.isfile(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        old_options = old.get('options', {})
        if old_options == options:
            return
        if not overwrite:
            diff = sorted(k for k in set(old_options) | set(options)
                          if old_options.get(k) != options.get(k))
            detail = ', '.join(f'{k}: {old_options.get(k)!r} -> '
                               f'{options.get(k)!r}' for k in diff)
            raise DemoOptionsError(
                f'{out_dir} holds a demo data set made with other options '
                f'({detail}); pass --overwrite to replace it or choose '
                'another --out folder')
        for entry in old.get('subjects', []):
            shutil.rmtree(osp.join(out_dir, entry['subject']),
                          ignore_errors=True)
        for name in (SHEET_FILE, README_FILE, MANIFEST_FILE):
            if osp.exists(osp.join(out_dir, name)):
                os.remove(osp.join(out_dir, name))
        shutil.rmtree(osp.join(out_dir, PARTS_DIR), ignore_errors=True)
        return
    own = (PARTS_DIR, '.tmp-')
    if [n for n in os.listdir(out_dir) if not n.startswith(own)]:
        raise DemoOptionsError(
            f'{out_dir} is not empty and holds no demo manifest '
            f'({MANIFEST_FILE}); choose an empty or new --out folder')


def _check_same_subjects(out_dir: str, manifest: Dict) -> None:
    """Refuse to complete a set whose faces differ from those found now."""
    path = osp.join(out_dir, MANIFEST_FILE)
    if not osp.isfile(path):
        return
    with open(path) as f:
        old = [s['subject'] + ':' + s['source']['name']
               for s in json.load(f).get('subjects', [])]
    new = [s['subject'] + ':' + s['source']['name']
           for s in manifest['subjects']]
    if old != new:
        raise DemoOptionsError(
            f'{out_dir}: the faces found now ({new}) differ from those of '
            f'the existing set ({old}); pass --overwrite to regenerate it')


def _clear_leftovers(out_dir: str) -> None:
    """Make the folders and remove what an interrupted run left."""
    os.makedirs(osp.join(out_dir, PARTS_DIR), exist_ok=True)
    for name in os.listdir(out_dir):
        if name.startswith('.tmp-'):
            path = osp.join(out_dir, name)
            if osp.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)


def _sheet_rows(entries: List[Tuple[Dict, List[ClipPlan]]]) -> List[SheetRow]:
    rows = []
    for subj, plans in entries:
        for p in plans:
            rows.append(SheetRow(subj['number'], p.clip, p.onset_frame,
                                 p.apex_frame, p.offset_frame,
                                 p.action_units, p.emotion,
                                 p.objective_class))
    return rows


def build_demo_dataset(out_dir: str,
                       config: DemoConfig = DemoConfig(),
                       workers: int = 2,
                       overwrite: bool = False,
                       log: Optional[Callable[[str], None]] = print) -> Dict:
    """Generate (or complete) the demo data set in ``out_dir``.

    Args:
        out_dir (str): Output folder (created if needed).
        config (DemoConfig): Options; they decide the content.
        workers (int): Worker processes (1: run in this process).
        overwrite (bool): Replace a set made with other options.
        log (Callable, optional): Progress messages; None for silence.

    Returns:
        dict: Summary: ``subjects``, ``clips``, ``frames``, ``bytes``
        (frames written in this run), ``skipped`` (subjects already done),
        ``seconds``.
    """
    log = log or (lambda msg: None)
    t0 = time.perf_counter()
    options = config.to_dict()
    _check_folder(out_dir, options, overwrite)

    pool = _make_pool(workers) if workers > 1 else None
    if pool is None:
        _init_worker()
    try:
        mapper = pool.map if pool is not None else map
        subjects, rejected = select_subjects(config, mapper)
        log(f'{len(subjects)} subjects: ' + ', '.join(
            f"{s['subject']}={s['source'].name}" for s in subjects))
        entries = []
        for subj in subjects:
            plans = draw_clip_plans(config, subj['number'])
            check_plans(plans)
            entries.append((subj, plans))
        manifest = _manifest(config, entries, rejected, parts=None)
        _check_same_subjects(out_dir, manifest)
        _clear_leftovers(out_dir)
        _write_json(osp.join(out_dir, MANIFEST_FILE), manifest)

        tasks = []
        skipped = []
        for subj, plans in entries:
            done = osp.isdir(osp.join(out_dir, subj['subject'])) and \
                osp.isfile(osp.join(out_dir, PARTS_DIR,
                                    subj['subject'] + '.json'))
            if done:
                skipped.append(subj['subject'])
                continue
            tasks.append(dict(root=out_dir, subject=subj['subject'],
                              source=subj['source'].name,
                              points=subj['face'].points, plans=plans,
                              config=config))
        # videos first: they take longest
        tasks.sort(key=lambda t: find_source(t['source']).kind != 'video')
        if skipped:
            log(f'already complete, skipped: {", ".join(skipped)}')
        frames = nbytes = 0
        results = (pool.map(render_subject, tasks) if pool is not None else
                   map(render_subject, tasks))
        for part in results:
            frames += part['frames']
            nbytes += part['bytes']
            log(f"{part['subject']}: {part['frames']} frames, "
                f"{part['bytes'] / 1e6:.1f} MB, {part['seconds']:.1f} s")
    finally:
        if pool is not None:
            pool.shutdown()

    parts = {}
    for subj, _ in entries:
        with open(osp.join(out_dir, PARTS_DIR,
                           subj['subject'] + '.json')) as f:
            parts[subj['subject']] = json.load(f)
    write_sheet(_sheet_rows(entries), osp.join(out_dir, SHEET_FILE))
    manifest = _manifest(config, entries, rejected, parts)
    _write_text(osp.join(out_dir, README_FILE), _readme(manifest))
    _write_json(osp.join(out_dir, MANIFEST_FILE), manifest)
    seconds = time.perf_counter() - t0
    summary = dict(subjects=len(entries),
                   clips=sum(len(p) for _, p in entries), frames=frames,
                   bytes=nbytes, skipped=skipped, seconds=seconds)
    log(f"done in {seconds:.1f} s: {summary['subjects']} subjects, "
        f"{summary['clips']} clips ({frames} frames written now)")
    return summary


def _manifest(config: DemoConfig, entries, rejected, parts) -> Dict:
    subjects = []
    for subj, plans in entries:
        entry = _subject_entry(subj, plans)
        if parts is not None:
            part = parts[subj['subject']]
            entry['frames'] = part['frames']
            entry['bytes'] = part['bytes']
            windows = {w['clip']: w['video_frames']
                       for w in part.get('video_windows', [])}
            for clip in entry['clips']:
                if clip['clip'] in windows:
                    clip['video_frames'] = windows[clip['clip']]
        subjects.append(entry)
    return dict(
        name='mmaction-tsfmicro demo micro-expression set',
        what=('Synthetic facial action-unit motions rendered on real faces '
              'that ship inside installed Python packages. The faces are '
              'real; the expressions are not: every expression is a '
              'displacement field defined on the face\'s landmarks, added '
              'by warping. Results on this set say nothing about CASME II, '
              'SAMM or CAS(ME)^3.'),
        complete=parts is not None,
        seed=config.seed,
        options=config.to_dict(),
        layout=LAYOUT,
        frame_template='{subject}/{clip}/img{frame}.jpg',
        coding_sheet=SHEET_FILE,
        classes=list(CLASSES),
        subjects=subjects,
        rejected_candidates=rejected,
        action_units=describe(),
    )


def _readme(manifest: Dict) -> str:
    opts = manifest['options']
    lines = [
        '# Demo micro-expression set', '',
        manifest['what'], '',
        f"Seed {manifest['seed']}; options: " + ', '.join(
            f'{k}={v}' for k, v in opts.items()) + '.', '',
        f"Layout: CASME II (`{manifest['frame_template']}`); coding sheet: "
        f"`{manifest['coding_sheet']}` (the official CASME II columns); "
        f"full details: `{MANIFEST_FILE}`.", '',
        'The people come from files of installed packages (loaded from the '
        'installed package, under that package\'s terms; nothing here is '
        'a copy of them beyond these rendered frames):', '',
        '| subject | package | file | face | clips |',
        '|---|---|---|---|---|',
    ]
    for s in manifest['subjects']:
        src = s['source']
        lines.append(f"| {s['subject']} | {src['package']} "
                     f"{src['version']} | `{src['file']}` | "
                     f"{src['description']} | {len(s['clips'])} |")
    lines += ['', 'Candidates not used:', '']
    for r in manifest['rejected_candidates']:
        lines.append(f"- `{r['file']}` ({r['name']}): {r['reason']}")
    lines.append('')
    return '\n'.join(lines)
