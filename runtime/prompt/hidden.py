"""Keeping the prompt's hidden note out of replies.

The lead note rides on the customer's message ("（给你的提示，不要复述：已知客户信息：…）",
runtime/leads/capture.py). A small model sometimes says it back, whole or in part. The
dialogue screens the reply as it streams: from the first of the note's fixed clauses
(or the bracket before it), text that follows the note is dropped, until the reply
leaves the note's wording (or, when it opened with the note's bracket, to the closing
bracket or the end of the line); the rest of the reply goes on. Nothing of the note is
shown, stored or sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from runtime.i18n import STRINGS

NOTE_KEYS = ("lead.note_ask", "lead.note_no_ask", "kb.note")  # the hidden notes a prompt may carry
_BREAK = re.compile(r"\{[^}]*\}|[（）()，。：:；;,.“”\"!?！？]+")
MIN_CLAUSE = 4
OPENERS = "（("
CLOSERS = "）)\n"
RESYNC = 8  # an echo may skip or change a few characters of the note and still be one
IN_BRACKETS = -1  # an echo that opened with the note's bracket: it ends with the bracket


def _fold(text: str) -> str:
    """Lower case, one character for one (so that positions stay positions)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def hidden_clauses(lang: str) -> list[str]:
    """The fixed wording of the hidden notes in `lang`, clause by clause, longest first."""
    clauses = set()
    for key in NOTE_KEYS:
        template = STRINGS[key].get(lang) or STRINGS[key]["zh"]
        clauses |= {part.strip() for part in _BREAK.split(template)}
    return sorted((c for c in clauses if len(c) >= MIN_CLAUSE), key=len, reverse=True)


class HiddenTextGuard:
    """Screens one reply for an echo of `note` (the hidden text of this turn's prompt).
    After the iteration, `stripped` says whether any was taken out."""

    def __init__(self, note: str, lang: str):
        self.note = _fold(note)
        self.clauses = [_fold(c) for c in hidden_clauses(lang)]
        self.starts = [*self.clauses, *(o + c for o in OPENERS for c in self.clauses)]
        self.stripped = False
        self._left_note = False

    def strip(self, text: str) -> str:
        """`text` without the note's echo: the whole-text form of `screen`."""
        return "".join(self.screen(iter([text])))

    def screen(self, pieces: Iterator[str]) -> Iterator[str]:
        pending, inside = "", None  # text not passed on yet; where in the note an echo is
        for piece in pieces:
            pending += piece
            shown, pending, inside = self._advance(pending, inside, final=False)
            if shown:
                yield shown
        shown, _, _ = self._advance(pending, inside, final=True)
        if shown:
            yield shown

    def _advance(
        self, pending: str, inside: int | None, final: bool
    ) -> tuple[str, str, int | None]:
        shown: list[str] = []
        while pending:
            if inside == IN_BRACKETS:  # the note's own brackets: all of it to the closing one
                close = min((pending.find(c) for c in CLOSERS if c in pending), default=-1)
                if close < 0:
                    return "".join(shown), "", inside
                pending, inside, self._left_note = pending[close + 1 :], None, True
                continue
            if inside is not None:
                used, inside = self._follow(pending, inside)
                pending = pending[used:]
                if inside is not None:
                    break  # all of it was the note; more may come
                self._left_note = True
                continue
            if self._left_note:  # the line break after an echo goes with it
                pending = pending.lstrip()
                self._left_note = not pending
                continue
            folded = _fold(pending)
            found = [(folded.find(c), -len(c), c) for c in self.clauses if c in folded]
            if found:
                at, _, clause = min(found)
                start = at - 1 if at and pending[at - 1] in OPENERS else at
                shown.append(pending[:start])
                self.stripped = True
                pending = pending[at + len(clause) :]
                where = self.note.find(clause)
                inside = where + len(clause) if where >= 0 else None
                if start < at:
                    inside = IN_BRACKETS
                continue
            held = 0 if final else self._held(folded)
            shown.append(pending[: len(pending) - held])
            pending = pending[len(pending) - held :]
            break
        return "".join(shown), pending, inside

    def _follow(self, pending: str, at: int) -> tuple[int, int | None]:
        """How much of `pending` goes on saying the note from `at`, and where in the note it
        ends (None: the reply has left the note, or the note is said to its end)."""
        used = 0
        for char in _fold(pending):
            if at >= len(self.note):
                return used, None
            if char.isspace():
                used += 1
                continue
            found = self.note.find(char, at, at + RESYNC)
            if found < 0:
                return used, None
            at, used = found + 1, used + 1
        return used, (None if at >= len(self.note) else at)

    def _held(self, folded: str) -> int:
        """How many characters at the end could begin a clause of the note: kept back."""
        for size in range(min(len(folded), max(map(len, self.starts))), 0, -1):
            tail = folded[-size:]
            if any(start.startswith(tail) for start in self.starts):
                return size
        return 0
