# TSFmicro on CASME II, 5 classes (the full config is
# configs/tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py):
#   tools/dist_train.sh configs/tsfmicro_casme2.py 4
#   python tools/loso.py configs/tsfmicro_casme2.py --work-dir work_dirs/casme2
_base_ = ['./tsfmicro/tsfmicro_retnet_1xb32-174e_casme2.py']
