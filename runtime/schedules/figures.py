"""Live figures a scheduled message can name in braces: {new_leads}, {conversions}, ...

Yesterday means the bot's yesterday, in its time zone: the 9:00 report speaks of the
day that just ended where the team works.
"""

from __future__ import annotations

import string
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from runtime.spec.model import BotSpec
from runtime.store.db import Journal

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
    db = journal.connection()

    def count(sql: str, *args) -> int:
        return db.execute(sql, args).fetchone()[0] or 0

    by_variant = db.execute(
        "SELECT COALESCE(variant, '-'), COUNT(*) FROM leads WHERE bot_id = ? AND converted = 1"
        " AND converted_at >= ? AND converted_at < ? GROUP BY 1 ORDER BY 1",
        (spec.id, start, end),
    ).fetchall()
    return {
        "date": today.isoformat(),
        "yesterday": yesterday.isoformat(),
        "new_leads": str(
            count(
                "SELECT COUNT(*) FROM leads WHERE bot_id = ? AND created_at >= ?"
                " AND created_at < ?",
                spec.id,
                start,
                end,
            )
        ),
        "conversions": str(sum(n for _, n in by_variant)),
        "conversions_by_variant": ", ".join(f"{v} {n}" for v, n in by_variant) or "0",
        "messages": str(
            count(
                "SELECT COUNT(*) FROM events WHERE bot_id = ? AND kind = 'message'"
                " AND created_at >= ? AND created_at < ?",
                spec.id,
                start,
                end,
            )
        ),
        "total_leads": str(count("SELECT COUNT(*) FROM leads WHERE bot_id = ?", spec.id)),
    }


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)
