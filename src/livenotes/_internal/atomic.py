"""Files written whole: readers see the old file or the new one, never half of one; files placed by link."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would make a published file (downloads/) unreadable to the server
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def place(source: Path, target: Path) -> None:
    """``source`` at ``target``: a hard link where the file system allows (no copy of 100 MB per build); nothing
    to do when the same file is there already (``mkdocs serve`` builds into the same folder again)."""
    if target.exists() and (os.path.samefile(source, target) or _same_stat(source, target)):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _same_stat(a: Path, b: Path) -> bool:
    """A copy made by copy2 keeps size and modification time."""
    sa, sb = a.stat(), b.stat()
    return sa.st_size == sb.st_size and int(sa.st_mtime) == int(sb.st_mtime)
