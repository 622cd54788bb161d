"""热门问题: what customers asked lately that no FAQ answered, grouped by similarity
with counts, so a marketer sees which answers to add first. The questions are the
dialogue's UNANSWERED events (their text only; who asked stays in the journal)."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

from runtime.knowledge.faq import ANSWER, Vectors, matcher_for, similarity, vectors
from runtime.spec.knowledge import FaqSettings
from runtime.store.events import UNANSWERED, EventLog

SAME_QUESTION = 0.55  # similarity from which two questions are one (bench/knowledge.py)
MOST = 2_000  # the latest questions read: grouping is quadratic in the groups
_SMALL_TALK = re.compile(
    r"^(你好|您好|在吗|在不在|谢谢|多谢|感谢|好的|好|嗯+|哦+|ok|okay|hi|hello|thanks?|"
    r"thank you|bye|再见|拜拜|[1-9])$",
    re.I,
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def worth_keeping(message: str) -> bool:
    """A question, not small talk ("你好", "谢谢", "1"): only questions are grouped."""
    plain = _PUNCTUATION.sub("", message).lower()
    return len(plain) >= 2 and not _SMALL_TALK.match(plain)


@dataclass
class HotQuestion:
    text: str  # the most common wording
    count: int
    wordings: list[str] = field(default_factory=list)  # other wordings, most common first


def hot_questions(
    events: EventLog,
    bot_id: str,
    faq: FaqSettings,
    days: int = 7,
    limit: int = 20,
    now: float | None = None,
) -> list[HotQuestion]:
    """The unanswered questions of the last `days`, grouped, most asked first; those the
    FAQ answers by now (added since) are left out."""
    since = (now or time.time()) - days * 86_400
    found = events.since(bot_id, UNANSWERED, since)[-MOST:]
    counted = Counter(str(payload.get("text", "")).strip() for _, payload in found)
    matcher = matcher_for(faq.entries)  # the dialogue's: answered there, answered here
    groups: list[tuple[Vectors, HotQuestion]] = []
    for text, count in counted.most_common():
        if not worth_keeping(text) or matcher.decide(faq, text).kind == ANSWER:
            continue
        asked = vectors(text)
        home = next((g for v, g in groups if similarity(asked, v) >= SAME_QUESTION), None)
        if home is None:
            groups.append((asked, HotQuestion(text, count)))
        else:
            home.count += count
            home.wordings.append(text)
    ranked = sorted((g for _, g in groups), key=lambda g: -g.count)
    return ranked[:limit]
