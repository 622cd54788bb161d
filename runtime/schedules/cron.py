"""Cron for people: the next run times of a schedule, and what a cron line means in words.

The time arithmetic (time zones, daylight saving, day-of-week rules) is APScheduler's
CronTrigger; this module only asks it questions.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from runtime.i18n import Explained, t


class CronError(Explained, ValueError):
    """A cron line that does not read, said in words."""


TICK = timedelta(microseconds=1)

# The choices of the studio's cron helper: (cron, message id), most common first.
PRESETS = [
    ("0 9 * * 1-5", "cron.weekdays"),
    ("0 9 * * *", "cron.daily"),
    ("0 9 * * 1", "cron.mondays"),
    ("0 9 1 * *", "cron.monthly"),
    ("0 * * * *", "cron.hourly"),
]
WEEKDAYS = {"1-5": "cron.weekdays", "*": "cron.daily", "1": "cron.mondays", "0-6": "cron.daily"}


NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # cron: 0 and 7 are Sunday


def trigger(cron: str, timezone: str) -> CronTrigger:
    """A CronTrigger for a standard five-field cron line. Not CronTrigger.from_crontab: in
    APScheduler 3 that reads weekday 0 as Monday, so "1-5" would mean Tuesday to Saturday.
    Weekday numbers become names here, which mean the same to everyone."""
    fields = cron.split()
    if len(fields) != 5:
        raise CronError("cron.bad_fields", n=len(fields))
    minute, hour, day, month, weekday = fields
    day_of_week = weekday_names(weekday)
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=ZoneInfo(timezone),
        )
    except ValueError as exc:  # APScheduler's own words, beside ours
        raise CronError("cron.bad_value", detail=str(exc)) from None


def weekday_names(field: str) -> str:
    """ "1-5" -> "mon,tue,wed,thu,fri"; "*" stays; names pass through."""
    if field == "*" or not any(c.isdigit() for c in field):
        return field
    days: list[str] = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            low, high = (_weekday_number(x) for x in span.split("-", 1))
        else:
            low = high = _weekday_number(span)
        if high < low:
            raise CronError("cron.backwards", span=span)
        days += [NAMES[d] for d in range(low, high + 1, int(step) if step else 1)]
    return ",".join(dict.fromkeys(days))


def _weekday_number(text: str) -> int:
    if text.lower() in NAMES:
        return NAMES.index(text.lower())
    if not text.isdigit() or int(text) > 7:
        raise CronError("cron.bad_weekday", value=text)
    return int(text)


def first_at_or_after(cron: str, timezone: str, moment: float) -> float | None:
    zone = ZoneInfo(timezone)
    when = trigger(cron, timezone).get_next_fire_time(None, datetime.fromtimestamp(moment, zone))
    return when.timestamp() if when else None


def latest_due(cron: str, timezone: str, after: float, now: float) -> tuple[float, int] | None:
    """The latest fire time in (after, now] and how many fire times fell in that span
    (more than one: runs were missed, and they are coalesced into this one)."""
    cron_trigger, zone = trigger(cron, timezone), ZoneInfo(timezone)
    found, count = None, 0
    moment = datetime.fromtimestamp(after, zone) + TICK
    while count < 100_000:  # a minute-by-minute schedule after ten weeks away: still bounded
        when = cron_trigger.get_next_fire_time(None, moment)
        if when is None or when.timestamp() > now:
            break
        found, count, moment = when.timestamp(), count + 1, when + TICK
    return (found, count) if found is not None else None


def next_runs(cron: str, timezone: str, now: float, n: int = 3) -> list[datetime]:
    cron_trigger, zone = trigger(cron, timezone), ZoneInfo(timezone)
    runs, moment = [], datetime.fromtimestamp(now, zone)
    for _ in range(n):
        when = cron_trigger.get_next_fire_time(None, moment)
        if when is None:
            break
        runs.append(when)
        moment = when + TICK
    return runs


def describe(cron: str, lang: str) -> str:
    """每个工作日 9:00 for "0 9 * * 1-5", 每天 9:00、18:00 for "0 9,18 * * *"; a line with no
    simple words is called custom, with the cron line beside: 自定义时间（cron：…）."""
    custom = t("cron.custom", lang, cron=cron.strip())
    parts = cron.split()
    if len(parts) != 5:
        return custom
    minute, hour, day, month, weekday = parts
    step = re.fullmatch(r"\*/(\d+)", minute)
    if step and hour == day == month == weekday == "*":
        return t("cron.every_minutes", lang, n=int(step.group(1)))
    if not (minute.isdigit() and month == "*"):
        return custom
    if hour == "*" and day == "*" and weekday == "*":
        return t("cron.every_hour_at", lang, minute=int(minute))
    hours = hour.split(",")
    if not all(h.isdigit() for h in hours):
        return custom
    clock = t("cron.and", lang).join(f"{int(h)}:{int(minute):02d}" for h in hours)
    if day == "*" and weekday in WEEKDAYS:
        return t(WEEKDAYS[weekday] + "_at", lang, time=clock)
    if day.isdigit() and weekday == "*":
        return t("cron.monthly_at", lang, day=int(day), time=clock)
    if day == "*" and weekday.isdigit() and 0 <= int(weekday) <= 7:
        name = t(f"cron.weekday.{int(weekday) % 7}", lang)
        return t("cron.weekly_at", lang, weekday=name, time=clock)
    return custom


def preset(kind: str, hour: int, minute: int) -> str:
    """The cron line of a helper choice at a time of day."""
    weekday = {"cron.weekdays": "1-5", "cron.daily": "*", "cron.mondays": "1"}
    if kind == "cron.hourly":
        return f"{minute} * * * *"
    if kind == "cron.monthly":
        return f"{minute} {hour} 1 * *"
    return f"{minute} {hour} * * {weekday[kind]}"
