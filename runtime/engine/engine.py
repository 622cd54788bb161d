"""The engine: from a prompt's messages to a stream of reply text.

`Engine` is the interface the dialogue uses. It runs GGUF models in-process through
llama.cpp; a bot whose model names an endpoint (`model.endpoint`) is answered by an
OpenAI-compatible server elsewhere through runtime/endpoints, behind the same methods.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from llama_cpp.llama_grammar import json_schema_to_gbnf

from runtime.engine.llama_model import GenerationStats, LlamaModel, Sampling
from runtime.engine.pool import POOL, ModelPool
from runtime.engine.prefix_cache import common_prefix
from runtime.engine.repetition import stop_repeating
from runtime.i18n import Explained, language_from_env
from runtime.models.catalog import ModelCatalog
from runtime.spec.model import ModelSettings

Message = dict[str, str]


class ServedElsewhere(Protocol):
    """Models served elsewhere, as the engine asks them (runtime/endpoints' RemoteModels,
    a layer above: handed to the engine, never imported by it)."""

    def count_tokens(self, messages: list[Message]) -> int: ...

    def generate(
        self,
        settings: ModelSettings,
        messages: list[Message],
        *,
        pinned: int,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
    ) -> Generation: ...


class ModelMissing(Explained, FileNotFoundError):
    pass


class Generation:
    """A reply being generated: iterate for text pieces; `stats` is complete at the end."""

    def __init__(self, pieces: Iterator[str], stats: GenerationStats, prompt_text: str):
        self._pieces = pieces
        self.stats = stats
        self.prompt_text = prompt_text

    def __iter__(self) -> Iterator[str]:
        return self._pieces

    def read_all(self) -> str:
        """Wait for the whole reply and return its text (a `Reply.text` is the text a
        dialogue has streamed so far; this one consumes the generation)."""
        return "".join(self._pieces)

    def close(self) -> None:
        self._pieces.close()  # type: ignore[attr-defined]


class Engine:
    def __init__(
        self,
        models: ModelCatalog,
        pool: ModelPool = POOL,
        lang: str | None = None,
        remote: ServedElsewhere | None = None,
    ):
        self.models = models
        self.pool = pool
        self.lang = lang or language_from_env()
        # models served elsewhere (runtime/endpoints.RemoteModels): `model.endpoint` bots
        self.remote = remote

    def model_for(
        self, settings: ModelSettings, progress: Callable[[float], None] | None = None
    ) -> LlamaModel:
        path = self.models.resolve(settings.file)
        if path is None:
            shown = self.models.gguf_dir / settings.file
            raise ModelMissing("engine.model_missing", self.lang, path=shown)
        return self.pool.get(
            Path(path), context=settings.context, gpu_layers=settings.gpu_layers, progress=progress
        )

    def token_counter(self, settings: ModelSettings) -> Callable[[list[Message]], int]:
        if settings.endpoint:
            return self._remote().count_tokens
        return self.model_for(settings).count_tokens

    def _remote(self) -> ServedElsewhere:
        if self.remote is None:
            raise ModelMissing("endpoint.no_remote", self.lang)
        return self.remote

    def generate(
        self,
        settings: ModelSettings,
        messages: list[Message],
        *,
        pinned: int,
        max_tokens: int,
        grammar: str | None = None,
        schema: dict[str, Any] | None = None,  # JSON, any shape a schema takes
    ) -> Generation:
        """`schema`: a JSON schema the reply must follow (lead extraction); a local model
        gets it as a grammar, a server in its own dialect."""
        if settings.endpoint:
            generation = self._remote().generate(
                settings, messages, pinned=pinned, max_tokens=max_tokens, schema=schema
            )
            return generation if schema is not None else _ending_loops(generation)
        if schema is not None and grammar is None:
            grammar = json_schema_to_gbnf(json.dumps(schema))
        model = self.model_for(settings)
        prompt_text = model.render(messages)
        prompt = model.tokenize(prompt_text)
        pin = 0
        if pinned:
            pinned_tokens = model.tokenize(model.render(messages[:pinned], False))
            pin = common_prefix(pinned_tokens, prompt)
        sampling = Sampling(
            temperature=settings.temperature,
            top_p=settings.top_p,
            repeat_penalty=settings.repeat_penalty,
            seed=settings.seed,
            grammar=grammar,
        )
        stats = GenerationStats()
        pieces = model.generate(
            prompt, pin=pin, max_tokens=max_tokens, sampling=sampling, stats=stats
        )
        generation = Generation(pieces, stats, prompt_text)
        return generation if grammar is not None else _ending_loops(generation)


def _ending_loops(generation: Generation) -> Generation:
    """A reply in words, from here or a server: ended where it starts repeating itself."""
    stats = generation.stats
    pieces = stop_repeating(iter(generation), lambda: setattr(stats, "stopped_by", "repeat"))
    return Generation(pieces, stats, generation.prompt_text)
