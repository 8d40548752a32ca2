"""The output of the two-branch backbones: a tuple of maps that refuses in
one line to be used as a tensor."""


class BranchMaps(tuple):
    """The backbone's output: a tuple of ``(N, C, h, w)`` maps for the
    ``TimeSpaceFusion`` neck.

    MMAction2's heads take one tensor. Used as one (an attribute such as
    ``.size`` or ``.shape``, a torch function), it raises an error of one
    line that names the neck to add, where a plain tuple would give
    ``'tuple' object has no attribute 'size'``. As a tuple it is a tuple.
    """

    __slots__ = ()

    def hint(self) -> str:
        """The one-line message: what the maps are and what to do."""
        what = 'the (temporal, spatial) maps'
        channels = self[0].shape[1] if len(self) else '<C>'
        return (f'TSFmicro returns {what} for the TimeSpaceFusion neck; '
                "MMAction2's heads need one tensor: add neck=dict(type="
                f"'TimeSpaceFusion', in_channels={channels}) to the model "
                '(its (N, C, 1, h, w) output suits the 3-D heads too)')

    def __getattr__(self, name: str):
        # private names (copy, pickle, hasattr probes) keep the plain error
        if name.startswith('_'):
            raise AttributeError(name)
        raise AttributeError(self.hint())

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """Refuse torch functions (``F.linear``, pooling) on the tuple."""
        maps = [a for a in args if isinstance(a, cls)] or [cls()]
        raise TypeError(maps[0].hint())
