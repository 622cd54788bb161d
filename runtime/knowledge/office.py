"""Word and Excel files (.docx, .xlsx): both are zip archives of XML, so each is first
checked, from the archive's table of contents alone, for a zip bomb (a small file that
unpacks to gigabytes) before anything is unpacked."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
import openpyxl  # type: ignore[import-untyped]
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph

from runtime.knowledge.chunking import Block, Paragraph
from runtime.knowledge.markup import looks_like_heading
from runtime.knowledge.passages import DocumentError
from runtime.knowledge.tables import cell_text, table_blocks

MB = 1024 * 1024
UNPACKED_LIMIT = 200 * MB  # all members together, as the archive declares them
RATIO_LIMIT = 100  # a big member packed tighter than this is made to explode…
RATIO_FLOOR = 20 * MB  # …small XML parts may pack that well honestly
MEMBERS_LIMIT = 10_000
# Word's built-in heading styles ("Heading 1", "Title"), as named in Chinese Word too
_HEADING_STYLE = re.compile(r"^(heading\s*\d|title|标题(\s*\d)?)$", re.IGNORECASE)
# What parsing a broken archive or its XML can raise (lxml's syntax errors are SyntaxErrors)
BROKEN = (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError, EOFError)


def check_zip(name: str, raw: bytes, lang: str) -> zipfile.ZipFile:
    """The archive, once its table of contents shows it unpacks to a sane size.

    Nothing is unpacked to check: the sizes are those the archive declares, and Python's
    zipfile stops at the declared size, so a member that lies unpacks no further."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentError("kb.file.corrupt", lang, file=name) from exc
    total = sum(m.file_size for m in members)
    if total > UNPACKED_LIMIT or len(members) > MEMBERS_LIMIT:
        raise DocumentError(
            "kb.file.zip_bomb",
            lang,
            file=name,
            size=f"{total / MB:,.0f} MB",
            limit=f"{UNPACKED_LIMIT // MB} MB",
        )
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > RATIO_FLOOR and ratio > RATIO_LIMIT:
            raise DocumentError("kb.file.zip_ratio", lang, file=name, ratio=f"{ratio:,.0f}")
    return archive


def _is_heading(paragraph: DocxParagraph) -> bool:
    try:
        style = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError):  # a style the document names but does not define
        style = ""
    return bool(_HEADING_STYLE.match(style or "")) or looks_like_heading(paragraph.text)


def _rows(table: Table) -> Iterator[list[str]]:
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:  # a merged cell comes back once per column it spans
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text)
        yield cells


def docx_blocks(name: str, raw: bytes, lang: str) -> list[Block]:
    """A Word document's paragraphs under their headings (Heading/标题 styles) and its
    tables, a row each."""
    try:
        document = docx.Document(io.BytesIO(raw))
        blocks: list[Block] = []
        heading = ""
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks += table_blocks(heading, _rows(item), lang)
            elif _is_heading(item):
                heading = item.text
            elif item.text.strip():
                blocks.append(Paragraph(heading, item.text))
        return blocks
    except BROKEN as exc:
        raise DocumentError("kb.file.corrupt", lang, file=name) from exc


def _sheet_rows(sheet: Any) -> Iterator[list[str]]:
    for row in sheet.iter_rows():
        yield [cell_text(c.value, getattr(c, "number_format", None) or "General") for c in row]


def xlsx_blocks(name: str, raw: bytes, lang: str) -> list[Block]:
    """An Excel workbook's sheets in order, a row each, the sheet's name their heading."""
    try:
        with warnings.catch_warnings():  # "no default style" and the like: noise
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                blocks: list[Block] = []
                for sheet in book.worksheets:
                    blocks += table_blocks(sheet.title, _sheet_rows(sheet), lang)
                return blocks
            finally:
                book.close()
    except BROKEN as exc:
        raise DocumentError("kb.file.corrupt", lang, file=name) from exc
