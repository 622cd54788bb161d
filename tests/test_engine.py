"""The engine with the real bundled GGUF through llama.cpp (temperature 0, fixed seed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.engine import Engine, GenerationStats, ModelPool, Sampling
from runtime.models.catalog import DEFAULT_MODEL_FILE, ModelCatalog
from runtime.models.gguf_info import GGUFError, read_gguf_info
from runtime.spec.model import ModelSettings

pytestmark = pytest.mark.model

GREEDY = ModelSettings(temperature=0, max_tokens=48, context=2048, seed=7)


def _messages(persona: str, question: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": persona}, {"role": "user", "content": question}]


@pytest.fixture
def engine(gguf_dir: Path, pool: ModelPool) -> Engine:
    return Engine(ModelCatalog(gguf_dir), pool, "en")


def test_reply_streams_in_pieces_through_the_gguf_chat_template(engine: Engine) -> None:
    generation = engine.generate(
        GREEDY, _messages("You are a helpful assistant.", "Name a colour."), pinned=1, max_tokens=48
    )
    pieces = list(generation)
    assert len(pieces) > 3 and "".join(pieces).strip()
    assert generation.prompt_text.startswith("<|im_start|>system\nYou are a helpful assistant.")
    assert generation.prompt_text.endswith("<|im_start|>assistant\n")
    assert generation.stats.generated_tokens <= 48
    assert generation.stats.time_to_first_token is not None


def test_temperature_zero_is_deterministic(engine: Engine) -> None:
    messages = _messages("You are terse.", "What is 2+2?")
    first = engine.generate(GREEDY, messages, pinned=1, max_tokens=24).read_all()
    second = engine.generate(GREEDY, messages, pinned=1, max_tokens=24).read_all()
    assert first == second and first


def test_bots_taking_turns_reuse_their_saved_prefix(engine: Engine) -> None:
    """Bot A, then bot B, then bot A again: A's persona is restored, not evaluated again."""
    persona_a = "You are Ann, a travel agent. " + "You love trains and sunny beaches. " * 40
    persona_b = "You are Bob, a chef. " + "You cook Sichuan food with lots of pepper. " * 40
    cold = engine.generate(
        GREEDY, _messages(persona_a, "Where should I go in May?"), pinned=1, max_tokens=16
    )
    assert cold.read_all()
    engine.generate(
        GREEDY, _messages(persona_b, "What is for dinner?"), pinned=1, max_tokens=8
    ).read_all()
    warm = engine.generate(GREEDY, _messages(persona_a, "And in June?"), pinned=1, max_tokens=16)
    assert warm.read_all()
    assert warm.stats.prefix_restored
    assert warm.stats.evaluated_tokens < 20 < cold.stats.evaluated_tokens


def test_a_restored_state_scores_the_next_token_as_a_cold_evaluation_does(
    engine: Engine, gguf_dir: Path
) -> None:
    """The state restored (and cut back) after another bot's turn is the state it was.

    llama.cpp is not bit-exact across batch sizes: on a fresh model, evaluating the
    last prompt token alone instead of inside a batch moves the scores by up to ~0.5.
    That noise floor is measured here, and the restored path must stay within it and
    pick the same top tokens; a wrong or missing state moves scores by whole units."""
    persona_a = "You are Ann, a travel agent. " + "You love trains and sunny beaches. " * 40
    persona_b = "You are Bob, a chef. " + "You cook Sichuan food with lots of pepper. " * 40
    model = engine.model_for(GREEDY)
    engine.generate(
        GREEDY, _messages(persona_a, "Where should I go in May?"), pinned=1, max_tokens=16
    ).read_all()
    engine.generate(GREEDY, _messages(persona_b, "Dinner?"), pinned=1, max_tokens=8).read_all()
    for question in ("Where should I go in May?", "And in June?"):
        messages = _messages(persona_a, question)
        prompt = model.tokenize(model.render(messages))
        pin = len(model.tokenize(model.render(messages[:1], False)))
        warm = model.next_token_logits(prompt, pin)
        fresh = ModelPool(threads=2)
        try:
            cold_model = Engine(ModelCatalog(gguf_dir), fresh, "en").model_for(GREEDY)
            cold = cold_model.next_token_logits(prompt, 0)  # one batch
            # asked again, the sequence holding the prompt keeps all but its last token
            cold_last_alone = cold_model.next_token_logits(prompt, 0)
        finally:
            fresh.close()
        noise = max(abs(a - b) for a, b in zip(cold, cold_last_alone, strict=True))
        drift = max(abs(a - b) for a, b in zip(warm, cold, strict=True))
        assert drift <= 2 * noise + 0.1, (drift, noise)

        def top(scores: list[float]) -> list[int]:
            return sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:5]

        assert top(warm)[0] == top(cold)[0]
        assert len(set(top(warm)) & set(top(cold))) >= 4


def test_a_model_loads_once_per_file_context_and_gpu_layers(engine: Engine) -> None:
    same = engine.model_for(ModelSettings(context=2048, temperature=0.1))
    assert same is engine.model_for(GREEDY)
    assert engine.model_for(ModelSettings(context=1024)) is not same


def test_gpu_layers_on_a_cpu_build_run_on_the_cpu_and_say_so(engine: Engine) -> None:
    from runtime.engine import gpu_offload_supported

    model = engine.model_for(ModelSettings(context=2048, gpu_layers=-1))
    if gpu_offload_supported():
        assert model.info.gpu_layers == model.info.layers + 1
    else:
        assert model.info.gpu_layers == 0
        assert engine.pool.effective_gpu_layers(-1) == 0


def test_generation_stops_at_the_context_window(engine: Engine) -> None:
    small = ModelSettings(temperature=0, context=512, max_tokens=512)
    model = engine.model_for(small)
    messages = _messages("Repeat the word yes forever.", "Go: " + "yes " * 300)
    prompt_tokens = model.count_tokens(messages)
    # the model's own decode loop: the engine would end this loop early, for repeating
    stats = GenerationStats()
    prompt = model.tokenize(model.render(messages))
    "".join(
        model.generate(prompt, pin=0, max_tokens=512, sampling=Sampling(temperature=0), stats=stats)
    )
    assert prompt_tokens + stats.generated_tokens <= 512 + 1


def test_gguf_header_describes_the_default_model(gguf_dir: Path) -> None:
    info = read_gguf_info(gguf_dir / DEFAULT_MODEL_FILE)
    assert info.architecture == "llama"
    assert 130e6 < info.parameters < 140e6
    assert info.quantization == "Q4_1"
    assert info.context_length == 8192
    assert "im_start" in (info.chat_template or "")


def test_a_damaged_gguf_is_reported_not_crashed(tmp_path: Path, gguf_dir: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes((gguf_dir / DEFAULT_MODEL_FILE).read_bytes()[:5000])
    with pytest.raises(GGUFError, match="ends early"):
        read_gguf_info(broken)
    (tmp_path / "text.gguf").write_text("hello")
    with pytest.raises(GGUFError, match="not a GGUF file"):
        read_gguf_info(tmp_path / "text.gguf")


def test_an_uploaded_gguf_is_checked_before_it_joins_gguf_dir(
    tmp_path: Path, gguf_dir: Path
) -> None:
    import shutil

    from runtime.models.catalog import ModelCatalog as Catalog

    catalog = Catalog(tmp_path / "gguf")
    fake = tmp_path / "upload-1"
    fake.write_bytes(b"PK\x03\x04 this is a zip file")
    with pytest.raises(GGUFError):
        catalog.add(fake, "qwen.gguf")
    assert catalog.files() == []
    real = tmp_path / "upload-2"
    shutil.copyfile(gguf_dir / DEFAULT_MODEL_FILE, real)
    added = catalog.add(real, "../../tiny.gguf")  # a path in the name is ignored
    assert added == tmp_path / "gguf" / "tiny.gguf" and catalog.known_names() == [
        "default",
        "tiny.gguf",
    ]
    with pytest.raises(FileExistsError):
        catalog.add(real, "tiny.gguf")


def test_interleaved_conversations_resume_from_their_own_saved_state(engine: Engine) -> None:
    """Two customers of one bot taking turns: each new turn restores that customer's
    conversation, so only the new message is evaluated."""
    persona = "You are a helpful assistant for a bakery. " * 20
    alice = [{"role": "system", "content": persona}, {"role": "user", "content": "I love bread."}]
    bob = [{"role": "system", "content": persona}, {"role": "user", "content": "Do you sell cake?"}]
    first_alice = engine.generate(GREEDY, alice, pinned=1, max_tokens=24)
    alice.append({"role": "assistant", "content": first_alice.read_all()})
    engine.generate(GREEDY, bob, pinned=1, max_tokens=24).read_all()  # Bob's turn in between
    alice.append({"role": "user", "content": "What do you bake on Sundays?"})
    second = engine.generate(GREEDY, alice, pinned=1, max_tokens=8)
    second.read_all()
    assert second.stats.prefix_restored
    assert second.stats.reused_tokens > first_alice.stats.prompt_tokens
    assert second.stats.evaluated_tokens < 25
