# TSFmicro on CASME II, 5 classes, the official recipe: AdamW (lr 8e-4,
# weight decay 0.6), batch 32, ExponentialLR 0.987 for 50 epochs, 174 epochs,
# the last epoch's model tested on the held-out subject.
_base_ = [
    '../_base_/models/tsfmicro.py', '../_base_/datasets/casme2.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]
