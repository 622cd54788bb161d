"""Replies from OpenAI-compatible servers, through the official `openai` client.

The engine hands a bot's messages here when its model names an endpoint. A reply
streams from the best base URL of the endpoint's pool (runtime/endpoints/urlpool.py);
a refused connection, a timeout, a 5xx or a 429 moves it to the next URL before the
customer has seen a word. Once words have gone out, a broken stream ends the reply
there: starting again elsewhere would say the beginning twice.

The messages go out exactly as the prompt builder made them (the pinned prefix
first, byte for byte the same every turn), so a server's prompt cache hits; llama.cpp's
server is also asked to keep it (`cache_prompt`). Lead extraction asks for JSON in
the server's own dialect (runtime/endpoints/presets.py) and falls back to a plainer
one when a server refuses it. Whatever goes wrong becomes an `EndpointError` whose
text says what happened in plain words; the customer is given the bot's polite
fallback, never that text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import openai

from runtime.endpoints.failures import EndpointError, UrlFailure, failure_detail
from runtime.endpoints.presets import structured_mode
from runtime.endpoints.remote_reply import RemoteReply, json_only
from runtime.endpoints.store import Endpoint, Endpoints
from runtime.endpoints.urlpool import UrlPool
from runtime.engine.engine import Generation
from runtime.engine.llama_model import GenerationStats
from runtime.i18n import said, t
from runtime.spec.model import ModelSettings

log = logging.getLogger(__name__)
# the client's own request lines add nothing to ours (and never carry the key)
logging.getLogger("openai").setLevel(logging.WARNING)
logging.getLogger("httpx2").setLevel(logging.WARNING)

CONNECT_TIMEOUT = 5.0
NO_KEY = "no-key"  # self-hosted servers without a key still get an Authorization header
# When a server refuses a form of structured output (400/422), the next plainer one
FALLBACK = {
    "json_schema": "json_object",
    "json_object_schema": "json_object",
    "ollama": "json_object",
    "json_object": "none",
}
# Which failure to report when every URL failed: what a person must fix comes first
SEVERITY = (
    "unknown",
    "no_model",
    "auth",
    "model",
    "quota",
    "bad_request",
    "server",
    "timeout",
    "down",
)


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """A server's tokenizer is not here: count generously, so that the prompt never
    outgrows the context. One token per character outside ASCII (Chinese runs below
    that with every common tokenizer), one per three ASCII characters, and the roles."""
    total = 3
    for message in messages:
        text = message.get("content") or ""
        ascii_chars = sum(1 for ch in text if ch < "\x80")
        total += 4 + (len(text) - ascii_chars) + math.ceil(ascii_chars / 3)
    return total


def shown_prompt(messages: list[dict[str, str]]) -> str:
    """What was sent, for the studio's "prompt" panel: the messages as JSON."""
    return json.dumps(messages, ensure_ascii=False, indent=1)


class RemoteModels:
    """Every endpoint's URL pool and clients: one per workspace, shared by all bots."""

    def __init__(
        self,
        endpoints: Callable[[], Endpoints] | Endpoints,
        lang: str,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._endpoints = endpoints
        self.lang = lang
        self.clock = clock  # when rested URLs are tried again (tests move it on)
        self._pools: dict[str, UrlPool] = {}
        self._clients: dict[tuple[str, str, float], openai.OpenAI] = {}
        self._structured: dict[tuple[str, tuple[str, ...]], str] = {}  # what each accepted
        self._discovered: dict[tuple[str, tuple[str, ...]], str] = {}  # default model found
        self._lock = threading.Lock()

    @property
    def endpoints(self) -> Endpoints:
        return self._endpoints if isinstance(self._endpoints, Endpoints) else self._endpoints()

    # --- endpoints, pools and clients ------------------------------------------

    def endpoint(self, name: str) -> Endpoint:
        endpoint = self.endpoints.get(name)
        if endpoint is None:
            raise EndpointError("unknown", "endpoint.err.unknown", self.lang, name=name)
        return endpoint

    def pool(self, endpoint: Endpoint) -> UrlPool:
        """The endpoint's pool; when its URLs change, those it keeps keep their state."""
        with self._lock:
            pool = self._pools.get(endpoint.name)
            if pool is None or pool.urls != endpoint.base_urls:
                fresh = UrlPool(endpoint.base_urls, lambda: self.clock())
                for url in endpoint.base_urls:
                    if pool is not None and url in pool.urls:
                        fresh._states[url] = pool.state(url)
                self._pools[endpoint.name] = pool = fresh
            return pool

    def client(self, endpoint: Endpoint, url: str) -> openai.OpenAI:
        key = (url, endpoint.api_key, endpoint.timeout)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                connect = min(CONNECT_TIMEOUT, endpoint.timeout)
                timeout = httpx2.Timeout(endpoint.timeout, connect=connect)
                client = openai.OpenAI(
                    base_url=url,
                    api_key=endpoint.api_key or NO_KEY,
                    timeout=timeout,
                    max_retries=0,  # failing over is ours to do, across the pool
                )
                self._clients[key] = client
            return client

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        return estimate_tokens(messages)

    # --- errors --------------------------------------------------------------

    def failure(self, exc: Exception, endpoint: Endpoint, url: str, model: str) -> UrlFailure:
        """One URL's failure, classified: what to tell people, whether the URL rests."""
        if isinstance(exc, UrlFailure):
            return exc
        words: dict[str, object] = {
            "name": endpoint.name,
            "url": url,
            "model": model,
            "seconds": f"{endpoint.timeout:g}",
            "detail": failure_detail(exc),
        }
        status = getattr(exc, "status_code", None)
        if isinstance(exc, (openai.APITimeoutError, httpx2.TimeoutException)) or status == 408:
            return UrlFailure("timeout", words, rest=True)
        if isinstance(exc, (openai.APIConnectionError, httpx2.TransportError, OSError)):
            return UrlFailure("down", words, rest=True)
        words["status"] = status or "-"
        if status in (401, 403):
            return UrlFailure("auth", words, rest=False)
        if status == 404:
            return UrlFailure("model", words, rest=False)
        if status == 429:
            return UrlFailure("quota", words, rest=True)
        if status is not None and 400 <= status < 500:
            return UrlFailure("bad_request", words, rest=False, try_next=False)
        return UrlFailure("server", words, rest=True)

    def combined(self, endpoint: Endpoint, failures: list[UrlFailure]) -> EndpointError:
        """What to say when no URL answered: what a person must fix first."""
        if not failures:
            return EndpointError("down", "endpoint.err.no_url", self.lang, name=endpoint.name)
        worst = min(failures, key=lambda f: SEVERITY.index(f.reason))
        if len(failures) == 1:
            return EndpointError(worst.reason, worst.message_id, self.lang, **worst.params)
        return EndpointError(
            worst.reason,
            "endpoint.err.all_urls",
            self.lang,
            message=worst.stored(),
            n=len(failures),
        )

    def log_failure(self, endpoint: Endpoint, failure: UrlFailure) -> None:
        log.warning(
            "endpoint %s: %s", endpoint.name, t(failure.message_id, self.lang, **failure.params)
        )

    # --- models ----------------------------------------------------------------

    def model_name(self, endpoint: Endpoint, settings: ModelSettings | None = None) -> str:
        """The bot's `model.name`, else the endpoint's model, else the first the server
        lists (llama-server and vLLM serve one model; asking it saves typing its name)."""
        if settings is not None and settings.name:
            return settings.name
        if endpoint.model:
            return endpoint.model
        key = (endpoint.name, endpoint.base_urls)
        if key in self._discovered:
            return self._discovered[key]
        failures = []
        for state in self.pool(endpoint).order():
            try:
                listed = self.client(endpoint, state.url).models.list()
                ids = [m.id for m in listed.data]
            except Exception as exc:  # classified and said below
                failure = self.failure(exc, endpoint, state.url, "")
                self.pool(endpoint).failed(state, failure.stored(), rest=failure.rest)
                failures.append(failure)
                continue
            if ids:
                self._discovered[key] = ids[0]
                return ids[0]
        if failures and all(f.reason in ("down", "timeout", "server", "auth") for f in failures):
            raise self.combined(endpoint, failures)
        raise EndpointError("no_model", "endpoint.err.no_model", self.lang, name=endpoint.name)

    # --- replies ---------------------------------------------------------------

    def generate(
        self,
        settings: ModelSettings,
        messages: list[dict[str, str]],
        *,
        pinned: int,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
    ) -> Generation:
        """A reply streaming from the endpoint. The request is under way (and every URL
        that refused it passed over) when this returns; EndpointError if none answered."""
        started = time.perf_counter()
        endpoint = self.endpoint(settings.endpoint or "")
        model = self.model_name(endpoint, settings)
        request: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
        }
        if settings.seed is not None:
            request["seed"] = settings.seed
        extra: dict[str, Any] = {}
        if endpoint.kind == "llama-server":
            extra["cache_prompt"] = True  # keep the prompt evaluated: the next turn starts there
            extra["repeat_penalty"] = settings.repeat_penalty
        elif endpoint.kind == "vllm":
            extra["repetition_penalty"] = settings.repeat_penalty
        if extra:
            request["extra_body"] = extra
        stats = GenerationStats(prompt_tokens=estimate_tokens(messages))
        affinity = hashlib.blake2b(
            json.dumps(messages[: pinned + 1], ensure_ascii=False).encode(), digest_size=8
        ).hexdigest()
        reply = RemoteReply(self, endpoint, request, stats, affinity, schema, started)
        reply.open()
        pieces: Iterator[str] = reply if schema is None else json_only(reply)
        return Generation(pieces, stats, shown_prompt(messages))

    def structured(self, endpoint: Endpoint) -> str:
        key = (endpoint.name, endpoint.base_urls)
        return self._structured.get(key) or structured_mode(endpoint.kind, endpoint.base_urls[0])

    def downgrade(self, endpoint: Endpoint, mode: str) -> str | None:
        plainer = FALLBACK.get(mode)
        if plainer is not None:
            log.info(
                "endpoint %s refused structured output as %s; using %s",
                endpoint.name,
                mode,
                plainer,
            )
            self._structured[(endpoint.name, endpoint.base_urls)] = plainer
        return plainer

    # --- checks and health -----------------------------------------------------

    def test(self, name: str) -> list[dict[str, Any]]:
        """Each base URL asked for a few words: whether it answers, how fast, and if not,
        why in plain words. Updates the pool's health like any request."""
        endpoint = self.endpoint(name)
        pool = self.pool(endpoint)
        results = []
        for url in endpoint.base_urls:
            state = pool.state(url)
            started = time.perf_counter()
            pool.acquire(state)
            try:
                model = self.model_name(endpoint)
                stream = self.client(endpoint, url).chat.completions.create(
                    model=model,
                    messages=[{"role": "user", "content": "你好"}],
                    max_tokens=8,
                    temperature=0,
                    stream=True,
                )
                first, pieces = None, []
                with stream:
                    for chunk in stream:
                        text = chunk.choices[0].delta.content if chunk.choices else None
                        if text:
                            first = first or time.perf_counter() - started
                            pieces.append(text)
                pool.succeeded(state)
                results.append(
                    {
                        "url": url,
                        "ok": True,
                        "model": model,
                        "seconds": round(first or time.perf_counter() - started, 2),
                        "reply": "".join(pieces).strip()[:60],
                    }
                )
            except EndpointError as exc:
                error = said(exc.message_id, **exc.params)
                results.append({"url": url, "ok": False, "error": error})
            except Exception as exc:  # classified: said in words
                failure = self.failure(exc, endpoint, url, self._known_model(endpoint))
                pool.failed(state, failure.stored(), rest=failure.rest)
                results.append({"url": url, "ok": False, "error": failure.stored()})
            finally:
                pool.release(state)
        return results

    def _known_model(self, endpoint: Endpoint) -> str:
        return endpoint.model or self._discovered.get((endpoint.name, endpoint.base_urls), "")

    def health(self) -> list[dict[str, Any]]:
        """Per endpoint (no keys): its kind, model and each URL's state and load."""
        return [{**e.public(), "urls": self.pool(e).snapshot()} for e in self.endpoints.all()]
