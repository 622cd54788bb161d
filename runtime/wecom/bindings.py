"""Which WeCom channels each bot is bound to, with their credentials and health.

Credentials live in the secret store under the data directory (mode 0600),
never in bots/. Health is what the studio and /healthz show: the last success,
the last error in plain words, and whether the binding is broken (a bad key). It
changes on every delivery, so it is kept in the journal (the binding_health table,
whose SQL is all here), not in the settings file.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

from runtime.store.db import Journal
from runtime.store.settings import Settings

KINDS = ("webhook", "alert_webhook", "aibot", "longconn", "app", "kf")
FIELDS: dict[str, tuple[str, ...]] = {
    "webhook": ("key",),
    "alert_webhook": ("key",),
    "aibot": ("token", "aes_key"),
    "longconn": ("bot_id", "secret"),
    "app": ("corp_id", "agent_id", "secret", "token", "aes_key"),
    # 微信客服: the self-built app that calls the kf API (its corp id, Secret, callback Token
    # and EncodingAESKey) and the kf account (open_kfid) whose customers this bot answers
    "kf": ("corp_id", "secret", "token", "aes_key", "open_kfid"),
}
LEGACY_HEALTH = "binding-health:"  # settings.json's health keys before the journal had it
WEBHOOK_KEY = re.compile(r"[A-Za-z0-9-]{8,64}")  # with fullmatch: `$` allows "\n"


class BindingError(ValueError):
    pass


def webhook_key(url_or_key: str) -> str:
    """The key from a pasted webhook URL (…/webhook/send?key=KEY) or a bare key."""
    text = (url_or_key or "").strip()
    if "://" in text:
        keys = parse_qs(urlparse(text).query).get("key", [])
        text = keys[0] if keys else ""
    if not WEBHOOK_KEY.fullmatch(text):
        raise BindingError("webhook")
    return text


def mask(secret: str) -> str:
    """Enough to recognise a key in the studio, not enough to use it."""
    return secret[:4] + "…" + secret[-2:] if len(secret) > 8 else "…"


class BindingHealth:
    """Each binding's health: one row per (bot, kind) in the journal's binding_health."""

    FIELDS = ("last_success", "last_error", "last_error_at", "broken")

    def __init__(self, journal: Journal):
        self.journal = journal

    def get(self, bot_id: str, kind: str) -> dict[str, Any]:
        """What is known, as {last_success, last_error, last_error_at, broken}; {} for none."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT last_success, last_error, last_error_at, broken FROM binding_health"
                " WHERE bot_id = ? AND kind = ?",
                (bot_id, kind),
            )
            .fetchone()
        )
        if row is None:
            return {}
        health = {f: row[f] for f in self.FIELDS if row[f] is not None}
        if "broken" in health:
            health["broken"] = bool(health["broken"])
        return health

    def succeeded(self, bot_id: str, kind: str, at: float) -> None:
        self.journal.connection().execute(
            "INSERT INTO binding_health (bot_id, kind, last_success, broken) VALUES (?, ?, ?, 0)"
            " ON CONFLICT (bot_id, kind) DO UPDATE SET last_success = excluded.last_success,"
            " broken = 0",
            (bot_id, kind, at),
        )

    def failed(self, bot_id: str, kind: str, reason: str, at: float, broken: bool) -> None:
        self.journal.connection().execute(
            "INSERT INTO binding_health (bot_id, kind, last_error, last_error_at, broken)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (bot_id, kind) DO UPDATE SET"
            " last_error = excluded.last_error, last_error_at = excluded.last_error_at,"
            " broken = excluded.broken",
            (bot_id, kind, reason, at, int(broken)),
        )

    def forget(self, bot_id: str, kind: str) -> None:
        self.journal.connection().execute(
            "DELETE FROM binding_health WHERE bot_id = ? AND kind = ?", (bot_id, kind)
        )

    def carry_over(self, settings: Settings) -> int:
        """Versions before this one kept health in settings.json, as binding-health:BOT:KIND.
        Copy it here (what the journal already has wins) and remove it from there. Written
        here first: a crash between the two steps leaves a copy that the next start skips."""
        keys = settings.keys_with_prefix(LEGACY_HEALTH)
        if not keys:
            return 0
        with self.journal.transaction() as db:
            for key in keys:
                bot_id, _, kind = key.removeprefix(LEGACY_HEALTH).rpartition(":")
                old = settings.get(key) or {}
                if not bot_id or not isinstance(old, dict):
                    continue
                broken = old.get("broken")
                db.execute(
                    "INSERT OR IGNORE INTO binding_health (bot_id, kind, last_success,"
                    " last_error, last_error_at, broken) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        bot_id,
                        kind,
                        old.get("last_success"),
                        old.get("last_error"),
                        old.get("last_error_at"),
                        None if broken is None else int(bool(broken)),
                    ),
                )
        settings.delete(*keys)
        return len(keys)


class Bindings:
    def __init__(self, settings: Settings, journal: Journal):
        """Credentials in `settings` (the secret store), health in `journal`."""
        self.settings = settings
        self.health_log = BindingHealth(journal)
        self.health_log.carry_over(settings)

    def of(self, bot_id: str) -> dict[str, dict[str, Any]]:
        return dict(self.settings.get(f"binding:{bot_id}", {}))

    def get(self, bot_id: str, kind: str) -> dict[str, Any] | None:
        return self.of(bot_id).get(kind)

    def bind(self, bot_id: str, kind: str, values: dict[str, Any]) -> None:
        missing = [f for f in FIELDS[kind] if not str(values.get(f) or "").strip()]
        if missing:
            raise BindingError(kind)
        current = self.of(bot_id)
        current[kind] = {f: str(values[f]).strip() for f in FIELDS[kind]}
        self.settings.set(f"binding:{bot_id}", current)
        self.health_log.forget(bot_id, kind)  # a new key starts healthy

    def unbind(self, bot_id: str, kind: str | None = None) -> list[str]:
        current = self.of(bot_id)
        removed = [k for k in current if kind is None or k == kind]
        for k in removed:
            del current[k]
            self.health_log.forget(bot_id, k)
        self.settings.set(f"binding:{bot_id}", current)
        return removed

    def bots_with(self, kind: str) -> list[str]:
        bot_ids = (k.removeprefix("binding:") for k in self.settings.keys_with_prefix("binding:"))
        return sorted(b for b in bot_ids if self.get(b, kind))

    # --- health ---------------------------------------------------------------

    def health(self, bot_id: str, kind: str) -> dict[str, Any]:
        return self.health_log.get(bot_id, kind)

    def succeeded(self, bot_id: str, kind: str) -> None:
        self.health_log.succeeded(bot_id, kind, time.time())

    def failed(self, bot_id: str, kind: str, reason: str, *, broken: bool = False) -> None:
        self.health_log.failed(bot_id, kind, reason, time.time(), broken)
