"""Small settings and secrets: a TinyDB document file under the data directory, mode 0600.

Holds the studio language, the studio password's salted hash and the key that
signs login cookies; later, channel credentials. Never the bots/ folder.

Every change replaces the whole file atomically (a crash leaves the old one or the new
one), and the version it replaces is kept as settings.json.bak. A file that is empty or
not settings stops BotStudio (DamagedState) instead of starting without a password or
bindings; it is never rewritten.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from runtime.store.damaged import DamagedState
from runtime.store.private import private_dir, private_file, write_private

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
FRESH_SECONDS = 1.0  # the longest values read stay trusted without reading the file again


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _parse(raw: bytes) -> tuple[dict[str, dict[str, Any]] | None, str]:
    """TinyDB's document file, or None and what is wrong with `raw`."""
    if not raw:
        return None, "empty"
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        return None, "not_json"
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        return None, "not_settings"
    return data, ""


class AtomicJSONStorage(Storage):
    """TinyDB storage that never rewrites the file in place, and refuses a damaged one."""

    def __init__(self, path: Path, **dumps: Any):
        self.path = Path(path)
        self.backup = backup_path(self.path)
        self.dumps = dumps

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None  # a new install: the first change writes the file
        except OSError:
            raise DamagedState("settings", self.path, "unreadable", self._good_backup()) from None
        if not raw and not self.backup.exists():
            # Versions before this one created an empty file up front and kept no
            # backup: that file never held anything. Every file written since has one.
            return None
        data, problem = _parse(raw)
        if data is None:
            raise DamagedState("settings", self.path, problem, self._good_backup())
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, **self.dumps).encode("utf-8")
        try:
            previous = self.path.read_bytes()
        except FileNotFoundError:
            previous = b""
        if text == previous or (not previous and not any(data.values())):
            return  # nothing changed (or nothing to keep yet): the backup stays as it is

        def keep_previous() -> None:  # the file about to be replaced becomes the backup
            if previous:
                _link_over(self.path, self.backup)

        write_private(self.path, text, before_replace=keep_previous)
        if not previous:  # a first version is backed up as it is, in a file of its own
            write_private(self.backup, text)

    def _good_backup(self) -> Path | None:
        try:
            raw = self.backup.read_bytes()
        except OSError:
            return None
        return self.backup if _parse(raw)[0] is not None else None


def _link_over(source: Path, target: Path) -> None:
    """Make `target` the file `source` is now (a hard link: no copy, and that file is
    never written again; a copy where links are not possible), atomically."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        os.link(source, tmp)
    except OSError:
        write_private(target, source.read_bytes())
        return
    os.replace(tmp, target)


class Settings:
    def __init__(self, path: Path):
        private_dir(path.parent)
        for existing in (path, backup_path(path)):
            private_file(existing)  # also tightens files an older version left readable
        self.path = path
        self._db = TinyDB(path, storage=AtomicJSONStorage, ensure_ascii=False)
        self._db.storage.read()  # a damaged file stops here, before anything uses it
        self._lock = threading.Lock()
        # Every key's value as last read, and the file it was read from: settings are
        # read on every request (bindings, the language), the file seldom changes.
        self._values: dict[str, Any] = {}
        self._read_from: tuple[int, ...] | None = None
        self._read_at = 0.0  # time.monotonic() of that read

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            values = self._current()
            if key not in values:
                return default
            return copy.deepcopy(values[key])  # a caller may change its copy

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._db.upsert({"key": key, "value": value}, Query().key == key)
            self._read_from = None

    def keys_with_prefix(self, prefix: str) -> list[str]:
        with self._lock:
            return [key for key in self._current() if key.startswith(prefix)]

    def delete(self, *keys: str) -> None:
        """Remove these keys, in one change of the file."""
        with self._lock:
            self._db.remove(Query().key.one_of(keys))
            self._read_from = None

    def _current(self) -> dict[str, Any]:
        """The values, read again when the file is another one than last time (each write
        replaces it, also one by another process such as `launch.py bind`), and at least
        every FRESH_SECONDS (for a replacement the file's stat cannot tell apart)."""
        try:
            stat = os.stat(self.path)
            file: tuple[int, ...] | None = (
                stat.st_ino,
                stat.st_dev,
                stat.st_size,
                stat.st_mtime_ns,
                stat.st_ctime_ns,
            )
        except FileNotFoundError:
            file = None
        now = time.monotonic()
        if file is None or file != self._read_from or now - self._read_at > FRESH_SECONDS:
            self._values = {row["key"]: row["value"] for row in self._db.all()}
            self._read_from, self._read_at = file, now
        return self._values

    # --- the studio password ---------------------------------------------

    def has_password(self) -> bool:
        return self.get("studio_password") is not None

    def set_password(self, password: str) -> None:
        salt = os.urandom(16)
        digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
        self.set("studio_password", {"salt": salt.hex(), "scrypt": digest.hex(), **SCRYPT})
        self.set("session_key", secrets.token_hex(32))  # logs out every old session

    def check_password(self, password: str) -> bool:
        stored = self.get("studio_password")
        if not stored:
            return False
        params = {k: stored[k] for k in ("n", "r", "p")}
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(stored["salt"]), **params)
        return hmac.compare_digest(digest.hex(), stored["scrypt"])

    def session_key(self) -> bytes:
        key = self.get("session_key")
        if key is None:
            key = secrets.token_hex(32)
            self.set("session_key", key)
        return bytes.fromhex(key)
