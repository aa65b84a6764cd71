"""Atomic file writing (standard library only, so every face can use it)."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path in the target's folder; rename it onto ``path`` on success."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent or ".")
    os.close(fd)
    os.unlink(tmp)  # GDAL drivers want to create the file themselves
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        for leftover in (tmp_path, *tmp_path.parent.glob(tmp_path.name + "-*")):
            if leftover.exists():
                leftover.unlink()
