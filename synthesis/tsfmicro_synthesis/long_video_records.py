"""What the demo long-video set says about itself: its sheet rows, the
normalized spotting annotation, the manifest and the README.

The normalized file (``spotting.json``) is the plugin's annotation format
(:mod:`mmaction_tsfmicro.annotations.schema`): one record per expression
(``clip`` its name in the sheet, ``clip_dir`` the video folder, frame
numbers of the video), and in ``metainfo`` what spotting needs besides:
``layout`` (the frame-path template), ``fps``, ``micro_frames`` (MEGC's
length range at that rate) and ``videos``, every video of the set with its
frame count, those without expressions too.
"""
import os.path as osp
from typing import Dict, List, Optional

from mmaction_tsfmicro.annotations import write_annotation_file
from mmaction_tsfmicro.spotting.annotation import micro_frames
from mmaction_tsfmicro.spotting.layouts import get_long_layout
from .action_units import CLASSES
from .catalogue import source_record
from .long_video_plans import LongVideoConfig, LongVideoPlan
from .long_video_sheets import IntervalRow
from .set_builder import MANIFEST_FILE

SPOTTING_FILE = 'spotting.json'
#: The ``dataset`` of the records.
DATASET = 'demo_long'


def video_file(root: str, config: LongVideoConfig,
               plan: LongVideoPlan) -> Optional[str]:
    """Where a video's ``.avi`` goes (None: no video files)."""
    if not config.write_video:
        return None
    rel = get_long_layout(config.layout).video_file.format(
        subject=plan.subject, clip=plan.video)
    return osp.join(root, rel)


def sheet_rows(entries: List[Dict], layout: str) -> List[IntervalRow]:
    """The sheet rows; an expression's name is CAS(ME)^2's
    ``<stimulus>_<k>`` (``demo1_2``) or SAMM's ``<video>_<k>``
    (``001_1_2``)."""
    layout_rows = []
    for entry in entries:
        for plan in entry['plans']:
            for k, e in enumerate(plan.expressions, 1):
                name = (f'demo{plan.video_number}_{k}'
                        if layout == 'casme2_long' else f'{plan.video}_{k}')
                layout_rows.append(IntervalRow(
                    plan.subject_number, plan.subject, plan.video_number,
                    plan.video, name, e.onset + 1, e.apex + 1, e.offset + 1,
                    e.action_units, e.emotion))
    return layout_rows


def write_spotting_file(path: str, config: LongVideoConfig,
                        entries: List[Dict], root: str) -> None:
    """The normalized spotting annotation of the set (see docs/spotting.md).

    One record per expression (its ``clip`` the sheet's name, its
    ``clip_dir`` the video folder); ``metainfo.videos`` lists every video
    with its frame count, those without expressions too.
    """
    layout = get_long_layout(config.layout)
    records = [dict(dataset=DATASET, subject=r.subject, clip=r.name,
                    clip_dir=r.video, onset=r.onset, apex=r.apex,
                    offset=r.offset, emotion=r.emotion,
                    label=CLASSES.index(r.emotion),
                    action_units=r.action_units)
               for r in sheet_rows(entries, layout.name)]
    videos = []
    for entry in entries:
        for plan in entry['plans']:
            avi = video_file(root, config, plan)
            videos.append(dict(
                subject=plan.subject, video=plan.video,
                num_frames=plan.num_frames, first_frame=1,
                video_file=osp.relpath(avi, root) if avi else None))
    metainfo = dict(dataset_name=DATASET, classes=list(CLASSES),
                    task='spotting', expression_type='micro',
                    layout=layout.frames, layout_name=layout.name,
                    fps=config.rate, micro_frames=micro_frames(config.rate),
                    videos=videos)
    write_annotation_file(path, records, metainfo)


def manifest(config: LongVideoConfig, entries: List[Dict],
             rejected: List[Dict], complete: bool) -> Dict:
    """The set's ``manifest.json``: options, sources, every plan."""
    layout = get_long_layout(config.layout)
    return dict(
        name='mmaction-tsfmicro demo long videos (spotting)',
        what=('Real faces (photos that ship inside installed Python '
              'packages) seen for tens of seconds, with slow head drift, '
              'small head moves and blinks, and synthetic micro-expressions '
              '(the demo set\'s action-unit displacement fields) inserted at '
              'random times. Blinks and head motion are not annotated. '
              'Results on this set say nothing about CAS(ME)^2 or SAMM.'),
        complete=complete, seed=config.seed, options=config.to_dict(),
        layout=layout.name, frame_template=layout.frames,
        video_template=layout.video_file if config.write_video else None,
        sheet=layout.sheet, annotation=SPOTTING_FILE, fps=config.rate,
        classes=list(CLASSES),
        subjects=[dict(subject=e['folder'],
                       source=source_record(e['source']),
                       face=e['face'].summary(),
                       videos=[p.to_dict() for p in e['plans']])
                  for e in entries],
        rejected_candidates=rejected)


def readme(manifest: Dict) -> str:
    """The set's ``README.md``, from its manifest."""
    lines = ['# Demo long videos (micro-expression spotting)', '',
             manifest['what'], '',
             f"Seed {manifest['seed']}; {manifest['fps']:g} fps; layout "
             f"{manifest['layout']} (`{manifest['frame_template']}`); "
             f"intervals: `{manifest['sheet']}` and `{SPOTTING_FILE}`; "
             f'every plan: `{MANIFEST_FILE}`.', '',
             '| subject | package | file | videos | expressions |',
             '|---|---|---|---|---|']
    for s in manifest['subjects']:
        src = s['source']
        count = sum(sum(e['kind'] == 'expression' for e in v['events'])
                    for v in s['videos'])
        lines.append(f"| {s['subject']} | {src['package']} "
                     f"{src['version']} | `{src['file']}` | "
                     f"{len(s['videos'])} | {count} |")
    lines.append('')
    return '\n'.join(lines)
