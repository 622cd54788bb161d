"""How a bot is reached beyond WeCom: the OpenAI-compatible API (`api:`) and the public
web chat page (`web_chat:`). Off by default where it opens a door: the page answers 404
until `web_chat.enabled` is true; the API needs a key (`launch.py apikey create`)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _check_color(value: str) -> str:
    if not COLOR.fullmatch(value):
        raise PydanticCustomError("bad_color", "invalid colour", {"value": value})
    return value.lower()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class ApiSettings(_Strict):
    # a caller's `system` message is refused (400) unless the bot allows it; then it
    # rides on the customer's message as extra instructions, the bot's own stay first
    allow_system: bool = False


class WebChatSettings(_Strict):
    enabled: bool = False
    title: Annotated[str, Field(min_length=1, max_length=60)] | None = None  # the bot's name
    color: Annotated[str, AfterValidator(_check_color)] = "#2563eb"
