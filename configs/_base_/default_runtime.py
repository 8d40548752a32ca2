# Runtime shared by every config of the plugin (MMAction2's, plus the plugin).
default_scope = 'mmaction'
custom_imports = dict(
    imports=['mmaction_tsfmicro.plugin'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # LOSO protocol: the reported model is the last epoch's; no "best"
    # checkpoint is picked on the test subject.
    checkpoint=dict(
        type='CheckpointHook', interval=10, max_keep_ckpts=2, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # pictures of the test samples (onset, apex, difference, labels), off
    # until tools/test.py --show-dir DIR / --show turns them on
    visualization=dict(type='MicroExpressionVisualizationHook', enable=False))

custom_hooks = [
    # refuses a run whose training split shares a subject with its test split
    dict(type='SubjectSplitCheckHook'),
    # refuses a head whose num_classes differs from the annotation file's
    dict(type='ClassCountCheckHook'),
    # reseeds every epoch from (seed, epoch, rank): a resumed run trains
    # exactly as an uninterrupted one
    dict(type='EpochSeedHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # gloo is chosen by itself on machines without CUDA
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
