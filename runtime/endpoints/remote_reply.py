"""One reply streaming from an OpenAI-compatible server: from the best URL of the
endpoint's pool, moved to the next URL if it fails before its first words, and never
started again once words have gone out (they would be said twice)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import openai

from runtime.endpoints.failures import UrlFailure, failure_detail
from runtime.endpoints.store import Endpoint
from runtime.endpoints.urlpool import UrlState
from runtime.engine.llama_model import GenerationStats

if TYPE_CHECKING:  # the models hand themselves to each reply they open
    from runtime.endpoints.remote import RemoteModels

log = logging.getLogger(__name__)

FINISH = {"stop": "end", "length": "max_tokens"}


def json_only(reply: RemoteReply) -> Iterator[str]:
    """Structured output as one piece: the JSON object, without the fences or words a
    server that could not be held to the schema may wrap it in."""
    try:
        text = "".join(reply)
    finally:
        reply.close()
    start, end = text.find("{"), text.rfind("}")
    yield text[start : end + 1] if 0 <= start < end else text


class RemoteReply:
    """One reply streaming from one URL of the pool, moved to another URL if it fails
    before its first words. Iterate for text; `close()` ends it early."""

    def __init__(
        self,
        remote: RemoteModels,
        endpoint: Endpoint,
        request: dict[str, Any],
        stats: GenerationStats,
        affinity: str,
        schema: dict[str, Any] | None,
        started: float,
    ):
        self.remote, self.endpoint, self.request = remote, endpoint, request
        self.stats, self.affinity, self.schema, self.started = stats, affinity, schema, started
        self.pool = remote.pool(endpoint)
        self.tried: list[str] = []
        self.failures: list[UrlFailure] = []
        self.said = 0  # pieces of text handed out
        self._state: UrlState | None = None
        self._stream: Any = None
        self._chunks: Iterator[Any] | None = None

    # --- starting ------------------------------------------------------------

    def open(self) -> None:
        """Start on the best URL not tried yet that answers; EndpointError if none does."""
        while (state := self.pool.take(self.affinity, self.tried)) is not None:
            self.tried.append(state.url)
            try:
                self._start(state)
                return
            except UrlFailure as failure:
                self.failures.append(failure)
                self.remote.log_failure(self.endpoint, failure)
                if not failure.try_next:
                    break
        raise self.remote.combined(self.endpoint, self.failures)

    def _start(self, state: UrlState) -> None:
        """The request on `state`'s URL, which `take` has counted in flight."""
        client = self.remote.client(self.endpoint, state.url)
        try:
            stream = self._create(client)
        except Exception as exc:
            self.pool.release(state)
            failure = self.remote.failure(exc, self.endpoint, state.url, self.request["model"])
            self.pool.failed(state, failure.stored(), rest=failure.rest)
            raise failure from exc
        if self.failures:
            log.info(
                "endpoint %s: answered by %s after %d failed",
                self.endpoint.name,
                state.url,
                len(self.failures),
            )
        self._state, self._stream, self._chunks = state, stream, iter(stream)

    def _create(self, client: openai.OpenAI) -> Any:
        """The streaming request; with a schema, in the server's dialect, falling back to
        a plainer one when the server refuses it."""
        mode = self.remote.structured(self.endpoint) if self.schema is not None else None
        while True:
            request = dict(self.request)
            if mode is not None:
                request.update(self._structured(mode, request))
            try:
                return client.chat.completions.create(stream=True, **request)
            except openai.APIStatusError as exc:
                refused = exc.status_code in (400, 422) or "response_format" in failure_detail(exc)
                if mode is None or mode == "none" or not refused:
                    raise
                mode = self.remote.downgrade(self.endpoint, mode)

    def _structured(self, mode: str, request: dict[str, Any]) -> dict[str, Any]:
        schema = self.schema or {}
        if mode == "json_schema":
            wrapped = {"name": "fields", "schema": schema}
            return {"response_format": {"type": "json_schema", "json_schema": wrapped}}
        if mode == "json_object_schema":
            return {"response_format": {"type": "json_object", "schema": schema}}
        if mode == "ollama":
            wrapped = {"name": "fields", "schema": schema}
            extra = {**request.get("extra_body", {}), "format": schema}
            return {
                "response_format": {"type": "json_schema", "json_schema": wrapped},
                "extra_body": extra,
            }
        # not held to the schema: it is in the instructions instead (and "JSON" with it,
        # which json_object mode requires of the prompt)
        messages = [dict(m) for m in request["messages"]]
        note = "Reply in json: only a JSON object that follows this JSON schema:\n" + json.dumps(
            schema, ensure_ascii=False
        )
        if messages and messages[0]["role"] == "system":
            messages[0]["content"] = f"{messages[0]['content']}\n\n{note}"
        else:
            messages.insert(0, {"role": "system", "content": note})
        extra = {"messages": messages}
        if mode == "json_object":
            extra["response_format"] = {"type": "json_object"}
        return extra

    # --- streaming -------------------------------------------------------------

    def __iter__(self) -> RemoteReply:
        return self

    def __next__(self) -> str:
        while True:
            if self._chunks is None:
                raise StopIteration
            try:
                chunk = next(self._chunks)
            except StopIteration:
                if self._state is not None:
                    self.pool.succeeded(self._state)
                self._finish()
                raise
            except Exception as exc:  # the stream broke: a dead server, a cut connection
                self._broken(exc)
                continue
            text = self._take(chunk)
            if text:
                self.said += 1
                if self.stats.time_to_first_token is None:
                    self.stats.time_to_first_token = time.perf_counter() - self.started
                return text

    def _take(self, chunk: Any) -> str:
        usage = getattr(chunk, "usage", None)
        if usage is not None and getattr(usage, "completion_tokens", None):
            self.stats.generated_tokens = usage.completion_tokens
            self.stats.prompt_tokens = usage.prompt_tokens or self.stats.prompt_tokens
            cached = getattr(getattr(usage, "prompt_tokens_details", None), "cached_tokens", 0)
            self.stats.reused_tokens = cached or 0
        if not chunk.choices:
            return ""
        choice = chunk.choices[0]
        if choice.finish_reason:
            self.stats.stopped_by = FINISH.get(choice.finish_reason, choice.finish_reason)
        text = (choice.delta.content if choice.delta else None) or ""
        if text and usage is None:
            self.stats.generated_tokens += 1  # a server streams one token per chunk
        return text

    def _broken(self, exc: Exception) -> None:
        state = self._state
        assert state is not None
        failure = self.remote.failure(exc, self.endpoint, state.url, self.request["model"])
        self.pool.failed(state, failure.stored(), rest=failure.rest)
        self.remote.log_failure(self.endpoint, failure)
        self._finish()
        if self.said:  # the customer has the beginning: it is never said twice
            self.stats.stopped_by = "error"
            return
        self.failures.append(failure)
        self.open()  # the next URL, from the start: nothing was said yet

    def _finish(self) -> None:
        stream, state = self._stream, self._state
        self._stream = self._chunks = self._state = None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # a connection already gone
                log.debug("closing a broken stream failed", exc_info=True)
        if state is not None:
            self.pool.release(state)
        self.stats.total_seconds = time.perf_counter() - self.started

    def close(self) -> None:
        self._finish()

    def __del__(self) -> None:  # a reply dropped unread still frees its URL
        if self._state is not None:
            self._finish()
