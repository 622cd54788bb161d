"""What happened, for reports: conversations started, replies (latency, tokens), lead
fields captured, conversions and 👍/👎 feedback. One row per event in the journal.

Reports count events by the person's A/B assignment, so each event carries the
person (`user`: in a group, the member) and the variant that answered them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from runtime.store.db import Journal

STARTED = "started"  # first contact of a person with a bot
MESSAGE = "message"  # a reply: {latency_ms, seconds, tokens, turn}
FIELD = "field"  # a lead field captured: {key}
CONVERTED = "converted"  # the lead's converted_when fields are all known: {turn}
FEEDBACK = "feedback"  # 👍 (+1), 👎 (-1) or withdrawn (0): {value, reply, source}
UNANSWERED = "unanswered"  # a customer's question no FAQ answered: {text} (热门问题)


class EventLog:
    def __init__(self, journal: Journal):
        self.journal = journal

    def record(
        self,
        bot_id: str,
        kind: str,
        user: str | None,
        payload: dict[str, Any] | None = None,
        *,
        variant: str | None = None,
        db: sqlite3.Connection | None = None,
    ) -> None:
        row = (
            bot_id,
            kind,
            user,
            variant,
            json.dumps(payload or {}, ensure_ascii=False),
            time.time(),
        )
        sql = (
            "INSERT INTO events (bot_id, kind, user, variant, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
        )
        if db is not None:
            db.execute(sql, row)
        else:
            with self.journal.transaction() as tx:
                tx.execute(sql, row)

    # --- reading, for reports ----------------------------------------------------------

    def count(self, bot_id: str, kind: str, since: float, until: float) -> int:
        """How many events of `kind` the bot had in [since, until)."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT COUNT(*) FROM events WHERE bot_id = ? AND kind = ?"
                " AND created_at >= ? AND created_at < ?",
                (bot_id, kind, since, until),
            )
            .fetchone()
        )
        return int(row[0] or 0)

    def since(self, bot_id: str, kind: str, since: float) -> list[tuple[float, dict[str, Any]]]:
        """(when, payload) of the bot's events of `kind` from `since` on."""
        rows = self.journal.connection().execute(
            "SELECT created_at, payload FROM events WHERE bot_id = ? AND kind = ?"
            " AND created_at >= ?",
            (bot_id, kind, since),
        )
        return [(at, json.loads(payload)) for at, payload in rows]

    def team_feedback(self, bot_id: str) -> list[tuple[str | None, dict[str, Any]]]:
        """(variant, payload) of each 👍/👎 the team gave in the studio (user studio:…)."""
        rows = self.journal.connection().execute(
            "SELECT variant, payload FROM events WHERE bot_id = ? AND kind = 'feedback'"
            " AND user LIKE 'studio:%'",
            (bot_id,),
        )
        return [(variant, json.loads(payload)) for variant, payload in rows]
