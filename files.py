"""File modes shared by every layer that writes through a private temporary path."""

from __future__ import annotations

import os
from pathlib import Path


def as_if_created_plainly(path: Path) -> None:
    """Give a path that mkdtemp/mkstemp made private (0700/0600) the mode a plain mkdir or open
    would have given it under the user's umask: snapshots, reports and model caches are shared."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
