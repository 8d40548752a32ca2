"""Inference with trained models, as MMAction2's ``mmaction.apis``:
building a model from a config and a (released) checkpoint, classifying
one clip, spotting micro-expressions in a stream, finding and classifying
those of a video nobody annotated, publishing a checkpoint and counting a
model's cost."""
from ..engine.checkpoint import CheckpointError, read_checkpoint
from .complexity import input_shape, model_complexity, recognizer_flops
from .inference import ClipError, inference_clip, init_model, load_clip
from .publish import publish_checkpoint
from .release_check import same_predictions
from .streaming import (FrameResult, StreamSpotter, VideoSink, draw_frame,
                        run_stream, spans_table)
from .video_inference import (SpanRecognizer, evaluate_spans,
                              spot_and_recognize, str_evaluation)

__all__ = [
    'CheckpointError', 'ClipError', 'FrameResult', 'StreamSpotter',
    'VideoSink', 'draw_frame', 'evaluate_spans', 'inference_clip',
    'init_model', 'input_shape', 'load_clip', 'model_complexity',
    'publish_checkpoint', 'read_checkpoint', 'recognizer_flops',
    'same_predictions', 'spans_table', 'run_stream', 'SpanRecognizer',
    'spot_and_recognize', 'str_evaluation'
]
