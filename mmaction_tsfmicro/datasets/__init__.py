"""Registered components (filled by the submodules)."""
