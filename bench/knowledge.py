"""Knowledge base benchmark: Chinese retrieval and FAQ matching, measured side by side on
labelled data (bench/knowledge_docs/ and bench/knowledge_data.py).

Retrieval, four methods and a candidate over the same passages (each bot its own index):

- (a) KnowledgeIndex with runtime.knowledge.text.tokens: jieba words + characters (the default);
- (b) the same index with text.words only: jieba, no characters;
- (c) BM25 (bm25s) over character bigrams + unigrams, no jieba;
- (d) SQLite FTS5 with tokenize='trigram', in memory: the question's jieba words of three
  characters or more OR-ed in a MATCH (ranked by FTS5's bm25), those of two characters
  (which a trigram cannot find) as substring tests, LIKE '%term%' written as instr(),
  each found adding 1 to the score;
- (e) the first default, kept as the baseline for (a): the same tokens with the
  one-character particles of text.STOP (的 吗 么 是 有 …) kept as characters (they are
  left out of the words); (a) leaves them out since this bench measured it.

Each gets recall@3 and MRR@10 on the answerable questions, the share of unanswerable
questions shown any passage at its min score, a threshold scan, and at 10,000 passages
(the documents replicated with other names, numbers and words) search time p50/p99
(warm, `search` only) and indexing throughput.

FAQ: FaqMatcher with default FaqSettings on paraphrases and off-topic/near-miss
questions, then a scan of answer_above and WORD_WEIGHT for the best setting that meets
the targets, and of ask_above below it.

    .venv/bin/python bench/knowledge.py [--passages 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.knowledge_data import BOTS, FAQ, FAQ_TESTS, QUESTIONS, Question  # noqa: E402
from runtime.knowledge import faq as faq_module  # noqa: E402
from runtime.knowledge import text  # noqa: E402
from runtime.knowledge.faq import FaqMatch, FaqMatcher  # noqa: E402
from runtime.knowledge.index import KnowledgeIndex, passage_text  # noqa: E402
from runtime.knowledge.passages import Hit, Passage  # noqa: E402
from runtime.spec.knowledge import FaqEntry, FaqSettings, KnowledgeSettings  # noqa: E402

DOCS = ROOT / "bench" / "knowledge_docs"
TARGET_RECALL = 0.9
TARGET_PRECISION = 0.95
TARGET_WRONG = 0.02
TARGET_P99_MS = 20.0
KINDS = ("plain", "term", "synonym", "typo", "long")
SCAN_THRESHOLDS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


# -- passages --------------------------------------------------------------------------


def _split_at_headings(name: str, raw: bytes) -> list[Passage]:
    """Used only when the project's reader is missing: one passage per `## ` section."""
    passages, heading, lines = [], "", []
    for line in [*raw.decode("utf-8").splitlines(), "## "]:
        if line.startswith("#"):
            body = " ".join(x.strip() for x in lines if x.strip())
            if body:
                passages.append(Passage(name, heading, body))
            heading, lines = line.lstrip("#").strip(), []
        else:
            lines.append(line)
    return passages


def read_documents() -> tuple[dict[str, list[Passage]], str]:
    """Each bot's passages, and how they were cut."""
    try:
        from runtime.knowledge.readers import read_passages

        def read(path: Path) -> list[Passage]:
            return read_passages(path.name, path.read_bytes(), "zh")

        how = "runtime.knowledge.readers.read_passages"
    except ImportError:

        def read(path: Path) -> list[Passage]:
            return _split_at_headings(path.name, path.read_bytes())

        how = "the bench's own split at headings"
    found: dict[str, list[Passage]] = {bot: [] for bot in BOTS}
    for path in sorted(DOCS.glob("*.md")):
        bot = next(b for b, prefix in BOTS.items() if path.name.startswith(prefix))
        found[bot].extend(read(path))
    return found, how


def relevant(question: Question, passage: Passage) -> bool:
    body = passage_text(passage)
    return any(
        passage.source == label[1:] if label.startswith("@") else label in body
        for label in question.answers
    )


def check_labels(passages: dict[str, list[Passage]]) -> None:
    bad = [
        f"{q.bot}: {q.text} {q.answers}"
        for q in QUESTIONS
        if q.answers and not any(relevant(q, p) for p in passages[q.bot])
    ]
    if bad:
        raise SystemExit("labels matching no passage:\n" + "\n".join(bad))


# -- the methods -----------------------------------------------------------------------


class Searcher(Protocol):
    def search(self, question: str, k: int = 3, min_score: float = 0.0) -> list[Hit]: ...


_LATIN = re.compile(r"[a-z0-9]+")


def char_grams(value: str) -> list[str]:
    """Character bigrams and unigrams of the Chinese runs, plus Latin words and numbers."""
    value = value.lower()
    return [*text.bigrams(value), *text.chars(value), *_LATIN.findall(value)]


class Fts5Index:
    """SQLite FTS5 trigram index, with short words found by substring (see the docstring)."""

    def __init__(self, passages: Sequence[Passage]):
        self.passages = list(passages)
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE p USING fts5(body, tokenize='trigram')")
        rows = ((i, passage_text(p).lower()) for i, p in enumerate(self.passages))
        self.db.executemany("INSERT INTO p(rowid, body) VALUES (?, ?)", rows)
        self.db.commit()

    def search(self, question: str, k: int = 3, min_score: float = 0.0) -> list[Hit]:
        terms = list(dict.fromkeys(text.words(question)))
        long_terms = [t for t in terms if len(t) >= 3]
        short_terms = [t for t in terms if len(t) == 2]  # one character: too common to count
        scores: dict[int, float] = {}
        if long_terms:
            match = " OR ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
            sql = "SELECT rowid, -bm25(p) FROM p WHERE p MATCH ?"
            for rowid, score in self.db.execute(sql, (match,)):
                scores[rowid] = scores.get(rowid, 0.0) + score
        if short_terms:
            found = " + ".join(["(instr(body, ?) > 0)"] * len(short_terms))
            sql = f"SELECT rowid, {found} AS n FROM p WHERE n > 0"
            for rowid, count in self.db.execute(sql, short_terms):
                scores[rowid] = scores.get(rowid, 0.0) + count
        floor = max(min_score, 1e-9)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Hit(self.passages[i], s) for i, s in ranked if s >= floor]


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    build: Callable[[list[Passage]], Searcher]


def tokens_with_particles(value: str) -> list[str]:
    """(e): text.tokens as first written, the particles kept as characters."""
    return [*text.words(value), *(f"#{c}" for c in text.chars(value))]


METHODS = [
    Method(
        "a",
        "(a) KnowledgeIndex, jieba words + chars less particles (default)",
        KnowledgeIndex.build,
    ),
    Method(
        "b", "(b) KnowledgeIndex, jieba words only", lambda p: KnowledgeIndex.build(p, text.words)
    ),
    Method(
        "c", "(c) bm25s, char bigrams + unigrams", lambda p: KnowledgeIndex.build(p, char_grams)
    ),
    Method("d", "(d) SQLite FTS5 trigram + LIKE", Fts5Index),
    Method(
        "e",
        "(e) the first default: (a) with particle characters",
        lambda p: KnowledgeIndex.build(p, tokens_with_particles),
    ),
]


# -- retrieval figures -----------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    question: Question
    rank: int | None  # of the first relevant passage in the top 10, from 1
    score: float  # that passage's score (0 when none)
    top: float  # the best score of any passage (0 when none)
    top_heading: str


def rank(searcher: Searcher, question: Question, is_relevant: Callable[[Passage], bool]) -> Ranked:
    hits = searcher.search(question.text, k=10, min_score=0.0)
    first = next((i for i, h in enumerate(hits) if is_relevant(h.passage)), None)
    return Ranked(
        question,
        None if first is None else first + 1,
        0.0 if first is None else hits[first].score,
        hits[0].score if hits else 0.0,
        f"{hits[0].passage.source}/{hits[0].passage.heading}" if hits else "",
    )


def recall3(ranked: list[Ranked], floor: float = 0.0) -> float:
    wanted = [r for r in ranked if r.question.answers]
    found = [r for r in wanted if r.rank is not None and r.rank <= 3 and r.score >= floor]
    return len(found) / len(wanted) if wanted else 0.0


def mrr10(ranked: list[Ranked]) -> float:
    wanted = [r for r in ranked if r.question.answers]
    return sum(1 / r.rank for r in wanted if r.rank is not None) / len(wanted)


def false_hits(ranked: list[Ranked], floor: float) -> float:
    """The share of unanswerable questions shown a passage at `floor`."""
    unanswerable = [r for r in ranked if not r.question.answers]
    shown = [r for r in unanswerable if r.top > 0 and r.top >= max(floor, 1e-9)]
    return len(shown) / len(unanswerable)


def best_threshold(ranked: list[Ranked]) -> float:
    """The min score separating best: recall@3 minus false hits highest (Youden's J),
    the lowest such score on a tie."""
    candidates = sorted({0.0, *(r.score for r in ranked), *(r.top for r in ranked)})
    return max(candidates, key=lambda t: (recall3(ranked, t) - false_hits(ranked, t), -t))


def evaluate(method: Method, passages: dict[str, list[Passage]]) -> list[Ranked]:
    ranked = []
    for bot, items in passages.items():
        searcher = method.build(items)
        for question in (q for q in QUESTIONS if q.bot == bot):
            ranked.append(rank(searcher, question, lambda p, q=question: relevant(q, p)))
    return ranked


# -- 10,000 passages -------------------------------------------------------------------

_NAMES = ("云简CRM", "云简", "极客壳", "启航教育", "启航", "林默")
_NAME_CHARS = "星河蓝鲸青禾云帆北辰银杏橙光千寻墨白知行远山明月海棠乐享优米拓客鲸鱼飞鸟晨曦"
_NUMBER = re.compile(r"\d+")


def _dictionary_words() -> list[str]:
    import jieba.analyse

    text.words("预热")  # loads jieba's dictionary
    table = jieba.analyse.default_tfidf.idf_freq
    return sorted(
        w for w in table if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w)
    )


def synthesize(base: list[Passage], total: int, seed: int = 7) -> dict[Passage, Passage]:
    """`total` passages (the base ones, then copies of them with other company and people
    names, other numbers and a sentence of random dictionary words, so that the vocabulary
    grows as a real library's does), each mapped to the base passage it came from."""
    rng = random.Random(seed)
    vocabulary = _dictionary_words()
    origin = {p: p for p in base}
    pattern = re.compile("|".join(map(re.escape, _NAMES)))
    copy = 0
    while len(origin) < total:
        copy += 1
        names = {
            n: "".join(rng.sample(_NAME_CHARS, 2)) + rng.choice(("", "科技", "数码", "学院"))
            for n in _NAMES
        }

        def vary(value: str, names: dict[str, str] = names) -> str:
            value = pattern.sub(lambda m: names[m.group(0)], value)
            return _NUMBER.sub(
                lambda m: str(rng.randrange(10 ** (len(m.group(0)) - 1), 10 ** len(m.group(0)))),
                value,
            )

        for passage in base:
            if len(origin) >= total:
                break
            extra = "、".join(rng.sample(vocabulary, 6))
            made = Passage(
                f"{copy}/{passage.source}",
                vary(passage.heading),
                f"{vary(passage.text)}另见：{extra}。",
            )
            origin.setdefault(made, passage)
    return origin


@dataclass(frozen=True)
class Scale:
    passages: int
    megabytes: float
    build_s: float
    passages_per_s: float
    mb_per_s: float
    p50_ms: float
    p99_ms: float
    false_hits: float  # unanswerable questions shown a passage at the method's min score
    unanswerable_median: float  # their best passage's score, median


def at_scale(
    method: Method, origin: dict[Passage, Passage], floor: float, rounds: int = 3
) -> Scale:
    passages = list(origin)
    megabytes = sum(len(passage_text(p).encode()) for p in passages) / 1e6
    started = time.perf_counter()
    searcher = method.build(passages)
    build_s = time.perf_counter() - started
    queries = [q.text for q in QUESTIONS]
    for question in queries:  # warm
        searcher.search(question, k=3, min_score=floor)
    times = []
    for _ in range(rounds):
        for question in queries:
            started = time.perf_counter()
            searcher.search(question, k=3, min_score=floor)
            times.append(time.perf_counter() - started)
    times.sort()
    # relevance is not measured here: each passage has ~90 near copies, so the top 3 are
    # copies of one passage and recall@3 would read as recall@1
    ranked = [rank(searcher, q, lambda _: False) for q in QUESTIONS]
    return Scale(
        len(passages),
        round(megabytes, 2),
        round(build_s, 2),
        round(len(passages) / build_s),
        round(megabytes / build_s, 3),
        round(statistics.median(times) * 1000, 2),
        round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 2),
        round(false_hits(ranked, floor), 3),
        round(statistics.median(r.top for r in ranked if not r.question.answers), 2),
    )


# -- FAQ -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaqFigures:
    answer_above: float
    ask_above: float
    word_weight: float
    precision: float  # right answers / answers given, on paraphrases
    coverage: float  # answers given / paraphrases
    wrong_offtopic: float  # off-topic questions answered at all
    ask_paraphrase: float  # paraphrases asked "which did you mean?"
    ask_offtopic: float
    offered_right: float  # paraphrases not answered whose entry is asked about or hinted
    hint_offtopic: float


Outcome = tuple[str | None, list[FaqMatch]]  # the expected entry's question, the matches


def faq_matchers() -> dict[str, FaqMatcher]:
    return {
        bot: FaqMatcher([FaqEntry(question=q, answer=a, similar=s) for q, a, s in entries])
        for bot, entries in FAQ.items()
    }


def faq_outcomes(matchers: dict[str, FaqMatcher], weight: float) -> list[Outcome]:
    """Every test question's two best matches, with WORD_WEIGHT set to `weight`."""
    held = faq_module.WORD_WEIGHT
    faq_module.WORD_WEIGHT = weight
    try:
        return [(want, matchers[bot].match(question, 2)) for bot, question, want in FAQ_TESTS]
    finally:
        faq_module.WORD_WEIGHT = held


def decision(
    matches: list[FaqMatch], answer_above: float, ask_above: float
) -> tuple[str, list[str]]:
    """FaqMatcher.decide's rule, on matches already made (checked against decide itself)."""
    if not matches or matches[0].score < ask_above:
        return "none", []
    if matches[0].score >= answer_above:
        return "answer", [matches[0].entry.question]
    close = [m.entry.question for m in matches if m.score >= ask_above]
    return ("ask" if len(close) > 1 else "hint"), close


def faq_figures(
    outcomes: list[Outcome], answer_above: float, ask_above: float, weight: float
) -> FaqFigures:
    para = [(want, decision(m, answer_above, ask_above)) for want, m in outcomes if want]
    off = [decision(m, answer_above, ask_above) for want, m in outcomes if not want]
    answered = [(want, chosen) for want, (kind, chosen) in para if kind == "answer"]
    right = sum(1 for want, chosen in answered if chosen == [want])
    offered = [want in chosen for want, (kind, chosen) in para if kind in ("ask", "hint")]
    return FaqFigures(
        round(answer_above, 2),
        round(ask_above, 2),
        round(weight, 2),
        right / len(answered) if answered else 1.0,
        len(answered) / len(para),
        sum(1 for kind, _ in off if kind == "answer") / len(off),
        sum(1 for _, (kind, _) in para if kind == "ask") / len(para),
        sum(1 for kind, _ in off if kind == "ask") / len(off),
        sum(offered) / len(para),
        sum(1 for kind, _ in off if kind == "hint") / len(off),
    )


def meets(f: FaqFigures) -> bool:
    return f.precision >= TARGET_PRECISION and f.wrong_offtopic <= TARGET_WRONG


def reads_weight_at_call_time(matchers: dict[str, FaqMatcher]) -> bool:
    low, high = faq_outcomes(matchers, 0.0), faq_outcomes(matchers, 1.0)
    return low[0][1][0].score != high[0][1][0].score


def check_decision_rule(
    matchers: dict[str, FaqMatcher], outcomes: list[Outcome], settings: FaqSettings
) -> None:
    for (bot, question, _), (_, matches) in zip(FAQ_TESTS, outcomes, strict=True):
        real = matchers[bot].decide(settings, question)
        kind, chosen = decision(matches, settings.answer_above, settings.ask_above)
        offered = [m.entry.question for m in real.matches] if real.kind != "none" else []
        if (real.kind, offered) != (kind, chosen):
            raise SystemExit(
                f"the bench's decision rule no longer matches FaqMatcher.decide: {question}"
            )


# -- report ----------------------------------------------------------------------------


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passages", type=int, default=10_000, help="the scale measured")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    out: list[str] = []
    report: dict[str, Any] = {}

    passages, how = read_documents()
    check_labels(passages)
    n_docs = len(list(DOCS.glob("*.md")))
    n_passages = sum(len(p) for p in passages.values())
    answerable = [q for q in QUESTIONS if q.answers]
    default_min = KnowledgeSettings().min_score
    out.append(
        f"## Retrieval\n\n{len(BOTS)} bots, {n_docs} documents, {n_passages} passages "
        f"(cut by {how}); {len(answerable)} answerable and "
        f"{len(QUESTIONS) - len(answerable)} unanswerable questions; each bot its own index.\n"
    )

    # quality on the real documents
    results: dict[str, list[Ranked]] = {m.key: evaluate(m, passages) for m in METHODS}
    floors: dict[str, float] = {}
    rows, kinds_rows = [], []
    report["retrieval"] = {}
    for method in METHODS:
        ranked = results[method.key]
        best = best_threshold(ranked)
        floor = default_min if method.key == "a" else best
        floors[method.key] = floor
        by_kind = {kind: recall3([r for r in ranked if r.question.kind == kind]) for kind in KINDS}
        figures = {
            "recall3": recall3(ranked),
            "mrr10": mrr10(ranked),
            "false_hits_any": false_hits(ranked, 0.0),
            "min_score": floor,
            "recall3_at_min": recall3(ranked, floor),
            "false_hits_at_min": false_hits(ranked, floor),
            "best_threshold": best,
            "recall3_at_best": recall3(ranked, best),
            "false_hits_at_best": false_hits(ranked, best),
            "recall3_by_kind": by_kind,
        }
        report["retrieval"][method.key] = figures
        rows.append(
            [
                method.label,
                f"{figures['recall3']:.3f}",
                f"{figures['mrr10']:.3f}",
                pct(figures["false_hits_any"]),
                f"{floor:.2f}" + (" (default)" if method.key == "a" else " (best)"),
                f"{figures['recall3_at_min']:.3f}",
                pct(figures["false_hits_at_min"]),
                f"{best:.2f}",
                f"{figures['recall3_at_best']:.3f} / {pct(figures['false_hits_at_best'])}",
            ]
        )
        kinds_rows.append([method.label, *(f"{by_kind[k]:.2f}" for k in KINDS)])
    rows.append(["target", f"≥ {TARGET_RECALL}", "", "", "", f"≥ {TARGET_RECALL}", "low", "", ""])
    out.append(
        table(
            [
                "method",
                "recall@3",
                "MRR@10",
                "unanswerable shown any passage",
                "min score",
                "recall@3 at min",
                "unanswerable shown at min",
                "best threshold",
                "recall@3 / unanswerable shown there",
            ],
            rows,
        )
    )
    counts = {k: sum(1 for q in answerable if q.kind == k) for k in KINDS}
    out.append("\nrecall@3 by kind of question\n")
    out.append(table(["method", *(f"{k} ({counts[k]})" for k in KINDS)], kinds_rows))

    # the default's threshold scan
    ranked_a = results["a"]
    scan = [
        [f"{t:.1f}", f"{recall3(ranked_a, t):.3f}", pct(false_hits(ranked_a, t))]
        for t in SCAN_THRESHOLDS
    ]
    report["retrieval"]["a"]["scan"] = {
        str(t): [recall3(ranked_a, t), false_hits(ranked_a, t)] for t in SCAN_THRESHOLDS
    }
    out.append(f"\n(a) min_score scan (default {default_min})\n")
    out.append(table(["min_score", "recall@3", "unanswerable shown a passage"], scan))
    tops = sorted(r.top for r in ranked_a if not r.question.answers)
    found = sorted(r.score for r in ranked_a if r.question.answers and r.rank and r.rank <= 3)
    out.append(
        f"\n(a) scores: unanswerable questions' best passage median {statistics.median(tops):.2f}, "
        f"max {tops[-1]:.2f}; answering passage (found in top 3) median "
        f"{statistics.median(found):.2f}, 10th percentile {found[len(found) // 10]:.2f}"
    )
    misses = [r for r in ranked_a if r.question.answers and (r.rank is None or r.rank > 3)]
    if misses:
        out.append("\n(a) misses (answer not in the top 3): question [kind] rank → top passage")
        for r in misses:
            others = "".join(
                k
                for k in "bcde"
                if any(x.question is r.question and x.rank and x.rank <= 3 for x in results[k])
            )
            out.append(
                f"- {r.question.text} [{r.question.kind}] rank {r.rank or '>10'} → {r.top_heading}"
                + (f" (found by {', '.join(others)})" if others else "")
            )
    shown = sorted(
        (r for r in ranked_a if not r.question.answers and r.top >= default_min),
        key=lambda r: -r.top,
    )
    if shown:
        out.append(
            f"\n(a) unanswerable questions shown a passage at min_score {default_min}: "
            f"{len(shown)}, the highest scoring:"
        )
        out.extend(f"- {r.question.text} → {r.top_heading} ({r.top:.2f})" for r in shown[:5])
    report["retrieval"]["a"]["misses"] = [r.question.text for r in misses]

    # scale
    base = [p for items in passages.values() for p in items]
    origin = synthesize(base, args.passages)
    scale = {m.key: at_scale(m, origin, floors[m.key]) for m in METHODS}
    report["scale"] = {k: asdict(v) for k, v in scale.items()}
    first = next(iter(scale.values()))
    out.append(
        f"\n## At {first.passages:,} passages ({first.megabytes} MB of text: the documents "
        "replicated with other names, numbers and words; all bots in one index)\n"
    )
    out.append(
        table(
            [
                "method",
                "index passages/s",
                "index MB/s",
                "build s",
                "search p50 ms",
                "search p99 ms",
                "unanswerable shown a passage at min score",
                "their best score, median",
            ],
            [
                [
                    m.label,
                    f"{scale[m.key].passages_per_s:,}",
                    f"{scale[m.key].mb_per_s:.3f}",
                    f"{scale[m.key].build_s:.1f}",
                    f"{scale[m.key].p50_ms:.2f}",
                    f"{scale[m.key].p99_ms:.2f}",
                    pct(scale[m.key].false_hits),
                    f"{scale[m.key].unanswerable_median:.2f}",
                ]
                for m in METHODS
            ]
            + [["target", "", "", "", "", f"< {TARGET_P99_MS:.0f}", "", ""]],
        )
    )

    # FAQ
    matchers = faq_matchers()
    defaults = FaqSettings()
    weight = faq_module.WORD_WEIGHT
    live = reads_weight_at_call_time(matchers)
    outcomes = faq_outcomes(matchers, weight)
    check_decision_rule(matchers, outcomes, defaults)
    now = faq_figures(outcomes, defaults.answer_above, defaults.ask_above, weight)
    n_para = sum(1 for t in FAQ_TESTS if t[2])
    out.append(
        f"\n## FAQ\n\n{sum(len(e) for e in FAQ.values())} entries in {len(FAQ)} bots; "
        f"{n_para} paraphrases, {len(FAQ_TESTS) - n_para} off-topic or near-miss questions. "
        f"WORD_WEIGHT read at call time: {'yes' if live else 'no (only thresholds scanned)'}. "
        f"One off-topic question answered is {pct(1 / (len(FAQ_TESTS) - n_para))}: the "
        f"≤ {pct(TARGET_WRONG)} target means none.\n"
    )
    header = [
        "answer_above",
        "ask_above",
        "WORD_WEIGHT",
        "precision",
        "coverage",
        "wrong answers off-topic",
        "ask (paraphrase / off-topic)",
        "right entry offered (ask/hint)",
        "hint off-topic",
    ]

    def faq_row(f: FaqFigures, note: str = "") -> list[str]:
        return [
            f"{f.answer_above:.2f}{note}",
            f"{f.ask_above:.2f}",
            f"{f.word_weight:.1f}",
            f"{f.precision:.3f}",
            pct(f.coverage),
            pct(f.wrong_offtopic),
            f"{pct(f.ask_paraphrase)} / {pct(f.ask_offtopic)}",
            pct(f.offered_right),
            pct(f.hint_offtopic),
        ]

    target = [
        "target",
        "",
        "",
        f"≥ {TARGET_PRECISION}",
        "high",
        f"≤ {pct(TARGET_WRONG)}",
        "",
        "",
        "",
    ]
    out.append(table(header, [faq_row(now, " (default)"), target]))
    report["faq"] = {"word_weight_live": live, "default": asdict(now)}

    weights = [w / 10 for w in range(11)] if live else [weight]
    thresholds = [t / 100 for t in range(50, 96)]
    scanned: list[FaqFigures] = []
    per_weight = []
    for w in weights:
        these = faq_outcomes(matchers, w)
        figs = [faq_figures(these, t, min(defaults.ask_above, t), w) for t in thresholds]
        scanned += figs
        ok = [f for f in figs if meets(f)]
        pick = (
            max(ok, key=lambda f: (f.coverage, f.precision, -f.wrong_offtopic, f.answer_above))
            if ok
            else None
        )
        per_weight.append(faq_row(pick) if pick else ["—", "", f"{w:.1f}", "", "", "", "", "", ""])
    ok = [f for f in scanned if meets(f)]
    best = (
        max(
            ok,
            key=lambda f: (f.coverage, f.precision, -abs(f.word_weight - weight), f.answer_above),
        )
        if ok
        else None
    )
    out.append(
        f"\nanswer_above scanned 0.50–0.95 by 0.01 (ask_above {defaults.ask_above}), for each "
        "WORD_WEIGHT the setting meeting the targets with the highest coverage\n"
    )
    out.append(table(header, per_weight))
    at_weight = [
        f for f in scanned if f.word_weight == weight and round(f.answer_above * 100) % 5 == 0
    ]
    out.append(f"\nanswer_above at WORD_WEIGHT {weight}\n")
    out.append(table(header, [faq_row(f) for f in at_weight]))
    report["faq"]["scan"] = [asdict(f) for f in scanned]
    if best:
        out.append(
            f"\nbest meeting the targets: answer_above {best.answer_above:.2f}, WORD_WEIGHT "
            f"{best.word_weight:.1f} — precision {best.precision:.3f}, "
            f"coverage {pct(best.coverage)}, "
            f"wrong answers off-topic {pct(best.wrong_offtopic)}"
        )
        these = faq_outcomes(matchers, best.word_weight)
        asks = [
            faq_figures(these, best.answer_above, a / 100, best.word_weight)
            for a in range(30, round(best.answer_above * 100) + 1, 5)
        ]
        out.append(f"\nask_above scan at answer_above {best.answer_above:.2f}\n")
        out.append(table(header, [faq_row(f) for f in asks]))
        report["faq"]["best"] = asdict(best)
        report["faq"]["ask_scan"] = [asdict(f) for f in asks]
    else:
        out.append("\nno setting scanned meets the FAQ targets")
        report["faq"]["best"] = None

    # the margin: the closest wrong matches, and right ones left unanswered
    wrong = sorted(
        (
            (m[0].score, t[1], m[0].entry.question, "off-topic" if t[2] is None else "paraphrase")
            for t, (_, m) in zip(FAQ_TESTS, outcomes, strict=True)
            if m and m[0].entry.question != t[2]
        ),
        reverse=True,
    )
    out.append(
        f"\nhighest-scoring wrong matches at WORD_WEIGHT {weight} (answered from "
        f"answer_above {defaults.answer_above} up): question → entry (score)"
    )
    out.extend(f"- {q} → {e} ({s:.2f}, {kind})" for s, q, e, kind in wrong[:5])
    low = sorted(
        (m[0].score, t[1])
        for t, (_, m) in zip(FAQ_TESTS, outcomes, strict=True)
        if t[2] and m and m[0].entry.question == t[2] and m[0].score < defaults.answer_above
    )
    out.append(
        f"\nparaphrases matched to the right entry but under answer_above: {len(low)}, "
        "the lowest: " + "; ".join(f"{q} ({s:.2f})" for s, q in low[:6])
    )

    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(out))


if __name__ == "__main__":
    main()
