"""What a benchmark's figures mean for a whole run: the data pipeline's
throughput (frame files against the frame cache) and a CASME II LOSO's
time projected from the measured steps."""
import copy
import os.path as osp
import time
from typing import Dict, List, Optional

from .official import CASME2_LOSO, BenchmarkError


def check_data_config(config: str):
    """The config of ``--data-config``, once its annotation file is found
    (checked before any timing, so that a wrong path fails at once)."""
    from mmaction_tsfmicro.engine.runner_args import load_config
    cfg = load_config(config)
    ann = cfg.train_dataloader.dataset.get('ann_file')
    if ann and not osp.isfile(ann):
        raise BenchmarkError(
            f'--data-config {config}: annotation file {ann} not found (run '
            'it from the folder its paths are relative to, after `make '
            'demo` for the demo configs)')
    return cfg


def data_throughput(config: str, samples: int,
                    tmp: str) -> List[Dict[str, object]]:
    """Samples a second of a config's training pipeline, reading the frame
    files and reading the frame cache that ``tools/loso.py`` builds."""
    from mmaction.registry import DATASETS
    from mmengine.registry import init_default_scope

    import mmaction_tsfmicro.plugin  # noqa: F401
    from mmaction_tsfmicro.loso.frames import (prepare_frame_cache,
                                               use_frame_cache)

    cfg = check_data_config(config)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    start = time.perf_counter()
    cache = prepare_frame_cache(cfg, tmp)
    cache_seconds = time.perf_counter() - start
    rows = []
    for label, folder in (('frame files', None), ('frame cache', cache)):
        if label == 'frame cache' and folder is None:
            continue
        read = copy.deepcopy(cfg)
        use_frame_cache(read, folder)
        dataset = DATASETS.build(read.train_dataloader.dataset)
        num = min(samples, len(dataset))
        dataset[0]  # warm up (imports, lazy tables)
        start = time.perf_counter()
        for i in range(num):
            dataset[i]
        seconds = time.perf_counter() - start
        rows.append(dict(source=label, samples=num,
                         throughput=num / seconds,
                         build_seconds=cache_seconds
                         if folder is not None else None))
    return rows


def loso_projection(train_throughput: float,
                    folds: int = CASME2_LOSO['folds'],
                    epochs: int = CASME2_LOSO['epochs'],
                    samples: int = CASME2_LOSO['samples']) -> Dict:
    """Hours of a full LOSO at a training throughput (samples/s); the test
    passes (one subject a fold, about 3 % of the samples, 1/3 of a training
    sample's cost each) are left out."""
    total = folds * epochs * samples
    return dict(folds=folds, epochs=epochs, samples=samples,
                training_samples=total,
                hours=total / train_throughput / 3600)


def projections(results: Dict, args) -> Optional[Dict]:
    paper = [r for r in results['archs'] if r['arch'] == 'paper']
    if not paper:
        return None
    r = paper[0]
    batch = str(max(int(b) for b in r['batches']))
    rows = []
    base = loso_projection(1.0)
    for name, tr in r['batches'][batch]['train'].items():
        hours = loso_projection(tr['throughput'])['hours']
        rows.append(dict(
            what=f'{name}, {args.device}, batch {batch}, measured',
            arithmetic=f"{base['training_samples']:,} / "
            f"{tr['throughput']:.2f} samples/s / 3600", hours=hours))
    if args.gpu_tflops:
        macs = args.gpu_tflops * 1e12 / 2 * args.gpu_efficiency
        rate = macs / (3 * r['flops'])
        rows.append(dict(
            what=f'a GPU of {args.gpu_tflops:g} TFLOP/s at '
            f'{100 * args.gpu_efficiency:.0f} % of it (assumed, not '
            'measured)',
            arithmetic=f"{base['training_samples']:,} x 3 x "
            f"{r['flops'] / 1e9:.3f} G multiply-adds / "
            f"({args.gpu_tflops:g}e12 / 2 x {args.gpu_efficiency:g}) / 3600",
            hours=base['training_samples'] / rate / 3600))
    return dict(base, rows=rows)
