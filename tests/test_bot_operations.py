"""Managing bots as the studio does: every operation validates first and never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.models.catalog import ModelCatalog
from runtime.spec import BotRepository, SpecError
from runtime.spec import catalog_ops as ops


@pytest.fixture
def repo(bots_dir: Path, gguf_dir: Path) -> BotRepository:
    return BotRepository(bots_dir, ModelCatalog(gguf_dir), "en")


def test_create_blank_and_from_template(repo: BotRepository) -> None:
    ops.create(repo, "blank-bot", "Blank", None)
    assert repo.load("blank-bot").name == "Blank"
    ops.create(repo, "sales-2", "Sales two", "xiaolan-sales")
    copy = repo.load("sales-2")
    assert copy.name == "Sales two" and copy.persona == repo.load("xiaolan-sales").persona
    assert (repo.bots_dir / "sales-2.yaml").read_text(encoding="utf-8").startswith("# 小蓝")


def test_invalid_or_taken_ids_are_refused(repo: BotRepository) -> None:
    with pytest.raises(ops.BotOperationError, match="invalid"):
        ops.create(repo, "Not OK", "x", None)
    with pytest.raises(ops.BotOperationError, match="already exists"):
        ops.create(repo, "ops-helper", "x", None)
    assert repo.ids() == ["ad-copywriter", "ops-helper", "xiaolan-sales"]


def test_duplicate_rename_and_delete(repo: BotRepository) -> None:
    ops.duplicate(repo, "ops-helper", "ops-helper-b")
    assert repo.load("ops-helper-b").name == "运营小助手 (copy)"
    ops.rename(repo, "ops-helper-b", "ops-night")
    assert "ops-helper-b" not in repo.ids() and repo.load("ops-night").id == "ops-night"
    with pytest.raises(ops.BotOperationError):
        ops.rename(repo, "ops-night", "ops-helper")  # taken: nothing moves
    assert "ops-night" in repo.ids()
    ops.delete(repo, "ops-night")
    assert "ops-night" not in repo.ids()


def test_import_validates_fully_and_keeps_the_file_as_written(repo: BotRepository) -> None:
    raw = b"# from a colleague\nid: imported\nname: Imported\n"
    path = ops.import_file(repo, raw, "whatever-name.yaml")
    assert path.name == "imported.yaml" and path.read_bytes() == raw
    with pytest.raises(SpecError) as taken:
        ops.import_file(repo, raw, "again.yaml")
    assert "already exists" in str(taken.value)
    with pytest.raises(SpecError) as broken:
        ops.import_file(repo, b"id: broken\nname: B\nmodel: {temperature: hot}\n", "broken.yaml")
    assert "broken.yaml:3: 'Creativity (temperature) (model.temperature)' must be a number" in str(
        broken.value
    )
    assert "broken" not in repo.ids()
