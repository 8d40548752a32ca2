# A small TSFmicro for CPU LOSO demos: 112x112 pairs (the difference image is
# still taken at 112x112, before any striding, so that one-pixel motions of
# a 224 face survive as half-pixel intensity changes), a stride-4 stem of
# two convolutions (8, 16 channels) -> 28x28, three retention stages
# (16, 32, 64 channels; decomposed attention at 28x28, full 2-D decay at
# 14x14 and 7x7), a one-block spatial transformer on the 7x7 onset and a
# 256-wide head. About 0.14 M parameters; see docs/benchmarks.md.
_base_ = ['./tsfmicro.py']

model = dict(
    backbone=dict(arch='tiny'),
    neck=dict(in_channels=64),
    cls_head=dict(in_channels=64, hidden_channels=256))
