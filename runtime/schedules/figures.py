"""Live figures a scheduled message can name in braces: {new_leads}, {conversions}, ...

Yesterday means the bot's yesterday, in its time zone: the 9:00 report speaks of the
day that just ended where the team works.
"""

from __future__ import annotations

import string
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from runtime.leads.store import LeadStore
from runtime.spec.model import BotSpec
from runtime.store.db import Journal
from runtime.store.events import MESSAGE, EventLog

FIGURES = (
    "date",  # today, 2026-11-23
    "yesterday",  # the date of yesterday
    "new_leads",  # leads first seen yesterday
    "conversions",  # leads converted yesterday
    "conversions_by_variant",  # "A 3, B 5"
    "messages",  # replies sent yesterday
    "total_leads",  # all leads so far
)


def names_in(text: str) -> list[str]:
    """The {names} a text uses; ValueError for a brace that is not closed."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def unknown_names(text: str) -> list[str]:
    try:
        return [name for name in names_in(text) if name not in FIGURES]
    except ValueError:
        return ["{"]


def figures(journal: Journal, spec: BotSpec, now: float) -> dict[str, str]:
    zone = ZoneInfo(spec.timezone)
    today = datetime.fromtimestamp(now, zone).date()
    yesterday = today - timedelta(days=1)
    start = datetime.combine(yesterday, time(), zone).timestamp()
    end = datetime.combine(today, time(), zone).timestamp()
    leads, events = LeadStore(journal), EventLog(journal)
    by_variant = leads.conversions_by_variant(spec.id, start, end)
    return {
        "date": today.isoformat(),
        "yesterday": yesterday.isoformat(),
        "new_leads": str(leads.count(spec.id, start, end)),
        "conversions": str(sum(n for _, n in by_variant)),
        "conversions_by_variant": ", ".join(f"{v} {n}" for v, n in by_variant) or "0",
        "messages": str(events.count(spec.id, MESSAGE, start, end)),
        "total_leads": str(leads.count(spec.id)),
    }


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)
