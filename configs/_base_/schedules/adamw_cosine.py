# The demo configs' schedule (TSFmicro's and the baselines'): AdamW and a
# cosine decay to 1e-5 over the run. A config of another length sets
# `epochs` and repeats the two lines that use it (MMEngine fills base
# variables in when the base is read):
#   train_cfg = dict(max_epochs=epochs)
#   param_scheduler = [dict(type='CosineAnnealingLR', T_max=epochs,
#                           eta_min=1e-5, by_epoch=True, begin=0, end=epochs)]
epochs = 30
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=epochs, val_begin=1,
    val_interval=1)
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=epochs,
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=epochs)
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
