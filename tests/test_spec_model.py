"""The spec as the runtime uses it: shipped bots, round trips, variants."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtime.models.catalog import ModelCatalog
from runtime.spec import BotRepository, SpecError, parse_bot, spec_to_yaml

SHIPPED = ["ad-copywriter", "ops-helper", "xiaolan-sales"]


def test_at_least_three_shipped_bots_pass_check(bots_dir: Path, gguf_dir: Path) -> None:
    repo = BotRepository(bots_dir, ModelCatalog(gguf_dir), "en")
    assert repo.ids() == SHIPPED
    assert all(problems == [] for _, problems in repo.check(repo.paths()))


def test_sales_bot_collects_company_phone_and_product(bots_dir: Path, gguf_dir: Path) -> None:
    spec = BotRepository(bots_dir, ModelCatalog(gguf_dir), "en").load("xiaolan-sales")
    fields = {f.key: f.type for f in spec.lead_capture.fields}
    assert fields == {"company": "text", "phone": "phone_cn", "product": "choice"}
    assert spec.lead_capture.converted_when == ["phone"]


@pytest.mark.parametrize("bot_id", SHIPPED)
def test_save_and_load_round_trip(bot_id: str, bots_dir: Path, gguf_dir: Path) -> None:
    repo = BotRepository(bots_dir, ModelCatalog(gguf_dir), "en")
    original = repo.load(bot_id)
    repo.save(original)
    reloaded = repo.load(bot_id)
    assert reloaded == original
    assert spec_to_yaml(reloaded) == spec_to_yaml(original)  # stable: saving twice changes nothing


def test_saved_yaml_keeps_only_what_was_written_and_reads_well(tmp_path: Path) -> None:
    raw = "id: x\nname: 小蓝\nmodel:\n  temperature: 0.2\npersona: |\n  第一行\n  第二行\n"
    spec = parse_bot(raw.encode(), "x.yaml", lang="en")
    text = spec_to_yaml(spec)
    assert text == raw  # unset defaults are not written; Chinese stays readable; blocks stay blocks


def test_variant_overrides_apply_and_the_rest_is_inherited() -> None:
    raw = b"""
id: x
name: X
persona: base persona
greeting: base hello
model: {temperature: 0.7, max_tokens: 300}
variants:
  - id: A
  - id: B
    greeting: B hello
    model: {temperature: 0.1}
"""
    spec = parse_bot(raw, "x.yaml", lang="en")
    control, b = spec.resolve(None), spec.resolve("B")
    assert (control.variant_id, control.greeting, control.model.temperature) == (
        "A",
        "base hello",
        0.7,
    )
    assert (b.greeting, b.persona, b.model.temperature, b.model.max_tokens) == (
        "B hello",
        "base persona",
        0.1,
        300,
    )
    with pytest.raises(KeyError):
        spec.resolve("C")


def test_safety_rate_limit_parses() -> None:
    spec = parse_bot(b"id: x\nname: X\nsafety: {rate_limit: 5/hour}\n", "x.yaml", lang="en")
    assert spec.safety.rate() == (5, 3600)


def test_saving_a_hand_edited_file_keeps_comments_order_and_style(tmp_path: Path) -> None:
    bots = tmp_path / "bots"
    bots.mkdir()
    hand_written = """# Our Shanghai bot. Ask Li before changing the persona!
name: "小蓝"   # quoted on purpose
id: shanghai
persona: |
  你是小蓝。
variants:
  - id: A
    weight: 50   # half the traffic
  - id: B
    weight: 50
"""
    (bots / "shanghai.yaml").write_text(hand_written, encoding="utf-8")
    repo = BotRepository(bots, ModelCatalog(tmp_path), "en")
    spec = repo.load("shanghai")
    repo.save(spec)
    assert (bots / "shanghai.yaml").read_text(encoding="utf-8") == hand_written
    repo.save(spec.model_copy(update={"greeting": "你好"}))
    text = (bots / "shanghai.yaml").read_text(encoding="utf-8")
    assert text == hand_written + "greeting: 你好\n"
    assert repo.load("shanghai").greeting == "你好"


def test_a_bot_is_read_as_its_file_is_now_and_a_callers_changes_stay_its_own(
    bots_dir: Path, gguf_dir: Path, tmp_path: Path
) -> None:
    """Bots are read for every message (from a cache of the parsed file): an edit on disk
    shows at once, even one that keeps the file's size and time; a model removed since
    makes the bot unusable at once; a caller that changes its spec changes no one else's."""
    catalog = ModelCatalog(gguf_dir)
    repo = BotRepository(bots_dir, catalog, "en")
    path = bots_dir / "ops-helper.yaml"
    first = repo.load("ops-helper")
    assert first.name == "运营小助手"
    first.name = "changed by a caller"
    assert repo.load("ops-helper").name == "运营小助手"

    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("运营小助手", "运营小帮手"), encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert repo.load("ops-helper").name == "运营小帮手"

    path.write_text(text.replace("file: default", "file: gone.gguf"), encoding="utf-8")
    with pytest.raises(SpecError, match=r"gone\.gguf"):
        repo.load("ops-helper")
    path.write_text(text, encoding="utf-8")
    assert repo.load("ops-helper").name == "运营小助手"
