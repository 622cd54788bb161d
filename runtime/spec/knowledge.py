"""The knowledge settings of a bot: how many passages of its documents a reply reads, and
its FAQ (question → answer pairs answered at once, without the model).

The documents themselves live beside the bot file, in `bots/<id>.knowledge/`
(runtime/knowledge/library.py); the FAQ lives in the bot file, so it is edited,
diffed and exported with the rest of the bot."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

Score = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class KnowledgeSettings(_Strict):
    top_k: Annotated[int, Field(ge=0, le=10)] = 3  # passages per reply; 0 turns it off
    # BM25 score under which a passage is not shown to the model (measured in
    # bench/knowledge.py: off-topic questions score under it, answered ones above)
    min_score: Annotated[float, Field(ge=0, le=100)] = 2.0


class FaqEntry(_Strict):
    question: Annotated[str, Field(min_length=1, max_length=500)]
    answer: Annotated[str, Field(min_length=1, max_length=5_000)]
    similar: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list
    )  # other ways customers ask it

    def phrasings(self) -> list[str]:
        return [self.question, *self.similar]


class FaqSettings(_Strict):
    # similarity (0–1) from which the FAQ's answer is given verbatim, without the model
    answer_above: Score = 0.72
    # from here up to answer_above, with two close entries, the bot asks which was meant
    ask_above: Score = 0.5
    entries: list[FaqEntry] = Field(default_factory=list)

    @field_validator("entries")
    @classmethod
    def _one_entry_per_question(cls, entries: list[FaqEntry]) -> list[FaqEntry]:
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            key = entry.question.strip()
            if key in seen:
                ctx = {"what": "faq_question", "value": key, "first": seen[key] + 1}
                ctx["at"] = [index, "question"]
                raise PydanticCustomError("duplicate", "duplicate", ctx)
            seen[key] = index
        return entries

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> FaqSettings:
        if self.ask_above > self.answer_above:
            ctx = {"low": self.ask_above, "high": self.answer_above, "at": ["ask_above"]}
            raise PydanticCustomError("faq_thresholds", "ask_above above answer_above", ctx)
        return self
