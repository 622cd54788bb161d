"""FAQ from a spreadsheet: an Excel (.xlsx) or CSV file with the columns 问题, 答案 and
相似问法 (similar phrasings separated by "|" or line breaks; English headers work too).
Every problem names its row; nothing is taken from a file that has one."""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
from pydantic import ValidationError

from runtime.knowledge.office import BROKEN, check_zip
from runtime.knowledge.passages import DocumentError
from runtime.knowledge.readers import decode
from runtime.knowledge.tables import cell_text
from runtime.spec.knowledge import FaqEntry

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
HEADERS = {
    "question": ("问题", "question", "问", "标准问题"),
    "answer": ("答案", "answer", "答", "回答"),
    "similar": ("相似问法", "similar", "similar phrasings", "相似问题", "其他问法"),
}
_SPLIT = re.compile(r"[|｜\r\n]+")


def _rows(name: str, raw: bytes, lang: str) -> Iterator[list[str]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        yield from csv.reader(io.StringIO(decode(name, raw, lang)))  # GBK from Excel too
        return
    if suffix != ".xlsx":
        raise DocumentError("kb.faq.type", lang, file=name)
    check_zip(name, raw, lang).close()  # a zip bomb is refused before anything unpacks
    try:
        with warnings.catch_warnings():  # "no default style" and the like: noise
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except BROKEN as exc:
        raise DocumentError("kb.faq.not_excel", lang, file=name) from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(v) for v in values]
    finally:
        book.close()


def _no_repeats(entries: list[FaqEntry], rows: list[int], name: str, lang: str) -> None:
    """The same question twice (as FaqSettings sees it) names both rows, as Excel numbers
    them (`rows`: each entry's)."""
    seen: dict[str, int] = {}
    for at, entry in enumerate(entries):
        first = seen.setdefault(entry.question.strip(), at)
        if first != at:
            question = entries[first].question
            raise DocumentError(
                "kb.faq.duplicate",
                lang,
                file=name,
                question=question,
                first=rows[first],
                row=rows[at],
            )


def read_faq_table(name: str, raw: bytes, lang: str) -> list[FaqEntry]:
    if len(raw) > MAX_BYTES:
        raise DocumentError("kb.faq.too_big", lang, file=name, limit=MAX_BYTES // (1024 * 1024))
    rows = _rows(name, raw, lang)
    header = [cell.strip().lower() for cell in next(rows, [])]
    columns = {}
    for key, names in HEADERS.items():
        found = next((i for i, cell in enumerate(header) if cell in names), None)
        if found is not None:
            columns[key] = found
    if "question" not in columns or "answer" not in columns:
        raise DocumentError("kb.faq.no_header", lang, file=name)
    entries: list[FaqEntry] = []
    numbers: list[int] = []  # each entry's row: empty rows are skipped, not renumbered
    for number, row in enumerate(rows, start=2):  # row 1 is the header, as Excel counts
        if number > MAX_ROWS + 1:
            raise DocumentError("kb.faq.too_many", lang, file=name, most=MAX_ROWS)

        def cell(key: str, row: list[str] = row) -> str:
            at = columns.get(key)
            return row[at].strip() if at is not None and at < len(row) else ""

        question, answer = cell("question"), cell("answer")
        if not question and not answer and not cell("similar"):
            continue  # an empty row
        if not question:
            raise DocumentError("kb.faq.no_question", lang, file=name, row=number)
        if not answer:
            raise DocumentError("kb.faq.no_answer", lang, file=name, row=number)
        similar = [s.strip() for s in _SPLIT.split(cell("similar")) if s.strip()]
        try:
            entries.append(FaqEntry(question=question, answer=answer, similar=similar))
        except ValidationError:
            raise DocumentError("kb.faq.too_long", lang, file=name, row=number) from None
        numbers.append(number)
    _no_repeats(entries, numbers, name, lang)
    if not entries:
        raise DocumentError("kb.faq.empty", lang, file=name)
    return entries
