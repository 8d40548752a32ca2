"""The micro-expression dataset: normalized annotations + frame folders."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmengine.fileio import load

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmaction.utils import ConfigType
from ..annotations.layouts import filename_tmpl, frame_dir, get_template

#: The frame layout of each dataset, used when ``layout`` is not given.
DEFAULT_LAYOUTS = {
    'casme2': 'casme2',
    'samm': 'samm',
    'casme3': 'casme3',
}

REQUIRED_KEYS = ('dataset', 'subject', 'clip', 'onset', 'apex', 'offset',
                 'label')


def subject_keys(records: Sequence[Dict]) -> List[str]:
    """The LOSO key of each record.

    A file that holds one dataset keys subjects by their name (``sub01``);
    a composite file by ``<dataset>/<subject>`` (``casme2/sub01``).

    Args:
        records (Sequence[dict]): Normalized annotation records.

    Returns:
        list[str]: One key per record.
    """
    composite = len({str(r['dataset']) for r in records}) > 1
    return [
        f"{r['dataset']}/{r['subject']}" if composite else str(r['subject'])
        for r in records
    ]


def read_subjects(ann_file: str) -> List[str]:
    """The sorted LOSO subject keys of a normalized annotation file.

    Args:
        ann_file (str): Path of the normalized annotation JSON.

    Returns:
        list[str]: Sorted unique subject keys.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file not found: {ann_file}')
    records = load(ann_file).get('data_list', [])
    return sorted(set(subject_keys(records)))


@DATASETS.register_module()
class MicroExpressionDataset(BaseActionDataset):
    """Micro-expression clips with their onset, apex and offset frames.

    It reads the normalized annotation file written by
    ``tools/data/build_annotations.py`` (see ``docs/architecture.md``) and
    finds each sample's frames with its dataset's own file layout
    (:mod:`mmaction_tsfmicro.annotations.layouts`). Subjects are selected
    for leave-one-subject-out evaluation with ``test_subjects`` (the test
    split) or ``exclude_subjects`` (the training split).

    Each sample given to the pipeline holds ``frame_dir``, ``filename_tmpl``,
    ``onset_frame``, ``apex_frame``, ``offset_frame``, ``label``,
    ``dataset``, ``subject``, ``subject_key``, ``clip``, ``emotion`` and
    ``sample_idx``.

    Args:
        ann_file (str): Path of the normalized annotation JSON.
        pipeline (list[dict | callable]): The transforms.
        data_prefix (dict): ``dict(img=ROOT)``: the folder that holds the
            subject folders (joined to ``data_root``).
            Defaults to ``dict(img='')``.
        layout (str | dict, optional): The frame layout: a name of
            :data:`~mmaction_tsfmicro.annotations.layouts.LAYOUTS` (e.g.
            ``'casme2_cropped'``) or a template such as
            ``'{subject}/{clip}/{frame:04d}.png'``, or a dict from dataset
            name to either. Defaults to each dataset's own layout.
        frame_roots (dict, optional): For composite annotation files: the
            root folder of each dataset (joined to ``data_root``), e.g.
            ``dict(casme2='CASME2/Cropped', samm='SAMM')``. Defaults to
            ``data_prefix['img']`` for every dataset.
        test_subjects (sequence[str], optional): Keep only these subjects.
        exclude_subjects (sequence[str], optional): Drop these subjects.
        **kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[ConfigType, Callable]],
                 data_prefix: ConfigType = dict(img=''),
                 layout: Optional[Union[str, Dict[str, str]]] = None,
                 frame_roots: Optional[Dict[str, str]] = None,
                 test_subjects: Optional[Sequence[str]] = None,
                 exclude_subjects: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        self.test_subjects = self._as_list(test_subjects, 'test_subjects')
        self.exclude_subjects = self._as_list(exclude_subjects,
                                              'exclude_subjects')
        both = set(self.test_subjects or []) & set(self.exclude_subjects
                                                   or [])
        if both:
            raise ValueError(
                f'{ann_file}: subjects {sorted(both)} are both in '
                'test_subjects and exclude_subjects')
        if isinstance(layout, str):
            get_template(layout)  # fail early on a bad template
        self.layout = layout
        self.frame_roots = dict(frame_roots or {})
        super().__init__(
            ann_file, pipeline=pipeline, data_prefix=data_prefix, **kwargs)

    @staticmethod
    def _as_list(value, name: str) -> Optional[List[str]]:
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if not all(isinstance(v, (str, int)) for v in value):
            raise TypeError(f'{name} must be a list of subject names, '
                            f'got {value!r}')
        return [str(v) for v in value]

    # ------------------------------------------------------------------
    def _layout_of(self, dataset: str) -> str:
        if isinstance(self.layout, dict):
            if dataset not in self.layout:
                raise KeyError(f'{self.ann_file}: layout has no entry for '
                               f'dataset {dataset!r}')
            return self.layout[dataset]
        if self.layout is not None:
            return self.layout
        if dataset not in DEFAULT_LAYOUTS:
            raise KeyError(f'{self.ann_file}: no default frame layout for '
                           f'dataset {dataset!r}; set layout= to one of '
                           f'casme2, casme2_cropped, samm, casme3 or a '
                           'template')
        return DEFAULT_LAYOUTS[dataset]

    def _root_of(self, dataset: str) -> str:
        if dataset in self.frame_roots:
            root = self.frame_roots[dataset]
            return osp.join(self.data_root, root) if self.data_root else root
        return self.data_prefix.get('img', '')

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """Turn one annotation record into the sample given to the
        pipeline."""
        info = dict(raw_data_info)
        dataset, subject = str(info['dataset']), str(info['subject'])
        clip = str(info['clip'])
        # the clip's frame folder; CAS(ME)^3 samples share recordings, so
        # their clip ids (e.g. ``e_62``) differ from their folders (``e``)
        folder = str(info.get('clip_dir', clip))
        layout = self._layout_of(dataset)
        info.update(
            dataset=dataset,
            subject=subject,
            clip=clip,
            frame_dir=frame_dir(layout, self._root_of(dataset), subject,
                                folder),
            filename_tmpl=filename_tmpl(layout, subject, folder),
            onset_frame=info.pop('onset'),
            apex_frame=info.pop('apex'),
            offset_frame=info.pop('offset'),
            emotion=info.get('emotion'),
        )
        return info

    def _check_record(self, index: int, record) -> None:
        where = f'{self.ann_file}: data_list[{index}]'
        if not isinstance(record, dict):
            raise TypeError(f'{where} is not a dict: {record!r}')
        missing = [k for k in REQUIRED_KEYS if k not in record]
        if missing:
            raise KeyError(f'{where} lacks the key(s) {missing}')
        where += f" ({record['subject']}/{record['clip']})"
        for key in ('onset', 'apex', 'offset', 'label'):
            value = record[key]
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f'{where}: {key} must be an int, '
                                 f'got {value!r}')
        classes = self.metainfo.get('classes')
        if classes is not None and not 0 <= record['label'] < len(classes):
            raise ValueError(f"{where}: label {record['label']} is outside "
                             f'the {len(classes)} classes {list(classes)}')

    def _select(self, data_list: List[dict]) -> List[dict]:
        keys = subject_keys(data_list)
        for info, key in zip(data_list, keys):
            info['subject_key'] = key
        known = set(keys)
        by_name: Dict[str, set] = {}
        for info in data_list:
            by_name.setdefault(info['subject'], set()).add(info['subject_key'])

        def resolve(names: List[str], arg: str) -> set:
            out = set()
            for name in names:
                if name in known:
                    out.add(name)
                elif len(by_name.get(name, ())) == 1:
                    out |= by_name[name]
                elif name in by_name:
                    raise ValueError(
                        f'{self.ann_file}: subject {name!r} in {arg} is '
                        f'ambiguous; use one of {sorted(by_name[name])}')
                else:
                    raise ValueError(
                        f'{self.ann_file}: unknown subject {name!r} in {arg}'
                        f'; known subjects: {", ".join(sorted(known))}')
            return out

        if self.test_subjects is not None:
            keep = resolve(self.test_subjects, 'test_subjects')
            data_list = [d for d in data_list if d['subject_key'] in keep]
        if self.exclude_subjects is not None:
            drop = resolve(self.exclude_subjects, 'exclude_subjects')
            data_list = [d for d in data_list if d['subject_key'] not in drop]
        return data_list

    def load_data_list(self) -> List[dict]:
        """Load the annotation file and select the subjects."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'annotation file not found: {self.ann_file}')
        try:
            annotations = load(self.ann_file)
        except Exception as e:
            raise ValueError(f'{self.ann_file}: cannot read the annotation '
                             f'file ({e})') from None
        if not isinstance(annotations, dict) or not isinstance(
                annotations.get('data_list'), list):
            raise ValueError(f'{self.ann_file}: not a normalized annotation '
                             'file (a dict with "metainfo" and a '
                             '"data_list" list)')
        for key, value in annotations.get('metainfo', {}).items():
            self._metainfo.setdefault(key, value)
        records = annotations['data_list']
        for index, record in enumerate(records):
            self._check_record(index, record)
        return self._select([self.parse_data_info(r) for r in records])

    @property
    def subjects(self) -> List[str]:
        """The sorted subject keys this dataset holds."""
        return sorted({
            self.get_data_info(i)['subject_key']
            for i in range(len(self))
        })
