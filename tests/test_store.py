"""Conversation memory in a real SQLite file: survives reopening, resets per user."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runtime.store import Conversations, Journal, Turn
from runtime.store.db import MIGRATIONS


def test_history_survives_a_restart_and_is_kept_per_bot_and_user(tmp_path: Path) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    first = Conversations(Journal(path))
    first.append("bot-a", "alice", [Turn("user", "你好"), Turn("assistant", "您好！")])
    first.append("bot-a", "bob", [Turn("user", "hi")])
    first.append("bot-b", "alice", [Turn("user", "other bot")])
    first.journal.close()

    reopened = Conversations(Journal(path))  # a new process would do exactly this
    assert reopened.history("bot-a", "alice") == [Turn("user", "你好"), Turn("assistant", "您好！")]
    assert reopened.history("bot-a", "bob") == [Turn("user", "hi")]


def test_reset_forgets_one_conversation_only(tmp_path: Path) -> None:
    store = Conversations(Journal(tmp_path / "j.sqlite3"))
    store.append("bot", "alice", [Turn("user", "1"), Turn("assistant", "2")])
    store.append("bot", "bob", [Turn("user", "3")])
    assert store.reset("bot", "alice") == 2
    assert store.history("bot", "alice") == []
    assert store.history("bot", "bob") == [Turn("user", "3")]


def test_history_limit_keeps_the_latest_in_order(tmp_path: Path) -> None:
    store = Conversations(Journal(tmp_path / "j.sqlite3"))
    store.append("bot", "u", [Turn("user", str(i)) for i in range(10)])
    assert [t.content for t in store.history("bot", "u", limit=3)] == ["7", "8", "9"]


def test_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    Journal(path).close()
    journal = Journal(path)
    names = [r[0] for r in journal.connection().execute("SELECT name FROM _migrations")]
    assert names == [name for name, _ in MIGRATIONS]  # each once, in order
    assert names[:5] == [
        "m001_messages",
        "m002_inbox_outbox",
        "m003_leads",
        "m004_assignments",
        "m005_event_variant",
    ]


def test_an_old_journal_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY)")
    for name, apply in MIGRATIONS[:4]:  # a journal from before events had a variant
        apply(old)
        old.execute("INSERT INTO _migrations VALUES (?)", (name,))
    old.execute("INSERT INTO events (bot_id, kind, payload, created_at) VALUES ('b', 'x', '{}', 1)")
    old.commit()
    old.close()
    journal = Journal(path)
    row = journal.connection().execute("SELECT kind, variant FROM events").fetchone()
    assert tuple(row) == ("x", None)  # kept, with the new column
