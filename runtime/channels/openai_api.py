"""The OpenAI-compatible API: `GET /v1/models` and `POST /v1/chat/completions`, so that
OpenAI's own clients (and curl) reach every bot unchanged. The channel is `api`.

A call is a customer's message like any other: journaled in the inbox, answered by the
responder through the bot's variant (sticky per `user`), its leads captured, its events
counted under the channel `api`. What differs is where the conversation lives: the
client sends it whole in `messages` (the earlier turns become the reply's history, the
last one is the message answered), and the bot's persona, knowledge and examples stay
its own: a client's `system` message is refused unless the bot allows it
(`api: {allow_system: true}`), and then it only rides along as a note.

The door is a key (`launch.py apikey create`), asked for on every request, also from
loopback: the studio password is not (runtime/web/auth.py leaves `/v1/` open to it),
but the Host and Origin checks stay (runtime/web/guard.py), so a web page in a browser
cannot call the API across sites. Each key may be held to some bots (another bot is
404, as if it did not exist) and to a request rate (429 with Retry-After), counted here
in memory in a sliding window per key. Every error is in OpenAI's shape
`{"error": {"message", "type", "param", "code"}}`, its words in the server's language.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.asking import Asking, Question
from runtime.dialogue import Dialogue, UnknownBot
from runtime.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from runtime.spec import BotRepository, BotSpec, SpecError
from runtime.store.api_keys import ApiKey, ApiKeys
from runtime.store.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "api"
OWNER = "botstudio"
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


class RateWindow:
    """The requests of each key in its window (a sliding one), in memory: a restart
    forgets them, which errs on the client's side."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}

    def wait(self, key: ApiKey, now: float | None = None) -> int | None:
        """None and the request counted; or the seconds until one more is allowed."""
        per = key.per()
        if per is None:
            return None
        allowed, seconds = per
        now = time.monotonic() if now is None else now
        seen = self._seen.setdefault(key.name, deque())
        while seen and seen[0] <= now - seconds:
            seen.popleft()
        if len(seen) >= allowed:
            return max(1, math.ceil(seen[0] + seconds - now))
        seen.append(now)
        return None


class ApiChannel(Adapter):
    name = CHANNEL

    def __init__(self, dialogue: Dialogue, asking: Asking, keys: ApiKeys, settings: Settings):
        self.dialogue = dialogue
        self.asking = asking
        self.keys = keys
        self.settings = settings
        self.rates = RateWindow()  # touched on the event loop only

    @classmethod
    def build(cls, parts: Parts) -> ApiChannel:
        asking = Asking(parts.inbox, parts.responder, parts.streams)
        settings = parts.bindings.settings  # the secret store, where the keys' hashes are
        return cls(parts.dialogue, asking, ApiKeys(settings), settings)

    def routes(self) -> list[APIRouter]:
        return [api_routes(self)]

    def lang(self) -> str:
        """The server's language: the studio's (as the Host, Origin and size checks say
        theirs), Chinese until changed."""
        lang = self.settings.get("language", DEFAULT_LANGUAGE)
        return lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    # --- the door ----------------------------------------------------------------------

    async def authorize(self, request: Request, lang: str) -> ApiKey:
        header = request.headers.get("authorization", "")
        scheme, _, text = header.partition(" ")
        if scheme.lower() != "bearer" or not text.strip():
            raise ApiError(401, t("api.no_key", lang), "invalid_api_key")
        key = await asyncio.to_thread(self.keys.verify, text.strip())  # reads the settings file
        if key is None:
            raise ApiError(401, t("api.bad_key", lang), "invalid_api_key")
        return key

    def limit(self, key: ApiKey, lang: str) -> None:
        wait = self.rates.wait(key)
        if wait is not None:
            rate = key.rate or ""
            raise ApiError(
                429,
                t("api.rate", lang, rate=rate, seconds=wait),
                "rate_limit_exceeded",
                kind="requests",
                headers={"retry-after": str(wait)},
            )

    def spec_for(self, key: ApiKey, model: str, lang: str) -> BotSpec:
        """The bot `model` names, if this key may use it (else 404, as for no bot at all);
        503 for a bot whose file cannot be used now. Reads the file: off the event loop."""
        bot_id, _, variant = model.partition(":")
        unknown = ApiError(404, t("api.unknown_model", lang, model=model), "model_not_found")
        if not key.allows(bot_id):
            raise unknown
        try:
            spec = self.dialogue.spec(bot_id)
        except UnknownBot:
            raise unknown from None
        except SpecError as exc:
            log.warning("api: bot %s cannot answer: %s", bot_id, exc)
            problem = self.problem(bot_id, exc, lang)
            message = t("api.bot_broken", lang, bot=bot_id, problem=problem)
            raise ApiError(503, message, "bot_unavailable", kind="server_error") from None
        if variant and variant not in spec.variant_ids():
            raise unknown
        return spec

    def problem(self, bot_id: str, exc: SpecError, lang: str) -> str:
        """The first problem of a bot file, said in `lang` (the file is read again when
        the bots were read in another language), without the file's path."""
        bots = self.dialogue.bots
        if bots.lang != lang:
            try:
                BotRepository(bots.bots_dir, bots.models, lang).load(bot_id)
            except SpecError as again:
                exc = again
            except KeyError:  # gone meanwhile: the first words will do
                pass
        return exc.problems[0].message if exc.problems else ""

    # --- the routes' work --------------------------------------------------------------

    def models(self, key: ApiKey) -> dict[str, Any]:
        data: list[dict[str, Any]] = []
        for bot_id in self.dialogue.bots.ids():
            if not key.allows(bot_id):
                continue
            try:
                spec = self.dialogue.spec(bot_id)
            except (UnknownBot, SpecError):
                continue  # cannot answer now: not offered (a call to it says why, 503)
            path = self.dialogue.bots.path_for(bot_id)
            created = int(path.stat().st_mtime) if path is not None else 0
            for model in [bot_id, *(f"{bot_id}:{v}" for v in spec.variant_ids())]:
                data.append({"id": model, "object": "model", "created": created, "owned_by": OWNER})
        return {"object": "list", "data": data}

    def question(self, call: Call, key: ApiKey, spec: BotSpec) -> Question:
        who = call.user if call.user else call.request_id
        settings: dict[str, Any] = {}
        if call.max_tokens is not None:
            settings["max_tokens"] = call.max_tokens
        if call.temperature is not None:
            settings["temperature"] = call.temperature
        if call.variant:
            settings["variant"] = call.variant
        return Question(
            channel=CHANNEL,
            bot_id=spec.id,
            person=f"api:{key.name}:{who}",
            text=call.text,
            history=call.history,
            settings=settings,
            note="\n\n".join(call.system),
            msgid=call.request_id,
        )

    async def door(self, request: Request, lang: str) -> ApiKey:
        """The key, verified and counted against its rate: every request's first step."""
        key = await self.authorize(request, lang)
        self.limit(key, lang)
        return key

    async def complete(self, request: Request) -> Response:
        lang = self.lang()
        key = await self.door(request, lang)
        call = read_call(await request.body(), lang)
        spec = await asyncio.to_thread(self.spec_for, key, call.model, lang)
        fit_to_bot(call, spec, lang)
        question = self.question(call, key, spec)
        inbox_id = await asyncio.to_thread(self.asking.ask, question)
        if call.stream:
            return StreamingResponse(
                self.chunks(call, inbox_id),
                media_type="text/event-stream",
                headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
            )
        text, usage = "", _usage(None)
        async for piece in self.asking.pieces(inbox_id):
            text = piece.text
            if piece.finished:
                usage = _usage(piece.usage)
        answer = {
            "id": call.request_id,
            "object": "chat.completion",
            "created": call.created,
            "model": call.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": usage,
        }
        return JSONResponse(answer)

    async def chunks(self, call: Call, inbox_id: int) -> AsyncIterator[bytes]:
        """Server-sent events: OpenAI's chunks, then `data: [DONE]`."""

        def chunk(delta: dict[str, str], finish: str | None) -> bytes:
            body: dict[str, Any] = {
                "id": call.request_id,
                "object": "chat.completion.chunk",
                "created": call.created,
                "model": call.model,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if call.include_usage:
                body["usage"] = None  # as OpenAI: only the last chunk carries it
            return _event(body)

        yield chunk({"role": "assistant", "content": ""}, None)
        usage, sent = _usage(None), ""
        async for piece in self.asking.pieces(inbox_id):
            if piece.delta:
                sent += piece.delta
                yield chunk({"content": piece.delta}, None)
            if piece.finished:
                usage = _usage(piece.usage)
                rest = _rest(sent, piece.text)
                if rest:
                    yield chunk({"content": rest}, None)
        yield chunk({}, "stop")
        if call.include_usage:
            yield _event(
                {
                    "id": call.request_id,
                    "object": "chat.completion.chunk",
                    "created": call.created,
                    "model": call.model,
                    "choices": [],
                    "usage": usage,
                }
            )
        yield b"data: [DONE]\n\n"


def _rest(sent: str, final: str) -> str:
    """What the client has yet to see of the final answer, beyond what streamed. The
    end is trimmed (and cut where the model repeated itself): nothing more then. Where
    the end replaced what streamed (a blocked word: the bot's own blocked_reply), the
    replacement follows on a line of its own: a stream cannot take words back."""
    shown, answer = sent.strip(), final.strip()
    if answer.startswith(shown):
        return answer[len(shown) :]
    if shown.startswith(answer):
        return ""
    return ("\n\n" if shown else "") + answer


def _event(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def _usage(counted: dict[str, int] | None) -> dict[str, int]:
    prompt = int((counted or {}).get("prompt_tokens", 0))
    completion = int((counted or {}).get("completion_tokens", 0))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


# --- reading a request ------------------------------------------------------------------


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


# --- the routes -------------------------------------------------------------------------


def api_routes(channel: ApiChannel) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/models")
    async def models(request: Request) -> Response:
        try:
            key = await channel.door(request, channel.lang())
            return JSONResponse(await asyncio.to_thread(channel.models, key))
        except ApiError as exc:
            return exc.response()

    @router.post("/v1/chat/completions")
    async def completions(request: Request) -> Response:
        try:
            return await channel.complete(request)
        except ApiError as exc:
            return exc.response()
        except Exception:  # a bug: said in words and OpenAI's shape, the trace in the log
            log.exception("api: a chat completion failed")
            failed = t("api.failed", channel.lang())
            return ApiError(500, failed, "internal_error", kind="server_error").response()

    @router.api_route(
        "/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    )
    async def elsewhere(request: Request, rest: str) -> Response:
        """Anything else under /v1/: still the key first, then OpenAI's 404."""
        lang = channel.lang()
        try:
            await channel.authorize(request, lang)
        except ApiError as exc:
            return exc.response()
        message = t("api.no_route", lang, method=request.method, path=request.url.path[:200])
        return ApiError(404, message, "unknown_url").response()

    return router
