"""How a bot answers in WeCom: in a group (企业微信 群机器人 and 智能机器人) and to
customers on personal WeChat (微信客服), where a person may take over."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from runtime.spec.fields import Strict, Text


class WeComSettings(Strict):
    trigger: Literal["mention", "prefix", "always"] = "mention"
    prefix: str | None = None
    reply_format: Literal["markdown", "text", "stream"] = "markdown"

    @model_validator(mode="after")
    def _prefix_for_prefix_trigger(self) -> WeComSettings:
        if self.trigger == "prefix" and not (self.prefix or "").strip():
            raise PydanticCustomError("prefix_required", "prefix required", {"at": ["prefix"]})
        return self


HandoverWord = Annotated[str, Field(min_length=1, max_length=50)]


class KfSettings(Strict):
    """微信客服 (customers on personal WeChat): when a person takes over, and what the bot
    says to what it cannot read."""

    handover_words: list[HandoverWord] = Field(
        default_factory=lambda: ["转人工", "人工客服", "人工服务", "真人客服"]
    )
    handover_to: Literal["queue", "servicer"] = "queue"  # WeCom's waiting queue, or one person
    servicer: Annotated[str, Field(min_length=1, max_length=64)] | None = None  # WeCom userid
    handover_on_conversion: bool = False  # a converted lead goes to a person at once
    handover_reply: Text | None = None  # None: the string table's, in the bot's language
    text_only_reply: Text | None = None  # to a picture, voice, file…; None: the table's

    @model_validator(mode="after")
    def _servicer_for_servicer(self) -> KfSettings:
        if self.handover_to == "servicer" and not (self.servicer or "").strip():
            raise PydanticCustomError(
                "servicer_required", "servicer required", {"at": ["servicer"]}
            )
        return self
