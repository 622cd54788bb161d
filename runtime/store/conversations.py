"""Conversation memory: what each user (or group chat) said to each bot, surviving restarts."""

from __future__ import annotations

import json
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

    def set_aside(self, bot_id: str, conversation: str) -> str | None:
        """Start `conversation` afresh without forgetting it: its messages move to
        `<conversation>#1` (#2, … the first free id), and so does a lead captured from
        them, still pointing at them. Returns the new id, or None with nothing said yet.
        (The studio's 清空对话: a lead's evidence is never erased by a try-out reset.)"""
        with self.journal.transaction() as db:
            said = db.execute(
                "SELECT 1 FROM messages WHERE bot_id = ? AND conversation = ? LIMIT 1",
                (bot_id, conversation),
            ).fetchone()
            if said is None:
                return None
            number = 1
            taken = (
                "SELECT 1 FROM messages WHERE bot_id = :bot AND conversation = :id UNION ALL"
                " SELECT 1 FROM leads WHERE bot_id = :bot AND (user = :id OR conversation = :id)"
            )
            while db.execute(taken, {"bot": bot_id, "id": f"{conversation}#{number}"}).fetchone():
                number += 1
            kept = f"{conversation}#{number}"
            db.execute(
                "UPDATE messages SET conversation = ? WHERE bot_id = ? AND conversation = ?",
                (kept, bot_id, conversation),
            )
            # a lead from it points at it, and each value at where it was said; the person
            # whose conversation it is (in the studio, the same id) moves too, so that the
            # fresh conversation starts a fresh lead
            leads = db.execute(
                "SELECT user, fields FROM leads WHERE bot_id = ? AND conversation = ?",
                (bot_id, conversation),
            ).fetchall()
            for user, fields in leads:
                values = json.loads(fields)
                for value in values.values():
                    if value.get("where") == conversation:
                        value["where"] = kept
                db.execute(
                    "UPDATE leads SET user = ?, conversation = ?, fields = ?"
                    " WHERE bot_id = ? AND user = ?",
                    (
                        kept if user == conversation else user,
                        kept,
                        json.dumps(values, ensure_ascii=False),
                        bot_id,
                        user,
                    ),
                )
            return kept

    def reset(self, bot_id: str, conversation: str) -> int:
        """Forget a conversation; returns how many messages were removed."""
        with self.journal.transaction() as db:
            cursor = db.execute(
                "DELETE FROM messages WHERE bot_id = ? AND conversation = ?",
                (bot_id, conversation),
            )
            return cursor.rowcount
