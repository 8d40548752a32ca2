"""A release file checked against the checkpoint it was made from."""
import torch
from mmaction.structures import ActionDataSample

from ..engine.checkpoint import CheckpointError
from .complexity import input_shape
from .inference import init_model


def same_predictions(original: str, released: str, num_inputs: int = 4,
                     seed: int = 0) -> float:
    """Check that a release predicts what its training checkpoint predicts.

    Both are loaded into the model of the training config (the
    checkpoint's ``meta['cfg']``) and run on the same random inputs: onset/
    apex pairs for a recognizer, 16-frame clips for a spotter (its spotting
    and class logits of every frame).

    Args:
        original (str): The training checkpoint.
        released (str): Its release file.
        num_inputs (int): Random inputs to compare on.
        seed (int): Their seed.

    Returns:
        float: The largest absolute difference of the class scores (0.0).

    Raises:
        CheckpointError: If the predictions differ.
    """
    models = [init_model(None, path) for path in (original, released)]
    cfg = models[0].cfg
    gen = torch.Generator().manual_seed(seed)
    outs = []
    if callable(getattr(models[0], 'step', None)):  # a spotter
        size = int(cfg.face_alignment['size'])
        inputs = torch.randint(0, 256, (num_inputs, 3, 16, size, size),
                               generator=gen).float()
        with torch.no_grad():
            for m in models:
                spot, cls = m(inputs, mode='tensor')
                outs.append(torch.cat([spot[..., None], cls], dim=-1))
    else:
        size = input_shape(cfg)[-1]
        inputs = torch.randint(0, 256, (num_inputs, 1, 3, 2, size, size),
                               generator=gen).float()
        with torch.no_grad():
            for m in models:
                batch = m.data_preprocessor(dict(
                    inputs=list(inputs),
                    data_samples=[ActionDataSample() for _ in inputs]))
                outs.append(m._forward(batch['inputs'], stage='head'))
    diff = float((outs[0] - outs[1]).abs().max())
    if diff != 0.0:
        raise CheckpointError(f'{released}: predicts other scores than '
                              f'{original} (max difference {diff:g})')
    return diff
