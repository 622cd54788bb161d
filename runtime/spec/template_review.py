"""What a bot copied from a template still says in the template's name.

A template is someone's bot: "小蓝" of 蓝莺IM greets in the copy, and variant B still
promises "我是小蓝 🎁 …30 天专业版试用" unless someone looks. After a copy the studio
shows the name, the greeting and every place (variants' overrides included) where
the template's brand words remain, and asks for them to be changed.

The brand words are found in the template, not listed by hand: the parts of its name,
the name its persona gives the bot (你是…“小蓝” / You are Helper), and the company it
speaks for (你是蓝莺IM的… / assistant of Bean There), when that also appears elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime.spec.model import BotSpec, FewShot

NAME_BREAK = re.compile(r"[\s·•・|/\\()（）【】\[\]:：,，、\-–—]+")
SELF_NAME = re.compile(r"(?:你是|我是|叫)[^“”「」\"。\n]{0,24}?[“「\"]([^”」\"\n]{2,12})[”」\"]")
COMPANY = re.compile(r"(?:你是|我是)([^，。！？、\s“”「」的]{2,12})的")
EN_SELF = re.compile(r"\b(?:You are|I am|I'm) ([A-Z][\w'&-]*(?: [A-Z][\w'&-]*)*)")
EN_COMPANY = re.compile(r"\b(?:of|for|at) ([A-Z][\w'&-]*(?: [A-Z][\w'&-]*)+)")
PARTS = ("greeting", "persona", "system_prompt", "knowledge", "few_shot")


@dataclass(frozen=True)
class Leftover:
    """One place in the copy: `part` (a PARTS key) of the bot, or of variant `variant`."""

    part: str
    variant: str | None
    text: str
    words: tuple[str, ...]  # the template's brand words found in it


def _few_shot_text(examples: list[FewShot] | None) -> str:
    return "\n".join(f"{e.user}\n{e.assistant}" for e in examples or [])


def brand_words(template: BotSpec) -> list[str]:
    """The words that name the template's bot or company, longest first."""
    words = {part for part in NAME_BREAK.split(template.name) if len(part) >= 2}
    texts = [template.persona, template.greeting, template.system_prompt]
    texts += [v.persona or "" for v in template.variants] + [
        v.greeting or "" for v in template.variants
    ]
    said = "\n".join(texts)
    elsewhere = "\n".join(
        [
            template.greeting,
            template.knowledge,
            template.description,
            *(v.greeting or "" for v in template.variants),
        ]
    )
    for pattern in (SELF_NAME, EN_SELF):
        words |= {m.group(1).strip() for m in pattern.finditer(said)}
    for pattern in (COMPANY, EN_COMPANY):
        for match in pattern.finditer(said):
            company = match.group(1).strip()
            # "你是一位有十年经验的…" is no company: a company is said again elsewhere
            if company in elsewhere or (re.search(r"[A-Za-z]", company) and pattern is COMPANY):
                words.add(company)
    return sorted((w for w in words if len(w) >= 2), key=len, reverse=True)


def leftovers(template: BotSpec, copy: BotSpec) -> list[Leftover]:
    """Every place in `copy` that still carries a brand word of `template`."""
    words = brand_words(template)
    found: list[Leftover] = []

    def look(part: str, variant: str | None, text: str) -> None:
        hits = tuple(w for w in words if w and w.casefold() in text.casefold())
        if hits:
            found.append(Leftover(part, variant, text, hits))

    for part in PARTS:
        value = getattr(copy, part)
        look(part, None, _few_shot_text(value) if part == "few_shot" else value)
    for variant in copy.variants:
        for part in PARTS:
            value = getattr(variant, part, None)
            if value:
                look(part, variant.id, _few_shot_text(value) if part == "few_shot" else value)
    return found
