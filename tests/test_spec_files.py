"""Bad bot files: each gets one clear, line-numbered message, and nothing crashes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runtime.models.catalog import ModelCatalog
from runtime.spec import BotRepository, SpecError, parse_bot

CORPUS = sorted((Path(__file__).parent / "spec_corpus").glob("*.yaml"))


def _expectation(path: Path) -> tuple[int, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    line, message = first.removeprefix("# expect: ").split(": ", 1)
    return int(line), message


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_bad_file_names_line_and_problem(path: Path, gguf_dir: Path) -> None:
    line, message = _expectation(path)
    repo = BotRepository(path.parent, ModelCatalog(gguf_dir), "en")
    with pytest.raises(SpecError) as caught:
        repo.load_path(path)
    rendered = str(caught.value).splitlines()
    assert any(r.startswith(f"{path}:{line}: ") and message in r for r in rendered), rendered


def test_messages_come_in_chinese_too(gguf_dir: Path) -> None:
    path = Path(__file__).parent / "spec_corpus" / "unknown-key.yaml"
    repo = BotRepository(path.parent, ModelCatalog(gguf_dir), "zh")
    with pytest.raises(SpecError) as caught:
        repo.load_path(path)
    assert "未知的设置项 “model.temprature”，是不是 “temperature”？" in str(caught.value)


def _problems(raw: bytes) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_bot(raw, "bots/x.yaml", lang="en")
    return [p.render("bots/x.yaml") for p in caught.value.problems]


def test_not_utf8_names_the_line() -> None:
    raw = "id: x\nname: 小蓝\n".encode() + "persona: 你好\n".encode("gbk")
    assert _problems(raw) == [
        "bots/x.yaml:3: file is not UTF-8 (undecodable bytes near line 3); save it as UTF-8"
    ]


def test_file_over_one_megabyte_is_refused_before_parsing() -> None:
    raw = b"id: x\nname: y\nknowledge: " + b"a" * 1_000_001
    assert "file is too large" in _problems(raw)[0]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["id: x", "name: y", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    raw = "\n".join(lines).encode()
    started = time.perf_counter()
    problems = _problems(raw)
    assert time.perf_counter() - started < 5  # a generous bound: expanding would never finish
    assert "anchors and aliases" in problems[0]


def test_several_problems_are_all_reported_in_line_order() -> None:
    raw = b"id: x\nname: y\nmodel:\n  top_p: 0\n  context: 100\ncolour: blue\n"
    problems = _problems(raw)
    assert [p.split(":")[1] for p in problems] == ["4", "5", "6"]


def test_merge_keys_may_be_overridden_but_not_repeated() -> None:
    base = b"id: x\nname: y\nmodel: &m {temperature: 0.5}\nvariants:\n  - id: A\n"
    ok = base + b"    model:\n      <<: *m\n      temperature: 0.9\n"
    spec = parse_bot(ok, "x.yaml", lang="en")
    assert spec.variants[0].model.temperature == 0.9
