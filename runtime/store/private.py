"""Everything under the data directory is private to the user BotStudio runs as: folders
0700, files 0600. They hold phone numbers, conversations and webhook keys.

Files are created with these modes from the start (never created readable and then
tightened), and files an older version left readable are tightened when opened.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and any missing parents) 0700; tighten it if it already exists."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another process just now
            folder.mkdir(mode=DIR_MODE)
        os.chmod(folder, DIR_MODE)  # mkdir's mode passes through the umask
    os.chmod(path, DIR_MODE)
    return path


def private_tree(root: Path) -> None:
    """Tighten every folder and file under `root` (links are left alone): what an older
    version wrote there (experiment archives, logs, exports) becomes private too."""
    if not root.is_dir():
        return
    private_dir(root)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), DIR_MODE)
        for name in files:
            private_file(Path(folder, name))


def private_file(path: Path) -> Path:
    """Tighten an existing file to 0600 (an older version may have left it readable)."""
    if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o777 != FILE_MODE:
        os.chmod(path, FILE_MODE)
    return path


def create_private(path: Path) -> bool:
    """Create an empty 0600 file if there is none; True if this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        private_file(path)
        return False
    os.close(fd)
    return True


def private_opener(path: str, flags: int) -> int:
    """An `opener` for open(): a new file is 0600 from its first byte."""
    fd = os.open(path, flags, FILE_MODE)
    # an existing file too; unless it is someone else's, which the user chose to overwrite
    if hasattr(os, "fchmod"):  # not on Windows, where modes mean little
        with contextlib.suppress(PermissionError):
            os.fchmod(fd, FILE_MODE)
    return fd


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:  # open()'s own kwargs
    """open() for writing a private file."""
    return open(path, mode, opener=private_opener, **kwargs)


def write_private(
    path: Path, data: bytes, before_replace: Callable[[], None] | None = None
) -> None:
    """Replace `path` with `data` atomically: a temporary 0600 file in the same folder,
    flushed to disk, then renamed over it. A crash leaves either the old file or the new
    one, never half of either. `before_replace` runs just before the rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_dir(path.parent)


def sync_dir(folder: Path) -> None:
    """Make renames in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
