"""The overview's figures from a real journal: per day in the bot's time zone, and the
last 24 hours' problems."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from runtime.overview import daily, errors
from runtime.spec import parse_bot
from runtime.store import Journal

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


def test_replies_reply_time_leads_and_conversions_per_day(tmp_path: Path) -> None:
    spec = parse_bot(b"id: shop\nname: Shop\n", "shop.yaml", lang="en")
    journal = Journal(tmp_path / "j.sqlite3")
    with journal.transaction() as db:
        for when, ms in [
            ("2026-11-21 23:30", 800),
            ("2026-11-22 00:30", 400),
            ("2026-11-22 10:00", 600),
            ("2026-11-22 11:00", 1000),
            ("2026-11-22 11:30", 3),  # answered from the FAQ: counted, not in the median
        ]:
            payload = {"latency_ms": ms, **({"faq": "answer"} if ms == 3 else {})}
            db.execute(
                "INSERT INTO events (bot_id, kind, user, payload, created_at)"
                " VALUES ('shop', 'message', 'u', ?, ?)",
                (json.dumps(payload), at(when)),
            )
        for user, created, converted in [
            ("a", "2026-11-21 12:00", "2026-11-22 09:00"),
            ("b", "2026-11-22 12:00", None),
            ("studio:tester", "2026-11-22 12:00", None),
        ]:
            db.execute(
                "INSERT INTO leads (bot_id, user, conversation, converted, converted_at,"
                " created_at, updated_at) VALUES ('shop', ?, ?, ?, ?, ?, ?)",
                (
                    user,
                    user,
                    int(bool(converted)),
                    converted and at(converted),
                    at(created),
                    at(created),
                ),
            )
        nine = at("2026-11-22 09:00")
        db.execute(
            "INSERT INTO schedule_runs (bot_id, schedule_id, trigger, due_at, started_at,"
            " state, error) VALUES ('shop', 'morning', 'cron', ?, ?, 'failed', 'unbound')",
            (nine, nine),
        )
    figures = daily(journal, spec, days=3, now=at("2026-11-22 18:00"))
    assert figures["days"] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert figures["replies"] == [0, 1, 4]  # 00:30 Shanghai is the 22nd, not UTC's 21st
    assert figures["faq_answers"] == [0, 0, 1]
    assert figures["median_reply_s"] == [0, 0.8, 0.6]  # the model's replies only
    assert figures["leads"] == [0, 1, 1]  # the studio's tester is not a lead
    assert figures["conversions"] == [0, 0, 1]
    (problem,) = errors(journal, "shop", now=at("2026-11-22 18:00"))
    assert problem["what"] == "schedule" and "unbound" in problem["detail"]
    assert errors(journal, "shop", now=at("2026-11-24 18:00")) == []  # older than 24 hours
