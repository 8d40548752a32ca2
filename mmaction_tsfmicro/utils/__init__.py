from .compat import apply_upstream_fixes

__all__ = ['apply_upstream_fixes']
