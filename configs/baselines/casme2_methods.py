# The methods on CASME II, 5 classes (the cropped release; 26 LOSO folds),
# the paper-size TSFmicro in its four fusion modes and with flow, the class
# imbalance options, and the baselines, for
#   python tools/analysis_tools/benchmark_methods.py configs/baselines/casme2_methods.py \
#       --work-dir work_dirs/benchmark_casme2 --seeds 0 1 \
#       --out docs/results.md
# (GPU work: the paper-size TSFmicro trains 174 epochs a fold.) TSFmicro
# rows also report epoch selection on the test subject, labelled
# optimistic.
tsfmicro = 'Liu et al., arXiv:2505.16372 (2025)'
methods = [
    dict(name='TSFmicro, late fusion (the paper\'s)',
         config='configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py', paper=tsfmicro),
    dict(name='TSFmicro, early fusion',
         config='configs/tsfmicro/tsfmicro-early_retnet_1xb32-174e_casme2.py', paper=tsfmicro),
    dict(name='TSFmicro, S to T',
         config='configs/tsfmicro/tsfmicro-s2t_retnet_1xb32-174e_casme2.py', paper=tsfmicro),
    dict(name='TSFmicro, T to S',
         config='configs/tsfmicro/tsfmicro-t2s_retnet_1xb32-174e_casme2.py', paper=tsfmicro),
    dict(name='TSFmicro, flow in the temporal branch',
         config='configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2-flow.py', paper=tsfmicro),
    dict(name='TSFmicro, class-weighted loss',
         config='configs/tsfmicro/tsfmicro_retnet_class-weighted_1xb32-174e_casme2.py',
         paper=tsfmicro),
    dict(name='TSFmicro, class-balanced sampler',
         config='configs/tsfmicro/tsfmicro_retnet_balanced-sampler_1xb32-174e_casme2.py',
         paper=tsfmicro),
    dict(name='ResNet-18 (TSN), apex',
         config='configs/baselines/tsn_r18_1xb32-50e_casme2-apex.py',
         paper='He et al., CVPR 2016; Wang et al., ECCV 2016'),
    dict(name='ResNet-18 (TSN), apex - onset',
         config='configs/baselines/tsn_r18_1xb32-50e_casme2-apex-onset.py',
         paper='He et al., CVPR 2016; Wang et al., ECCV 2016'),
    dict(name='SlowOnly R-18, 8 frames',
         config='configs/baselines/slowonly_r18_1xb32-8f-50e_casme2.py',
         paper='Feichtenhofer et al., ICCV 2019'),
    dict(name='TimeSformer (2 layers), 8 frames',
         config='configs/baselines/timesformer-tiny_1xb32-8f-100e_casme2.py',
         paper='Bertasius et al., ICML 2021'),
    dict(name='OFF-ApexNet, TV-L1 flow',
         config='configs/baselines/off-apexnet_1xb32-100e_casme2.py',
         paper='Gan et al., Signal Process. Image Commun. 2019'),
    dict(name='STSTNet, TV-L1 flow + strain',
         config='configs/baselines/ststnet_1xb256-800e_casme2.py',
         paper='Liong et al., FG 2019 (MEGC 2019)'),
    dict(name='HTNet, TV-L1 flow + strain, facial regions',
         config='configs/htnet/htnet_1xb256-800e_casme2.py',
         paper='Wang et al., Neurocomputing 2024'),
    dict(name='MMNet, onset/apex pair',
         config='configs/mmnet/mmnet_1xb32-74e_casme2.py',
         paper='Li et al., IJCAI 2022'),
]
