"""API keys for the OpenAI-compatible API (`/v1/…`), in the secret store.

A key is shown once, when it is made: `bsk-<id>-<secret>`. Only the id and a SHA-256
of the secret are kept (a 256-bit random secret needs no slow hash: nobody can guess
it, and a stolen settings file gives no usable key). A key may be limited to some bots
and to a number of requests per minute, hour or day.

`verify` runs on every API request: the settings store answers it from memory until its
file changes, so a key made or revoked, also by another process (`launch.py apikey
revoke`), counts from the next request (see runtime/store/settings.py)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from runtime.store.settings import Settings

PREFIX = "api_key:"
KEY = re.compile(r"bsk-([0-9a-f]{8})-([A-Za-z0-9_-]{43})")
NAME = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?")
RATE = re.compile(r"\s*(\d+)\s*/\s*(minute|hour|day)s?\s*")
RATE_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class KeyProblem(ValueError):
    """A name, bot list or rate that cannot be used; `message_id` and `params` say it
    with the string table (the store imports no words)."""

    def __init__(self, message_id: str, **params: object):
        super().__init__(message_id)
        self.message_id, self.params = message_id, params


@dataclass(frozen=True)
class ApiKey:
    name: str
    key_id: str
    bots: list[str] | None  # None: every bot
    rate: str | None  # "60/minute"; None: no limit of its own
    created_at: float
    digest: str = field(repr=False)

    def allows(self, bot_id: str) -> bool:
        return self.bots is None or bot_id in self.bots

    def per(self) -> tuple[int, int] | None:
        """(requests, seconds) or None."""
        found = RATE.fullmatch(self.rate or "")
        return (int(found.group(1)), RATE_SECONDS[found.group(2)]) if found else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_rate(rate: str | None) -> str | None:
    if rate is None or not rate.strip():
        return None
    found = RATE.fullmatch(rate)
    if not found or int(found.group(1)) < 1:
        raise KeyProblem("apikey.bad_rate", value=rate)
    return f"{int(found.group(1))}/{found.group(2)}"


class ApiKeys:
    def __init__(self, settings: Settings):
        self.settings = settings

    def create(
        self, name: str, bots: list[str] | None = None, rate: str | None = None
    ) -> tuple[ApiKey, str]:
        """The new key and its full text, which is never stored and never shown again."""
        if not NAME.fullmatch(name or ""):
            raise KeyProblem("apikey.bad_name", value=name)
        if self.settings.get(PREFIX + name) is not None:
            raise KeyProblem("apikey.exists", name=name)
        rate = check_rate(rate)
        key_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        record = {
            "id": key_id,
            "sha256": _digest(secret),
            "bots": sorted(set(bots)) if bots else None,
            "rate": rate,
            "created_at": time.time(),
        }
        self.settings.set(PREFIX + name, record)
        return self._key(name, record), f"bsk-{key_id}-{secret}"

    def list(self) -> list[ApiKey]:
        found = []
        for key in sorted(self.settings.keys_with_prefix(PREFIX)):
            record = self.settings.get(key)
            if isinstance(record, dict):
                found.append(self._key(key.removeprefix(PREFIX), record))
        return found

    def revoke(self, name: str) -> bool:
        if self.settings.get(PREFIX + name) is None:
            return False
        self.settings.delete(PREFIX + name)
        return True

    def verify(self, text: str) -> ApiKey | None:
        """The key `text` is, or None (unknown, revoked, malformed). May read the settings
        file (when it changed): call it off the event loop."""
        found = KEY.fullmatch(text.strip()) if text else None
        if not found:
            return None
        key_id, digest = found.group(1), _digest(found.group(2))
        for key in self.list():
            if key.key_id == key_id and hmac.compare_digest(key.digest, digest):
                return key
        return None

    @staticmethod
    def _key(name: str, record: dict[str, Any]) -> ApiKey:
        return ApiKey(
            name=name,
            key_id=str(record.get("id", "")),
            bots=record.get("bots"),
            rate=record.get("rate"),
            created_at=float(record.get("created_at", 0)),
            digest=str(record.get("sha256", "")),
        )
