"""Parameters and FLOPs (multiply-adds, MMEngine's count) of configs'
models, for one sample of their test input.

Example::

    python tools/analysis_tools/get_flops.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py \\
        configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py
"""
import argparse
import logging

from mmaction_tsfmicro.utils.cli import ArgumentParser, run_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = ArgumentParser(description='Parameters and FLOPs of models')
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmengine.logging import MMLogger

    from mmaction_tsfmicro.apis.complexity import model_complexity
    MMLogger.get_current_instance().setLevel(logging.ERROR)
    print(f'{"config":<48} {"params":>12} {"FLOPs":>14}  input')
    for config in args.configs:
        info = model_complexity(config)
        print(f"{config:<48} {info['params']:>12,} {info['flops']:>14,}  "
              f"{'x'.join(map(str, info['input_shape']))}")
    return 0


if __name__ == '__main__':
    run_main(main)
