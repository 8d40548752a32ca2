# TSFmicro-tiny on the demo set (tools/data/make_demo_dataset.py: synthetic
# action-unit motions on real faces), sized for a 2-core CPU: faces aligned
# at 112x112, 0.14 M parameters, 30 epochs of AdamW with a cosine schedule
# (the official 174 epochs at lr 8e-4 and weight decay 0.6 are far beyond a
# CPU budget). `make demo` runs every LOSO fold of it:
#   python tools/loso.py configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py \
#       --work-dir work_dirs/demo_loso
_base_ = [
    '../_base_/models/tsfmicro_tiny.py', '../_base_/datasets/demo.py',
    '../_base_/schedules/adamw_cosine.py', '../_base_/default_runtime.py'
]

model = dict(backbone=dict(drop_path_rate=0.))
# 30 epochs of the cosine schedule (the base's), at a higher rate
optim_wrapper = dict(optimizer=dict(lr=3e-3))
# a demo fold has 9 training iterations an epoch
default_hooks = dict(logger=dict(interval=10))
