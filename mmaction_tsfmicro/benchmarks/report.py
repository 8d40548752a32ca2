"""The Markdown report of ``tools/analysis_tools/benchmark.py``."""
from typing import Dict, Optional

from .official import OFFICIALS, PLAIN, PLUGIN


def amp_label(args) -> str:
    """What ``--amp`` ran: float16 on CUDA, bfloat16 on the CPU (the
    official code runs in float32 either way)."""
    if not args.amp:
        return ''
    kind = 'float16' if args.device == 'cuda' else 'bfloat16'
    return f' (AMP {kind} for the plugin; the official code in float32)'


def mb(value: Optional[float]) -> str:
    return '-' if value is None else f'{value:.0f}'


def fmt_ms(s: float) -> str:
    return f'{s * 1e3:.0f}' if s >= 0.1 else f'{s * 1e3:.1f}'


def report(results: Dict, args) -> str:
    """The Markdown tables of a run."""
    peak = results['peak_macs']
    lines = [
        f"{results['machine']}; torch {results['torch']}; "
        f"{args.threads} threads; device {args.device}"
        f"{amp_label(args)}; median (min) of "
        f'{args.rounds} rounds after {args.warmup} warm-up runs, methods '
        f"alternating; load average {results['load_before']} before, "
        f"{results['load_after']} after; the plugin's process with "
        f"{results.get('allocator', 'default')} allocator settings",
        '',
        f"Measured peak: {peak / 1e9:.1f} G multiply-adds/s "
        f"({2 * peak / 1e9:.1f} GFLOP/s counting the multiply and the add; "
        'a 2048 x 2048 matrix product, same threads and dtype)' +
        (f"; in float32 {results['peak_macs_fp32'] / 1e9:.1f} G, the base "
         "of the official code's fractions" if 'peak_macs_fp32' in results
         else '') + '.',
        '',
        '| arch | batch | method | train step | train samples/s | '
        'inference | inference samples/s | peak MB train / inference | '
        'fraction of peak train / inference |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for r in results['archs']:
        for batch, entry in r['batches'].items():
            for name, tr in entry['train'].items():
                fw = entry['forward'][name]
                # the official code runs in float32: its float32 peak
                base = results.get('peak_macs_fp32', peak) \
                    if name in OFFICIALS else peak
                frac_t = 3 * r['flops'] * tr['throughput'] / base
                frac_f = r['flops'] * fw['throughput'] / base
                lines.append(
                    f"| {r['arch']} | {batch} | {name} | "
                    f"{fmt_ms(tr['median'])} ms ({fmt_ms(tr['min'])}) | "
                    f"{tr['throughput']:.1f} | "
                    f"{fmt_ms(fw['median'])} ms ({fmt_ms(fw['min'])}) | "
                    f"{fw['throughput']:.1f} | "
                    f"{mb(tr['peak_mb'])} / {mb(fw['peak_mb'])} | "
                    f'{100 * frac_t:.1f} % / {100 * frac_f:.1f} % |')
    lines += ['', '| arch | params | FLOPs / sample | input |',
              '|---|---|---|---|']
    for r in results['archs']:
        lines.append(f"| {r['arch']} | {r['params'] / 1e6:.2f} M | "
                     f"{r['flops'] / 1e9:.3f} G | "
                     f"{r['size'][0]}x{r['size'][1]} |")
    ratios = []
    for r in results['archs']:
        for batch, entry in r['batches'].items():
            for op, label in (('train', 'train step'),
                              ('forward', 'inference')):
                times = entry[op]
                for other in OFFICIALS + (PLAIN, ):
                    if other in times:
                        ratios.append(
                            f"| {r['arch']} | {batch} | {label} | {other} | "
                            f"{times[other]['median'] / times[PLUGIN]['median']:.2f}x |")  # noqa: E501
    if ratios:
        lines += ['', '| arch | batch | step | plugin against | speed-up '
                  '(their median / plugin median) |', '|---|---|---|---|---|']
        lines += ratios
    for r in results['archs']:
        if 'official_logits_max_abs_diff' in r:
            lines += ['', f"Same weights and inputs ({r['arch']}): logits "
                      'max abs difference plugin - official '
                      f"{r['official_logits_max_abs_diff']:.3g}, same argmax: "
                      f"{r['official_same_argmax']}."]
    proj = results.get('projection')
    if proj:
        lines += ['', 'Projected full CASME II LOSO (paper model, '
                  f"{proj['folds']} folds x {proj['epochs']} epochs x "
                  f"{proj['samples']} training samples = "
                  f"{proj['training_samples']:,} training samples):", '']
        for row in proj['rows']:
            lines.append(f"- {row['what']}: {row['arithmetic']} = "
                         f"**{row['hours']:.1f} h**")
    if results.get('data'):
        lines += ['', f"Data pipeline ({results['data_config']}, training "
                  'pipeline, one process):', '',
                  '| frames from | samples | samples/s | cache built in |',
                  '|---|---|---|---|']
        for row in results['data']:
            built = ('-' if row['build_seconds'] is None else
                     f"{row['build_seconds']:.1f} s")
            lines.append(f"| {row['source']} | {row['samples']} | "
                         f"{row['throughput']:.1f} | {built} |")
    return '\n'.join(lines)
