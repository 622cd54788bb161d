"""The day-to-day figures of one bot: replies per day, median reply time, new leads and
conversions per day, and what went wrong in the last 24 hours. Days are the bot's days,
in its time zone."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runtime.i18n import said
from runtime.spec.model import BotSpec
from runtime.store.db import Journal

DAY = 86_400


def daily(
    journal: Journal, spec: BotSpec, days: int = 14, now: float | None = None
) -> dict[str, list]:
    """{"days": [...], "replies": [...], "median_reply_s": [...], "leads": [...],
    "conversions": [...]}, oldest day first, one value per day."""
    now = now or time.time()
    zone = ZoneInfo(spec.timezone)
    today = datetime.fromtimestamp(now, zone).date()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = datetime.combine(span[0], datetime.min.time(), zone).timestamp()

    def day_of(moment: float) -> date:
        return datetime.fromtimestamp(moment, zone).date()

    db = journal.connection()
    latencies: dict[date, list[float]] = defaultdict(list)
    for payload, at in db.execute(
        "SELECT payload, created_at FROM events WHERE bot_id = ? AND kind = 'message'"
        " AND created_at >= ?",
        (spec.id, start),
    ):
        latencies[day_of(at)].append(json.loads(payload).get("latency_ms", 0) / 1000)
    leads: dict[date, int] = defaultdict(int)
    conversions: dict[date, int] = defaultdict(int)
    for created, converted_at in db.execute(
        "SELECT created_at, converted_at FROM leads WHERE bot_id = ? AND user NOT LIKE 'studio:%'"
        " AND (created_at >= ? OR converted_at >= ?)",
        (spec.id, start, start),
    ):
        if created >= start:
            leads[day_of(created)] += 1
        if converted_at and converted_at >= start:
            conversions[day_of(converted_at)] += 1
    return {
        "days": [d.isoformat() for d in span],
        "replies": [len(latencies[d]) for d in span],
        "median_reply_s": [
            round(statistics.median(latencies[d]), 2) if latencies[d] else 0 for d in span
        ],
        "leads": [leads[d] for d in span],
        "conversions": [conversions[d] for d in span],
    }


def errors(journal: Journal, bot_id: str | None, now: float | None = None) -> list[dict[str, Any]]:
    """What went wrong in the last 24 hours, latest first: for one bot, or (None) for all.
    Each: at, bot, what (delivery | schedule | unanswered), detail, and the schedule's id."""
    since = (now or time.time()) - DAY
    mine = "" if bot_id is None else " AND bot_id = ?"
    args = (since,) if bot_id is None else (since, bot_id)
    db = journal.connection()
    found = [
        {"at": at, "bot": bot, "what": "delivery", "detail": error or ""}
        for at, bot, error in db.execute(
            "SELECT created_at, bot_id, last_error FROM outbox WHERE state = 'failed'"
            " AND created_at > ?" + mine,
            args,
        )
    ]
    found += [
        {
            "at": at,
            "bot": bot,
            "what": "schedule",
            "schedule": schedule,
            "detail": error or said(f"sched.state.{state}"),
        }
        for at, bot, schedule, state, error in db.execute(
            "SELECT started_at, bot_id, schedule_id, state, error FROM schedule_runs"
            " WHERE state IN ('failed', 'missed') AND started_at > ?" + mine,
            args,
        )
    ]
    found += [
        {"at": at, "bot": bot, "what": "unanswered", "detail": text[:60]}
        for at, bot, text in db.execute(
            "SELECT received_at, bot_id, text FROM inbox WHERE state = 'ignored'"
            " AND received_at > ?" + mine,
            args,
        )
    ]
    return sorted(found, key=lambda e: e["at"], reverse=True)
