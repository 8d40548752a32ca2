# HTNet's schedule in its authors' code (main_HTNet.py): Adam, lr 5e-5,
# constant, batch 256, 800 epochs. A data-set config sets the batch size
# on its train_dataloader (batch_size=256).
epochs = 800
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=epochs, val_begin=1,
    val_interval=1)
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-5,
                                        weight_decay=0.))
param_scheduler = []
auto_scale_lr = dict(enable=False, base_batch_size=256)
