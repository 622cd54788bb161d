"""Leads as rows: for the terminal, the studio table and CSV files that open in Excel."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from runtime.leads.store import Lead
from runtime.spec.model import BotSpec

FIXED = ["user", "variant", "converted", "captured_at"]


def header(spec: BotSpec) -> list[str]:
    return FIXED + [fld.key for fld in spec.lead_capture.fields]


def row(spec: BotSpec, lead: Lead) -> list[str]:
    stamps = [v.get("at", 0) for v in lead.fields.values()]
    first = min(stamps) if stamps else lead.created_at
    at = datetime.fromtimestamp(first, ZoneInfo(spec.timezone)).isoformat(timespec="minutes")
    values = [str(lead.value(fld.key) or "") for fld in spec.lead_capture.fields]
    return [lead.user, lead.variant or "", "yes" if lead.converted else "no", at, *values]


def write_csv(spec: BotSpec, leads: list[Lead], path: Path) -> None:
    """UTF-8 with a BOM, so that Excel shows Chinese instead of mojibake."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(spec))
        for lead in leads:
            writer.writerow(row(spec, lead))
