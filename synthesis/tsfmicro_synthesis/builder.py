"""Building the demo data set: the output folder, sheet, manifest, README.

Output (CASME II layout, ``frame_path('casme2', ...)``)::

    DIR/sub01/EP03_01/img117.jpg ...    frames, numbered from the clip's
                                        first frame number
    DIR/CASME2-coding-demo.xlsx         coding sheet, official columns
    DIR/manifest.json                   options, seed, sources, clip plans
    DIR/README.md                       the same for people

:func:`build_demo_dataset` chooses the subjects (:mod:`.subjects`), draws
their clip plans (:mod:`.plans`) and renders the subjects in worker
processes (:func:`.clip_frames.render_subject`); the folder, the manifest
and the resume are :class:`.set_builder.SetBuilder`'s, as for the long
videos.
"""
import os.path as osp
from typing import Callable, Dict, List, Optional, Tuple

from mmaction_tsfmicro.utils.fileio import read_json, write_text
from .action_units import CLASSES, describe
from .catalogue import find_source, source_record
from .clip_frames import LAYOUT, render_subject
from .coding_sheet import SheetRow, write_sheet
from .plans import ClipPlan, DemoConfig, check_plans, draw_clip_plans
from .set_builder import (MANIFEST_FILE, PARTS_DIR, README_FILE,
                          DemoOptionsError, SetBuilder)
from .subjects import select_subjects

__all__ = ['build_demo_dataset', 'DemoOptionsError', 'MANIFEST_FILE',
           'SHEET_FILE']

SHEET_FILE = 'CASME2-coding-demo.xlsx'


def _subject_entry(subj: Dict, plans: List[ClipPlan]) -> Dict:
    return dict(subject=subj['subject'],
                source=source_record(subj['source']),
                face=subj['face'].summary(),
                clips=[p.to_dict() for p in plans])


def _subject_names(manifest: Dict) -> List[str]:
    return [s['subject'] + ':' + s['source']['name']
            for s in manifest.get('subjects', [])]


def _sheet_rows(entries: List[Tuple[Dict, List[ClipPlan]]]) -> List[SheetRow]:
    rows = []
    for subj, plans in entries:
        for p in plans:
            rows.append(SheetRow(subj['number'], p.clip, p.onset_frame,
                                 p.apex_frame, p.offset_frame,
                                 p.action_units, p.emotion,
                                 p.objective_class))
    return rows


class DemoSetBuilder(SetBuilder):
    """The demo clip set: one unit per subject (:func:`render_subject`)."""

    what = 'a demo data set'

    def prepare(self, mapper: Callable) -> None:
        subjects, self.rejected = select_subjects(self.config, mapper)
        self.log(f'{len(subjects)} subjects: ' + ', '.join(
            f"{s['subject']}={s['source'].name}" for s in subjects))
        self.entries = []
        for subj in subjects:
            plans = draw_clip_plans(self.config, subj['number'])
            check_plans(plans)
            self.entries.append((subj, plans))

    def check_content(self) -> None:
        path = osp.join(self.out_dir, MANIFEST_FILE)
        if not osp.isfile(path):
            return
        old = _subject_names(read_json(path))
        new = _subject_names(self.manifest(None))
        if old != new:
            raise DemoOptionsError(
                f'{self.out_dir}: the faces found now ({new}) differ from '
                f'those of the existing set ({old}); pass --overwrite to '
                'regenerate it')

    def units(self) -> List[Tuple[str, str, Callable, Dict]]:
        units = [(subj['subject'], osp.join(self.out_dir, subj['subject']),
                  render_subject,
                  dict(root=self.out_dir, subject=subj['subject'],
                       source=subj['source'].name,
                       points=subj['face'].points, plans=plans,
                       config=self.config))
                 for subj, plans in self.entries]
        # videos first: they take longest
        return sorted(units, key=lambda u: find_source(
            u[3]['source']).kind != 'video')

    def describe(self, part: Dict) -> str:
        return (f"{part['subject']}: {part['frames']} frames, "
                f"{part['bytes'] / 1e6:.1f} MB, {part['seconds']:.1f} s")

    def owned_names(self, manifest: Dict) -> List[str]:
        return [e['subject'] for e in manifest.get('subjects', [])] + [
            SHEET_FILE, README_FILE, MANIFEST_FILE, PARTS_DIR]

    def manifest(self, parts: Optional[Dict[str, Dict]]) -> Dict:
        return _manifest(self.config, self.entries, self.rejected, parts)

    def finish(self, parts: Dict[str, Dict]) -> Dict[str, int]:
        write_sheet(_sheet_rows(self.entries),
                    osp.join(self.out_dir, SHEET_FILE))
        write_text(osp.join(self.out_dir, README_FILE),
                   _readme(self.manifest(parts)))
        return dict(subjects=len(self.entries),
                    clips=sum(len(p) for _, p in self.entries))


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
    return DemoSetBuilder(out_dir, config, workers, overwrite, log).run()


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
