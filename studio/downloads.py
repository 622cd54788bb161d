"""Files the studio hands to the browser that hold personal data (the leads CSV).

Gradio serves a file from its cache folder, and copies any other file there first
(a copy that would outlive ours). So these are written straight into a private folder
(0700, files 0600) inside that cache: Gradio serves them as they are, with no copy.
A new file removes all but the last few (two people exporting at once both get
theirs); the server removes the rest when it stops, and a folder left by a server that
was killed is removed by the next one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import deque
from pathlib import Path

from gradio.utils import get_upload_folder

PREFIX = "botstudio-private-"
KEEP = 4  # the latest files kept: each is only needed until its browser has fetched it


class PrivateDownloads:
    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._folder: Path | None = None
        self._recent: deque[Path] = deque()
        self._lock = threading.Lock()

    def new_file(self, name: str) -> Path:
        """A path named `name` in a private folder of its own, for a file about to be
        written; the earliest files beyond the last few are removed."""
        with self._lock:
            place = Path(tempfile.mkdtemp(dir=self._root()))  # 0700
            self._recent.append(place)
            while len(self._recent) > self.keep:
                shutil.rmtree(self._recent.popleft(), ignore_errors=True)
        return place / name

    def remove_all(self) -> None:
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
            self._recent.clear()

    def _root(self) -> Path:
        if self._folder is None or not self._folder.is_dir():
            cache = Path(get_upload_folder())
            cache.mkdir(parents=True, exist_ok=True)
            _remove_orphans(cache)
            prefix = f"{PREFIX}{os.getpid()}-"
            self._folder = Path(tempfile.mkdtemp(prefix=prefix, dir=cache))
            self._recent.clear()
        return self._folder


def _remove_orphans(cache: Path) -> None:
    """Folders of ours whose server is gone (killed before it could remove them)."""
    if os.name != "posix":  # os.kill(pid, 0) would interrupt the process on Windows
        return
    for folder in cache.glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-")[0]
        try:
            if folder.stat().st_uid != os.getuid() or not pid.isdigit():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # alive (someone else's process), or gone already
            continue
