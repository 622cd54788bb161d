"""Where each customer came from: the campaign (a 微信客服 contact link's `scene`, a web
chat link's source…) that brought them, per bot.

The first campaign is the customer's for reports, as a variant is (first touch: a customer
who later opens another campaign's link does not move between groups); the latest is kept
beside it. Reports split by source with `people_from`, an SQL condition on a `user` column.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from runtime.store.db import Journal

SOURCE_LIMIT = 64  # a scene is at most 32 characters; room for other channels' names


@dataclass(frozen=True)
class Source:
    source: str  # the first campaign
    detail: str | None  # what its link carried besides (scene_param)
    last_source: str
    channel: str
    first_at: float


class Sources:
    def __init__(self, journal: Journal):
        self.journal = journal

    def record(
        self,
        bot_id: str,
        user: str,
        channel: str,
        source: str,
        detail: str | None = None,
        *,
        at: float | None = None,
        db: sqlite3.Connection | None = None,
    ) -> None:
        """`user` came (again) from `source`: the first one stays theirs."""
        source = source.strip()[:SOURCE_LIMIT]
        if not source or not user:
            return
        at = time.time() if at is None else at
        (db or self.journal.connection()).execute(
            "INSERT INTO sources (bot_id, user, channel, source, detail, last_source, first_at,"
            " last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (bot_id, user) DO UPDATE SET last_source = excluded.last_source,"
            " last_at = excluded.last_at",
            (bot_id, user, channel, source, detail or None, source, at, at),
        )

    def of(self, bot_id: str, user: str) -> Source | None:
        row = (
            self.journal.connection()
            .execute("SELECT * FROM sources WHERE bot_id = ? AND user = ?", (bot_id, user))
            .fetchone()
        )
        if row is None:
            return None
        return Source(
            row["source"], row["detail"], row["last_source"], row["channel"], row["first_at"]
        )

    def names(self, bot_id: str) -> list[str]:
        """The sources this bot's customers came from, the most common first."""
        rows = self.journal.connection().execute(
            "SELECT source FROM sources WHERE bot_id = ? GROUP BY source"
            " ORDER BY COUNT(*) DESC, source",
            (bot_id,),
        )
        return [row[0] for row in rows]

    def people(self, bot_id: str) -> dict[str, int]:
        """source -> how many customers came first from it."""
        rows = self.journal.connection().execute(
            "SELECT source, COUNT(*) FROM sources WHERE bot_id = ? GROUP BY source", (bot_id,)
        )
        return {row[0]: row[1] for row in rows}


def people_from(column: str = "user") -> str:
    """An SQL condition: `column` is a customer whose first source is the parameters'
    (bot_id, source); for reports split by source."""
    return f"{column} IN (SELECT user FROM sources WHERE bot_id = ? AND source = ?)"
