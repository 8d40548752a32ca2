# TSFmicro on SAMM, 5 classes: 199 epochs, the training pair searched in
# floor(0.1 * (apex - onset)) frames (set by the SAMM dataset config).
_base_ = [
    '../_base_/models/tsfmicro.py', '../_base_/datasets/samm.py',
    '../_base_/schedules/tsfmicro_adamw.py', '../_base_/default_runtime.py'
]
train_cfg = dict(max_epochs=199)
