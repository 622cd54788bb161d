"""What the parts of the bot spec are built from: the strict model every part derives
from (an unknown key is refused) and the checked kinds of value they share."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

# Always used with fullmatch: `$` also matches before a trailing newline ("bot\n")
BOT_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")

Text = Annotated[str, Field(max_length=200_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


def _check_bot_id(value: str) -> str:
    if not BOT_ID.fullmatch(value):
        raise PydanticCustomError("bad_id", "invalid id", {"value": value})
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("bad_timezone", "invalid time zone", {"value": value}) from None
    return value


BotId = Annotated[str, AfterValidator(_check_bot_id)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
