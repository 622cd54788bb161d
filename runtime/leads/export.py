"""Leads as rows: for the terminal, the studio table and CSV files that open in Excel."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from runtime.leads.store import Lead
from runtime.spec.model import BotSpec
from runtime.store.private import open_private

FIXED = ["user", "variant", "converted", "captured_at"]


def header(spec: BotSpec) -> list[str]:
    return FIXED + [fld.key for fld in spec.lead_capture.fields]


def row(spec: BotSpec, lead: Lead) -> list[str]:
    stamps = [v.get("at", 0) for v in lead.fields.values()]
    first = min(stamps) if stamps else lead.created_at
    at = datetime.fromtimestamp(first, ZoneInfo(spec.timezone)).isoformat(timespec="minutes")
    values = [str(lead.value(fld.key) or "") for fld in spec.lead_capture.fields]
    return [lead.user, lead.variant or "", "yes" if lead.converted else "no", at, *values]


# A cell starting with one of these is a formula to Excel and LibreOffice (and a tab or
# carriage return can hide one): what customers typed must never run as one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value` as text in a spreadsheet: a leading quote stops it being a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_csv(spec: BotSpec, leads: list[Lead], path: Path) -> None:
    """UTF-8 with a BOM, so that Excel shows Chinese instead of mojibake; no cell runs as
    a formula; readable by its owner only (it holds phone numbers)."""
    with open_private(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for cells in [header(spec), *(row(spec, lead) for lead in leads)]:
            writer.writerow([safe_cell(cell) for cell in cells])


def alert_text(spec: BotSpec, lead: Lead) -> str:
    """The conversion alert for the team's group: phone numbers masked unless the bot
    says otherwise (lead_capture.alert_unmasked)."""
    from runtime.i18n import t
    from runtime.logmask import mask_personal

    lines = [t("lead.alert_title", spec.language, name=spec.name, user=lead.user)]
    for fld in spec.lead_capture.fields:
        if fld.key in lead.fields:
            value = str(lead.value(fld.key))
            if not spec.lead_capture.alert_unmasked:
                value = mask_personal(value)
            lines.append(f"> {fld.label}：{value}")
    if lead.variant:
        lines.append(f"> {t('lead.alert_variant', spec.language)}：{lead.variant}")
    return "\n".join(lines)
