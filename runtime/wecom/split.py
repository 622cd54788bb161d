"""Splitting a long reply into pieces that fit WeCom's byte limits, in order.

Limits count UTF-8 bytes, not characters: 2048 for text, 4096 for markdown. A cut
never falls inside a character; it falls at a paragraph end where one fits, else
a line end, else a sentence end, else a space, else anywhere between characters.
"""

from __future__ import annotations

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096

# Preferred cut points, best first: the cut goes right after the separator.
SEPARATORS = [
    ("\n\n",),
    ("\n",),
    ("。", "！", "？", ". ", "! ", "? ", "；", "; "),
    ("，", ", ", " "),
]


def _fits(text: str, limit: int) -> int:
    """The longest prefix of `text`, in characters, whose UTF-8 encoding fits `limit`."""
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode())
        if size > limit:
            return index
    return len(text)


def split_message(text: str, limit: int) -> list[str]:
    pieces = []
    rest = text.strip()
    while rest:
        if len(rest.encode()) <= limit:
            pieces.append(rest)
            break
        window = rest[: _fits(rest, limit)]
        cut = 0
        for group in SEPARATORS:
            best = max((window.rfind(sep) + len(sep) for sep in group if sep in window), default=0)
            if best > len(window) // 3:  # not a tiny first piece for a far-away separator
                cut = best
                break
        cut = cut or len(window)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [p for p in pieces if p]
