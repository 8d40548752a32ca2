"""The micro-expression dataset: normalized annotations + frame folders."""
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmaction.utils import ConfigType
from ..annotations import (dataset_names, default_layout,
                           load_annotation_file, subject_keys)
from ..annotations.layouts import (LAYOUTS, filename_tmpl, frame_dir,
                                   frame_path, get_template)
# registers the class-balanced sampler of training splits with the dataset
from .samplers import ClassBalancedSampler  # noqa: F401
from .samplers import SeededIndex, seeded_generators


def resolve_subjects(names: Sequence[str], keys: Sequence[str], arg: str,
                     source: str) -> set:
    """The subject keys that ``names`` mean.

    A name is a subject key (``sub01``, ``casme2/sub01``) or, in a
    composite file, a subject name that only one dataset has.

    Args:
        names (sequence[str]): The names given.
        keys (sequence[str]): The subject key of every record.
        arg (str): The option that gave them, for messages.
        source (str): The annotation file, for messages.

    Returns:
        set[str]: The subject keys.

    Raises:
        ValueError: For an unknown or ambiguous name.
    """
    known = set(keys)
    by_name: Dict[str, set] = {}
    for key in known:
        by_name.setdefault(key.split('/')[-1], set()).add(key)
    out = set()
    for name in names:
        if name in known:
            out.add(name)
        elif len(by_name.get(name, ())) == 1:
            out |= by_name[name]
        elif name in by_name:
            raise ValueError(f'{source}: subject {name!r} in {arg} is '
                             f'ambiguous; use one of {sorted(by_name[name])}')
        else:
            raise ValueError(f'{source}: unknown subject {name!r} in {arg}; '
                             f'known subjects: {", ".join(sorted(known))}')
    return out


def path_of(info: dict, frame: int) -> str:
    """The path of a frame of a parsed sample."""
    return osp.join(info['frame_dir'], info['filename_tmpl'].format(frame))


@DATASETS.register_module()
class MicroExpressionDataset(BaseActionDataset):
    """Micro-expression clips with their onset, apex and offset frames.

    It reads the normalized annotation file written by
    ``tools/data/build_annotations.py`` (see ``docs/architecture.md``),
    checked by the plugin's one loader
    (:func:`~mmaction_tsfmicro.annotations.load_annotation_file`), and
    finds each sample's frames with its dataset's own file layout
    (:mod:`mmaction_tsfmicro.annotations.layouts`). As MMEngine's
    ``BaseDataset`` has it, :meth:`load_data_list` parses the file and
    :meth:`filter_data` selects the subjects of a leave-one-subject-out
    split: ``test_subjects`` (the test split) or ``exclude_subjects`` (the
    training split).

    Each sample given to the pipeline holds ``frame_dir``, ``filename_tmpl``,
    ``onset_frame``, ``apex_frame``, ``offset_frame``, ``label``,
    ``dataset``, ``subject``, ``subject_key``, ``clip``, ``emotion`` and
    ``sample_idx``, and for MMAction2's own frame samplers
    ``total_frames`` and ``start_index``: ``total_frames`` counts the
    frames from the onset to the offset, both included
    (``offset - onset + 1``), and ``start_index`` is the onset's frame
    number, so ``SampleFrames`` + ``RawFrameDecode`` read frames
    ``onset .. offset`` of the sample (``SampleFrames`` adds
    ``start_index`` to its 0-based indices). The per-sample
    ``start_index`` replaces the dataset-wide ``start_index`` argument of
    ``BaseActionDataset``. (The annotation's ``offset`` is stored as
    ``offset_frame``: ``RawFrameDecode`` adds ``results['offset']`` to
    every frame index.)

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
        check_frames (str): Which frame files must exist when the dataset
            is built: ``'all'`` (every frame from onset to offset),
            ``'keys'`` (the onset, apex and offset frames) or ``'none'``
            (e.g. for inputs loaded from elsewhere, such as saved optical
            flow). Defaults to ``'all'``.
        frame_cache (str, optional): A frame cache folder
            (:mod:`~mmaction_tsfmicro.datasets.frame_cache`, which
            ``tools/loso.py`` builds and names here in each fold's config):
            every sample carries it as ``frame_cache``, and the frame
            readers (``LoadFramePair``, ``SelectFramePair``,
            ``SampleClipFrames``) read the frames it holds from it.
            Defaults to None (the files).
        **kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`.
    """

    CHECK_FRAMES = ('all', 'keys', 'none')

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[ConfigType, Callable]],
                 data_prefix: ConfigType = dict(img=''),
                 layout: Optional[Union[str, Dict[str, str]]] = None,
                 frame_roots: Optional[Dict[str, str]] = None,
                 test_subjects: Optional[Sequence[str]] = None,
                 exclude_subjects: Optional[Sequence[str]] = None,
                 check_frames: str = 'all',
                 frame_cache: Optional[str] = None,
                 **kwargs) -> None:
        if check_frames not in self.CHECK_FRAMES:
            raise ValueError(f'{ann_file}: check_frames must be one of '
                             f'{self.CHECK_FRAMES}, got {check_frames!r}')
        self.check_frames = check_frames
        self.frame_cache = frame_cache
        self.test_subjects = self._as_list(test_subjects, 'test_subjects')
        self.exclude_subjects = self._as_list(exclude_subjects,
                                              'exclude_subjects')
        both = set(self.test_subjects or []) & set(self.exclude_subjects
                                                   or [])
        if both:
            raise ValueError(
                f'{ann_file}: subjects {sorted(both)} are both in '
                'test_subjects and exclude_subjects')
        for template in (layout.values()
                         if isinstance(layout, dict) else [layout]):
            if template is not None:
                get_template(template)  # fail early on a bad template
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
        layout = default_layout(dataset)
        if layout is None:
            with_layouts = [d for d in dataset_names() if default_layout(d)]
            raise KeyError(
                f'{self.ann_file}: no default frame layout for dataset '
                f'{dataset!r} (datasets with one: {", ".join(with_layouts)})'
                f'; set layout= to one of {", ".join(LAYOUTS)} or a '
                'template')
        return layout

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
        info['total_frames'] = info['offset_frame'] - info['onset_frame'] + 1
        return info

    def __getitem__(self, idx: Union[int, SeededIndex]) -> dict:
        """The sample ``idx`` through the pipeline; for a
        :class:`~mmaction_tsfmicro.datasets.samplers.SeededIndex`
        (``SampleSeedSampler``) with ``random`` and ``numpy`` seeded from
        its seed, and put back afterwards."""
        if isinstance(idx, SeededIndex):
            with seeded_generators(idx.seed):
                return super().__getitem__(idx.index)
        return super().__getitem__(idx)

    def get_data_info(self, idx: int) -> dict:
        """The sample ``idx``, with ``start_index`` set to its onset's frame
        number (``BaseActionDataset`` would set the dataset-wide one) and the
        dataset's ``frame_cache``, if any."""
        info = super().get_data_info(idx)
        info['start_index'] = info['onset_frame']
        if self.frame_cache:
            info['frame_cache'] = self.frame_cache
        return info

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file: every record, with its subject key.

        The file is read and checked by the plugin's one loader, so a
        record that breaks a rule of the annotation schema (e.g. an apex
        outside onset..offset) is refused here, naming the file and the
        record, as it would be when written.
        """
        annotations = load_annotation_file(self.ann_file)
        for key, value in annotations['metainfo'].items():
            self._metainfo.setdefault(key, value)
        records = annotations['data_list']
        return [
            self.parse_data_info(dict(record, subject_key=key))
            for record, key in zip(records, subject_keys(records))
        ]

    def filter_data(self) -> List[dict]:
        """Select the subjects of the split (``test_subjects`` /
        ``exclude_subjects``)."""
        data_list = super().filter_data()
        keys = [d['subject_key'] for d in data_list]
        if self.test_subjects is not None:
            keep = resolve_subjects(self.test_subjects, keys,
                                    'test_subjects', self.ann_file)
            data_list = [d for d in data_list if d['subject_key'] in keep]
        if self.exclude_subjects is not None:
            drop = resolve_subjects(self.exclude_subjects, keys,
                                    'exclude_subjects', self.ann_file)
            data_list = [d for d in data_list if d['subject_key'] not in drop]
        self._check_frame_files(data_list)
        return data_list

    def _sample_frames(self, info: dict) -> List[int]:
        if self.check_frames == 'keys':
            return sorted({info['onset_frame'], info['apex_frame'],
                           info['offset_frame']})
        return list(range(info['onset_frame'], info['offset_frame'] + 1))

    def _check_frame_files(self, data_list: List[dict]) -> None:
        """Refuse samples whose frame files are missing (one line naming
        the first one, and where the frames were looked for)."""
        if self.check_frames == 'none' or not data_list:
            return
        missing = []
        for info in data_list:
            for frame in self._sample_frames(info):
                path = path_of(info, frame)
                if not osp.isfile(path):
                    missing.append((info, frame, path))
                    break
        if not missing:
            return
        info, frame, path = missing[0]
        message = (f'{self.ann_file}: {len(missing)} of {len(data_list)} '
                   f"samples lack frames; the first: {info['subject']}/"
                   f"{info['clip']} frame {frame} ({path})")
        if len(missing) < len(data_list):
            message += ('; copy the missing frames (or set check_frames='
                        "'keys' to need only the onset, apex and offset "
                        'frames)')
        else:
            message += '; ' + self._where_frames_are(info, frame)
        raise FileNotFoundError(message)

    def _where_frames_are(self, info: dict, frame: int) -> str:
        """A hint for when no sample has its frames: the layout whose file
        names are there, or the folder that is missing."""
        dataset, subject = info['dataset'], info['subject']
        folder = str(info.get('clip_dir', info['clip']))
        root = self._root_of(dataset)
        for name in LAYOUTS:
            if osp.isfile(frame_path(name, root, subject, folder, frame)):
                return (f"its frames are there in the layout {name!r}: set "
                        f"layout='{name}' (now "
                        f'{self._layout_of(dataset)!r})')
        if not osp.isdir(root or '.'):
            # frames elsewhere beside it (raw frames not aligned yet)
            parent = osp.dirname(osp.normpath(root)) or '.'
            siblings = sorted(
                osp.join(parent, n) for n in (os.listdir(parent) if
                                              osp.isdir(parent) else [])
                if osp.isdir(osp.join(parent, n, subject)))
            if siblings:
                return (f'the frame root {root!r} does not exist, but '
                        f'{siblings[0]} holds subject {subject}: align those '
                        'frames with tools/data/preprocess_faces.py --src '
                        f'{siblings[0]} (docs/preprocessing.md) and set '
                        "data_prefix to its --dst, or set data_prefix=dict("
                        f"img='{siblings[0]}') to use them as they are")
            return (f'the frame root {root!r} does not exist: set '
                    'data_prefix=dict(img=...) to the folder that holds the '
                    'subject folders')
        if not osp.isdir(info['frame_dir']):
            return (f"no folder {info['frame_dir']}: is data_prefix the "
                    'folder that holds the subject folders, and the layout '
                    f'{self._layout_of(dataset)!r} '
                    f'({get_template(self._layout_of(dataset))}) right?')
        return (f'the folder {info["frame_dir"]} exists but holds no '
                f'frame named {osp.basename(path_of(info, frame))}: is the '
                f'layout {self._layout_of(dataset)!r} right?')

    @property
    def subjects(self) -> List[str]:
        """The sorted subject keys this dataset holds."""
        return sorted({
            self.get_data_info(i)['subject_key']
            for i in range(len(self))
        })
