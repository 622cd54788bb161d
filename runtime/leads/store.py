"""Leads in the journal: one per bot and person, updated as conversations go on."""

from __future__ import annotations

import builtins
import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from runtime.inbox import FIRST_CHANNELS, Inbox, family_of
from runtime.store.conversations import Conversations
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
    source: str | None = None  # the campaign the person came from (runtime/store/sources)

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
                " last_asked, converted, converted_at, created_at, updated_at, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " (SELECT source FROM sources WHERE bot_id = ? AND user = ?))"
                " ON CONFLICT (bot_id, user) DO UPDATE SET conversation = excluded.conversation,"
                " variant = COALESCE(leads.variant, excluded.variant), fields = excluded.fields,"
                " declined = excluded.declined, asked = excluded.asked,"
                " last_asked = excluded.last_asked, converted = excluded.converted,"
                " converted_at = excluded.converted_at, updated_at = excluded.updated_at,"
                " source = COALESCE(leads.source, excluded.source)",
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
                    lead.bot_id,
                    lead.user,
                ),
            )
            found = db.execute(
                "SELECT source FROM leads WHERE bot_id = ? AND user = ?", (lead.bot_id, lead.user)
            ).fetchone()
            lead.source = found[0] if found else None

    def learn_source(self, bot_id: str, user: str, db: sqlite3.Connection) -> None:
        """The person's source became known after their lead was made: the lead takes it."""
        db.execute(
            "UPDATE leads SET source = (SELECT source FROM sources WHERE bot_id = ? AND user = ?)"
            " WHERE bot_id = ? AND user = ? AND source IS NULL",
            (bot_id, user, bot_id, user),
        )

    def list(self, bot_id: str) -> list[Lead]:
        rows = self.journal.connection().execute(
            "SELECT * FROM leads WHERE bot_id = ? ORDER BY created_at", (bot_id,)
        )
        return [_lead(r) for r in rows]

    def count(self, bot_id: str, since: float | None = None, until: float | None = None) -> int:
        """How many leads the bot has; with `since` and `until`, created in [since, until)."""
        sql = "SELECT COUNT(*) FROM leads WHERE bot_id = ?"
        args: builtins.list[object] = [bot_id]
        if since is not None and until is not None:
            sql += " AND created_at >= ? AND created_at < ?"
            args += [since, until]
        row = self.journal.connection().execute(sql, args).fetchone()
        return int(row[0] or 0)

    def conversions_by_variant(
        self, bot_id: str, since: float, until: float
    ) -> builtins.list[tuple[str, int]]:  # builtins: `list` here is the method above
        """(variant, or "-" for none; how many) of the leads converted in [since, until)."""
        rows = self.journal.connection().execute(
            "SELECT COALESCE(variant, '-'), COUNT(*) FROM leads WHERE bot_id = ? AND converted = 1"
            " AND converted_at >= ? AND converted_at < ? GROUP BY 1 ORDER BY 1",
            (bot_id, since, until),
        )
        return [(variant, n) for variant, n in rows]

    def by_source(self, bot_id: str) -> dict[str | None, tuple[int, int]]:
        """source (None: unknown) -> (customers' leads, of them converted)."""
        rows = self.journal.connection().execute(
            "SELECT source, COUNT(*), SUM(converted) FROM leads WHERE bot_id = ?"
            " AND user NOT LIKE 'studio:%' GROUP BY source",
            (bot_id,),
        )
        return {source: (n, converted or 0) for source, n, converted in rows}

    def by_channel(self, bot_id: str) -> dict[str, tuple[int, int]]:
        """channel family (the person's first) -> (customers' leads, of them converted)."""
        rows = self.journal.connection().execute(
            f"SELECT f.channel, COUNT(*), SUM(l.converted) FROM leads l JOIN {FIRST_CHANNELS} f"
            " ON f.speaker = l.user WHERE l.bot_id = ? GROUP BY f.channel",
            (bot_id, bot_id),
        )
        found: dict[str, tuple[int, int]] = {}
        for channel, n, converted in rows:
            had, had_converted = found.get(family_of(channel), (0, 0))
            found[family_of(channel)] = (had + n, had_converted + (converted or 0))
        return found

    def customer_activity(
        self, bot_id: str, since: float
    ) -> builtins.list[tuple[float, float | None]]:
        """(created at, converted at) of customers' leads (not the studio's testers') created
        or converted from `since` on."""
        rows = self.journal.connection().execute(
            "SELECT created_at, converted_at FROM leads WHERE bot_id = ?"
            " AND user NOT LIKE 'studio:%' AND (created_at >= ? OR converted_at >= ?)",
            (bot_id, since, since),
        )
        return [(created, converted) for created, converted in rows]

    def delete(self, bot_id: str, user: str) -> bool:
        """A customer's right to erasure: the lead and the messages behind it go."""
        with self.journal.transaction() as db:
            row = db.execute(
                "SELECT conversation FROM leads WHERE bot_id = ? AND user = ?", (bot_id, user)
            ).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM leads WHERE bot_id = ? AND user = ?", (bot_id, user))
            Conversations(self.journal).forget_person(bot_id, row["conversation"], user, db)
            Inbox(self.journal).forget_speaker(bot_id, user, db)
            return True

    def mentions(self, bot_id: str, name: str, db: sqlite3.Connection) -> bool:
        """Whether a lead of the bot is of, or from a conversation called, `name`."""
        row = db.execute(
            "SELECT 1 FROM leads WHERE bot_id = ? AND (user = ? OR conversation = ?) LIMIT 1",
            (bot_id, name, name),
        ).fetchone()
        return row is not None

    def follow(self, bot_id: str, conversation: str, to: str, db: sqlite3.Connection) -> None:
        """A conversation was set aside as `to` (in the caller's transaction): a lead from it
        points at it, and each value at where it was said; the person whose conversation it
        is (in the studio, the same id) moves too, so that the fresh conversation starts a
        fresh lead."""
        rows = db.execute(
            "SELECT user, fields FROM leads WHERE bot_id = ? AND conversation = ?",
            (bot_id, conversation),
        ).fetchall()
        for user, fields in rows:
            values = json.loads(fields)
            for value in values.values():
                if value.get("where") == conversation:
                    value["where"] = to
            db.execute(
                "UPDATE leads SET user = ?, conversation = ?, fields = ?"
                " WHERE bot_id = ? AND user = ?",
                (
                    to if user == conversation else user,
                    to,
                    json.dumps(values, ensure_ascii=False),
                    bot_id,
                    user,
                ),
            )


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
        source=row["source"],
    )
