"""What the model is told of the knowledge base for one turn: the passages found, and
to answer from them or say it does not know. It rides on the customer's message (like
the lead note), after the pinned prefix, so the prefix cache still hits; the stored
history keeps only what the customer said."""

from __future__ import annotations

from runtime.i18n import t
from runtime.knowledge.faq import FaqMatch
from runtime.knowledge.passages import Hit

MAX_PASSAGE_CHARS = 700  # a passage is ~400; a long table row is cut for the prompt


def reference_note(hits: list[Hit], hint: FaqMatch | None, lang: str) -> str:
    """ "" when there is nothing to go on: the bot's own knowledge text still applies."""
    items = []
    if hint is not None:
        items.append(t("kb.note.faq", lang, question=hint.entry.question, answer=hint.entry.answer))
    for hit in hits:
        where = (
            f"{hit.passage.source} · {hit.passage.heading}"
            if hit.passage.heading
            else hit.passage.source
        )
        items.append(f"《{where}》{hit.passage.text[:MAX_PASSAGE_CHARS]}")
    if not items:
        return ""
    listed = "\n".join(f"[{n}] {item}" for n, item in enumerate(items, 1))
    return t("kb.note", lang, passages=listed, fallback=t("kb.fallback", lang))


def which_did_you_mean(matches: list[FaqMatch], lang: str) -> str:
    listed = "\n".join(f"{n}. {m.entry.question}" for n, m in enumerate(matches, 1))
    return t("kb.faq.ask", lang, questions=listed)


def offered_questions(said: str, lang: str) -> list[str]:
    """The questions a "which did you mean?" reply of ours offered (its numbered lines),
    or [] when `said` was no such reply: the choice is read back from the history, so
    it survives a restart."""
    opening = t("kb.faq.ask", lang, questions="").strip()
    if not said.startswith(opening.split("\n")[0]):
        return []
    found = []
    for line in said.splitlines():
        number, dot, question = line.partition(". ")
        if dot and number.isdigit():
            found.append(question.strip())
    return found
