"""Plain text, Markdown and web pages as blocks: their headings found, their paragraphs
kept apart, their tables read row by row."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from runtime.knowledge.chunking import Block, Paragraph, clean
from runtime.knowledge.tables import table_blocks

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)[\s#]*$")
# How Chinese documents number their headings: 一、… / 第三章 … / （二）… / 【退货政策】
_CN_HEADING = re.compile(
    r"^(第[一二三四五六七八九十百千零〇\d]+[章节篇部条]|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十]+[)）]|【[^】]+】$)"
)
_SENTENCE_MARK = re.compile(r"[。！？；!?;，,]")
_MD_RULE = re.compile(r"^\s*([-*_]\s*){3,}$|^\s*```")  # rules and code fences: no text
_MD_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}")
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # an image: its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # a link: its words
    (re.compile(r"(\*\*|__|`|~~)"), ""),
    (re.compile(r"^\s*(>\s*)+"), ""),
    (re.compile(r"^\s*([-*+]|\d+[.)])\s+"), ""),  # list markers
    (re.compile(r"<[^>]+>"), ""),
]


def looks_like_heading(line: str) -> bool:
    """A short numbered line such as "一、退货政策" or "第三章 售后"."""
    line = clean(line)
    short = 0 < len(line) <= 30 and not _SENTENCE_MARK.search(line)  # a heading says no more
    return short and not line.endswith(("：", ":")) and bool(_CN_HEADING.match(line))


def _md_inline(line: str) -> str:
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def _md_cells(line: str) -> list[str]:
    return [_md_inline(c) for c in line.strip().strip("|").split("|")]


def text_blocks(text: str, lang: str) -> list[Block]:
    """A text or Markdown file: each line a paragraph (Chinese files rarely wrap lines),
    `#` lines and numbered Chinese heading lines the heading of what follows, `|` tables
    a row each."""
    blocks: list[Block] = []
    heading = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.lstrip().startswith("|") and i < len(lines) and _MD_TABLE_SEPARATOR.match(lines[i]):
            rows = [_md_cells(line)]
            i += 1
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_md_cells(lines[i]))
                i += 1
            blocks += table_blocks(heading, rows, lang)
            continue
        if _MD_RULE.match(line):
            continue
        found = _MD_HEADING.match(line)
        if found or looks_like_heading(line):
            heading = clean(_md_inline(found.group(1) if found else line))
            continue
        if clean(plain := _md_inline(line)):
            blocks.append(Paragraph(heading, plain))
    return blocks


_BLOCK_TAGS = {
    *("address", "article", "aside", "blockquote", "body", "br", "dd", "details", "div"),
    *("dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr"),
    *("li", "main", "nav", "ol", "p", "pre", "section", "summary", "ul"),
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _PageReader(HTMLParser):
    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.blocks: list[Block] = []
        self.heading = ""
        self.text: list[str] = []  # the paragraph (or heading, or cell) being read
        self.skipping = 0  # depth inside <script>, <style>…
        self.in_heading = False
        self.tables = 0  # depth of nested tables: only the outer one is read as rows
        self.rows: list[list[str]] = []

    def flush(self) -> str:
        words, self.text = clean("".join(self.text)), []
        return words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "body":
            self.skipping = 0  # a <head> left open (HTML allows it) ends here
        elif self.skipping:
            return
        elif tag == "table":
            self.end_paragraph()
            self.tables += 1
            if self.tables == 1:
                self.rows = []
        elif self.tables == 1 and tag == "tr":
            self.rows.append([])
        elif self.tables == 1 and tag in ("td", "th"):
            self.flush()
        elif tag in _HEADINGS:
            self.end_paragraph()
            self.in_heading = True
        elif tag in _BLOCK_TAGS and not self.tables:
            self.end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(self.skipping - 1, 0)
        elif self.skipping:
            return
        elif tag == "table" and self.tables:
            self.tables -= 1
            if not self.tables:
                self.blocks += table_blocks(self.heading, self.rows, self.lang)
        elif self.tables == 1 and tag in ("td", "th") and self.rows:
            self.rows[-1].append(self.flush())
        elif tag in _HEADINGS and self.in_heading:
            self.heading, self.in_heading = self.flush(), False
        elif tag in _BLOCK_TAGS and not self.tables:
            self.end_paragraph()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)

    def end_paragraph(self) -> None:
        if not self.in_heading and (words := self.flush()):
            self.blocks.append(Paragraph(self.heading, words))

    def close(self) -> None:
        super().close()
        self.end_paragraph()


def html_blocks(text: str, lang: str) -> list[Block]:
    """A web page: h1–h6 its headings, block elements its paragraphs, tables row by row;
    scripts, styles and the <head> left out."""
    reader = _PageReader(lang)
    reader.feed(text)
    reader.close()
    return reader.blocks
