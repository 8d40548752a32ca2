"""Hooks of the plugin."""
from .hooks import *  # noqa: F401,F403
