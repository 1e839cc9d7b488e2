"""The one error every command raises to fail."""

from __future__ import annotations


class CommandFailed(Exception):
    """A command's one-line reason for failing."""
