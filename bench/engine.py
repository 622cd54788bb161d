"""Engine benchmark: BotStudio's engine against llama.cpp itself, same GGUF, same threads.

Prints, all from one run:
  1. llama.cpp's own loop through the C API (what llama-bench measures): prompt
     tokens/s at 512 tokens, decode tokens/s over 128 tokens;
  2. a plain `llama_cpp.Llama.create_chat_completion(stream=True)` call;
  3. the engine on the same prompt;
  4. four bots with long personas taking turns on one model: time to first token
     through the engine and through the plain call, against one bot's warm turn.
Targets: engine decode >= 0.95 of llama.cpp's loop; interleaved time to first
token within 2x of a single bot's warm turn.

    .venv/bin/python bench/engine.py [--model FILE.gguf] [--threads N] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import llama_cpp as L  # noqa: E402

from runtime.engine import Engine, ModelPool  # noqa: E402
from runtime.engine.pool import default_threads  # noqa: E402
from runtime.models.catalog import ModelCatalog  # noqa: E402
from runtime.spec.model import ModelSettings  # noqa: E402

CONTEXT = 4096
PERSONA_TOPICS = [
    ("Ann", "a travel agent", "trains, islands, visas and cheap flights"),
    ("Bob", "a chef", "Sichuan pepper, noodles, dumplings and hot pot"),
    ("Cai", "a sales consultant for an IM SDK", "iOS, Android, Web and mini programs"),
    ("Dee", "an operations assistant", "coupons, approvals, weekly reports and group rules"),
]


def long_persona(name: str, role: str, topics: str, sentences: int = 90) -> str:
    lines = [f"You are {name}, {role}. You know a lot about {topics}."]
    for i in range(sentences):
        lines.append(
            f"Rule {i + 1}: when customers ask about {topics}, answer {name}'s way, briefly."
        )
    return "\n".join(lines)


class OwnLoop:
    """llama.cpp's own loop through its C API: the baseline nothing can beat.
    pp512 from position 0; tg128 after the same chat prompt the engine gets (decode
    speed depends on the position)."""

    def __init__(self, path: Path, threads: int, chat_prompt: list[int]):
        L.llama_backend_init()
        self.model = L.llama_model_load_from_file(
            str(path).encode(), L.llama_model_default_params()
        )
        params = L.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch = CONTEXT, 512, 512
        params.n_threads = params.n_threads_batch = threads
        self.ctx = L.llama_init_from_model(self.model, params)
        n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(self.model))
        self.random_prompt = [(i * 7919) % (n_vocab - 100) + 50 for i in range(512)]
        self.chat_prompt = chat_prompt

    def _eval(self, tokens: list[int]) -> None:
        arr = (L.llama_token * len(tokens))(*tokens)
        L.llama_decode(self.ctx, L.llama_batch_get_one(arr, len(tokens)))

    def prompt_rate(self) -> float:
        L.llama_memory_seq_rm(L.llama_get_memory(self.ctx), 0, -1, -1)
        started = time.perf_counter()
        self._eval(self.random_prompt)
        return 512 / (time.perf_counter() - started)

    def decode_rate(self, n: int = 128) -> float:
        L.llama_memory_seq_rm(L.llama_get_memory(self.ctx), 0, -1, -1)
        self._eval(self.chat_prompt)
        sampler = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
        L.llama_sampler_chain_add(sampler, L.llama_sampler_init_greedy())
        one = (L.llama_token * 1)()
        started = time.perf_counter()
        for _ in range(n):
            one[0] = L.llama_sampler_sample(sampler, self.ctx, -1)
            L.llama_decode(self.ctx, L.llama_batch_get_one(one, 1))
        rate = n / (time.perf_counter() - started)
        L.llama_sampler_free(sampler)
        return rate


def plain_llama(path: Path, threads: int):
    from llama_cpp import Llama

    return Llama(
        str(path), n_ctx=CONTEXT, n_threads=threads, n_threads_batch=threads, verbose=False
    )


def plain_turn(llm, messages: list[dict[str, str]], max_tokens: int) -> tuple[float, float, int]:
    """(time to first token, decode tokens/s, tokens) for one streamed chat completion."""
    started = time.perf_counter()
    first, count = None, 0
    stream = llm.create_chat_completion(
        messages, max_tokens=max_tokens, temperature=0, stream=True, seed=1
    )
    for chunk in stream:
        if chunk["choices"][0]["delta"].get("content"):
            count += 1
            if first is None:
                first = time.perf_counter() - started
    total = time.perf_counter() - started
    rate = (count - 1) / (total - first) if first and count > 1 else 0.0
    return first or total, rate, count


def engine_turn(engine: Engine, settings, messages, max_tokens: int) -> tuple[float, float, int]:
    generation = engine.generate(settings, messages, pinned=1, max_tokens=max_tokens)
    generation.read_all()
    stats = generation.stats
    return (
        stats.time_to_first_token or stats.total_seconds,
        stats.tokens_per_second,
        (stats.generated_tokens),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="default", help="a file in gguf/, or default")
    parser.add_argument("--threads", type=int, default=default_threads())
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four bots")
    parser.add_argument("--decode-rounds", type=int, default=7, help="decode measurements")
    args = parser.parse_args()

    catalog = ModelCatalog(ROOT / "gguf")
    path = catalog.resolve(args.model)
    if path is None:
        sys.exit(f"model {args.model} not found in gguf/")
    print(f"model {path.name}, {args.threads} threads, context {CONTEXT}\n")

    story = [
        {"role": "system", "content": "You are a storyteller."},
        {"role": "user", "content": "Tell me a long story about a lighthouse keeper."},
    ]
    engine = Engine(catalog, ModelPool(threads=args.threads), "en")
    settings = ModelSettings(file=args.model, temperature=0, context=CONTEXT, max_tokens=128)
    story_tokens = engine.model_for(settings).tokenize(engine.model_for(settings).render(story))

    own = OwnLoop(path, args.threads, story_tokens)
    llm = plain_llama(path, args.threads)
    prompt_rate = statistics.median(own.prompt_rate() for _ in range(3))
    # Alternate the three, round by round, so that they share the machine's conditions.
    rates: dict[str, list[float]] = {"own": [], "plain": [], "engine": []}
    for _ in range(args.decode_rounds):
        rates["own"].append(own.decode_rate())
        rates["plain"].append(plain_turn(llm, story, 128)[1])
        rates["engine"].append(engine_turn(engine, settings, story, 128)[1])
    own_rate, plain_rate, engine_rate = (statistics.median(rates[k]) for k in rates)
    print(f"decode tokens/s, median of {args.decode_rounds} alternating rounds:")
    print(
        f"1. llama.cpp's own loop (C API)   {own_rate:7.1f}   (prompt: {prompt_rate:.1f}/s at 512)"
    )
    print(f"2. plain Llama chat completion    {plain_rate:7.1f}")
    print(f"3. BotStudio engine               {engine_rate:7.1f}")
    print(f"   engine / llama.cpp's loop: {engine_rate / own_rate:.2f}  (target >= 0.95)")
    print(f"   engine / plain Llama call: {engine_rate / plain_rate:.2f}\n")

    bots = [long_persona(*topic) for topic in PERSONA_TOPICS]
    questions = iter(f"Hello! I am customer number {i}. What can you do?" for i in range(10_000))

    def ask(persona: str) -> list[dict[str, str]]:  # every turn a new message, as in real use
        return [
            {"role": "system", "content": persona},
            {"role": "user", "content": next(questions)},
        ]

    prompt_tokens = engine.model_for(settings).count_tokens(ask(bots[0]))
    print(f"4. four bots, prompts of about {prompt_tokens} tokens each, taking turns")
    cold = engine_turn(engine, settings, ask(bots[0]), 8)[0]
    warm = statistics.median(engine_turn(engine, settings, ask(bots[0]), 8)[0] for _ in range(4))
    for persona in bots[1:]:  # first contact of the other bots: their prefixes get saved
        engine_turn(engine, settings, ask(persona), 8)
    interleaved_engine, interleaved_plain = [], []
    for _ in range(args.rounds):
        for persona in bots:
            interleaved_engine.append(engine_turn(engine, settings, ask(persona), 8)[0])
    for _ in range(max(1, args.rounds // 2)):
        for persona in bots:
            interleaved_plain.append(plain_turn(llm, ask(persona), 8)[0])
    engine_ttft = statistics.median(interleaved_engine)
    plain_ttft = statistics.median(interleaved_plain)
    print(f"   engine, cold first turn         {cold:7.3f} s to first token")
    print(f"   engine, one bot's warm turn     {warm:7.3f} s")
    n_engine, n_plain = len(interleaved_engine), len(interleaved_plain)
    print(f"   engine, bots interleaved        {engine_ttft:7.3f} s (median of {n_engine})")
    print(f"   plain Llama, bots interleaved   {plain_ttft:7.3f} s (median of {n_plain})")
    print(f"   interleaved / warm (engine): {engine_ttft / warm:.2f}  (target <= 2)")
    print(f"   plain / engine, interleaved: {plain_ttft / engine_ttft:.1f}x faster")


if __name__ == "__main__":
    main()
