# The methods of the demo table of docs/results.md, in its order (the
# rows that need no annotated apex and the cheap flow networks first), for
#   python tools/analysis_tools/benchmark_methods.py configs/baselines/demo_methods.py \
#       --work-dir work_dirs/benchmark_demo --seeds 0 1 --out docs/results.md
# Each runs every LOSO fold of the demo set (19 subjects) per seed, with the
# last-epoch protocol; TSFmicro rows also report epoch selection on the
# test subject, labelled optimistic.
tsfmicro = 'Liu et al., arXiv:2505.16372 (2025)'
methods = [
    dict(name='TSFmicro-tiny, late fusion (the paper\'s)',
         config='configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo.py', paper=tsfmicro),
    dict(name='TSFmicroSeq, onset to offset (no apex given)',
         config='configs/tsfmicro_seq/tsfmicro-seq_retnet-tiny_1xb32-30e_demo.py',
         paper='retention over time: Sun et al., arXiv:2307.08621 (2023)'),
    dict(name='TSFmicro-tiny, estimated apex (no apex given)',
         config='configs/apex_free/tsfmicro_retnet-tiny_1xb32-30e_demo-estimated-apex.py',
         paper=tsfmicro),
    dict(name='STSTNet, TV-L1 flow + strain',
         config='configs/baselines/ststnet_1xb32-60e_demo.py',
         paper='Liong et al., FG 2019 (MEGC 2019)'),
    dict(name='HTNet (small), TV-L1 flow + strain, facial regions',
         config='configs/htnet/htnet-small_1xb32-60e_demo.py',
         paper='Wang et al., Neurocomputing 2024'),
    dict(name='MMNet (tiny), onset/apex pair',
         config='configs/mmnet/mmnet-tiny_1xb32-30e_demo.py',
         paper='Li et al., IJCAI 2022'),
    dict(name='OFF-ApexNet, TV-L1 flow',
         config='configs/baselines/off-apexnet_1xb32-60e_demo.py',
         paper='Gan et al., Signal Process. Image Commun. 2019'),
    dict(name='ResNet-18 (TSN), apex - onset',
         config='configs/baselines/tsn_r18_1xb32-20e_demo-apex-onset.py',
         paper='He et al., CVPR 2016; Wang et al., ECCV 2016'),
    dict(name='ResNet-18 (TSN), apex',
         config='configs/baselines/tsn_r18_1xb32-20e_demo-apex.py',
         paper='He et al., CVPR 2016; Wang et al., ECCV 2016'),
    dict(name='TSFmicro-tiny, early fusion',
         config='configs/tsfmicro/tsfmicro-early_retnet-tiny_1xb32-30e_demo.py',
         paper=tsfmicro),
    dict(name='TSFmicro-tiny, S to T',
         config='configs/tsfmicro/tsfmicro-s2t_retnet-tiny_1xb32-30e_demo.py', paper=tsfmicro),
    dict(name='TSFmicro-tiny, T to S',
         config='configs/tsfmicro/tsfmicro-t2s_retnet-tiny_1xb32-30e_demo.py', paper=tsfmicro),
    dict(name='TSFmicro-tiny, flow in the temporal branch',
         config='configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo-flow.py',
         paper=tsfmicro),
    dict(name='SlowOnly R-18, 8 frames',
         config='configs/baselines/slowonly_r18_1xb32-8f-12e_demo.py',
         paper='Feichtenhofer et al., ICCV 2019'),
    dict(name='TimeSformer (2 layers), 8 frames',
         config='configs/baselines/timesformer-tiny_1xb32-8f-30e_demo.py',
         paper='Bertasius et al., ICML 2021'),
]
