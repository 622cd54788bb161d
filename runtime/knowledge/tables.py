"""Tables (Excel sheets, CSV files, tables in Word and web pages) as blocks: one row a
passage with its column names kept, so "199" reads as "价格：199"."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from runtime.i18n import t
from runtime.knowledge.chunking import Block, Paragraph, Row, clean


def cell_text(value: object, number_format: str = "General") -> str:
    """A cell's value as a person reads it: 199 not 199.0, 15% not 0.15, a date without
    midnight."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()  # as Excel shows it
    if isinstance(value, (int, float)):
        if "%" in number_format:
            return _number(value * 100) + "%"
        return _number(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return clean(str(value))


def _number(value: float) -> str:
    """No float noise: 0.1 + 0.2 reads 0.3, 199.0 reads 199."""
    if isinstance(value, int) or not abs(value) < 1e15:  # inf, nan and huge ones as they are
        return str(value)
    return f"{round(value, 6):f}".rstrip("0").rstrip(".")


def table_blocks(heading: str, rows: Iterable[Sequence[str]], lang: str) -> list[Block]:
    """Rows of cell texts as blocks. The header is the first row with two filled cells (a
    title row merged across the top is kept as a paragraph); a table of one column is
    just paragraphs. Empty rows are skipped."""
    filled = [[clean(c) for c in row] for row in rows]
    filled = [row for row in filled if any(row)]
    if not filled:
        return []
    if max(sum(1 for c in row if c) for row in filled) < 2:
        return [Paragraph(heading, " ".join(c for c in row if c)) for row in filled]
    blocks: list[Block] = []
    header: list[str] | None = None
    for row in filled:
        if header is None:
            if sum(1 for c in row if c) >= 2:
                header = row
            else:
                blocks.append(Paragraph(heading, " ".join(c for c in row if c)))
            continue
        names = [
            header[i] if i < len(header) and header[i] else t("kb.file.column", lang, n=i + 1)
            for i in range(len(row))
        ]
        blocks.append(Row(heading, tuple((n, v) for n, v in zip(names, row, strict=True) if v)))
    return blocks


def csv_blocks(heading: str, text: str, lang: str) -> list[Block]:
    """A CSV file's rows (comma, tab or semicolon separated, as Excel writes them)."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:  # one column, or too irregular to tell: plain commas
        dialect = csv.excel
    return table_blocks(heading, csv.reader(io.StringIO(text), dialect), lang)
