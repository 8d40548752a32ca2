# Runtime shared by every config of the plugin: MMAction2's, with what the
# plugin changes.
_base_ = ['mmaction::_base_/default_runtime.py']

custom_imports = dict(
    imports=['mmaction_tsfmicro.plugin'], allow_failed_imports=False)

default_hooks = dict(
    # LOSO protocol: the reported model is the last epoch's; no "best"
    # checkpoint is picked on the test subject (MMAction2's save_best='auto'
    # is dropped)
    checkpoint=dict(
        _delete_=True,
        type='CheckpointHook',
        interval=10,
        max_keep_ckpts=2,
        save_last=True),
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

randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
