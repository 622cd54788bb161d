"""Conversation memory: what each user (or group chat) said to each bot, surviving restarts."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from runtime.store.db import Journal


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "assistant"
    content: str


class Conversations:
    def __init__(self, journal: Journal):
        self.journal = journal

    def history(self, bot_id: str, conversation: str, limit: int = 200) -> list[Turn]:
        """The latest `limit` messages, oldest first."""
        rows = self.journal.connection().execute(
            "SELECT role, content FROM messages WHERE bot_id = ? AND conversation = ?"
            " ORDER BY id DESC LIMIT ?",
            (bot_id, conversation, limit),
        )
        return [Turn(row["role"], row["content"]) for row in reversed(rows.fetchall())]

    def append(
        self,
        bot_id: str,
        conversation: str,
        turns: list[Turn],
        *,
        variant: str | None = None,
        speaker: str | None = None,
        db: sqlite3.Connection | None = None,
    ) -> None:
        """Remember these turns; `db`: within the caller's transaction."""
        now = time.time()
        sql = (
            "INSERT INTO messages (bot_id, conversation, speaker, role, content, variant,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        rows = [(bot_id, conversation, speaker, t.role, t.content, variant, now) for t in turns]
        if db is not None:
            db.executemany(sql, rows)
            return
        with self.journal.transaction() as tx:
            tx.executemany(sql, rows)

    def said(self, bot_id: str, conversation: str, db: sqlite3.Connection | None = None) -> bool:
        """Whether anything was said in this conversation (in `db`'s transaction, if given)."""
        db = db or self.journal.connection()
        row = db.execute(
            "SELECT 1 FROM messages WHERE bot_id = ? AND conversation = ? LIMIT 1",
            (bot_id, conversation),
        ).fetchone()
        return row is not None

    def move(self, bot_id: str, conversation: str, to: str, db: sqlite3.Connection) -> None:
        """What was said in `conversation` is now said in `to` (in the caller's transaction)."""
        db.execute(
            "UPDATE messages SET conversation = ? WHERE bot_id = ? AND conversation = ?",
            (to, bot_id, conversation),
        )

    def forget_person(
        self, bot_id: str, conversation: str, speaker: str, db: sqlite3.Connection
    ) -> None:
        """Erase a person's conversation and all they said in groups (in the caller's
        transaction): the right to erasure."""
        db.execute(
            "DELETE FROM messages WHERE bot_id = ? AND (conversation = ? OR speaker = ?)",
            (bot_id, conversation, speaker),
        )

    def reset(self, bot_id: str, conversation: str) -> int:
        """Forget a conversation; returns how many messages were removed."""
        with self.journal.transaction() as db:
            cursor = db.execute(
                "DELETE FROM messages WHERE bot_id = ? AND conversation = ?",
                (bot_id, conversation),
            )
            return cursor.rowcount
