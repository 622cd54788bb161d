"""Which WeCom channels each bot is bound to, with their credentials and health.

Credentials live in the secret store under the data directory (mode 0600),
never in bots/. Health is what the studio and /healthz show: the last success,
the last error in plain words, and whether the binding is broken (a bad key).
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

from runtime.store.settings import Settings

KINDS = ("webhook", "alert_webhook", "aibot", "longconn", "app")
FIELDS: dict[str, tuple[str, ...]] = {
    "webhook": ("key",),
    "alert_webhook": ("key",),
    "aibot": ("token", "aes_key"),
    "longconn": ("bot_id", "secret"),
    "app": ("corp_id", "agent_id", "secret", "token", "aes_key"),
}
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


class Bindings:
    def __init__(self, settings: Settings):
        self.settings = settings

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
        self.settings.delete(f"binding-health:{bot_id}:{kind}")  # a new key starts healthy

    def unbind(self, bot_id: str, kind: str | None = None) -> list[str]:
        current = self.of(bot_id)
        removed = [k for k in current if kind is None or k == kind]
        for k in removed:
            del current[k]
            self.settings.delete(f"binding-health:{bot_id}:{k}")
        self.settings.set(f"binding:{bot_id}", current)
        return removed

    def bots_with(self, kind: str) -> list[str]:
        bot_ids = (k.removeprefix("binding:") for k in self.settings.keys_with_prefix("binding:"))
        return sorted(b for b in bot_ids if self.get(b, kind))

    # --- health ---------------------------------------------------------------

    def health(self, bot_id: str, kind: str) -> dict[str, Any]:
        return dict(self.settings.get(f"binding-health:{bot_id}:{kind}", {}))

    def succeeded(self, bot_id: str, kind: str) -> None:
        health = self.health(bot_id, kind)
        health.update(last_success=time.time(), broken=False)
        self.settings.set(f"binding-health:{bot_id}:{kind}", health)

    def failed(self, bot_id: str, kind: str, reason: str, *, broken: bool = False) -> None:
        health = self.health(bot_id, kind)
        health.update(last_error=reason, last_error_at=time.time(), broken=broken)
        self.settings.set(f"binding-health:{bot_id}:{kind}", health)
