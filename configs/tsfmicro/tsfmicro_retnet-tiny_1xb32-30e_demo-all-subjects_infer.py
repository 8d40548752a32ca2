# The released demo model (configs/tsfmicro/tsfmicro_retnet-tiny_1xb32-30e_demo-all-subjects.py)
# for inference and testing: its test pipeline reads a plain clip (a video
# file or a folder of numbered frames), finds the onset and apex when the
# sample has none, and aligns the face as its training frames were aligned
# (LoadClipKeyFrames, with the face preprocessing the checkpoint records).
# MMAction2's own tools take it with the released checkpoint:
#   inference_recognizer(init_recognizer(CONFIG, CKPT), 'clip.mp4')
#   MMAction2Inferencer(rec=CONFIG, rec_weights=CKPT, input_format='video')
#   python tools/visualizations/vis_cam.py CONFIG CKPT clip.mp4 \
#       --target-layer-name neck/fused --device cpu
# Its test loader reads the demo set (every subject: the model was trained
# on them, so `tools/test.py` on it checks the pipeline, not the model).
_base_ = ['./tsfmicro_retnet-tiny_1xb32-30e_demo.py']

# trained as the released model: every subject
train_dataloader = dict(dataset=dict(exclude_subjects=None))

# the checkpoint's meta['preprocessing'] (tools/data/preprocess_faces.py
# --size 112 on the demo set); tests/configs check that they agree
face_alignment = dict(
    alignment=dict(
        size=112, eye_y=0.36, eye_dist=0.32, nose_y=0.58, use_nose=False),
    detector='mediapipe')
test_pipeline = [
    dict(type='LoadClipKeyFrames', face_alignment=face_alignment),
    _base_.resize,
    dict(type='FormatShape', input_format='NCTHW'),
    dict(
        type='PackActionInputs',
        meta_keys=_base_.me_meta_keys + ('key_frames', 'alignment',
                                         'warnings'))
]
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MicroExpressionDataset',
        test_subjects=None,
        pipeline=test_pipeline,
        test_mode=True,
        **_base_.frame_args))
