"""A passage: the unit the knowledge base finds and hands to the model, with where it
came from (the file and the heading above it), so a reply can name its sources."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.i18n import Explained


@dataclass(frozen=True)
class Passage:
    source: str  # the document's file name, as the marketer uploaded it
    heading: str  # the heading it sits under ("" when none); a table's sheet name
    text: str  # what the model reads (a table row: "列名：值" pairs, the header kept)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # BM25: higher is closer; 0 shares no word with the question


class DocumentError(Explained, ValueError):
    """A file the knowledge base cannot take, said in the user's language (what was
    wrong and in which file); nothing is changed when it is raised."""
