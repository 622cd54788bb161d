"""Several replies of one model at once (continuous batching), with the real bundled GGUF.

What a customer would notice is asserted: replies are written side by side instead of one
after another, a short reply asked later is not kept waiting behind a long one, a reply
whose reader left frees its place for the next in line, a long new prompt does not stop
the others' streams, and a grammar holds for its own reply only."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import llama_cpp as L
import pytest
from llama_cpp.llama_grammar import json_schema_to_gbnf

from runtime.engine import GenerationStats, ModelPool, Sampling
from runtime.engine import arrivals as arrivals_module
from runtime.engine.llama_model import LlamaModel
from runtime.engine.priority import DECODE_NICE
from runtime.models.catalog import DEFAULT_MODEL_FILE

pytestmark = pytest.mark.model

SLOTS = 2


@pytest.fixture(scope="module")
def model(gguf_dir: Path) -> Iterator[LlamaModel]:
    pool = ModelPool(threads=2, slots=SLOTS)
    yield pool.get(gguf_dir / DEFAULT_MODEL_FILE, context=2048, gpu_layers=0)
    pool.close()


def prompt_of(model: LlamaModel, question: str, persona: str = "You are helpful.") -> list[int]:
    messages = [{"role": "system", "content": persona}, {"role": "user", "content": question}]
    return model.tokenize(model.render(messages))


class Reader(threading.Thread):
    """One reply read on a thread of its own, each piece stamped with when it came."""

    def __init__(self, model: LlamaModel, prompt: list[int], max_tokens: int, **sampling):
        super().__init__(daemon=True)
        self.stats = GenerationStats()
        self.pieces: list[tuple[float, str]] = []
        self.stream = model.generate(
            prompt,
            pin=0,
            max_tokens=max_tokens,
            sampling=Sampling(**{"temperature": 0, **sampling}),
            stats=self.stats,
        )
        self.stop_after: int | None = None

    def run(self) -> None:
        for piece in self.stream:
            self.pieces.append((time.monotonic(), piece))
            if self.stop_after is not None and len(self.pieces) >= self.stop_after:
                self.stream.close()  # the customer left
                return

    @property
    def text(self) -> str:
        return "".join(piece for _, piece in self.pieces)

    def first_at(self) -> float:
        return self.pieces[0][0]

    def last_at(self) -> float:
        return self.pieces[-1][0]


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_two_replies_are_written_side_by_side(model: LlamaModel) -> None:
    seen_running: list[int] = []
    a = Reader(model, prompt_of(model, "Write a long story about a cat."), 120)
    b = Reader(model, prompt_of(model, "Write a long story about a dog."), 120)
    a.start()
    b.start()
    while a.is_alive() or b.is_alive():
        seen_running.append(model.running)
        time.sleep(0.01)
    assert a.text.strip() and b.text.strip()
    assert max(seen_running) == SLOTS  # both held a sequence at the same moment
    # each began before the other ended: interleaved, not one after the other
    assert a.first_at() < b.last_at() and b.first_at() < a.last_at()
    assert model.running == 0 and model.waiting == 0


def test_a_short_reply_asked_later_is_not_kept_behind_a_long_one(model: LlamaModel) -> None:
    long = Reader(model, prompt_of(model, "Count from one to two hundred in words."), 300)
    long.start()
    wait_until(lambda: len(long.pieces) >= 3)
    short = Reader(model, prompt_of(model, "Say hi."), 8)
    short.start()
    short.join(timeout=120)
    assert short.text.strip() and short.stats.generated_tokens <= 8
    assert long.is_alive() or long.last_at() > short.last_at()  # still writing meanwhile
    long.join(timeout=300)


def test_a_reply_whose_reader_left_frees_its_place_for_the_next(model: LlamaModel) -> None:
    first = [Reader(model, prompt_of(model, f"Tell story number {i}."), 400) for i in range(SLOTS)]
    for reader in first:
        reader.stop_after = 4
    waiting = Reader(model, prompt_of(model, "Say yes."), 4)
    for reader in first:
        reader.start()
    wait_until(lambda: model.running == SLOTS)
    waiting.start()
    wait_until(lambda: model.waiting == 1 or waiting.pieces)
    waiting.join(timeout=120)  # the places of those who left went to it
    assert waiting.text.strip()
    for reader in first:
        reader.join(timeout=30)
        assert len(reader.pieces) == 4 and reader.stats.generated_tokens < 50
    wait_until(lambda: model.running == 0)


def test_a_long_new_prompt_does_not_stop_the_stream_being_written(model: LlamaModel) -> None:
    writing = Reader(model, prompt_of(model, "Write a long poem about the sea."), 200)
    writing.start()
    wait_until(lambda: len(writing.pieces) >= 2)
    persona = "You are a librarian. " + "You know every book about ships and the sea. " * 120
    reading = Reader(model, prompt_of(model, "Which book?", persona), 4)
    assert len(prompt_of(model, "Which book?", persona)) > 1000
    asked = time.monotonic()
    reading.start()
    reading.join(timeout=120)
    assert reading.text.strip()
    # while the long prompt was read, in slices, the poem kept coming
    during = [at for at, _ in writing.pieces if asked < at < reading.first_at()]
    assert len(during) >= 5, len(during)
    writing.join(timeout=300)


def test_a_grammar_holds_for_its_own_reply_only(model: LlamaModel) -> None:
    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string"}},
        "required": ["colour"],
    }
    grammar = json_schema_to_gbnf(json.dumps(schema))
    shaped = Reader(model, prompt_of(model, "Your favourite colour, as JSON."), 40, grammar=grammar)
    free = Reader(model, prompt_of(model, "Name a colour in a sentence."), 40)
    shaped.start()
    free.start()
    shaped.join(timeout=120)
    free.join(timeout=120)
    assert set(json.loads(shaped.text)) == {"colour"}
    assert not free.text.lstrip().startswith("{")  # the other reply is not held to it


def niced_threads() -> set[int]:
    """This process's threads that run at the decode loop's lower priority, now."""
    found = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            if os.getpriority(os.PRIO_PROCESS, int(task.name)) == DECODE_NICE:
                found.add(int(task.name))
        except OSError:  # the thread ended meanwhile
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux: nice per thread")
def test_decoding_gives_way_to_the_server(model: LlamaModel) -> None:
    """On a busy machine an acknowledgement must not wait behind a decode step: the decode
    loop and llama.cpp's compute threads (2 here) run at a lower priority, the rest of
    the server at its own."""
    reader = Reader(model, prompt_of(model, "Tell me a long story about a lighthouse."), 200)
    reader.start()
    seen: set[int] = set()
    while reader.is_alive():
        seen |= niced_threads()
        time.sleep(0.002)
    reader.join()
    assert model.scheduler.thread.native_id in seen
    assert len(seen) >= 2, "llama.cpp's compute threads kept the server's priority"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0


class Claiming(Reader):
    """A reply made ready on its own thread: it claims what was expected, then asks."""

    def __init__(self, arrivals: arrivals_module.Arrivals, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrivals = arrivals

    def run(self) -> None:
        self.arrivals.claim()
        super().run()


def test_a_reply_on_its_way_joins_the_first_step_of_a_waking_model(
    model: LlamaModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of two customers: the second is still being made ready (the journal, the
    prompt) when the first asks the idle model. The model waits for it, and reads both
    prompts in its first decode step instead of one in each."""
    arrivals = model.scheduler.arrivals
    assert arrivals is not None and arrivals.on_the_way == 0
    wait_until(lambda: model.running == 0 and model.waiting == 0)
    monkeypatch.setattr(arrivals_module, "SETTLE_SECONDS", 30.0)  # nothing rides on speed
    steps: list[set[int]] = []  # the sequences each decode step carried
    decode = L.llama_decode

    def recording(ctx, batch) -> int:
        steps.append({batch.seq_id[i][0] for i in range(batch.n_tokens)})
        return decode(ctx, batch)

    monkeypatch.setattr(L, "llama_decode", recording)
    arrivals.expect()  # the second customer's message is in the inbox
    first = Reader(model, prompt_of(model, "Tell me about cats.", "You sell cat food."), 8)
    first.start()
    wait_until(lambda: model.waiting == 1)  # asked; the model woke and waits
    time.sleep(0.3)  # long enough for a first step of its own, were it not waiting
    second = Claiming(
        arrivals, model, prompt_of(model, "Tell me about dogs.", "You sell dog food."), 8
    )
    second.start()
    first.join(60)
    second.join(60)
    assert first.text.strip() and second.text.strip()
    assert len(steps[0]) == 2  # both customers' prompts in the first step
    assert arrivals.on_the_way == 0


def one_run(step: list[tuple[int, bool]]) -> bool:
    """A decode step's sequence ids, in batch order, run on without a break (3, 4, 5…):
    llama.cpp then decodes it in one pass over the weights, not one pass per run."""
    ids = [seq_id for seq_id, _ in itertools.groupby(seq_id for seq_id, _ in step)]
    return ids == list(range(ids[0], ids[0] + len(ids)))


def test_a_reply_that_ends_between_two_others_does_not_split_their_steps(
    gguf_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three replies in sequences 0, 1 and 2; the middle one's reader leaves while the
    others write. Their steps still go to llama.cpp as one run of sequences (the idle
    one gets a filler token), and the idle sequence keeps exactly what it held."""
    steps: list[list[tuple[int, bool]]] = []  # (sequence, wants logits) per token
    decode = L.llama_decode

    def recording(ctx, batch) -> int:
        steps.append([(batch.seq_id[i][0], bool(batch.logits[i])) for i in range(batch.n_tokens)])
        return decode(ctx, batch)

    monkeypatch.setattr(L, "llama_decode", recording)
    pool = ModelPool(threads=2, slots=3)
    try:
        model = pool.get(gguf_dir / DEFAULT_MODEL_FILE, context=1024, gpu_layers=0)
        a = Reader(model, prompt_of(model, "Write a long story about a cat."), 90)
        a.start()
        wait_until(lambda: len(a.pieces) > 0)
        b = Reader(model, prompt_of(model, "Write a long story about a bird."), 90)
        b.start()
        wait_until(lambda: len(b.pieces) > 0)
        c = Reader(model, prompt_of(model, "Write a long story about a dog."), 40)
        c.start()
        wait_until(lambda: len(c.pieces) > 0)
        held = [s.request is not None for s in model.scheduler.sequences]
        assert held == [True, True, True]
        b.stop_after = len(b.pieces) + 1  # the customer in the middle leaves
        for reader in (a, b, c):
            reader.join(120)
        assert a.text.strip() and c.text.strip()
        sequences = model.scheduler.sequences
        middle = sequences[1]
        assert middle.request is None and middle.tokens
        # the filler was taken out again: the cache holds what the sequence says it does
        memory = model.scheduler.cache.memory
        assert L.llama_memory_seq_pos_max(memory, 1) == len(middle.tokens) - 1
    finally:
        pool.close()
    assert all(one_run(step) for step in steps)
    filled = [step for step in steps if (1, False) in step and {0, 2} <= {i for i, _ in step}]
    assert filled  # 0 and 2 were written together, with sequence 1 idle between them


def test_a_lone_reply_does_not_wait_for_the_settling() -> None:
    """Nobody on the way: settling returns at once; somebody on the way: it returns when
    they arrive, and a thread that carries nothing cannot end their wait."""
    arrivals = arrivals_module.Arrivals()
    settling = threading.Thread(target=arrivals.settle, kwargs={"timeout": 600})
    settling.start()
    settling.join(60)
    assert not settling.is_alive()  # returned at once, not after its 600 s
    arrivals.expect()
    assert arrivals.on_the_way == 1
    arrivals.arrived()  # not this thread's: nothing changes
    assert arrivals.on_the_way == 1

    def carry() -> None:
        arrivals.claim()
        time.sleep(0.05)
        arrivals.arrived()

    threading.Thread(target=carry).start()
    arrivals.settle(timeout=600)
    assert arrivals.on_the_way == 0  # it waited for the carrier, however long it took
    arrivals.expect()
    arrivals.unexpect()  # refused at the door: never claimed
    assert arrivals.on_the_way == 0
