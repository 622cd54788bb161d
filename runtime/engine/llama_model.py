"""One GGUF model loaded through llama.cpp, driven through llama-cpp-python's C API.

We drive llama.cpp's decode loop ourselves rather than through `Llama`: sampling
runs in C through a sampler chain, no logits are copied into Python per token,
and we can save and restore the evaluated state of a bot's pinned prefix
(persona, knowledge, few-shot) so that bots taking turns on one model do not
evaluate their whole prompt again.

A model has one context and one sequence; a lock serialises its use.
"""

from __future__ import annotations

import codecs
import ctypes
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp as L

from runtime.engine.prefix_cache import PrefixCache, SavedPrefix, common_prefix
from runtime.engine.template import ChatTemplate

log = logging.getLogger(__name__)
logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # llama.cpp's own chatter

MIN_SAVED_TAIL = 16  # a conversation state is kept when it holds this much beyond the pin
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


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    seed: int | None = None
    grammar: str | None = None  # GBNF: constrains the output (used by lead extraction)


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens whose evaluation was kept or restored
    evaluated_tokens: int = 0  # prompt tokens evaluated for this reply
    prefix_restored: bool = False
    generated_tokens: int = 0
    time_to_first_token: float | None = None
    total_seconds: float = 0.0
    stopped_by: str = ""  # "end", "max_tokens", "context", "repeat" (runtime/engine/repetition.py)

    @property
    def tokens_per_second(self) -> float:
        decode_time = self.total_seconds - (self.time_to_first_token or 0)
        return (self.generated_tokens - 1) / decode_time if decode_time > 0 else 0.0


@dataclass
class LoadedInfo:
    path: Path
    context: int
    gpu_layers_requested: int
    gpu_layers: int  # what llama.cpp actually offloads
    layers: int
    threads: int
    load_seconds: float
    extra: dict[str, str] = field(default_factory=dict)


class LlamaModel:
    def __init__(
        self,
        path: Path,
        *,
        context: int,
        gpu_layers: int = 0,
        threads: int,
        batch: int = 512,
        prefix_cache_bytes: int = 512 * 2**20,
        progress: Callable[[float], None] | None = None,
    ):
        _init_backend()
        started = time.perf_counter()
        self.path = path
        self.lock = threading.Lock()
        self.waiting = 0  # replies queued for the lock: the queue depth /healthz reports
        self._counting = threading.Lock()
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
        params.n_ctx = context
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
        self._memory = L.llama_get_memory(self._ctx)
        self.context = L.llama_n_ctx(self._ctx)
        self.batch = batch
        self.tokens: list[int] = []  # what the context's sequence 0 holds now
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
        )
        bos = self._piece(L.llama_vocab_bos(self._vocab), special=True).decode(errors="ignore")
        eos = self._piece(L.llama_vocab_eos(self._vocab), special=True).decode(errors="ignore")
        template = L.llama_model_chat_template(self._model, None)
        self.template = ChatTemplate(
            template.decode() if template else None, bos_token=bos, eos_token=eos
        )
        self._bos_text = bos
        self._add_bos = bool(L.llama_vocab_get_add_bos(self._vocab))

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

    # --- evaluation -------------------------------------------------------

    def _truncate(self, keep: int) -> int:
        """Keep the first `keep` evaluated tokens; returns how many were kept. Some caches
        (sliding-window, recurrent) cannot drop a tail: then everything goes."""
        if keep < len(self.tokens) and not L.llama_memory_seq_rm(self._memory, 0, keep, -1):
            L.llama_memory_seq_rm(self._memory, 0, -1, -1)
            keep = 0
        del self.tokens[keep:]
        return keep

    def _decode(self, tokens: list[int]) -> None:
        for start in range(0, len(tokens), self.batch):
            chunk = tokens[start : start + self.batch]
            arr = (L.llama_token * len(chunk))(*chunk)
            if L.llama_decode(self._ctx, L.llama_batch_get_one(arr, len(chunk))) != 0:
                self._truncate(0)  # the context's content is unknown now: start afresh
                raise RuntimeError("llama_decode failed")
            self.tokens.extend(chunk)

    def _save_prefix(self, length: int) -> None:
        size = L.llama_state_seq_get_size(self._ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        written = L.llama_state_seq_get_data(self._ctx, buf, size, 0)
        self.prefixes.put(SavedPrefix(tokens=tuple(self.tokens[:length]), state=buf, size=written))

    def _restore_prefix(self, saved: SavedPrefix) -> bool:
        L.llama_memory_seq_rm(self._memory, 0, -1, -1)
        self.tokens.clear()
        if L.llama_state_seq_set_data(self._ctx, saved.state, saved.size, 0) == 0:
            return False
        self.tokens.extend(saved.tokens)
        return True

    def _prepare(self, prompt: list[int], pin: int, stats: GenerationStats) -> None:
        """Make the context hold `prompt` evaluated, reusing whatever evaluation we can."""
        if len(prompt) >= self.context:
            raise ValueError(f"prompt of {len(prompt)} tokens does not fit context {self.context}")
        pin = min(pin, len(prompt) - 1)
        common = common_prefix(self.tokens, prompt)
        saved, shared = self.prefixes.best_match(prompt[:-1])
        if saved is not None and shared > common and self._restore_prefix(saved):
            common = shared  # the tail after `shared` is dropped just below
            stats.prefix_restored = True
        common = min(common, len(prompt) - 1)  # the last token must be evaluated for logits
        common = self._truncate(common)
        stats.reused_tokens = common
        if pin > common:
            self._decode(prompt[common:pin])
            if self.prefixes.get(tuple(prompt[:pin])) is None:
                self._save_prefix(pin)
            common = pin
        self._decode(prompt[common:])
        stats.evaluated_tokens = len(prompt) - stats.reused_tokens

    @contextmanager
    def _queued(self) -> Iterator[None]:
        """The model's lock, counting who waits for it."""
        with self._counting:
            self.waiting += 1
        try:
            self.lock.acquire()
        finally:
            with self._counting:
                self.waiting -= 1
        try:
            yield
        finally:
            self.lock.release()

    def next_token_logits(self, prompt: list[int], pin: int) -> list[float]:
        """The model's scores for the token after `prompt`, reusing evaluation as a reply
        would: what tests compare to check that restored states are the states they were."""
        with self.lock:
            self._prepare(prompt, pin, GenerationStats())
            n_vocab = L.llama_vocab_n_tokens(self._vocab)
            return list(L.llama_get_logits_ith(self._ctx, -1)[:n_vocab])

    # --- generation -------------------------------------------------------

    def _sampler(self, sampling: Sampling) -> L.llama_sampler_p:
        # llama_cpp's ctypes decorator hides the declared return type
        chain: L.llama_sampler_p = L.llama_sampler_chain_init(
            L.llama_sampler_chain_default_params()
        )
        if sampling.grammar:
            grammar = L.llama_sampler_init_grammar(self._vocab, sampling.grammar.encode(), b"root")
            if not grammar:
                L.llama_sampler_free(chain)
                raise ValueError("invalid grammar")
            L.llama_sampler_chain_add(chain, grammar)
        if sampling.repeat_penalty != 1.0:
            L.llama_sampler_chain_add(
                chain,
                L.llama_sampler_init_penalties(
                    L.llama_vocab_n_tokens(self._vocab), 64, sampling.repeat_penalty, 0.0, 0.0
                ),
            )
        if sampling.temperature <= 0:
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_greedy())
        else:
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_k(40))
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_p(sampling.top_p, 1))
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_temp(sampling.temperature))
            seed = sampling.seed if sampling.seed is not None else 0xFFFFFFFF  # random
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_dist(seed))
        return chain

    def generate(
        self,
        prompt: list[int],
        *,
        pin: int,
        max_tokens: int,
        sampling: Sampling,
        stats: GenerationStats,
    ) -> Iterator[str]:
        """Stream the reply to an already tokenized prompt. Holds the model's lock while
        iterating: consume it fully or close it."""
        started = time.perf_counter()
        with self._queued():
            stats.prompt_tokens = len(prompt)
            self._prepare(prompt, pin, stats)
            sampler = self._sampler(sampling)
            decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
            stats.stopped_by = "max_tokens"
            try:
                for produced in range(max_tokens):
                    token = L.llama_sampler_sample(sampler, self._ctx, -1)
                    if L.llama_vocab_is_eog(self._vocab, token):
                        stats.stopped_by = "end"
                        break
                    stats.generated_tokens += 1
                    text = decoder.decode(self._piece(token))
                    if text:
                        if stats.time_to_first_token is None:
                            stats.time_to_first_token = time.perf_counter() - started
                        yield text
                    if produced + 1 == max_tokens:
                        break
                    if len(self.tokens) >= self.context:
                        stats.stopped_by = "context"
                        break
                    self._decode([token])
                tail = decoder.decode(b"", final=True)
                if tail:
                    yield tail
                # The conversation as it stands: its next turn starts from here.
                if len(self.tokens) - pin >= MIN_SAVED_TAIL:
                    self._save_prefix(len(self.tokens))
            finally:
                L.llama_sampler_free(sampler)
                stats.total_seconds = time.perf_counter() - started

    def close(self) -> None:
        if self._ctx:
            L.llama_free(self._ctx)
            self._ctx = None
        if self._model:
            L.llama_model_free(self._model)
            self._model = None
