"""Conversation memory: what each user (or group chat) said to each bot, surviving restarts."""

from __future__ import annotations

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
    ) -> None:
        now = time.time()
        with self.journal.transaction() as db:
            db.executemany(
                "INSERT INTO messages (bot_id, conversation, speaker, role, content, variant,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(bot_id, conversation, speaker, t.role, t.content, variant, now) for t in turns],
            )

    def reset(self, bot_id: str, conversation: str) -> int:
        """Forget a conversation; returns how many messages were removed."""
        with self.journal.transaction() as db:
            cursor = db.execute(
                "DELETE FROM messages WHERE bot_id = ? AND conversation = ?",
                (bot_id, conversation),
            )
            return cursor.rowcount
