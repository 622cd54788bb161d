"""Lead field types: validating and normalising what customers actually type.

Each function takes a candidate value and returns the normalised value, or None
when it is not valid: nothing invalid is ever stored. `find_*` functions look
for a value inside a whole message, for the patterned types that validators can
find without a model.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

# whole values, with fullmatch (`$` also matches before a trailing newline)
PHONE_CN = re.compile(r"1[3-9]\d{9}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")
# a mobile number inside text: optional +86 / 86 / 0086, separators between digits, and not
# part of a longer run of digits (order numbers, card numbers)
PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?(1[3-9](?:[\s-]?\d){9})(?!\d)")
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
WECHAT_CUE = re.compile(
    r"(?:微信号?|weixin|wechat|vx|wx|v信)\s*(?:号|id)?\s*(?:是|为|:|：)?\s*", re.I
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def ascii_digits(text: str) -> str:
    """Full-width digits and letters (１３８, ＡＢＣ) to ASCII, as NFKC does."""
    return unicodedata.normalize("NFKC", text)


def phone_cn(value: str) -> str | None:
    digits = re.sub(r"[\s\-().]", "", ascii_digits(str(value)))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits if PHONE_CN.fullmatch(digits) else None


def email(value: str) -> str | None:
    text = ascii_digits(str(value)).strip()
    if not EMAIL.fullmatch(text):
        return None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def wechat_id(value: str) -> str | None:
    text = ascii_digits(str(value)).strip()
    return text if WECHAT_ID.fullmatch(text) else None


def number(value: str) -> float | int | None:
    match = NUMBER.search(ascii_digits(str(value)).replace(",", ""))
    if not match:
        return None
    parsed = float(match.group())
    return int(parsed) if parsed.is_integer() else parsed


def choice(value: str, options: list[str]) -> str | None:
    text = ascii_digits(str(value)).strip().lower()
    if not text:
        return None
    for option in options:  # exact, then contained either way
        if text == option.lower():
            return option
    for option in options:
        if option.lower() in text or text in option.lower():
            return option
    return None


def find_phone(text: str) -> str | None:
    """The last valid mobile number in the message: people correct themselves forward
    ("138…78? no, 138…79")."""
    found = None
    for match in PHONE_IN_TEXT.finditer(ascii_digits(text)):
        found = phone_cn(match.group(1)) or found
    return found


def find_email(text: str) -> str | None:
    match = EMAIL_IN_TEXT.search(ascii_digits(text))
    return email(match.group()) if match else None


def find_wechat_id(text: str) -> str | None:
    """Only after a cue word (微信, wechat, vx…): on its own, any word looks like an id."""
    normal = ascii_digits(text)
    for cue in WECHAT_CUE.finditer(normal):
        candidate = re.match(r"[A-Za-z][A-Za-z0-9_-]*", normal[cue.end() :])
        if candidate and wechat_id(candidate.group()):
            return candidate.group()
    return None


# --- dates and times, the way people write them -------------------------------------

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
CN_NUMBERS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}


def _cn_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return CN_NUMBERS.get(text)


def find_date(text: str, now: datetime) -> date | None:
    normal = ascii_digits(text)
    today = now.date()
    iso = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", normal)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    month_day = re.search(r"(\d{1,2})月(\d{1,2})[日号]", normal)
    if month_day:
        try:
            found = date(today.year, int(month_day.group(1)), int(month_day.group(2)))
        except ValueError:
            return None
        return found if found >= today else found.replace(year=today.year + 1)
    for word, days in (("大后天", 3), ("后天", 2), ("明天", 1), ("今天", 0)):
        if word in normal:
            return today + timedelta(days=days)
    weekday = re.search(r"(下下|下|这|本)?(?:周|星期|礼拜)([一二三四五六日天])", normal)
    if weekday:
        target = WEEKDAYS[weekday.group(2)]
        monday = today - timedelta(days=today.weekday())
        weeks = {"下": 1, "下下": 2}.get(weekday.group(1) or "", 0)
        found = monday + timedelta(weeks=weeks, days=target)
        if not weekday.group(1) and found < today:
            found += timedelta(weeks=1)  # a bare 周二 that has passed means next week's
        return found
    return None


def find_time(text: str) -> time | None:
    normal = ascii_digits(text)
    clock = re.search(r"(\d{1,2})[:：](\d{2})", normal)
    hour: int | None = None
    minute = 0
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
    else:
        spoken = re.search(
            r"(\d{1,2}|十一|十二|[一二两三四五六七八九十])点(半|(\d{1,2})分?)?", normal
        )
        if spoken:
            hour = _cn_int(spoken.group(1))
            if spoken.group(2) == "半":
                minute = 30
            elif spoken.group(3):
                minute = int(spoken.group(3))
    if hour is None:
        return None
    if re.search(r"下午|晚上|傍晚|pm", normal, re.I) and hour < 12:
        hour += 12
    if re.search(r"中午", normal) and hour < 11:
        hour += 12
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)


def find_datetime(text: str, now: datetime) -> datetime | None:
    day = find_date(text, now)
    at = find_time(text)
    if day is None and at is None:
        return None
    day = day or now.date()
    return datetime.combine(day, at or time(9, 0), tzinfo=now.tzinfo)
