"""Small settings and secrets: a TinyDB document file under the data directory, mode 0600.

Holds the studio language, the studio password's salted hash and the key that
signs login cookies; later, channel credentials. Never the bots/ folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Settings:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        os.chmod(path, 0o600)  # also tightens a file an older version left readable
        self.path = path
        self._db = TinyDB(path, ensure_ascii=False, encoding="utf-8")
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._db.get(Query().key == key)
        return row["value"] if row else default

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._db.upsert({"key": key, "value": value}, Query().key == key)

    def keys_with_prefix(self, prefix: str) -> list[str]:
        with self._lock:
            return [row["key"] for row in self._db.all() if row["key"].startswith(prefix)]

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.remove(Query().key == key)

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
