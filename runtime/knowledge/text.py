"""Words of Chinese (and English) text, for finding passages and matching FAQ questions.

Chinese has no spaces: jieba cuts it into words (its search mode also yields the
shorter words inside long ones, "专业版" → 专业, 专业版), so a two-character term such
as "退货" is found, which SQLite FTS5's trigram tokenizer cannot do. Latin words are
lower-cased; punctuation and a few particles are dropped. jieba loads its dictionary
(~1 s) once, on first use, under a lock."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

_lock = threading.Lock()
_jieba: Any = None
_idf: dict[str, float] = {}
_median_idf = 10.0

# particles and fillers that carry no meaning for matching (IDF does the rest)
STOP = frozenset(
    [
        *"的了吗呢吧啊呀哦嘛么着过是在有和与及或就都也还",  # one character each
        *("请问", "您好", "你好", "一下"),
    ]
)
_WORD = re.compile(r"[\w]", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")


def _load() -> Any:
    global _jieba, _idf, _median_idf
    with _lock:
        if _jieba is None:
            import jieba
            import jieba.analyse

            jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on every start
            jieba.initialize()
            _idf = jieba.analyse.default_tfidf.idf_freq
            _median_idf = float(jieba.analyse.default_tfidf.median_idf)
            _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """The words of `text`, search mode (long words and the words inside them)."""
    jieba = _load()
    found = []
    for word in jieba.lcut_for_search(text.lower()):
        word = word.strip()
        if word and word not in STOP and _WORD.search(word):
            found.append(word)
    return found


def chars(text: str) -> list[str]:
    """Each Chinese character once per occurrence: a typo ("保只期") still shares most."""
    return _CJK.findall(text)


def bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters, within runs of Chinese text."""
    found: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def tokens(text: str) -> list[str]:
    """What the knowledge base indexes: words, plus Chinese characters marked apart from
    one-character words, so near misses (a typo, another word for the same thing that
    shares characters) still score, below exact words. Particles (的, 吗, 是…) are left
    out as characters too: bench/knowledge.py, recall@3 0.881 with them, 0.902 without."""
    return [*words(text), *(f"#{c}" for c in chars(text) if c not in STOP)]


def idf(word: str) -> float:
    """How telling a word is in general Chinese (jieba's table): 的 0.9, 退货 10.7."""
    _load()
    return _idf.get(word, _median_idf)


def weighted(items: Iterable[str]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for item in items:
        counts[item] = counts.get(item, 0.0) + idf(item)
    return counts
