"""The engine: from a prompt's messages to a stream of reply text.

`Engine` is the interface the dialogue uses. This implementation runs GGUF models
in-process through llama.cpp; a remote OpenAI-compatible server would be another
implementation of the same three methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from runtime.engine.llama_model import GenerationStats, LlamaModel, Sampling
from runtime.engine.pool import POOL, ModelPool
from runtime.engine.prefix_cache import common_prefix
from runtime.i18n import language_from_env, t
from runtime.models.catalog import ModelCatalog
from runtime.spec.model import ModelSettings

Message = dict[str, str]


class ModelMissing(FileNotFoundError):
    pass


class Generation:
    """A reply being generated: iterate for text pieces; `stats` is complete at the end."""

    def __init__(self, pieces: Iterator[str], stats: GenerationStats, prompt_text: str):
        self._pieces = pieces
        self.stats = stats
        self.prompt_text = prompt_text

    def __iter__(self) -> Iterator[str]:
        return self._pieces

    def text(self) -> str:
        return "".join(self._pieces)

    def close(self) -> None:
        self._pieces.close()  # type: ignore[attr-defined]


class Engine:
    def __init__(self, models: ModelCatalog, pool: ModelPool = POOL, lang: str | None = None):
        self.models = models
        self.pool = pool
        self.lang = lang or language_from_env()

    def model_for(
        self, settings: ModelSettings, progress: Callable[[float], None] | None = None
    ) -> LlamaModel:
        path = self.models.resolve(settings.file)
        if path is None:
            shown = self.models.gguf_dir / settings.file
            raise ModelMissing(t("engine.model_missing", self.lang, path=shown))
        return self.pool.get(
            Path(path), context=settings.context, gpu_layers=settings.gpu_layers, progress=progress
        )

    def token_counter(self, settings: ModelSettings) -> Callable[[list[Message]], int]:
        return self.model_for(settings).count_tokens

    def generate(
        self,
        settings: ModelSettings,
        messages: list[Message],
        *,
        pinned: int,
        max_tokens: int,
        grammar: str | None = None,
    ) -> Generation:
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
        return Generation(pieces, stats, prompt_text)
