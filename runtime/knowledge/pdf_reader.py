"""PDF files: the text layer of each page, its lines joined back into paragraphs.

A PDF has no paragraphs or headings, only lines placed on a page: a line as wide as
the page goes on into the next one; a short line standing alone, without punctuation,
or a numbered one ("一、退货政策"), is taken as a heading."""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from runtime.knowledge.chunking import Block, Paragraph, clean
from runtime.knowledge.markup import looks_like_heading
from runtime.knowledge.passages import DocumentError

# Fonts often map Chinese characters to look-alike radicals (⼀ U+2F00 for 一): the same
# on screen, but a search for 一 would not find them.
_RADICALS = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for ranges in ((0x2E80, 0x2FE0), (0xF900, 0xFB00))
    for cp in range(*ranges)
    if len(unicodedata.normalize("NFKC", chr(cp))) == 1
    and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
# Spaces the text extraction puts beside Chinese punctuation ("电话： 400 。")
_LOOSE = re.compile(
    r"[^\S\n]+(?=[\u3000-\u303f\uff00-\uffef])|(?<=[\u3000-\u303f\uff00-\uffef])[^\S\n]+"
)
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_ENDS = tuple("。！？；!?;：:")
_FULL_LINE = 0.8  # a line at least this share of the page's widest goes on into the next
_HEADING_WIDTH = 40  # a lone unpunctuated line at most this wide (a CJK character is 2)


def _width(line: str) -> int:
    return sum(2 if _WIDE.match(c) else 1 for c in line)


def _is_heading(line: str) -> bool:
    if looks_like_heading(line):
        return True
    short = _width(line) <= _HEADING_WIDTH and not line[-1].isdigit()
    return short and not re.search(r"[。，；！？、,.;!?：:（(]", line)


def _page_lines(text: str) -> list[tuple[str, bool]]:
    """A page's lines, each with whether it is as wide as the page (wrapped, not ended)."""
    text = _LOOSE.sub("", text.translate(_RADICALS))
    lines = [line for line in (clean(raw) for raw in text.splitlines()) if line]
    widest = max((_width(line) for line in lines), default=0)
    return [(line, _width(line) >= _FULL_LINE * widest) for line in lines]


def lines_to_blocks(lines: list[tuple[str, bool]]) -> list[Block]:
    """Lines (with whether each fills the page's width) as paragraphs under headings."""
    blocks: list[Block] = []
    heading = ""
    pending = ""  # a heading no paragraph has followed yet
    paragraph = ""
    goes_on = False  # whether the last line runs on into the next one
    for index, (line, full) in enumerate(lines):
        if not goes_on and index + 1 < len(lines) and _is_heading(line):
            if paragraph:
                blocks.append(Paragraph(heading, paragraph))
            elif pending:  # two "headings" in a row: the first was a short line of text
                blocks.append(Paragraph(heading, pending))
            paragraph, pending = "", line
            continue
        if pending:
            heading, pending = pending, ""
        if goes_on and paragraph:
            joiner = "" if _WIDE.match(line[0]) or _WIDE.match(paragraph[-1]) else " "
            paragraph += joiner + line
        else:
            if paragraph:
                blocks.append(Paragraph(heading, paragraph))
            paragraph = line
        goes_on = full and not line.endswith(_ENDS)
    if paragraph or pending:
        blocks.append(Paragraph(heading, paragraph or pending))
    return blocks


def pdf_blocks(name: str, raw: bytes, lang: str) -> list[Block]:
    """The blocks of a PDF's pages; an encrypted or image-only PDF is refused."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on odd files are noise
    try:
        reader = PdfReader(io.BytesIO(raw))
        # A PDF locked only against printing or copying opens with an empty password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("kb.file.pdf_encrypted", lang, file=name)
        lines = [line for page in reader.pages for line in _page_lines(page.extract_text() or "")]
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # pypdf's own errors, and the plain ones it lets through on broken files
        if "encrypt" in str(exc).lower() or "decrypt" in str(exc).lower():
            raise DocumentError("kb.file.pdf_encrypted", lang, file=name) from exc
        raise DocumentError("kb.file.corrupt", lang, file=name) from exc
    if not lines:
        raise DocumentError("kb.file.pdf_no_text", lang, file=name)
    return lines_to_blocks(lines)
