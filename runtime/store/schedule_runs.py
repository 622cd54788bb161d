"""The schedules' record in the journal: every run (schedule_runs) and since when each
schedule, as it is now, has been known (schedule_state). runtime/schedules/runner.py
decides when to run; this module is the only one that reads or writes these tables."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from runtime.store.db import Journal


class ScheduleRuns:
    def __init__(self, journal: Journal):
        self.journal = journal

    # --- since when a schedule has been known ----------------------------------------

    def known_since(self, bot_id: str, schedule_id: str) -> tuple[str, float] | None:
        """(the schedule's key when it was last (re)started, since when), or None if new."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT cron_key, since FROM schedule_state WHERE bot_id = ? AND schedule_id = ?",
                (bot_id, schedule_id),
            )
            .fetchone()
        )
        return None if row is None else (row["cron_key"], row["since"])

    def restart(self, bot_id: str, schedule_id: str, key: str, now: float) -> None:
        """A new, edited, paused or resumed schedule counts from `now` on."""
        with self.journal.transaction() as db:
            db.execute(
                "INSERT INTO schedule_state VALUES (?, ?, ?, ?) ON CONFLICT"
                " (bot_id, schedule_id) DO UPDATE SET cron_key = excluded.cron_key,"
                " since = excluded.since",
                (bot_id, schedule_id, key, now),
            )

    # --- runs ------------------------------------------------------------------------

    def last_due(self, bot_id: str, schedule_id: str) -> float | None:
        """The latest due time the cron has run (a run now is not one)."""
        row = (
            self.journal.connection()
            .execute(
                "SELECT MAX(due_at) FROM schedule_runs WHERE bot_id = ? AND schedule_id = ?"
                " AND trigger = 'cron'",
                (bot_id, schedule_id),
            )
            .fetchone()
        )
        return None if row is None else row[0]

    def claim(
        self,
        bot_id: str,
        schedule_id: str,
        trigger: str,
        due_at: float,
        now: float,
        missed: int = 0,
    ) -> int | None:
        """The new run's id; None when another process has claimed this due time."""
        try:
            with self.journal.transaction() as db:
                return db.execute(
                    "INSERT INTO schedule_runs (bot_id, schedule_id, trigger, due_at, started_at,"
                    " state, missed) VALUES (?, ?, ?, ?, ?, 'running', ?)",
                    (bot_id, schedule_id, trigger, due_at, now, missed),
                ).lastrowid
        except sqlite3.IntegrityError:
            return None

    def finish(
        self,
        run_id: int,
        state: str,
        text: str | None,
        error: str | None,
        outbox_ids: list[int],
        now: float,
    ) -> None:
        with self.journal.transaction() as db:
            db.execute(
                "UPDATE schedule_runs SET state = ?, text = ?, error = ?, outbox_ids = ?,"
                " finished_at = ? WHERE id = ?",
                (state, text, error, json.dumps(outbox_ids), now, run_id),
            )

    def latest(
        self, bot_id: str, schedule_id: str | None = None, limit: int = 20
    ) -> list[sqlite3.Row]:
        """A bot's runs (of one schedule, or of all), latest first."""
        sql = "SELECT * FROM schedule_runs WHERE bot_id = ?"
        args: list[Any] = [bot_id]
        if schedule_id is not None:
            sql += " AND schedule_id = ?"
            args.append(schedule_id)
        rows = self.journal.connection().execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return rows.fetchall()

    def failed_since(
        self, since: float, bot_id: str | None = None
    ) -> list[tuple[float, str, str, str, str | None]]:
        """(started at, bot, schedule, state, error) of each run that failed or was missed
        after `since`: for one bot, or (None) for all."""
        mine = "" if bot_id is None else " AND bot_id = ?"
        args = (since,) if bot_id is None else (since, bot_id)
        rows = self.journal.connection().execute(
            "SELECT started_at, bot_id, schedule_id, state, error FROM schedule_runs"
            " WHERE state IN ('failed', 'missed') AND started_at > ?" + mine,
            args,
        )
        return [(at, bot, schedule, state, error) for at, bot, schedule, state, error in rows]
