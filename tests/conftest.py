"""Shared fixtures: real folders under tmp_path, the real bundled GGUF model."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.engine import ModelPool  # noqa: E402
from runtime.models.catalog import DEFAULT_MODEL_FILE, place_default_model  # noqa: E402
from runtime.workspace import Workspace  # noqa: E402

SHIPPED_BOTS = ROOT / "bots"
GGUF_DIR = ROOT / "gguf"


@pytest.fixture(scope="session")
def gguf_dir() -> Path:
    """The repository's gguf/ with the default model placed, as setup leaves it."""
    placed = place_default_model(GGUF_DIR)
    assert placed is not None, f"{DEFAULT_MODEL_FILE} missing: run ./botstudio test"
    return GGUF_DIR


@pytest.fixture(scope="session")
def pool() -> ModelPool:
    """One pool for the session, as in the real process: each model loads once."""
    pool = ModelPool(threads=2)
    yield pool
    pool.close()


@pytest.fixture
def bots_dir(tmp_path: Path) -> Path:
    target = tmp_path / "bots"
    shutil.copytree(SHIPPED_BOTS, target)
    return target


@pytest.fixture
def workspace(tmp_path: Path, bots_dir: Path, gguf_dir: Path, pool: ModelPool) -> Workspace:
    return Workspace(bots_dir, tmp_path / "data", gguf_dir, "en", pool)
