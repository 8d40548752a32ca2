"""The options of a LOSO run, from tools/loso.py's parser in one step."""
import argparse
import dataclasses

import pytest

from mmaction_tsfmicro.loso import LosoOptions, ProtocolError
from mmaction_tsfmicro.loso.experiment import run_loso


def test_every_field_comes_from_the_parsed_arguments_by_its_name():
    values = {f.name: f'value of {f.name}' for f in
              dataclasses.fields(LosoOptions) if f.name != 'argv'}
    args = argparse.Namespace(**values, local_rank=0, something_else=1)
    opts = LosoOptions.from_args(args, argv=['tools/loso.py', 'cfg.py'])
    assert {k: getattr(opts, k) for k in values} == values
    assert opts.argv == ['tools/loso.py', 'cfg.py']
    # missing arguments keep the defaults
    opts = LosoOptions.from_args(argparse.Namespace(config='c', work_dir='w'))
    assert (opts.allocator, opts.fold, opts.frame_cache) == ('tuned', None,
                                                              'auto')


def test_a_bad_allocator_is_refused_before_anything_is_written(tmp_path):
    work = tmp_path / 'w'
    with pytest.raises(ProtocolError, match="--allocator must be 'tuned' or "
                       "'glibc', got 'jemalloc'"):
        run_loso(LosoOptions(config='c.py', work_dir=str(work),
                             allocator='jemalloc'))
    assert not work.exists()
