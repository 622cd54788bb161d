"""FAQ answers: a customer's question matched against a bot's FAQ entries (each with its
similar phrasings), scored 0–1, and the decision the dialogue acts on:

- at or above `answer_above`: the entry's answer, verbatim, at once, without the model;
- from `ask_above` with two entries close: ask which was meant ("1. … 2. …"), and a
  reply of "1"/"2" (or the question's words) is then answered from the FAQ;
- one entry from `ask_above`: not sure enough to answer blind, so the model answers
  with that entry beside the knowledge base's passages;
- below: the model, with the knowledge base.

The score blends two views: IDF-weighted word overlap (jieba words, weights from
general Chinese, so "怎么/可以/吗" count little and "退货/保修" much) and character
overlap (typos and other word choices still share characters). Thresholds and the
blend are measured in bench/knowledge.py."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from runtime.knowledge.text import bigrams, chars, weighted, words
from runtime.spec.knowledge import FaqEntry, FaqSettings

WORD_WEIGHT = 0.6  # the rest goes to characters
Kind = Literal["answer", "ask", "hint", "none"]
ANSWER: Kind = "answer"
ASK: Kind = "ask"
HINT: Kind = "hint"
NONE: Kind = "none"
_CHOICE = re.compile(r"^\s*(?:第\s*)?([1-9一二三两])\s*(?:个|条|项)?\s*[。.!！]?\s*$")
_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _counts(items: list[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in items:
        found[item] = found.get(item, 0.0) + 1.0
    return found


@dataclass(frozen=True)
class Vectors:
    words: dict[str, float]
    chars: dict[str, float]


def vectors(text: str) -> Vectors:
    text = text.lower()
    return Vectors(weighted(words(text)), _counts([*chars(text), *bigrams(text)]))


def similarity(a: Vectors, b: Vectors) -> float:
    return WORD_WEIGHT * _cosine(a.words, b.words) + (1 - WORD_WEIGHT) * _cosine(a.chars, b.chars)


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float
    phrasing: str  # the question or similar phrasing that matched best


@dataclass(frozen=True)
class FaqDecision:
    kind: Kind
    matches: list[FaqMatch] = field(default_factory=list)  # best first

    @property
    def best(self) -> FaqMatch | None:
        return self.matches[0] if self.matches else None


class FaqMatcher:
    """Built once per FAQ: take it from `matcher_for`, which keeps the built ones."""

    def __init__(self, entries: list[FaqEntry]):
        self.entries = entries
        self._phrasings = [
            (entry, phrasing, vectors(phrasing))
            for entry in entries
            for phrasing in entry.phrasings()
        ]

    def match(self, question: str, n: int = 2) -> list[FaqMatch]:
        """The `n` closest entries (one score each: their best phrasing), best first."""
        if not self._phrasings or not question.strip():
            return []
        asked = vectors(question)
        best: dict[int, FaqMatch] = {}
        for entry, phrasing, known in self._phrasings:
            score = similarity(asked, known)
            held = best.get(id(entry))
            if held is None or score > held.score:
                best[id(entry)] = FaqMatch(entry, round(score, 4), phrasing)
        return sorted(best.values(), key=lambda m: -m.score)[:n]

    def decide(self, settings: FaqSettings, question: str) -> FaqDecision:
        matches = self.match(question, 2)
        if not matches or matches[0].score < settings.ask_above:
            return FaqDecision(NONE, matches)
        if matches[0].score >= settings.answer_above:
            return FaqDecision(ANSWER, matches[:1])
        close = [m for m in matches if m.score >= settings.ask_above]
        return FaqDecision(ASK if len(close) > 1 else HINT, close)

    def by_question(self, question: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.question == question), None)


MATCHERS_KEPT = 128  # FAQs kept matched at once: about one per bot in use
_matchers: OrderedDict[tuple[object, ...], FaqMatcher] = OrderedDict()
_matchers_lock = threading.Lock()


def _content(entries: Sequence[FaqEntry]) -> tuple[object, ...]:
    return tuple((e.question, e.answer, tuple(e.similar)) for e in entries)


def matcher_for(entries: Sequence[FaqEntry]) -> FaqMatcher:
    """The FAQ `entries` matched, built once per content: the dialogue and 热门问题 both
    take it from here, so they always judge a question alike."""
    key = _content(entries)
    with _matchers_lock:
        held = _matchers.get(key)
        if held is not None:
            _matchers.move_to_end(key)
            return held
    built = FaqMatcher(list(entries))  # outside the lock: a large FAQ takes a while
    with _matchers_lock:
        _matchers[key] = built
        while len(_matchers) > MATCHERS_KEPT:
            _matchers.popitem(last=False)  # the least recently used
    return built


def chosen(message: str, offered: list[str]) -> int | None:
    """Which of the `offered` questions a reply to "which did you mean?" picks: "1",
    "第二个", "2." — the position from 0, or None when the reply is something else."""
    found = _CHOICE.match(message)
    if not found:
        return None
    raw = found.group(1)
    number = _NUMBERS.get(raw) or int(raw)
    return number - 1 if 1 <= number <= len(offered) else None
