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
    checkpoint's ``meta['cfg']``) and run on the same random inputs.

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
    size = input_shape(cfg)[-1]
    gen = torch.Generator().manual_seed(seed)
    inputs = torch.randint(0, 256, (num_inputs, 1, 3, 2, size, size),
                           generator=gen).float()
    outs = []
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
