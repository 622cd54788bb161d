"""A bot's scheduled messages: when (a cron line in a time zone), what (a fixed text or a
prompt for the model, with {figures}), and where to (the bot's webhook or alert group)."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from runtime.spec.fields import BotId, Strict, TimeZone


@dataclass(frozen=True)
class ScheduleChecks:
    """What a schedule's words mean is the schedules' business (runtime/schedules): the
    package hands the spec these checks when it is imported, so the spec imports none of it."""

    cron: typing.Callable[[str], object]  # raises ValueError (an Explained) for a bad line
    unknown_figures: typing.Callable[[str], list[str]]  # the {names} in a text that are none
    figures: tuple[str, ...]  # the names a text may use, for the message


# Written once, when runtime/schedules is imported, and never changed after: a registry
# of what the layer above says a schedule's words mean, not state that varies at run time.
_SCHEDULE_CHECKS: list[ScheduleChecks] = []


def use_schedule_checks(checks: ScheduleChecks) -> None:
    if _SCHEDULE_CHECKS and _SCHEDULE_CHECKS[0] != checks:
        raise RuntimeError("the schedule checks are handed to the spec once")
    _SCHEDULE_CHECKS[:] = [checks]


def schedule_checks() -> ScheduleChecks:
    """The checks handed in; a schedule is never let through unchecked."""
    if not _SCHEDULE_CHECKS:
        raise RuntimeError("import runtime.schedules before checking a schedule")
    return _SCHEDULE_CHECKS[0]


class Schedule(Strict):
    id: BotId
    cron: str
    timezone: TimeZone = "Asia/Shanghai"
    text: str | None = None
    prompt: str | None = None
    to: Literal["webhook", "alert"] = "webhook"
    paused: bool = False
    # a run missed (the machine was off or asleep) still goes out this late, once
    grace_minutes: Annotated[int, Field(ge=0, le=1440)] = 60

    @field_validator("cron")
    @classmethod
    def _cron_shape(cls, value: str) -> str:
        from runtime.i18n import Explained, said

        try:
            schedule_checks().cron(value)
        except ValueError as exc:  # the reason kept as words, said in the reader's language
            detail = said(exc.message_id, **exc.params) if isinstance(exc, Explained) else str(exc)
            raise PydanticCustomError(
                "bad_cron", "invalid cron", {"value": value, "detail": detail}
            ) from None
        return value

    @model_validator(mode="after")
    def _one_body(self) -> Schedule:
        if (self.text is None) == (self.prompt is None):
            raise PydanticCustomError("schedule_body", "text or prompt", {})
        checks = schedule_checks()
        body = "text" if self.text is not None else "prompt"
        unknown = checks.unknown_figures(self.text if self.text is not None else self.prompt or "")
        if unknown:
            raise PydanticCustomError(
                "unknown_figure",
                "unknown figure",
                {"value": unknown[0], "known": ", ".join(checks.figures), "at": (body,)},
            )
        return self
