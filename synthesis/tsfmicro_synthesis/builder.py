"""Building the demo data set: the output folder, sheet, manifest, README.

Output (CASME II layout, ``frame_path('casme2', ...)``)::

    DIR/sub01/EP03_01/img117.jpg ...    frames, numbered from the clip's
                                        first frame number
    DIR/CASME2-coding-demo.xlsx         coding sheet, official columns
    DIR/manifest.json                   options, seed, sources, clip plans
    DIR/README.md                       the same for people

:func:`build_demo_dataset` chooses the subjects (:mod:`.subjects`), draws
their clip plans (:mod:`.plans`) and renders the subjects in worker
processes (:func:`.clip_frames.render_subject`). A run is resumable: each
subject folder is written into a temporary folder and renamed when
complete, and a re-run with the same options skips the subjects that
exist. The options are stored in the manifest first; a run with other
options into the same folder is refused unless ``overwrite``.
"""
import multiprocessing
import os
import os.path as osp
import re
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Dict, List, Optional, Tuple

import cv2

from mmaction_tsfmicro.utils.fileio import (read_json, remove_tree,
                                            write_json, write_text)
from .action_units import CLASSES, describe
from .catalogue import find_source, source_record
from .clip_frames import LAYOUT, render_subject
from .coding_sheet import SheetRow, write_sheet
from .plans import ClipPlan, DemoConfig, check_plans, draw_clip_plans
from .subjects import select_subjects

SHEET_FILE = 'CASME2-coding-demo.xlsx'
MANIFEST_FILE = 'manifest.json'
README_FILE = 'README.md'
PARTS_DIR = '.parts'

#: A subject's temporary folder, or the old folder it replaces, as an
#: interrupted :func:`~mmaction_tsfmicro.utils.fileio.atomic_dir` leaves
#: them.
_PARTIAL_SUBJECT = re.compile(r'\.sub\d+\.(partial|old)')


class DemoOptionsError(RuntimeError):
    """The output folder holds a demo set made with other options."""


def _init_worker() -> None:
    os.environ.setdefault('GLOG_minloglevel', '2')
    cv2.setNumThreads(1)


def _make_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a fresh server process.

    Not forked from this process: it may hold a running MediaPipe graph
    (threads do not survive a fork), and not spawned one by one: the server
    imports this module (and with it the modules of the worker tasks) once
    and every worker starts from it.
    """
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_init_worker)


def _part_path(out_dir: str, subject: str) -> str:
    """The JSON record a subject's worker writes when it is done."""
    return osp.join(out_dir, PARTS_DIR, f'{subject}.json')


def _is_leftover(name: str) -> bool:
    """Whether a name in the output folder is what an interrupted run left:
    a subject's temporary folder or a temporary file of an atomic write
    (:func:`~mmaction_tsfmicro.utils.fileio.atomic_path`)."""
    if _PARTIAL_SUBJECT.fullmatch(name):
        return True
    for final in (MANIFEST_FILE, README_FILE, SHEET_FILE):
        base, ext = osp.splitext(final)
        if name.startswith(f'.{base}.') and name.endswith(f'.tmp{ext}'):
            return True
    return False


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
        old = read_json(manifest_path)
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
            remove_tree(osp.join(out_dir, entry['subject']))
        for name in (SHEET_FILE, README_FILE, MANIFEST_FILE, PARTS_DIR):
            remove_tree(osp.join(out_dir, name))
        return
    if [n for n in os.listdir(out_dir)
            if n != PARTS_DIR and not _is_leftover(n)]:
        raise DemoOptionsError(
            f'{out_dir} is not empty and holds no demo manifest '
            f'({MANIFEST_FILE}); choose an empty or new --out folder')


def _subject_names(manifest: Dict) -> List[str]:
    return [s['subject'] + ':' + s['source']['name']
            for s in manifest.get('subjects', [])]


def _check_same_subjects(out_dir: str, manifest: Dict) -> None:
    """Refuse to complete a set whose faces differ from those found now."""
    path = osp.join(out_dir, MANIFEST_FILE)
    if not osp.isfile(path):
        return
    old = _subject_names(read_json(path))
    new = _subject_names(manifest)
    if old != new:
        raise DemoOptionsError(
            f'{out_dir}: the faces found now ({new}) differ from those of '
            f'the existing set ({old}); pass --overwrite to regenerate it')


def _clear_leftovers(out_dir: str) -> None:
    """Make the folders and remove what an interrupted run left."""
    os.makedirs(osp.join(out_dir, PARTS_DIR), exist_ok=True)
    for name in os.listdir(out_dir):
        if _is_leftover(name):
            remove_tree(osp.join(out_dir, name))


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
        write_json(osp.join(out_dir, MANIFEST_FILE), manifest)

        tasks = []
        skipped = []
        for subj, plans in entries:
            done = osp.isdir(osp.join(out_dir, subj['subject'])) and \
                osp.isfile(_part_path(out_dir, subj['subject']))
            if done:
                skipped.append(subj['subject'])
                continue
            tasks.append(dict(root=out_dir, subject=subj['subject'],
                              source=subj['source'].name,
                              points=subj['face'].points, plans=plans,
                              config=config,
                              part=_part_path(out_dir, subj['subject'])))
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

    parts = {
        subj['subject']: read_json(_part_path(out_dir, subj['subject']))
        for subj, _ in entries
    }
    write_sheet(_sheet_rows(entries), osp.join(out_dir, SHEET_FILE))
    manifest = _manifest(config, entries, rejected, parts)
    write_text(osp.join(out_dir, README_FILE), _readme(manifest))
    write_json(osp.join(out_dir, MANIFEST_FILE), manifest)
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
