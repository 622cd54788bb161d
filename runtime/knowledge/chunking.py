"""Cutting a document's text into passages sized for Chinese retrieval.

Readers turn a file into blocks (paragraphs under their heading, table rows); `chunk`
packs the paragraphs of one section into passages of about 300–500 characters, cut at
sentence ends (。！？；), never mid-sentence unless one sentence alone is too long, with
the previous passage's last sentence repeated at the start of the next, so that a fact
split across two passages is still whole in one of them. A table row is a passage of
its own, its column names kept ("价格：199")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from runtime.knowledge.passages import Passage

MIN_CHARS = 300  # under this a passage keeps growing, even across a paragraph break
SOFT_MAX = 500  # a passage stops growing here…
HARD_MAX = 600  # …and never goes past this (a short passage may take one more sentence)
OVERLAP_MAX = 80  # a last sentence longer than this is not repeated in the next passage

# After a sentence end (and any closing quote after it), after an English full stop
# followed by a space, and at a line break.
_SENTENCE_END = re.compile(
    r"(?<=[。！？；!?;])(?![”’」』）)】\"'。！？；!?;])"
    r"|(?<=[。！？；!?;][”’」』）)】\"'])"
    r"|(?<=\.)(?=\s)"
    r"|\n"
)
_CLAUSE_END = re.compile(r"(?<=[，、,：:])")  # where an over-long sentence is cut first
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@dataclass(frozen=True)
class Paragraph:
    heading: str  # the nearest heading above it ("" when none)
    text: str


@dataclass(frozen=True)
class Row:
    heading: str  # the sheet's name, or the heading above the table
    cells: tuple[tuple[str, str], ...]  # (column name, value), empty values left out


Block = Paragraph | Row


def clean(text: str) -> str:
    """One line of text: whitespace runs (line breaks too) made one space, ends trimmed."""
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph, each cleaned; empty ones dropped."""
    return [s for s in (clean(part) for part in _SENTENCE_END.split(text)) if s]


def _glue(left: str, right: str) -> str:
    """Chinese needs no space between sentences; Latin words do."""
    if not left or not right:
        return left + right
    wide = _WIDE.match(left[-1]) or _WIDE.match(right[0])
    return left + right if wide else f"{left} {right}"


def _cut(sentence: str, limit: int) -> list[str]:
    """A sentence over `limit` cut at commas, then (a clause still too long) every `limit`."""
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    for clause in (c for c in _CLAUSE_END.split(sentence) if c):
        if pieces and len(pieces[-1]) + len(clause) <= limit:
            pieces[-1] += clause
        else:
            pieces += [clause[i : i + limit] for i in range(0, len(clause), limit)]
    return [p.strip() for p in pieces if p.strip()]


@dataclass(frozen=True)
class _Unit:
    text: str
    opens_paragraph: bool


def _render(units: list[_Unit]) -> str:
    text = ""
    for unit in units:
        text = text + "\n" + unit.text if text and unit.opens_paragraph else _glue(text, unit.text)
    return text


def _size(units: list[_Unit]) -> int:
    return sum(len(u.text) for u in units) + max(len(units) - 1, 0)


def _fits(current: list[_Unit], unit: _Unit) -> bool:
    size = _size(current)
    if unit.opens_paragraph and size >= MIN_CHARS:
        return False  # long enough already: end at the paragraph's natural break
    grown = size + 1 + len(unit.text)
    return grown <= SOFT_MAX or (size < MIN_CHARS and grown <= HARD_MAX)


def pack(paragraphs: Iterable[str]) -> list[str]:
    """The paragraphs of one section as passage texts, consecutive ones overlapping by
    the previous one's last sentence."""
    units = [
        _Unit(piece, i == 0 and j == 0)
        for paragraph in paragraphs
        for i, sentence in enumerate(sentences(paragraph))
        for j, piece in enumerate(_cut(sentence, SOFT_MAX))
    ]
    texts: list[str] = []
    current: list[_Unit] = []
    fresh = False  # whether `current` holds more than the overlap carried over
    for unit in units:
        if fresh and not _fits(current, unit):
            texts.append(_render(current))
            last = current[-1]
            carry = len(last.text) <= OVERLAP_MAX and len(last.text) + len(unit.text) < HARD_MAX
            current = [_Unit(last.text, False)] if carry else []
        current.append(unit)
        fresh = True
    if fresh:
        texts.append(_render(current))
    return texts


def _row_pieces(cells: tuple[tuple[str, str], ...]) -> list[str]:
    """A row as "列名：值；列名：值"; one too long is cut at sentence ends into pieces that
    each keep the column names (and the first cell, which usually names the row's item)."""
    whole = "；".join(f"{name}：{value}" for name, value in cells)
    if len(whole) <= HARD_MAX:
        return [whole]
    lead = f"{cells[0][0]}：{cells[0][1]}"
    lead = lead if len(lead) <= OVERLAP_MAX else ""
    pieces: list[str] = []
    for i, (name, value) in enumerate(cells):
        named = False  # whether the piece being filled already shows this column's name
        limit = max(SOFT_MAX - len(lead) - len(name) - 2, OVERLAP_MAX)
        for part in (p for s in sentences(value) for p in _cut(s, limit)):
            more = part if named else f"{name}：{part}"
            if pieces and len(pieces[-1]) + 1 + len(more) <= SOFT_MAX:
                pieces[-1] = _glue(pieces[-1], more) if named else f"{pieces[-1]}；{more}"
            else:
                pieces.append(f"{lead}；{name}：{part}" if lead and i else f"{name}：{part}")
            named = True
    return pieces


def chunk(source: str, blocks: Iterable[Block]) -> list[Passage]:
    """Passages of a document, in its order: a section's paragraphs packed together, each
    table row on its own."""
    passages: list[Passage] = []
    section: list[str] = []
    heading = ""

    def close_section() -> None:
        passages.extend(Passage(source, heading, text) for text in pack(section))
        section.clear()

    for block in blocks:
        if isinstance(block, Row):
            close_section()
            cells = tuple((clean(n), clean(v)) for n, v in block.cells if clean(v))
            if cells:
                texts = _row_pieces(cells)
                passages.extend(Passage(source, clean(block.heading), t) for t in texts)
            continue
        if clean(block.heading) != heading:
            close_section()
            heading = clean(block.heading)
        section.append(block.text)
    close_section()
    return passages


__all__ = ["HARD_MAX", "Block", "Paragraph", "Row", "chunk", "clean", "pack", "sentences"]
