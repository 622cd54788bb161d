"""The inbox: every message from a channel is journaled before the channel hears back.

The (channel, bot, msgid) key is unique, so WeCom delivering the same message
twice, or three times at once, journals it once: the database decides, not a
race between requests.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from runtime.store.db import Journal
from runtime.store.events import EventLog


@dataclass(frozen=True)
class Inbound:
    channel: str  # aibot | app | longconn
    bot_id: str
    msgid: str
    conversation: str  # group chat id, or the user in a 1:1 chat
    speaker: str
    text: str
    reply: dict[str, Any] = field(default_factory=dict)  # how to answer


class Inbox:
    def __init__(self, journal: Journal):
        self.journal = journal

    def accept(self, message: Inbound) -> tuple[int, bool]:
        """Journal a message: (its row id, True) the first time; (the first's id, False) after."""
        with self.journal.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO inbox (channel, bot_id, msgid, conversation, speaker, text,"
                " reply, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.channel,
                    message.bot_id,
                    message.msgid,
                    message.conversation,
                    message.speaker,
                    message.text,
                    json.dumps(message.reply, ensure_ascii=False),
                    time.time(),
                ),
            )
            if cursor.rowcount:
                return cursor.lastrowid, True
            row = db.execute(
                "SELECT id FROM inbox WHERE channel = ? AND bot_id = ? AND msgid = ?",
                (message.channel, message.bot_id, message.msgid),
            ).fetchone()
            return row[0], False

    def get(self, inbox_id: int) -> sqlite3.Row | None:
        return (
            self.journal.connection()
            .execute("SELECT * FROM inbox WHERE id = ?", (inbox_id,))
            .fetchone()
        )

    def count_since(self, bot_id: str, speaker: str, since: float, until: float) -> int:
        """How many messages this person sent the bot in (since, until]: for the rate limit,
        which judges a message by what came before it (and itself), never after."""
        return (
            self.journal.connection()
            .execute(
                "SELECT COUNT(*) FROM inbox WHERE bot_id = ? AND speaker = ?"
                " AND received_at > ? AND received_at <= ?",
                (bot_id, speaker, since, until),
            )
            .fetchone()[0]
        )

    def unanswered(self) -> list[int]:
        rows = self.journal.connection().execute(
            "SELECT id FROM inbox WHERE state = 'received' ORDER BY id"
        )
        return [r[0] for r in rows]

    def finish(self, inbox_id: int, state: str, answer: str | None, db=None) -> None:
        sql = "UPDATE inbox SET state = ?, answer = ?, answered_at = ? WHERE id = ?"
        args = (state, answer, time.time(), inbox_id)
        if db is not None:
            db.execute(sql, args)
        else:
            with self.journal.transaction() as tx:
                tx.execute(sql, args)

    def record_event(self, bot_id: str, kind: str, user: str | None, payload: dict) -> None:
        """A WeCom event as it came (enter_chat, template card clicks...), for the record."""
        EventLog(self.journal).record(bot_id, kind, user, payload)
