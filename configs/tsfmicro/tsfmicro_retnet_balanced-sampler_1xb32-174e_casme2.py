# TSFmicro on CASME II, 5 classes, the official recipe, with a class-balanced
# sampler: every class is drawn equally often in an epoch (with
# replacement, from the training split of the fold; an epoch keeps its 249
# - n_test samples). CASME II has 99 'others' against 27 'repression'.
# ClassBalancedSampler: mmaction_tsfmicro/datasets/samplers/; docs/results.md
# shows how to turn it on for any config.
_base_ = ['./tsfmicro_retnet_1xb32-174e_casme2.py']

train_dataloader = dict(sampler=dict(type='ClassBalancedSampler'))
