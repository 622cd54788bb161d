"""The search index of one bot's passages: BM25 (bm25s) over jieba words and characters.

Built from passages, saved under data/ and loaded again; the documents in bots/ stay
the truth and the index is rebuilt from them whenever it is missing or stale
(runtime/knowledge/library.py decides that). Measured against SQLite FTS5 and
character bigrams in bench/knowledge.py."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import bm25s
import numpy as np

from runtime.knowledge.passages import Hit, Passage
from runtime.knowledge.text import tokens as default_tokens

Tokenizer = Callable[[str], list[str]]
PASSAGES = "passages.json"


def passage_text(passage: Passage) -> str:
    """What is indexed: the heading too, since a question often names the section."""
    return f"{passage.heading}\n{passage.text}" if passage.heading else passage.text


class KnowledgeIndex:
    def __init__(self, passages: list[Passage], retriever: bm25s.BM25 | None, tokenize: Tokenizer):
        self.passages = passages
        self.retriever = retriever  # None: no passages
        self.tokenize = tokenize

    @classmethod
    def build(cls, passages: list[Passage], tokenize: Tokenizer = default_tokens) -> KnowledgeIndex:
        if not passages:
            return cls([], None, tokenize)
        retriever = bm25s.BM25()
        corpus = [tokenize(passage_text(p)) or [""] for p in passages]
        retriever.index(corpus, show_progress=False)
        return cls(list(passages), retriever, tokenize)

    def search(self, question: str, k: int = 3, min_score: float = 0.0) -> list[Hit]:
        """The `k` passages closest to `question`, best first, each scoring at least
        `min_score` and above 0 (a passage sharing no word is never "found")."""
        if self.retriever is None or k <= 0:
            return []
        query = self.tokenize(question)
        ids = self.retriever.get_tokens_ids(query)
        if not ids:
            return []
        scores = self.retriever.get_scores_from_ids(ids)
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(best, key=lambda i: (-scores[i], i))
        floor = max(min_score, 1e-9)
        return [Hit(self.passages[i], float(scores[i])) for i in ranked if scores[i] >= floor]

    def save(self, folder: Path) -> None:
        """Into `folder` (which the caller then moves into place: a reader never sees
        half an index); files readable by their owner only."""
        folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps([asdict(p) for p in self.passages], ensure_ascii=False)
        (folder / PASSAGES).write_text(data, encoding="utf-8")
        if self.retriever is not None:
            self.retriever.save(str(folder / "bm25"))
        for path in folder.rglob("*"):
            os.chmod(path, 0o700 if path.is_dir() else 0o600)

    @classmethod
    def load(cls, folder: Path, tokenize: Tokenizer = default_tokens) -> KnowledgeIndex:
        raw = json.loads((folder / PASSAGES).read_text(encoding="utf-8"))
        passages = [Passage(**item) for item in raw]
        retriever = bm25s.BM25.load(str(folder / "bm25")) if passages else None
        return cls(passages, retriever, tokenize)
