"""Continuous batching: several replies of one model generated in the same decode steps.

Each reply gets a sequence of its own in the model's KV cache (llama.cpp splits the cache
into one stream per sequence, so one conversation's length never crowds another's) and
its own sampler chain (a grammar runs per reply). One thread owns the llama.cpp context
and loops: admit waiting replies to free sequences, then decode one batch that holds the
next token of every reply being written plus a slice of the prompts still being read, and
sample each reply's next token from its own row of logits. A new reply joins at the next
step; a long prompt is read in slices while others are writing, so their streams go on; a
reply that ends, or whose reader leaves, frees its sequence at once.

A free sequence keeps what it holds: the next turn of the same conversation, or another
reply of the same bot, starts from the sequence that shares the most with its prompt, and
a bot's pinned prefix (persona, knowledge, examples) saved once is copied into any
sequence instead of being evaluated again.
"""

from __future__ import annotations

import codecs
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import llama_cpp as L

from runtime.engine.arrivals import Arrivals
from runtime.engine.prefix_cache import PrefixCache, SavedPrefix, common_prefix
from runtime.engine.priority import yield_to_the_server
from runtime.engine.sampling import GenerationStats, ReplySampler, Sampling
from runtime.engine.sequence_cache import SequenceCache

log = logging.getLogger(__name__)

MIN_SAVED_TAIL = 16  # a conversation state is kept when it holds this much beyond the pin
SLICE_WHILE_WRITING = 128  # prompt tokens read per step while other replies are written
_DONE = object()


@dataclass(eq=False)
class Request:
    """One reply asked of the model, from the asking thread's side and the loop's."""

    prompt: list[int]
    pin: int
    max_tokens: int
    sampling: Sampling | None  # None: no reply, only the scores after the prompt
    stats: GenerationStats
    started: float = field(default_factory=time.perf_counter)
    out: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)
    left: bool = False  # the reader went away: free the sequence at the next step
    # the loop's own:
    todo: list[int] = field(default_factory=list)  # prompt tokens not read yet
    save_pin: bool = False  # save the state once the sequence holds the pinned prefix
    sampler: ReplySampler | None = None
    decoder: Any = None
    produced: int = 0
    last: int = -1  # the token sampled last, to be decoded at the next step


@dataclass(eq=False)
class Sequence:
    id: int
    tokens: list[int] = field(default_factory=list)  # what its part of the cache holds
    request: Request | None = None
    used_at: float = 0.0


class DecodeError(RuntimeError):
    pass


class Scheduler:
    def __init__(
        self,
        ctx: Any,
        vocab: Any,
        *,
        slots: int,
        context: int,
        batch: int,
        prefixes: PrefixCache,
        piece: Callable[[int], bytes],
        arrivals: Arrivals | None = None,
    ):
        self.ctx, self.vocab, self.batch, self.prefixes = ctx, vocab, batch, prefixes
        self.arrivals = arrivals
        self.context = context  # per sequence
        self.piece = piece
        self.cache = SequenceCache(ctx, prefixes)
        self.n_vocab = L.llama_vocab_n_tokens(vocab)
        self.sequences = [Sequence(i) for i in range(slots)]
        self.pending: deque[Request] = deque()
        self.wake = threading.Condition()
        self.closing = False
        self._batch = L.llama_batch_init(batch, 0, 1)
        self.thread = threading.Thread(target=self._loop, name="llama-batch", daemon=True)
        self.thread.start()

    # --- the asking side -----------------------------------------------------------------

    @property
    def waiting(self) -> int:
        return len(self.pending)

    @property
    def running(self) -> int:
        return sum(1 for s in self.sequences if s.request is not None)

    def submit(self, request: Request) -> None:
        if len(request.prompt) >= self.context:
            raise ValueError(
                f"prompt of {len(request.prompt)} tokens does not fit context {self.context}"
            )
        with self.wake:
            if self.closing:
                raise RuntimeError("the model is closed")
            self.pending.append(request)
            self.wake.notify()
        if self.arrivals is not None:
            self.arrivals.arrived()  # after it is pending: a waking loop sees it

    def stream(self, request: Request) -> Iterator[str]:
        """The reply's text as it is sampled; closing the iterator frees its sequence."""
        self.submit(request)
        try:
            while True:
                item = request.out.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            request.left = True
            with self.wake:
                self.wake.notify()

    def scores(self, request: Request) -> list[float]:
        """The model's scores for the token after the prompt."""
        self.submit(request)
        item = request.out.get()
        if isinstance(item, BaseException):
            raise item
        scores: list[float] = item
        return scores

    def close(self) -> None:
        with self.wake:
            self.closing = True
            self.wake.notify()
        self.thread.join(timeout=30)
        L.llama_batch_free(self._batch)

    # --- the loop ------------------------------------------------------------------------

    def _loop(self) -> None:
        yield_to_the_server()
        while True:
            with self.wake:
                woken = False
                while not self.closing and not self.pending and not self.running:
                    self.wake.wait()
                    woken = True
                if self.closing:
                    break
            if woken and self.arrivals is not None:
                self.arrivals.settle()  # a burst of customers starts in one step
            try:
                self._step()
            except Exception as exc:  # never leave a reader waiting forever
                log.exception("decode step failed")
                for seq in self.sequences:
                    if seq.request is not None:
                        self._fail(seq, exc)
        for request in self.pending:
            request.out.put(RuntimeError("the model is closed"))
        for seq in self.sequences:
            if seq.request is not None:
                self._fail(seq, RuntimeError("the model is closed"))

    def _step(self) -> None:
        for seq in self.sequences:  # readers who left: their sequence is free now
            if seq.request is not None and seq.request.left:
                self._finish(seq, keep=False)
        self._admit()
        rows, fillers = self._fill()
        if not rows:
            return
        decoded = L.llama_decode(self.ctx, self._batch)
        for seq in fillers:  # its filler out again: it holds what it held
            self.cache.drop_beyond(seq)
        if decoded != 0:
            for seq in {seq for seq, _ in rows}:
                self._fail(seq, DecodeError("llama_decode failed"))
            return
        for seq, row in rows:
            if row >= 0:
                self._after(seq, row)
            else:
                self._keep_pin(seq)

    def _admit(self) -> None:
        while True:
            with self.wake:
                if not self.pending:
                    return
                request = self.pending[0]
                if request.left:
                    self.pending.popleft()
                    continue
                if self.running == len(self.sequences):
                    return  # no free sequence: it waits (and its prefix is not looked up)
                # the saved prefix that gives the most of the prompt, found once for both
                match = self.prefixes.best_match(request.prompt[:-1])
                seq = self._free_for(request.prompt, match[1])
                self.pending.popleft()
            try:
                self._start(seq, request, match)
            except Exception as exc:
                request.out.put(exc)

    def _free_for(self, prompt: list[int], saved: int) -> Sequence:
        """The free sequence (there is one) that starts this prompt furthest along: the
        one that already holds the most of it, unless a saved prefix (`saved` tokens of
        it) gives as much to any. Among equals, the one that keeps the sequences being
        written closest together (each one idle between them costs a token in every
        step), then the least recently used."""
        free = [s for s in self.sequences if s.request is None]
        busy = [s.id for s in self.sequences if s.request is not None]

        def spread(seq: Sequence) -> int:  # sequences idle between the busy ones, with it
            ids = [*busy, seq.id]
            return max(ids) - min(ids) + 1 - len(ids)

        return max(
            free,
            key=lambda s: (max(common_prefix(s.tokens, prompt), saved), -spread(s), -s.used_at),
        )

    def _start(
        self, seq: Sequence, request: Request, match: tuple[SavedPrefix | None, int]
    ) -> None:
        prompt, stats = request.prompt, request.stats
        stats.prompt_tokens = len(prompt)
        pin = min(request.pin, len(prompt) - 1)
        common = common_prefix(seq.tokens, prompt)
        saved, shared = match
        if saved is not None and shared > common and self.cache.restore(seq, saved):
            common = shared  # the tail after `shared` is dropped just below
            stats.prefix_restored = True
        common = self.cache.truncate(seq, min(common, len(prompt) - 1))  # the last token: logits
        stats.reused_tokens = common
        stats.evaluated_tokens = len(prompt) - common
        request.todo = prompt[common:]
        request.save_pin = pin > common and self.prefixes.get(tuple(prompt[:pin])) is None
        request.pin = pin
        if request.sampling is not None:
            request.sampler = ReplySampler(self.vocab, request.sampling)
            request.decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
            stats.stopped_by = "max_tokens"
        seq.request = request

    def _fill(self) -> tuple[list[tuple[Sequence, int]], list[Sequence]]:
        """Put this step's tokens in the batch: each writing reply's last token, and
        slices of the prompts being read. (sequence, its logits row or -1) per entry,
        and the idle sequences given a filler token."""
        busy = [(s, s.request) for s in self.sequences if s.request is not None]
        writing = [(seq, request) for seq, request in busy if not request.todo]
        reading = sorted(
            ((seq, request) for seq, request in busy if request.todo),
            key=lambda pair: pair[1].started,  # the first to ask is read first
        )
        taken: dict[int, list[int]] = {seq.id: [request.last] for seq, request in writing}
        room = self.batch - len(self.sequences)  # a token each, fillers included
        if writing:  # a long prompt must not hold the others' streams for seconds
            room = min(room, SLICE_WHILE_WRITING)
        for seq, request in reading:
            if room <= 0:
                break
            take = min(room, len(request.todo))
            if request.save_pin and len(seq.tokens) < request.pin:
                take = min(take, request.pin - len(seq.tokens))  # stop there to save it
            taken[seq.id] = request.todo[:take]
            del request.todo[:take]
            room -= take
        # In the order of the sequences, without a break: llama.cpp decodes a batch of a
        # cache with a stream per sequence in one pass over the weights only where its
        # sequence ids run on (3, 4, 5…); each break costs another whole pass. An idle
        # sequence in a break gets a filler token, taken out again after the step.
        rows: list[tuple[Sequence, int]] = []
        n = 0
        span = range(min(taken, default=0), max(taken, default=-1) + 1)
        fillers = [
            s for s in self.sequences
            if s.id in span and s.request is None and len(s.tokens) < self.context
        ]  # fmt: skip
        for seq in self.sequences:
            if seq in fillers:
                self._put(n, seq.tokens[-1] if seq.tokens else 0, len(seq.tokens), seq.id, False)
                n += 1
                continue
            tokens = taken.get(seq.id)
            if tokens is None or seq.request is None:
                continue
            logits = not seq.request.todo  # the prompt's last token, or a writing reply's
            for i, token in enumerate(tokens):
                self._put(n, token, len(seq.tokens) + i, seq.id, logits and i == len(tokens) - 1)
                n += 1
            rows.append((seq, n - 1 if logits else -1))
            seq.tokens.extend(tokens)  # in the cache once decoded
        self._batch.n_tokens = n
        return rows, fillers

    def _put(self, at: int, token: int, pos: int, seq_id: int, logits: bool) -> None:
        batch = self._batch
        batch.token[at] = token
        batch.pos[at] = pos
        batch.n_seq_id[at] = 1
        batch.seq_id[at][0] = seq_id
        batch.logits[at] = logits

    def _after(self, seq: Sequence, row: int) -> None:
        """The step decoded a row of logits for this sequence: sample, stream, or end."""
        self._keep_pin(seq)
        request = seq.request
        assert request is not None
        if request.sampling is None:  # only the scores were asked
            logits = L.llama_get_logits_ith(self.ctx, row)
            request.out.put(list(logits[: self.n_vocab]))
            self._release(seq)
            return
        stats = request.stats
        assert request.sampler is not None
        token = request.sampler.sample(self.ctx, row)
        if L.llama_vocab_is_eog(self.vocab, token):
            stats.stopped_by = "end"
            return self._finish(seq)
        stats.generated_tokens += 1
        text = request.decoder.decode(self.piece(token))
        if text:
            if stats.time_to_first_token is None:
                stats.time_to_first_token = time.perf_counter() - request.started
            request.out.put(text)
        request.produced += 1
        if request.produced >= request.max_tokens:
            return self._finish(seq)
        if len(seq.tokens) >= self.context:
            stats.stopped_by = "context"
            return self._finish(seq)
        request.last = token

    def _keep_pin(self, seq: Sequence) -> None:
        """Save the bot's pinned prefix once the sequence holds exactly it."""
        request = seq.request
        if request is not None and request.save_pin and len(seq.tokens) == request.pin:
            self.cache.save(seq, request.pin)
            request.save_pin = False

    def _finish(self, seq: Sequence, keep: bool = True) -> None:
        """The reply is over: its sequence is free (and keeps what it holds)."""
        request = seq.request
        assert request is not None
        if request.decoder is not None and not request.left:
            tail = request.decoder.decode(b"", final=True)
            if tail:
                request.out.put(tail)
        # The conversation as it stands: its next turn starts from here.
        if keep and len(seq.tokens) - request.pin >= MIN_SAVED_TAIL:
            self.cache.save(seq, len(seq.tokens))
        self._release(seq)
        request.out.put(_DONE)

    def _fail(self, seq: Sequence, exc: BaseException) -> None:
        request = seq.request
        self.cache.clear(seq)  # its content is unknown now
        self._release(seq)
        if request is not None:
            request.out.put(exc)

    def _release(self, seq: Sequence) -> None:
        request = seq.request
        if request is not None:
            if request.sampler is not None:
                request.sampler.free()
                request.sampler = None
            request.stats.total_seconds = time.perf_counter() - request.started
        seq.request, seq.used_at = None, time.monotonic()
