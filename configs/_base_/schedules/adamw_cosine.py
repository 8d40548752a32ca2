# The demo configs' schedule (TSFmicro's and the baselines'): AdamW and a
# cosine decay to 1e-5 over the whole run. A config of another length sets
# only train_cfg = dict(max_epochs=N): the scheduler's T_max and end are
# left out, so MMEngine takes both from the run's max_epochs when it builds
# the scheduler.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=1)
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=0)
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
