"""docs/datasets/: each page's commands run, in order, on a small copy of
its data set's release, and its table of mistakes gives the messages it
quotes.

The copy (:mod:`.dataset_trees`): two subjects of real faces in the
release's folder layout and the real label sheet restricted to their rows,
under ``data/`` of a temporary folder that also links the repository's
``tools/`` and ``configs/``, so the pages' relative paths resolve. Every
command of a page's ``bash`` blocks that starts with ``python tools/`` or
``tools/`` (:mod:`.page_commands`) runs there as a subprocess, with the
virtualenv's ``python`` first on the PATH, as after ``source
.venv/bin/activate``. Appended to it, and nothing else:

* training tools (``train.py``, ``test.py``, ``loso.py``,
  ``dist_train.sh``): ``--cfg-options`` :data:`TINY` (tiny model, 112 x 112
  inputs, one epoch, batches of 4, no dataloader workers); the checkpoint
  ``epoch_<E>.pth`` a command names becomes ``epoch_1.pth`` once ``E`` is
  checked to be the config's ``train_cfg.max_epochs``;
* ``preprocess_faces.py``: ``--workers 1 --no-progress``.

The CASME II page runs every command. The others run their annotation,
alignment and first LOSO command, that one stopped after its first fold
(``--subjects`` appended); their other training commands are checked
without training (:meth:`PageRun.check_without_training`). After each
command the files it must make are checked.
"""
import contextlib
import json
import os
import os.path as osp
import pickle
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

import cv2
import numpy as np
import pytest
from mmaction.registry import DATASETS

from mmaction_tsfmicro.annotations import (default_layout,
                                           load_annotation_file, subject_keys)
from mmaction_tsfmicro.annotations.layouts import frame_dir, frame_path
from mmaction_tsfmicro.engine.cfg_options import check_cfg_options
from mmaction_tsfmicro.engine.runner_args import load_config
from mmaction_tsfmicro.evaluation import MEMetric
from mmaction_tsfmicro.utils.cli import one_line
from .dataset_trees import REAL_SHEETS, Tree, build_tree
from .page_commands import Command, page_commands, page_data_paths

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / 'docs' / 'datasets'
PAGES = ('casme2', 'samm', 'casme3', 'megc2019')
#: The page whose every command runs.
FULL = 'casme2'
MISTAKES = '## When something is wrong'
#: What makes the training tools small (appended as --cfg-options).
TINY = [
    'model.backbone.arch=tiny', 'model.neck.in_channels=64',
    'model.cls_head.in_channels=64', 'model.cls_head.hidden_channels=32',
    'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
    'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
    'test_dataloader.batch_size=4', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'train_dataloader.dataset.pipeline.2.scale=(112,112)',
    'train_dataloader.dataset.pipeline.5.size=112',
    'test_dataloader.dataset.pipeline.2.scale=(112,112)'
]
TRAINING = ('tools/train.py', 'tools/test.py', 'tools/loso.py',
            'tools/dist_train.sh')
ANNOTATE = 'tools/data/build_annotations.py'
ALIGN = 'tools/data/preprocess_faces.py'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def workspace(page: str, folder: Path) -> Tree:
    """The page's tree in ``folder/data``, beside ``tools`` and
    ``configs`` linked from the repository."""
    tree = build_tree(page, folder)
    for name in ('tools', 'configs'):
        os.symlink(REPO / name, folder / name)
    return tree


def run_env() -> Dict[str, str]:
    """The environment of an activated virtualenv (its python first)."""
    venv_bin = osp.dirname(sys.executable)
    return dict(os.environ,
                PATH=venv_bin + os.pathsep + os.environ.get('PATH', ''),
                VIRTUAL_ENV=osp.dirname(venv_bin),
                PORT=str(free_port()),
                OMP_NUM_THREADS='1')


@contextlib.contextmanager
def chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def records_of(path: Path) -> List[dict]:
    return load_annotation_file(str(path))['data_list']


def keys_of(records: List[dict]) -> List[str]:
    return subject_keys(records)


class PageRun:
    """Runs a page's commands in a workspace and checks their outputs."""

    def __init__(self, page: str, folder: Path, tree: Tree) -> None:
        self.page, self.folder, self.tree = page, folder, tree
        self.env = run_env()
        self.trained_loso = False

    # -- running --------------------------------------------------------
    def run(self, cmd: Command) -> None:
        argv = list(cmd.argv)
        if cmd.tool in TRAINING:
            if self.page != FULL and (cmd.tool != 'tools/loso.py'
                                      or self.trained_loso):
                self.check_without_training(cmd)
                return
            if cmd.tool == 'tools/test.py':
                argv[argv.index(self.checkpoint(cmd))] = osp.join(
                    osp.dirname(self.checkpoint(cmd)), 'epoch_1.pth')
            argv += ['--cfg-options'] + TINY
            if cmd.tool == 'tools/loso.py' and self.page != FULL and \
                    cmd.option('--subjects') is None:
                argv += ['--subjects', self.subjects_of(cmd)[0]]
        elif cmd.tool == ALIGN:
            argv += ['--workers', '1', '--no-progress']
        proc = subprocess.run(argv, cwd=self.folder, env=self.env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (
            f'docs/datasets/{self.page}.md {cmd.where()}\n'
            f'{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}')
        check = {
            ANNOTATE: self.check_annotation,
            ALIGN: self.check_alignment,
            'tools/loso.py': self.check_loso,
            'tools/train.py': self.check_train,
            'tools/dist_train.sh': self.check_dist_train,
            'tools/test.py': self.check_test,
        }[cmd.tool]
        check(cmd, argv)
        if cmd.tool == 'tools/loso.py':
            self.trained_loso = True

    # -- what a command selects -----------------------------------------
    def config(self, cmd: Command):
        """The command's config with its ``--cfg-options`` merged."""
        path = cmd.args[0]
        with chdir(self.folder):
            cfg = load_config(path)
        options = cmd.cfg_options()
        check_cfg_options(cfg, options, path)
        cfg.merge_from_dict(options)
        return cfg

    def subjects_of(self, cmd: Command) -> List[str]:
        """The subject keys of the config's test annotation file."""
        ann = self.config(cmd).test_dataloader.dataset.ann_file
        return sorted(set(keys_of(records_of(self.folder / ann))))

    def checkpoint(self, cmd: Command) -> str:
        """The checkpoint of a test.py command, named after the config's
        last epoch."""
        ckpt = cmd.args[1]
        epochs = load_config(str(REPO / cmd.args[0])).train_cfg.max_epochs
        assert osp.basename(ckpt) == f'epoch_{epochs}.pth', (
            f'{cmd.where()}: the checkpoint of the last epoch of '
            f'{cmd.args[0]} is epoch_{epochs}.pth')
        return ckpt

    def split_subjects(self, cfg) -> tuple:
        """The subject keys the config's train and test datasets hold,
        built from the workspace's files."""
        with chdir(self.folder):
            train = DATASETS.build(cfg.train_dataloader.dataset)
            test = DATASETS.build(cfg.test_dataloader.dataset)
        return set(train.subjects), set(test.subjects)

    # -- checks ---------------------------------------------------------
    def expected_samples(self, dataset: Optional[str] = None) -> int:
        sets = [dataset] if dataset else list(self.tree.samples)
        return sum(len(self.tree.samples[d]) for d in sets)

    def check_annotation(self, cmd: Command, argv: List[str]) -> None:
        out = self.folder / cmd.option('-o')
        data = load_annotation_file(str(out))
        assert len(data['data_list']) == self.expected_samples(), cmd.where()
        assert len(data['metainfo']['classes']) == int(
            cmd.option('--classes')), cmd.where()
        datasets = {r['dataset'] for r in data['data_list']}
        assert datasets == set(self.tree.samples), cmd.where()

    def check_alignment(self, cmd: Command, argv: List[str]) -> None:
        dataset = cmd.option('--dataset')
        dst = self.folder / cmd.option('--dst')
        layout = cmd.option('--out-layout') or cmd.option(
            '--layout') or default_layout(dataset)
        report = json.loads((dst / 'preprocess_report.json').read_text())
        assert report['counts']['failed'] == 0, report['counts']
        records = [r for r in records_of(self.folder / cmd.option('--ann'))
                   if r['dataset'] == dataset]
        assert len(records) == self.expected_samples(dataset)
        for r in records:
            folder = r.get('clip_dir', r['clip'])
            clip = Path(frame_dir(layout, str(dst), r['subject'], folder))
            assert (clip / 'alignment.json').is_file(), clip
            for n in range(r['onset'], r['offset'] + 1):
                path = frame_path(layout, str(dst), r['subject'], folder, n)
                assert osp.isfile(path), f'{cmd.where()}: {path} missing'
        image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        assert image.shape[:2] == (224, 224)

    def check_loso(self, cmd: Command, argv: List[str]) -> None:
        work = self.folder / cmd.option('--work-dir')
        subjects = self.subjects_of(cmd)
        chosen = (argv[argv.index('--subjects') + 1].split(',')
                  if '--subjects' in argv else subjects)
        report = json.loads((work / 'loso_report.json').read_text())
        assert report['num_folds'] == len(chosen), cmd.where()
        assert sorted(report['per_subject']) == sorted(chosen)
        ann = self.config(cmd).test_dataloader.dataset.ann_file
        records = records_of(self.folder / ann)
        count = sum(k in chosen for k in keys_of(records))
        assert report['num_samples'] == count, cmd.where()
        markdown = (work / 'loso_report.md').read_text()
        assert '| metric | pooled (MEGC 2019) |' in markdown
        lines = (work / 'predictions.csv').read_text().splitlines()
        assert len(lines) == count + 1
        for name in ('loso_megc.log', 'confusion_matrix.png',
                     'per_subject.png'):
            assert (work / name).is_file(), name

    def check_train(self, cmd: Command, argv: List[str]) -> None:
        work = self.folder / cmd.option('--work-dir')
        assert (work / 'epoch_1.pth').is_file(), cmd.where()
        dumped = load_config(str(work / osp.basename(cmd.args[0])))
        excluded = self.config(cmd).train_dataloader.dataset.exclude_subjects
        assert dumped.train_dataloader.dataset.exclude_subjects == excluded

    def check_dist_train(self, cmd: Command, argv: List[str]) -> None:
        self.check_train(cmd, argv)
        work = self.folder / cmd.option('--work-dir')
        log = sorted(work.glob('*/*.log'))[-1].read_text()
        assert 'Distributed training: True' in log, log[-2000:]
        assert re.search(rf'GPU number: {cmd.args[1]}\b', log), log[-2000:]

    def check_test(self, cmd: Command, argv: List[str]) -> None:
        with open(self.folder / cmd.option('--dump'), 'rb') as f:
            preds = pickle.load(f)
        cfg = self.config(cmd)
        chosen = set(cfg.test_dataloader.dataset.test_subjects)
        assert {p['subject_key'] for p in preds} == chosen, cmd.where()
        records = records_of(self.folder /
                             cfg.test_dataloader.dataset.ann_file)
        assert len(preds) == sum(k in chosen for k in keys_of(records))

    def check_without_training(self, cmd: Command) -> None:
        """A training command that is not run: its config loads, its
        ``--cfg-options`` are accepted, a checkpoint it names is the last
        epoch's, and the datasets built from the workspace hold the
        subjects it selects."""
        cfg = self.config(cmd)
        if cmd.tool == 'tools/test.py':
            self.checkpoint(cmd)
        if cmd.option('--subjects'):
            chosen = cmd.option('--subjects').split(',')
            assert set(chosen) <= set(self.subjects_of(cmd)), cmd.where()
            cfg.train_dataloader.dataset.exclude_subjects = chosen
            cfg.test_dataloader.dataset.test_subjects = chosen
        train, test = self.split_subjects(cfg)
        assert test == set(cfg.test_dataloader.dataset.test_subjects)
        if cmd.tool != 'tools/test.py':  # it reads the test split only
            assert train and not (train & test), cmd.where()


@pytest.mark.parametrize('page', PAGES)
def test_page_commands_run_as_written(page, tmp_path):
    doc = DOCS / f'{page}.md'
    tree = workspace(page, tmp_path)
    commands = page_commands(doc)
    tools = [c.tool for c in commands]
    for tool in (ANNOTATE, 'tools/loso.py', 'tools/train.py',
                 'tools/test.py', 'tools/dist_train.sh'):
        assert tool in tools, f'{doc.name} gives no {tool} command'
    assert all(osp.isfile(REPO / t) for t in tools), tools
    named = page_data_paths(doc, MISTAKES)
    made = [p for p in named if not (tmp_path / p).exists()]
    assert made, f'{doc.name} names no file its commands make'
    run = PageRun(page, tmp_path, tree)
    for cmd in commands:
        run.run(cmd)
    for path in named:
        assert (tmp_path / path).is_file(), f'{doc.name} names {path}'


def test_get_started_gives_the_casme2_page_commands():
    short = page_commands(REPO / 'docs' / 'get_started.md',
                          '## Prepare a data set')
    assert len(short) == 3
    full = [c.argv for c in page_commands(DOCS / 'casme2.md')]
    for cmd in short:
        assert cmd.argv in full, f'get_started.md {cmd.where()}'


# -- the tables of mistakes -----------------------------------------------
def mistake_rows(page: str) -> Dict[str, List[str]]:
    """The page's table of mistakes: its first cell -> the code spans of
    its second (the messages)."""
    text = (DOCS / f'{page}.md').read_text().split(MISTAKES)[1]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split(' | ')]
        if len(cells) != 3 or cells[0] in ('mistake', '---'):
            continue
        if set(cells[0]) <= set('-|'):
            continue
        spans = re.findall(r'``(.+?)``|`([^`]+)`', cells[1])
        rows[cells[0]] = [a or b for a, b in spans]
    return rows


def matches(quoted: str, line: str) -> bool:
    """Whether a message line reads as the page quotes it: the pieces
    between ``...`` in order, any number standing for any number (the
    real data sets' counts differ from the copy's)."""
    pieces = [p.strip().rstrip(',;').strip() for p in quoted.split('...')]
    pattern = '.*'.join(
        re.sub(r'\\?\d+', r'\\d+', re.escape(p)) for p in pieces if p)
    return re.search(pattern, line) is not None


def tool_lines(argv: List[str], folder: Path) -> List[str]:
    """The stderr lines of a tool run in the workspace (it must fail)."""
    proc = subprocess.run(argv, cwd=folder, env=run_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    return proc.stderr.strip().splitlines()


def dataset_error(folder: Path, config: str, options=(),
                  prog: str = 'train.py') -> List[str]:
    """The one line a training tool prints when the config's datasets
    cannot be built from the workspace (built in this process)."""
    cfg = load_config(str(folder / config))
    if options:
        opts = Command('', ['x', '--cfg-options', *options], 0).cfg_options()
        check_cfg_options(cfg, opts, config)
        cfg.merge_from_dict(opts)
    with chdir(folder), pytest.raises(Exception) as info:
        DATASETS.build(cfg.train_dataloader.dataset)
        DATASETS.build(cfg.test_dataloader.dataset)
    return [f'{prog}: error: {one_line(info.value)}']


def annotate(folder: Path, dataset: str, sheets: List[str], out: str,
             classes: int) -> None:
    proc = subprocess.run(
        ['python', ANNOTATE, dataset, *sheets, '--classes', str(classes),
         '-o', out], cwd=folder, env=run_env(), capture_output=True,
        text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def copy_frames(src: Path, dst: Path) -> None:
    """Stand-in aligned faces: the raw frames under the same names."""
    shutil.copytree(src, dst)


def align(folder: Path, dataset: str, ann: str, src: str,
          dst: str) -> List[str]:
    return tool_lines(['python', ALIGN, '--dataset', dataset, '--ann', ann,
                       '--src', src, '--dst', dst, '--no-progress'], folder)


CASME2_ANN = 'data/casme2/annotations/casme2_5cls.json'
SAMM_ANN = 'data/samm/annotations/samm_5cls.json'
CASME3_ANN = 'data/casme3/annotations/casme3_7cls.json'
MEGC_ANN = 'data/megc2019/annotations/megc2019_3cls.json'
CASME2_SHEET = 'data/casme2/CASME2-coding-20190701.xlsx'
SAMM_SHEET = 'data/samm/SAMM_Micro_FACS_Codes_v2.xlsx'
CASME3_SHEET = 'data/casme3/cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx'
MEGC_LIST = 'data/megc2019/combined_3class_gt.csv'


def casme2_mistakes(w: Path) -> Dict[str, Callable[[], List[str]]]:
    annotate(w, 'casme2', [CASME2_SHEET], CASME2_ANN, 5)
    data = w / 'data' / 'casme2'

    def raw_only():
        shutil.move(data / 'Cropped', w / 'Cropped')
        try:
            return dataset_error(w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py')
        finally:
            shutil.move(w / 'Cropped', data / 'Cropped')

    def raw_as_cropped():
        shutil.move(data / 'Cropped', w / 'Cropped')
        os.symlink('CASME2_RAW_selected', data / 'Cropped')
        try:
            return dataset_error(w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py')
        finally:
            os.remove(data / 'Cropped')
            shutil.move(w / 'Cropped', data / 'Cropped')

    def no_annotation():
        other = w / 'elsewhere'
        other.mkdir()
        os.symlink(REPO / 'configs', other / 'configs')
        return dataset_error(other,
                             'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2-aligned.py')

    def nested():
        nest = data / 'CASME2_RAW_selected'
        shutil.move(nest, w / 'raw')
        nest.mkdir()
        shutil.move(w / 'raw', nest / 'CASME2_RAW_selected')
        try:
            return align(w, 'casme2', CASME2_ANN,
                         'data/casme2/CASME2_RAW_selected', 'data/nested')
        finally:
            shutil.move(nest / 'CASME2_RAW_selected', w / 'raw')
            nest.rmdir()
            shutil.move(w / 'raw', nest)

    def half_copied():
        raw = data / 'CASME2_RAW_selected'
        shutil.copytree(raw, w / 'raw_backup')
        for n in range(60, 97):
            os.remove(raw / 'sub02' / 'EP01_11f' / f'img{n}.jpg')
        try:
            lines = align(w, 'casme2', CASME2_ANN,
                          'data/casme2/CASME2_RAW_selected',
                          'data/casme2/faces')
            return lines + dataset_error(
                w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2-aligned.py')
        finally:
            shutil.rmtree(raw)
            shutil.move(w / 'raw_backup', raw)
            shutil.rmtree(data / 'faces')

    return {
        '`CASME2_RAW_selected` only': raw_only,
        'the raw frames put at': raw_as_cropped,
        '`tsfmicro_retnet_1xb32-174e_casme2-aligned.py` before step 2': lambda: dataset_error(
            w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2-aligned.py'),
        'a tool run from another folder': no_annotation,
        'the sheet given by its bare name': lambda: tool_lines(
            ['python', ANNOTATE, 'casme2', 'CASME2-coding-20190701.xlsx',
             '--classes', '5', '-o', CASME2_ANN], w),
        'the SAMM sheet given to `casme2`': lambda: tool_lines(
            ['python', ANNOTATE, 'casme2',
             str(REAL_SHEETS / 'SAMM_Micro_FACS_Codes_v2.xlsx'), '-o',
             'x.json'], w),
        'a nested release folder': nested,
        'a half-copied subject folder': half_copied,
    }


def samm_mistakes(w: Path) -> Dict[str, Callable[[], List[str]]]:
    annotate(w, 'samm', [SAMM_SHEET], SAMM_ANN, 5)
    raw = w / 'data' / 'samm' / 'SAMM'

    def half_copied():
        shutil.copytree(raw, w / 'raw_backup')
        for n in range(5600, 5633):
            os.remove(raw / '006' / '006_1_2' / f'006_{n:05d}.jpg')
        try:
            return align(w, 'samm', SAMM_ANN, 'data/samm/SAMM', 'data/x')
        finally:
            shutil.rmtree(raw)
            shutil.move(w / 'raw_backup', raw)

    return {
        'a fold chosen with `--cfg-options': lambda: dataset_error(
            w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_samm.py',
            ['train_dataloader.dataset.exclude_subjects=[007]',
             'test_dataloader.dataset.test_subjects=[007]']),
        'training before step 2': lambda: dataset_error(
            w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_samm.py'),
        '`--src data/samm`': lambda: align(w, 'samm', SAMM_ANN, 'data/samm',
                                           'data/x'),
        'the CASME II sheet given to `samm`': lambda: tool_lines(
            ['python', ANNOTATE, 'samm',
             str(REAL_SHEETS / 'CASME2-coding-20190701.xlsx'), '-o',
             'x.json'], w),
        'a half-copied clip': half_copied,
    }


def casme3_mistakes(w: Path) -> Dict[str, Callable[[], List[str]]]:
    annotate(w, 'casme3', [CASME3_SHEET], CASME3_ANN, 7)
    part_a = w / 'data' / 'casme3' / 'part_A'

    def unquoted():
        proc = subprocess.run(
            ['bash', '-c', f'python {ANNOTATE} casme3 {CASME3_SHEET} '
             '--classes 7 -o x.json'], cwd=w, env=run_env(),
            capture_output=True, text=True, timeout=60)
        assert proc.returncode != 0
        return proc.stderr.strip().splitlines()

    def folder_too_high():
        shutil.move(part_a, w / 'part_A')
        (part_a / 'data').mkdir(parents=True)
        shutil.move(w / 'part_A', part_a / 'data' / 'part_A')
        try:
            return align(w, 'casme3', CASME3_ANN, 'data/casme3/part_A',
                         'data/x')
        finally:
            shutil.move(part_a / 'data' / 'part_A', w / 'part_A')
            shutil.rmtree(part_a)
            shutil.move(w / 'part_A', part_a)

    def four_classes_for_seven():
        # what the fold's test reports: a 7-class head, a 4-class file
        four = w / 'four.json'
        annotate(w, 'casme3', [CASME3_SHEET], str(four), 4)
        metric = MEMetric()
        metric.dataset_meta = load_annotation_file(str(four))['metainfo']
        metric.process(None, [dict(gt_label=0, pred_score=np.zeros(7))])
        with pytest.raises(ValueError) as info:
            metric.compute_metrics(metric.results)
        return [f'[loso] fold spNO.1 FAILED: {one_line(info.value)} '
                '(log: ...)']

    return {
        "the sheet's name not quoted": unquoted,
        '`--src` one folder too high': folder_too_high,
        'training before step 2': lambda: dataset_error(
            w, 'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_casme3.py'),
        'the 4-class file written': four_classes_for_seven,
        'the CAS(ME)^3 sheet given to `megc2019`': lambda: tool_lines(
            ['python', ANNOTATE, 'megc2019',
             str(REAL_SHEETS / 'combined_3class_gt.csv'), CASME3_SHEET,
             '-o', 'x.json'], w),
    }


def megc2019_mistakes(w: Path) -> Dict[str, Callable[[], List[str]]]:
    annotate(w, 'megc2019', [MEGC_LIST, CASME2_SHEET, SAMM_SHEET], MEGC_ANN,
             3)
    data = w / 'data'
    copy_frames(data / 'casme2' / 'CASME2_RAW_selected',
                data / 'casme2' / 'faces')
    samm_faces = data / 'samm' / 'faces'
    copy_frames(data / 'samm' / 'SAMM', samm_faces)
    config = 'configs/tsfmicro/tsfmicro_retnet_1xb32-199e_megc2019-aligned.py'

    def without(path: Path):
        shutil.move(path, w / 'moved')
        try:
            return dataset_error(w, config)
        finally:
            shutil.move(w / 'moved', path)

    casme3 = REAL_SHEETS / 'casme3_part_A_ME_label_JpgIndex_v2.xlsx'
    return {
        'the SAMM sheet left out': lambda: tool_lines(
            ['python', ANNOTATE, 'megc2019', MEGC_LIST, CASME2_SHEET, '-o',
             'x.json'], w),
        'the CAS(ME)^3 sheet given': lambda: tool_lines(
            ['python', ANNOTATE, 'megc2019', MEGC_LIST, str(casme3), '-o',
             'x.json'], w),
        'SAMM aligned from `samm_5cls.json` only': lambda: without(
            samm_faces / '007' / '007_3_1'),
        '`tsfmicro_retnet_1xb32-199e_megc2019-aligned.py` without CASME II faces':
        lambda: without(data / 'casme2' / 'faces'),
    }


MISTAKE_SCENARIOS = {
    'casme2': casme2_mistakes,
    'samm': samm_mistakes,
    'casme3': casme3_mistakes,
    'megc2019': megc2019_mistakes,
}


@pytest.mark.parametrize('page', PAGES)
def test_page_mistakes_give_the_quoted_lines(page, tmp_path):
    folder = tmp_path / 'w'
    folder.mkdir()
    workspace(page, folder)
    scenarios = MISTAKE_SCENARIOS[page](folder)
    rows = mistake_rows(page)
    assert rows, f'{page}.md has no table of mistakes'
    for mistake, quoted in rows.items():
        names = [k for k in scenarios if mistake.startswith(k)]
        assert len(names) == 1, f'{page}.md: no scenario for {mistake!r}'
        lines = scenarios[names[0]]()
        for message in quoted:
            assert any(matches(message, line) for line in lines), (
                f'{page}.md, {mistake!r}: the page quotes\n  {message}\n'
                'but the tool printed\n  ' + '\n  '.join(lines))
        errors = [line for line in lines if ': error: ' in line]
        assert len(errors) <= 1, lines
