"""Choice of annotated key frames (onset, apex, offset) a sample is made
of, for models that read single frames or any fixed set of them."""
from typing import Dict, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .frame_pair import key_frame

ROLES = ('onset', 'apex', 'offset')


@TRANSFORMS.register_module()
class SelectKeyFrames(BaseTransform):
    """Set ``frame_inds`` to the annotated frames named by ``roles``.

    ``SelectKeyFrames(roles=('apex', ))`` followed by ``LoadFramePair`` and
    ``FormatShape('NCHW')`` gives the apex frame alone as a (1, 3, H, W)
    input, as 2-D networks on the apex (MMAction2's ``Recognizer2D``)
    take it. (:class:`SelectFramePair` chooses the onset/apex pair, with
    its training-time re-selection.)

    Required keys: ``onset_frame`` / ``apex_frame`` / ``offset_frame`` (or
    the annotation file's ``onset``, ``apex``, ``offset``) for the roles
    asked for.
    Added keys: ``frame_inds`` (int64, in the order of ``roles``),
    ``clip_len`` (the number of roles), ``num_clips`` (1),
    ``frame_interval`` (None).

    Args:
        roles (Sequence[str]): Key frames, from ``'onset'``, ``'apex'``,
            ``'offset'``. Defaults to ``('apex', )``.
    """

    def __init__(self, roles: Sequence[str] = ('apex', )) -> None:
        roles = (roles, ) if isinstance(roles, str) else tuple(roles)
        bad = [r for r in roles if r not in ROLES]
        if bad or not roles:
            raise ValueError(f'SelectKeyFrames: roles must be a non-empty '
                             f'list of {list(ROLES)}, got {list(roles)}')
        self.roles = roles

    def transform(self, results: Dict) -> Dict:
        """Set ``frame_inds`` to the key frames."""
        results['frame_inds'] = np.array(
            [key_frame(results, role) for role in self.roles],
            dtype=np.int64)
        results['clip_len'] = len(self.roles)
        results['num_clips'] = 1
        results['frame_interval'] = None
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(roles={self.roles})'
