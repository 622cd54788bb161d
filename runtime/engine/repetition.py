"""Stopping a reply that repeats itself.

A small model (the bundled 135M one above all, asked in Chinese) often falls into a
loop: the same sentence, line or phrase again and again until the token cap, which
takes 15–30 s and says nothing. The engine watches the text as it streams and ends
the reply where the loop shows, for every channel alike; the final text keeps the
first copy and drops the repeats (`cut_repetition`).

Three signs, each of which real replies almost never show:
- a stretch repeated back to back at the end, three times and 12 characters or more;
- one sentence or line said a third time;
- one phrase said a third time: 16 characters of Chinese, or 32 of other text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

MIN_LOOP_CHARS = 12  # a back-to-back repeat counts once it covers this many characters
MIN_LOOP_COPIES = 3
MAX_UNIT = 80  # the longest repeated stretch looked for back to back
SENTENCE_TIMES = 3
MIN_SENTENCE = 6  # shorter sentences ("好的。", "OK.") may well recur
PHRASES = (16, 32)  # characters in a phrase: Chinese (half of it at least), other text
PHRASE_TIMES = 3
SENTENCE_END = re.compile(r"[。！？!?\n]|[.;；](?=\s)")


def _wordy(text: str) -> bool:
    """Letters, digits or CJK: a table rule (|---|---|) or a row of dots is not a loop."""
    return any(c.isalnum() for c in text)


class RepetitionWatch:
    """Fed the reply piece by piece; `feed` returns where to cut the text once it loops."""

    def __init__(self) -> None:
        self.text = ""
        self._sentences: dict[str, int] = {}
        self._sentence_start = 0
        self._phrases: dict[str, tuple[int, int]] = {}  # phrase -> (times, where it ended)
        self._scanned = 0  # phrases and sentences are counted up to here

    def feed(self, piece: str) -> int | None:
        """Add `piece`; None while the reply is fine, else the length of text to keep."""
        self.text += piece
        found = None
        for end in range(max(self._scanned, 1), len(self.text) + 1):
            found = self._phrase_at(end)
            found = self._sentence_at(end) if found is None else found
            if found is not None:
                break
        self._scanned = len(self.text) + 1
        loop = self._back_to_back()  # the same loop seen back to back keeps less of it
        cuts = [c for c in (found, loop) if c is not None]
        return min(cuts) if cuts else None

    def _phrase_at(self, end: int) -> int | None:
        for size in PHRASES:
            phrase = self.text[end - size : end] if end >= size else ""
            chinese = sum("\u4e00" <= c <= "\u9fff" for c in phrase)
            if not _wordy(phrase) or (size == PHRASES[0]) != (2 * chinese >= size):
                continue
            seen, last = self._phrases.get(phrase, (0, -size))
            if end - last < size:
                continue  # overlapping itself (a run of one character): not a new time
            self._phrases[phrase] = (seen + 1, end)
            if seen + 1 >= PHRASE_TIMES:
                return self._clause_start(end - size)
        return None

    def _clause_start(self, at: int) -> int:
        """Where the sentence or clause around `at` starts, when it is close by."""
        for back in range(at, max(0, at - PHRASES[0]) - 1, -1):
            if back == 0 or self.text[back - 1] in "。！？!?\n，,；;：:":
                return back
        return at

    def _sentence_at(self, end: int) -> int | None:
        if not SENTENCE_END.match(self.text, end - 1):
            return None
        start, self._sentence_start = self._sentence_start, end
        sentence = self.text[start:end].strip(" \t\n。！？!?.;；")
        if len(sentence) < MIN_SENTENCE or not _wordy(sentence):
            return None
        seen = self._sentences.get(sentence, 0) + 1
        self._sentences[sentence] = seen
        if seen < SENTENCE_TIMES:
            return None
        return start + (len(self.text[start:end]) - len(self.text[start:end].lstrip()))

    def _back_to_back(self) -> int | None:
        return loop_start(self.text, MIN_LOOP_COPIES, MIN_LOOP_CHARS)


def loop_start(text: str, copies: float, min_chars: int) -> int | None:
    """Where the text's end starts going round a loop, plus one turn of it (the first copy
    stays); None when its end does not repeat `copies` times over `min_chars` or more."""
    for unit in range(1, min(MAX_UNIT, len(text) // 2) + 1):
        j = len(text) - 1 - unit
        while j >= 0 and text[j] == text[j + unit]:
            j -= 1  # text[j + 1:] has period `unit`: the loop, copies partial at both ends
        span = len(text) - (j + 1)
        if span >= copies * unit and span >= min_chars and _wordy(text[-unit:]):
            cut = j + 1 + unit
            while cut < len(text) and text[cut] in "。！？.!?…":
                cut += 1  # the first copy keeps its full stop
            return cut
    return None


def cut_repetition(text: str, stopped: bool = False) -> str:
    """`text` up to where it starts repeating itself (all of it when it does not).
    `stopped`: the engine ended this reply for repeating, so a loop of two copies, the
    last one cut short, is enough to find where it began."""
    cut = RepetitionWatch().feed(text)
    if stopped:
        ends = [c for c in (cut, loop_start(text, 2, MIN_LOOP_CHARS // 2)) if c is not None]
        cut = min(ends) if ends else None
    return text if cut is None else text[:cut].rstrip()


def stop_repeating(pieces: Iterator[str], on_stop: Callable[[], object]) -> Iterator[str]:
    """Pass `pieces` through until they loop; then close them (the model is free at once)
    and call `on_stop()`. What has been passed on stays passed on; the part of the last
    piece beyond the cut is held back."""
    watch = RepetitionWatch()
    given = 0
    try:
        for piece in pieces:
            cut = watch.feed(piece)
            if cut is None:
                given += len(piece)
                yield piece
                continue
            if cut > given:
                yield watch.text[given:cut]
            on_stop()
            return
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
