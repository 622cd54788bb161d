"""Leads as rows: for the terminal, the studio table and CSV files that open in Excel."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from runtime.i18n import t
from runtime.leads.store import Lead
from runtime.spec.model import BotSpec
from runtime.store.private import open_private

FIXED = ["user", "source", "variant", "converted", "captured_at"]
STUDIO_PREFIX = "studio:"  # the studio's own test conversations (试聊)


def header(spec: BotSpec, lang: str) -> list[str]:
    """The column names in `lang`: 客户, 来源, 变体, 已转化, 首次采集时间, then each field's
    label with its key beside it (公司名称（company）), so that a column can be matched to the
    bot file."""
    fields = [
        t("field.named", lang, label=fld.label, key=fld.key) for fld in spec.lead_capture.fields
    ]
    return [t(f"csv.{column}", lang) for column in FIXED] + fields


def person(user: str, lang: str) -> str:
    """Who a lead is, as a person reads it: a studio test conversation is marked as one
    ("王先生（试聊）"), not shown as the id "studio:王先生"."""
    if user.startswith(STUDIO_PREFIX):
        return t("person.studio", lang, name=user.removeprefix(STUDIO_PREFIX))
    return user


def row(spec: BotSpec, lead: Lead, lang: str) -> list[str]:
    stamps = [v.get("at", 0) for v in lead.fields.values()]
    first = min(stamps) if stamps else lead.created_at
    at = datetime.fromtimestamp(first, ZoneInfo(spec.timezone)).strftime("%Y-%m-%d %H:%M")
    values = [str(lead.value(fld.key) or "") for fld in spec.lead_capture.fields]
    converted = t("answer.yes" if lead.converted else "answer.no", lang)
    source = lead.source or ""
    return [person(lead.user, lang), source, lead.variant or "", converted, at, *values]


# A cell starting with one of these is a formula to Excel and LibreOffice (and a tab or
# carriage return can hide one): what customers typed must never run as one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value` as text in a spreadsheet: a leading quote stops it being a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_csv(spec: BotSpec, leads: list[Lead], path: Path, lang: str) -> None:
    """In `lang`, UTF-8 with a BOM, so that Excel shows Chinese instead of mojibake; no cell
    runs as a formula; readable by its owner only (it holds phone numbers)."""
    with open_private(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for cells in [header(spec, lang), *(row(spec, lead, lang) for lead in leads)]:
            writer.writerow([safe_cell(cell) for cell in cells])


def alert_text(spec: BotSpec, lead: Lead) -> str:
    """The conversion alert for the team's group: phone numbers masked unless the bot
    says otherwise (lead_capture.alert_unmasked)."""
    who = person(lead.user, spec.language)
    title = t("lead.alert_title", spec.language, name=spec.name, user=who)
    return "\n".join([title, *lead_lines(spec, lead)])


def lead_lines(spec: BotSpec, lead: Lead) -> list[str]:
    """A lead's values as quoted lines for the team's group, masked as `alert_text` says."""
    from runtime.logmask import mask_personal

    lines = []
    for fld in spec.lead_capture.fields:
        if fld.key in lead.fields:
            value = str(lead.value(fld.key))
            if not spec.lead_capture.alert_unmasked:
                value = mask_personal(value)
            lines.append(f"> {fld.label}：{value}")
    if lead.variant:
        lines.append(f"> {t('lead.alert_variant', spec.language)}：{lead.variant}")
    if lead.source:
        lines.append(f"> {t('csv.source', spec.language)}：{lead.source}")
    return lines
