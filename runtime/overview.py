"""The day-to-day figures of one bot: replies per day, median reply time, new leads and
conversions per day, and what went wrong in the last 24 hours. Days are the bot's days,
in its time zone; and per campaign and per channel the customers came by."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from runtime.i18n import said
from runtime.inbox import CHANNEL_FAMILIES, Inbox
from runtime.leads.store import LeadStore
from runtime.outbox import failed_since
from runtime.spec.model import BotSpec
from runtime.store.db import Journal
from runtime.store.events import MESSAGE, EventLog
from runtime.store.schedule_runs import ScheduleRuns
from runtime.store.sources import Sources

DAY = 86_400


class DailyFigures(TypedDict):
    """One value per day, oldest first; the numbers are chart series (counts, seconds)."""

    days: list[str]  # ISO dates
    replies: list[float]
    faq_answers: list[float]  # of the replies, those the FAQ gave at once (no model)
    median_reply_s: list[float]
    leads: list[float]
    conversions: list[float]


def daily(
    journal: Journal, spec: BotSpec, days: int = 14, now: float | None = None
) -> DailyFigures:
    """{"days": [...], "replies": [...], "faq_answers": [...], "median_reply_s": [...],
    "leads": [...], "conversions": [...]}, oldest day first, one value per day."""
    now = now or time.time()
    zone = ZoneInfo(spec.timezone)
    today = datetime.fromtimestamp(now, zone).date()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = datetime.combine(span[0], datetime.min.time(), zone).timestamp()

    def day_of(moment: float) -> date:
        return datetime.fromtimestamp(moment, zone).date()

    latencies: dict[date, list[float]] = defaultdict(list)  # the model's replies
    replies: dict[date, int] = defaultdict(int)
    faq: dict[date, int] = defaultdict(int)
    for at, payload in EventLog(journal).since(spec.id, MESSAGE, start):
        replies[day_of(at)] += 1
        if payload.get("faq"):  # instant: it would hide how long the model takes
            faq[day_of(at)] += payload["faq"] == "answer"
        else:
            latencies[day_of(at)].append(payload.get("latency_ms", 0) / 1000)
    leads: dict[date, int] = defaultdict(int)
    conversions: dict[date, int] = defaultdict(int)
    for created, converted_at in LeadStore(journal).customer_activity(spec.id, start):
        if created >= start:
            leads[day_of(created)] += 1
        if converted_at and converted_at >= start:
            conversions[day_of(converted_at)] += 1
    return {
        "days": [d.isoformat() for d in span],
        "replies": [replies[d] for d in span],
        "faq_answers": [faq[d] for d in span],
        "median_reply_s": [
            round(statistics.median(latencies[d]), 2) if latencies[d] else 0 for d in span
        ],
        "leads": [leads[d] for d in span],
        "conversions": [conversions[d] for d in span],
    }


class SourceFigures(TypedDict):
    source: str | None  # None: customers whose campaign is not known
    people: int  # customers who came first from it
    leads: int
    converted: int


def by_source(journal: Journal, spec: BotSpec) -> list[SourceFigures]:
    """Per campaign the customers came from: how many came, left a lead, converted; the
    most customers first, the unknown last."""
    people = Sources(journal).people(spec.id)
    leads = LeadStore(journal).by_source(spec.id)
    names = [*people, *(s for s in leads if s is not None and s not in people)]
    rows: list[SourceFigures] = [
        {
            "source": name,
            "people": people.get(name, 0),
            "leads": leads.get(name, (0, 0))[0],
            "converted": leads.get(name, (0, 0))[1],
        }
        for name in names
    ]
    rows.sort(key=lambda row: (-row["people"], -row["leads"], str(row["source"])))
    if None in leads:
        n, converted = leads[None]
        rows.append({"source": None, "people": 0, "leads": n, "converted": converted})
    return rows


class ChannelFigures(TypedDict):
    channel: str  # wecom | kf | web | api: where customers first wrote to the bot
    people: int
    replies: int  # the bot's answers on it
    leads: int
    converted: int


def by_channel(journal: Journal, spec: BotSpec) -> list[ChannelFigures]:
    """Per channel customers came in by (企业微信, 微信客服, the web chat link, the API):
    how many came, how many answers went out there, leads and conversions; in the
    channels' usual order, those nobody used left out."""
    people = Inbox(journal).by_channel(spec.id)
    leads = LeadStore(journal).by_channel(spec.id)
    order = [*CHANNEL_FAMILIES, *(c for c in people if c not in CHANNEL_FAMILIES)]
    return [
        {
            "channel": name,
            "people": people.get(name, (0, 0))[0],
            "replies": people.get(name, (0, 0))[1],
            "leads": leads.get(name, (0, 0))[0],
            "converted": leads.get(name, (0, 0))[1],
        }
        for name in order
        if name in people
    ]


def errors(journal: Journal, bot_id: str | None, now: float | None = None) -> list[dict[str, Any]]:
    """What went wrong in the last 24 hours, latest first: for one bot, or (None) for all.
    Each: at, bot, what (delivery | schedule | unanswered), detail, and the schedule's id."""
    since = (now or time.time()) - DAY
    found = [
        {"at": at, "bot": bot, "what": "delivery", "detail": error}
        for at, bot, error in failed_since(journal, since, bot_id)
    ]
    found += [
        {
            "at": at,
            "bot": bot,
            "what": "schedule",
            "schedule": schedule,
            "detail": error or said(f"sched.state.{state}"),
        }
        for at, bot, schedule, state, error in ScheduleRuns(journal).failed_since(since, bot_id)
    ]
    found += [
        {"at": at, "bot": bot, "what": "unanswered", "detail": text[:60]}
        for at, bot, text in Inbox(journal).ignored_since(since, bot_id)
    ]
    return sorted(found, key=lambda e: e["at"], reverse=True)
