# The class-imbalance options tried on an imbalanced copy of the demo set
# (docs/results.md, "Class imbalance"): per subject 3 'others', 2 'disgust'
# and 1 of each other class (152 samples, 57 'others' against 19
# 'repression', close to CASME II's proportions), made by
#   python tools/data/subsample_annotations.py \
#       data/demo/annotations/demo_5cls.json \
#       data/demo/annotations/demo_5cls_imbalanced.json \
#       --keep others=3 disgust=2 happiness=1 surprise=1 repression=1
# then
#   python tools/analysis_tools/benchmark_methods.py \
#       configs/baselines/demo_imbalanced_methods.py \
#       --work-dir work_dirs/benchmark_imbalanced --seeds 0 1 \
#       --out work_dirs/benchmark_imbalanced/table.md
# The class weights N / (K n_c) are those the subsampling tool prints.
ann = 'data/demo/annotations/demo_5cls_imbalanced.json'
data = {
    'train_dataloader.dataset.ann_file': ann,
    'test_dataloader.dataset.ann_file': ann
}
paper = 'Liu et al., arXiv:2505.16372 (2025)'
methods = [
    dict(name='TSFmicro-tiny, imbalanced demo set, plain loss',
         config='configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py', paper=paper, cfg_options=data,
         select_on_test=False),
    dict(name='TSFmicro-tiny, imbalanced demo set, class-weighted loss',
         config='configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py', paper=paper,
         cfg_options=dict(data, **{
             'model.cls_head.loss_cls.class_weight':
             [1.6, 0.8, 1.6, 1.6, 0.5333]
         }), select_on_test=False),
    dict(name='TSFmicro-tiny, imbalanced demo set, class-balanced sampler',
         config='configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py', paper=paper,
         cfg_options=dict(data, **{
             'train_dataloader.sampler.type': 'ClassBalancedSampler'
         }), select_on_test=False),
]
