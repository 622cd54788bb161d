"""One GGUF model loaded through llama.cpp, driven through llama-cpp-python's C API.

We drive llama.cpp's decode loop ourselves rather than through `Llama`: sampling
runs in C through a sampler chain, no logits are copied into Python per token,
and we can save and restore the evaluated state of a bot's pinned prefix
(persona, knowledge, few-shot) so that bots taking turns on one model do not
evaluate their whole prompt again.

A model has one context with several sequences: runtime/engine/scheduler.py writes the
replies of several conversations in the same decode steps (continuous batching).
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp as L

from runtime.engine.arrivals import Arrivals
from runtime.engine.prefix_cache import PrefixCache
from runtime.engine.sampling import GenerationStats, Sampling
from runtime.engine.scheduler import Request, Scheduler
from runtime.engine.template import ChatTemplate

__all__ = ["GenerationStats", "LlamaModel", "LoadedInfo", "Sampling", "gpu_offload_supported"]

log = logging.getLogger(__name__)
logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # llama.cpp's own chatter

_backend_ready = False
_backend_lock = threading.Lock()


def _init_backend() -> None:
    global _backend_ready
    with _backend_lock:
        if not _backend_ready:
            L.llama_backend_init()
            _backend_ready = True


def gpu_offload_supported() -> bool:
    """Whether this llama.cpp build can put layers on a GPU (CUDA, Metal, Vulkan...)."""
    return bool(L.llama_supports_gpu_offload())


class ModelLoadError(RuntimeError):
    pass


@dataclass
class LoadedInfo:
    path: Path
    context: int
    gpu_layers_requested: int
    gpu_layers: int  # what llama.cpp actually offloads
    layers: int
    threads: int
    load_seconds: float
    slots: int = 1  # replies written at once (sequences in the context)
    extra: dict[str, str] = field(default_factory=dict)


class LlamaModel:
    def __init__(
        self,
        path: Path,
        *,
        context: int,
        gpu_layers: int = 0,
        threads: int,
        slots: int = 1,
        batch: int = 512,
        prefix_cache_bytes: int = 512 * 2**20,
        progress: Callable[[float], None] | None = None,
        arrivals: Arrivals | None = None,
    ):
        """`context` is each conversation's: the cache holds `slots` of them. `arrivals`:
        replies on their way, waited for when the model wakes (runtime/engine/arrivals.py)."""
        _init_backend()
        started = time.perf_counter()
        self.path = path
        model_params = L.llama_model_default_params()
        model_params.n_gpu_layers = gpu_layers if gpu_layers >= 0 else 2**30
        if progress is not None:
            # llama.cpp calls this from the loading thread; returning False would cancel.
            def _on_progress(fraction: float, _user: ctypes.c_void_p) -> bool:
                progress(float(fraction))
                return True

            self._progress_cb = L.llama_progress_callback(_on_progress)
            model_params.progress_callback = self._progress_cb
        self._model = L.llama_model_load_from_file(str(path).encode(), model_params)
        if not self._model:
            raise ModelLoadError(f"llama.cpp could not load {path}")
        params = L.llama_context_default_params()
        params.n_ctx = context * slots
        params.n_seq_max = slots
        params.kv_unified = False  # a stream per sequence: one long chat never crowds another
        params.n_batch = batch
        params.n_ubatch = batch
        params.n_threads = threads
        params.n_threads_batch = threads
        params.no_perf = True
        self._ctx = L.llama_init_from_model(self._model, params)
        if not self._ctx:
            L.llama_model_free(self._model)
            raise ModelLoadError(f"llama.cpp could not create a context of {context} for {path}")
        self._vocab = L.llama_model_get_vocab(self._model)
        self.context = L.llama_n_ctx_seq(self._ctx)
        self.slots = slots
        self.batch = batch
        self.prefixes = PrefixCache(prefix_cache_bytes)
        layers = int(self.metadata(f"{self.metadata('general.architecture')}.block_count") or 0)
        offloaded = 0
        if gpu_offload_supported() and gpu_layers != 0:
            offloaded = layers + 1 if gpu_layers < 0 else min(gpu_layers, layers + 1)
        self.info = LoadedInfo(
            path=path,
            context=self.context,
            gpu_layers_requested=gpu_layers,
            gpu_layers=offloaded,
            layers=layers,
            threads=threads,
            load_seconds=time.perf_counter() - started,
            slots=slots,
        )
        bos = self._piece(L.llama_vocab_bos(self._vocab), special=True).decode(errors="ignore")
        eos = self._piece(L.llama_vocab_eos(self._vocab), special=True).decode(errors="ignore")
        template = L.llama_model_chat_template(self._model, None)
        self.template = ChatTemplate(
            template.decode() if template else None, bos_token=bos, eos_token=eos
        )
        self._bos_text = bos
        self._add_bos = bool(L.llama_vocab_get_add_bos(self._vocab))
        self.scheduler = Scheduler(
            self._ctx,
            self._vocab,
            slots=slots,
            context=self.context,
            batch=batch,
            prefixes=self.prefixes,
            piece=self._piece,
            arrivals=arrivals,
        )

    # --- text and tokens --------------------------------------------------

    def metadata(self, key: str) -> str | None:
        buf = ctypes.create_string_buffer(4096)
        n = L.llama_model_meta_val_str(self._model, key.encode(), buf, len(buf))
        return buf.value.decode(errors="replace") if n >= 0 else None

    def tokenize(self, text: str, *, special: bool = True) -> list[int]:
        """Tokens of a rendered prompt. BOS is added only if the template did not write it."""
        data = text.encode()
        add_bos = self._add_bos and not (self._bos_text and text.startswith(self._bos_text))
        capacity = len(data) + 8
        arr = (L.llama_token * capacity)()
        n = L.llama_tokenize(self._vocab, data, len(data), arr, capacity, add_bos, special)
        if n < 0:  # never happens with one token per byte, but be safe
            arr = (L.llama_token * -n)()
            n = L.llama_tokenize(self._vocab, data, len(data), arr, -n, add_bos, special)
        return list(arr[:n])

    def render(self, messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        return self.template.render(messages, add_generation_prompt)

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        return len(self.tokenize(self.render(messages)))

    def _piece(self, token: int, special: bool = False) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = L.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = L.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, special)
        return buf.raw[:n]

    # --- generation -------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Replies waiting for a free sequence: the queue depth /healthz reports."""
        return self.scheduler.waiting

    @property
    def running(self) -> int:
        """Replies being written now."""
        return self.scheduler.running

    def next_token_logits(self, prompt: list[int], pin: int) -> list[float]:
        """The model's scores for the token after `prompt`, reusing evaluation as a reply
        would: what tests compare to check that restored states are the states they were."""
        return self.scheduler.scores(Request(prompt, pin, 0, None, GenerationStats()))

    def generate(
        self,
        prompt: list[int],
        *,
        pin: int,
        max_tokens: int,
        sampling: Sampling,
        stats: GenerationStats,
    ) -> Iterator[str]:
        """Stream the reply to an already tokenized prompt, written beside other replies;
        asked at the first `next`. Consume it fully or close it: closing frees its place."""
        yield from self.scheduler.stream(Request(prompt, pin, max_tokens, sampling, stats))

    def close(self) -> None:
        if self._ctx:
            self.scheduler.close()
            L.llama_free(self._ctx)
            self._ctx = None
        if self._model:
            L.llama_model_free(self._model)
            self._model = None
