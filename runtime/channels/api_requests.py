"""Reading a request to the OpenAI-compatible API (runtime/channels/openai_api.py): the
body of `POST /v1/chat/completions` checked field by field into a `Call` (a clear 400 in
OpenAI's error shape for the first thing wrong), and what then depends on the bot.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse

from runtime.i18n import t
from runtime.spec import BotSpec

MAX_MESSAGES = 100  # in one request's `messages`
MAX_CHARS = 32_000  # all of their text together
MAX_USER = 64  # characters of `user`
ROLES = ("system", "developer", "user", "assistant")  # developer: newer clients' system
UNSUPPORTED = ("tools", "functions")  # no tool calls: refused rather than ignored


class ApiError(Exception):
    """An answer in OpenAI's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.kind, self.headers = kind, headers or {}

    def response(self) -> JSONResponse:
        error = {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


@dataclass
class Call:
    """One checked chat completion request."""

    model: str
    bot_id: str
    variant: str | None
    history: list[dict[str, str]]  # earlier turns: {"role": "user"|"assistant", "content"}
    system: list[str]  # the client's system messages, in order
    text: str  # the last user message: what is answered
    stream: bool = False
    include_usage: bool = False
    max_tokens: int | None = None
    temperature: float | None = None
    user: str | None = None
    request_id: str = field(default_factory=lambda: "chatcmpl-" + secrets.token_hex(12))
    created: int = field(default_factory=lambda: int(time.time()))


def _bad(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, code, param)


def _text_of(content: Any, index: int, lang: str) -> str:
    """A message's content: a string, or OpenAI's list of text parts."""
    if isinstance(content, str):
        return content
    param = f"messages[{index}].content"
    if not isinstance(content, list):
        raise _bad(t("api.message_content", lang, index=index), param)
    texts = []
    for part in content:
        if not isinstance(part, dict):
            raise _bad(t("api.message_content", lang, index=index), param)
        kind = part.get("type")
        if kind != "text":
            raise _bad(t("api.message_part", lang, index=index, kind=str(kind)[:40]), param)
        if not isinstance(part.get("text"), str):
            raise _bad(t("api.message_content", lang, index=index), param)
        texts.append(part["text"])
    return "\n".join(texts)


def read_call(raw: bytes, lang: str) -> Call:
    """The request, checked field by field: a clear 400 for the first thing wrong."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        body = None
    if not isinstance(body, dict):
        raise _bad(t("api.bad_json", lang))
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _bad(t("api.model_missing", lang), "model")
    model = model.strip()
    bot_id, _, variant = model.partition(":")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _bad(t("api.messages_missing", lang), "messages")
    if len(messages) > MAX_MESSAGES:
        count = len(messages)
        raise _bad(t("api.too_many_messages", lang, limit=MAX_MESSAGES, count=count), "messages")
    said: list[tuple[str, str]] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise _bad(t("api.message_not_object", lang, index=index), f"messages[{index}]")
        role = message.get("role")
        if role not in ROLES:
            shown = str(role)[:40]
            param = f"messages[{index}].role"
            raise _bad(t("api.message_role", lang, index=index, role=shown), param)
        content = message.get("content")
        if role == "assistant" and content is None:
            continue  # an assistant turn without words (a client's tool call): nothing said
        said.append(
            ("system" if role == "developer" else str(role), _text_of(content, index, lang))
        )
    total = sum(len(text) for _, text in said)
    if total > MAX_CHARS:
        raise _bad(t("api.too_long", lang, limit=MAX_CHARS, count=total), "messages")
    if not said or said[-1][0] != "user":
        raise _bad(t("api.last_not_user", lang), "messages")
    text = said[-1][1].strip()
    if not text:
        raise _bad(t("api.empty_message", lang), "messages")
    history = [{"role": role, "content": text} for role, text in said[:-1] if role != "system"]
    system = [text.strip() for role, text in said if role == "system" and text.strip()]
    call = Call(model, bot_id, variant or None, history, system, text)
    _options(call, body, lang)
    return call


def _options(call: Call, body: dict[str, Any], lang: str) -> None:
    stream = body.get("stream", False)
    if stream is not None and not isinstance(stream, bool):
        raise _bad(t("api.stream_type", lang), "stream")
    call.stream = bool(stream)
    options = body.get("stream_options")
    if options is not None:
        if not isinstance(options, dict) or not call.stream:
            raise _bad(t("api.stream_options", lang), "stream_options")
        call.include_usage = options.get("include_usage") is True
    for name in ("max_completion_tokens", "max_tokens"):  # the newer name wins
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _bad(t("api.max_tokens", lang, field=name), name)
        if call.max_tokens is None:
            call.max_tokens = value
    temperature = body.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise _bad(t("api.temperature", lang), "temperature")
        if not 0 <= temperature <= 2:
            raise _bad(t("api.temperature", lang), "temperature")
        call.temperature = float(temperature)
    user = body.get("user")
    if user is not None:
        if (
            not isinstance(user, str)
            or len(user) > MAX_USER
            or any(ord(c) < 32 or ord(c) == 127 for c in user)
        ):
            raise _bad(t("api.user", lang, limit=MAX_USER), "user")
        call.user = user.strip() or None
    n = body.get("n")
    if n is not None and (isinstance(n, bool) or n != 1):
        raise _bad(t("api.n", lang), "n")
    for name in UNSUPPORTED:
        if body.get(name):
            raise _bad(t("api.tools", lang, field=name), name)
    response_format = body.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else response_format
    if kind not in (None, "text"):
        raise _bad(t("api.response_format", lang, kind=str(kind)[:40]), "response_format")


def fit_to_bot(call: Call, spec: BotSpec, lang: str) -> None:
    """What depends on the bot: its system-message rule and its own reply length, which
    a client may shorten, never lengthen."""
    if call.system and not spec.api.allow_system:
        raise _bad(t("api.system_refused", lang, bot=spec.id), "messages", "system_not_allowed")
    own = spec.resolve(call.variant).model.max_tokens
    call.max_tokens = own if call.max_tokens is None else min(call.max_tokens, own)
