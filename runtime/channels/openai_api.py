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
A request's body is checked in runtime/channels/api_requests.py; here are the door, the
answer and the routes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.api_requests import ApiError, Call, fit_to_bot, read_call
from runtime.channels.asking import Asked, Asking, Piece, Question
from runtime.channels.rate_windows import Windows
from runtime.dialogue import Dialogue, UnknownBot
from runtime.i18n import t
from runtime.i18n.language import studio_language
from runtime.spec import BotRepository, BotSpec, SpecError
from runtime.store.api_keys import RATE_SECONDS, ApiKey, ApiKeys
from runtime.store.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "api"
OWNER = "botstudio"


class ApiChannel(Adapter):
    name = CHANNEL

    def __init__(self, dialogue: Dialogue, asking: Asking, keys: ApiKeys, settings: Settings):
        self.dialogue = dialogue
        self.asking = asking
        self.keys = keys
        self.settings = settings
        self.rates = Windows(0, seconds=max(RATE_SECONDS.values()))  # each key's own rate

    @classmethod
    def build(cls, parts: Parts) -> ApiChannel:
        asking = Asking(parts.inbox, parts.responder, parts.streams)
        settings = parts.bindings.settings  # the secret store, where the keys' hashes are
        return cls(parts.dialogue, asking, ApiKeys(settings), settings)

    def routes(self) -> list[APIRouter]:
        return [api_routes(self)]

    def lang(self) -> str:
        """The server's language: the studio's (as the Host, Origin and size checks say
        theirs)."""
        return studio_language(self.settings)

    # --- the door ----------------------------------------------------------------------

    async def authorize(self, request: Request, lang: str) -> ApiKey:
        header = request.headers.get("authorization", "")
        return await asyncio.to_thread(self.verified, header, lang)

    def verified(self, authorization: str, lang: str) -> ApiKey:
        """The key the `Authorization` header holds. May read the settings file: call it
        off the event loop."""
        scheme, _, text = authorization.partition(" ")
        if scheme.lower() != "bearer" or not text.strip():
            raise ApiError(401, t("api.no_key", lang), "invalid_api_key")
        key = self.keys.verify(text.strip())
        if key is None:
            raise ApiError(401, t("api.bad_key", lang), "invalid_api_key")
        return key

    def limit(self, key: ApiKey, lang: str) -> None:
        per = key.per()
        wait = None if per is None else self.rates.take(key.name, *per)
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

    def admitted(self, authorization: str, lang: str) -> ApiKey:
        """The key, verified and counted against its rate: every request's first step.
        May read the settings file: call it off the event loop."""
        key = self.verified(authorization, lang)
        self.limit(key, lang)
        return key

    async def door(self, request: Request, lang: str) -> ApiKey:
        header = request.headers.get("authorization", "")
        return await asyncio.to_thread(self.admitted, header, lang)

    def accept(self, authorization: str, raw: bytes, lang: str) -> tuple[Call, Asked]:
        """A call up to its answer, in one trip off the event loop (a burst of customers
        reaches the model sooner than through one trip per step): the key and its rate,
        the body read, the bot found and fitted, and the question journaled."""
        key = self.admitted(authorization, lang)
        call = read_call(raw, lang)
        spec = self.spec_for(key, call.model, lang)
        fit_to_bot(call, spec, lang)
        return call, self.asking.ask(self.question(call, key, spec))

    async def complete(self, request: Request) -> Response:
        lang = self.lang()
        authorization = request.headers.get("authorization", "")
        with self.asking.on_the_way():
            raw = await request.body()  # its size is held by runtime/web/limits.py
            call, asked = await asyncio.to_thread(self.accept, authorization, raw, lang)
        if call.stream:
            pieces = self.asking.pieces(asked)
            first = await anext(pieces, None)
            return StreamingResponse(
                self.chunks(call, _joined(first, pieces)),
                media_type="text/event-stream",
                headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
            )
        text, usage = "", _usage(None)
        async for piece in self.asking.pieces(asked):
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

    async def chunks(self, call: Call, answer: AsyncIterator[Piece]) -> AsyncIterator[bytes]:
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

        # A chunk per word is the stream's hot path: the words are put into the encoded
        # chunk, not the whole chunk encoded again for each.
        head, _, tail = chunk({"content": _MARK}, None).partition(_MARK_JSON.encode())

        def words(text: str) -> bytes:
            return head + json.dumps(text, ensure_ascii=False).encode() + tail

        yield chunk({"role": "assistant", "content": ""}, None)
        usage, sent = _usage(None), ""
        async for piece in answer:
            if piece.delta:
                sent += piece.delta
                yield words(piece.delta)
            if piece.finished:
                usage = _usage(piece.usage)
                rest = _rest(sent, piece.text)
                if rest:
                    yield words(rest)
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


async def _joined(first: Piece | None, rest: AsyncIterator[Piece]) -> AsyncIterator[Piece]:
    if first is None:
        return
    yield first
    async for piece in rest:
        yield piece


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


_MARK = "\x00words\x00"  # cannot come from a model: where a chunk's words go
_MARK_JSON = json.dumps(_MARK, ensure_ascii=False)


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
