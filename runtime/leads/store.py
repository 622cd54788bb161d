"""Leads in the journal: one per bot and person, updated as conversations go on."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from runtime.store.db import Journal


@dataclass
class Lead:
    bot_id: str
    user: str
    conversation: str
    variant: str | None = None
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    declined: list[str] = field(default_factory=list)
    asked: dict[str, int] = field(default_factory=dict)
    last_asked: str | None = None
    converted: bool = False
    converted_at: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    def value(self, key: str) -> Any:
        return (self.fields.get(key) or {}).get("value")


class LeadStore:
    def __init__(self, journal: Journal):
        self.journal = journal

    def get(self, bot_id: str, user: str) -> Lead | None:
        row = (
            self.journal.connection()
            .execute("SELECT * FROM leads WHERE bot_id = ? AND user = ?", (bot_id, user))
            .fetchone()
        )
        return _lead(row) if row else None

    def save(self, lead: Lead) -> None:
        now = time.time()
        lead.created_at = lead.created_at or now
        lead.updated_at = now
        with self.journal.transaction() as db:
            db.execute(
                "INSERT INTO leads (bot_id, user, conversation, variant, fields, declined, asked,"
                " last_asked, converted, converted_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (bot_id, user) DO UPDATE SET conversation = excluded.conversation,"
                " variant = COALESCE(leads.variant, excluded.variant), fields = excluded.fields,"
                " declined = excluded.declined, asked = excluded.asked,"
                " last_asked = excluded.last_asked, converted = excluded.converted,"
                " converted_at = excluded.converted_at, updated_at = excluded.updated_at",
                (
                    lead.bot_id,
                    lead.user,
                    lead.conversation,
                    lead.variant,
                    json.dumps(lead.fields, ensure_ascii=False),
                    json.dumps(lead.declined),
                    json.dumps(lead.asked),
                    lead.last_asked,
                    int(lead.converted),
                    lead.converted_at,
                    lead.created_at,
                    lead.updated_at,
                ),
            )

    def list(self, bot_id: str) -> list[Lead]:
        rows = self.journal.connection().execute(
            "SELECT * FROM leads WHERE bot_id = ? ORDER BY created_at", (bot_id,)
        )
        return [_lead(r) for r in rows]

    def delete(self, bot_id: str, user: str) -> bool:
        """A customer's right to erasure: the lead and the messages behind it go."""
        with self.journal.transaction() as db:
            row = db.execute(
                "SELECT conversation FROM leads WHERE bot_id = ? AND user = ?", (bot_id, user)
            ).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM leads WHERE bot_id = ? AND user = ?", (bot_id, user))
            db.execute(
                "DELETE FROM messages WHERE bot_id = ? AND (conversation = ? OR speaker = ?)",
                (bot_id, row["conversation"], user),
            )
            db.execute(
                "UPDATE inbox SET text = '', answer = NULL WHERE bot_id = ? AND speaker = ?",
                (bot_id, user),
            )
            return True


def _lead(row: Any) -> Lead:
    return Lead(
        bot_id=row["bot_id"],
        user=row["user"],
        conversation=row["conversation"],
        variant=row["variant"],
        fields=json.loads(row["fields"]),
        declined=json.loads(row["declined"]),
        asked=json.loads(row["asked"]),
        last_asked=row["last_asked"],
        converted=bool(row["converted"]),
        converted_at=row["converted_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
