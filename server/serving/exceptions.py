"""Why serving cannot start or go on; the message is the one line the command prints.

ServingFailed
"""

from __future__ import annotations


class ServingFailed(Exception):
    """The server cannot listen where asked, cannot run as asked, or a process failed to start."""
