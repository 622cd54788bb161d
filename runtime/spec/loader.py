"""Loading, checking and saving bot files: one YAML file per bot in bots/."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from runtime.i18n import t
from runtime.spec.errors import problems_from_validation
from runtime.spec.fields import BOT_ID
from runtime.spec.model import BotSpec
from runtime.spec.yaml_io import (
    LoadedYaml,
    Problem,
    YamlProblem,
    decode_bot_file,
    dump_yaml,
    parse_yaml,
)
from runtime.spec.yaml_roundtrip import update_yaml_text


class ModelFiles(Protocol):
    """The models on this machine, as far as checking a bot file asks about them: the
    catalog (runtime/models/catalog.py) is handed in, the spec imports none of it."""

    gguf_dir: Path

    def exists(self, name: str) -> bool: ...

    def known_names(self) -> list[str]: ...


class SpecError(Exception):
    """A bot file that cannot be used, with every problem found in it."""

    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(p.render(filename) for p in problems))


def parse_bot(
    raw: bytes,
    filename: str,
    *,
    lang: str,
    expected_id: str | None = None,
    models: ModelFiles | None = None,
) -> BotSpec:
    """Validate the bytes of a bot file; raise SpecError naming each problem's line."""
    loaded, spec = _parse_and_validate(raw, filename, lang)
    return _checked_in_context(spec, loaded, filename, lang, expected_id, models)


def _parse_and_validate(raw: bytes, filename: str, lang: str) -> tuple[LoadedYaml, BotSpec]:
    """What a bot file says by itself, before its file name and models are checked."""
    try:
        loaded = parse_yaml(decode_bot_file(raw, lang), lang)
    except YamlProblem as exc:
        raise SpecError(filename, [exc.problem]) from None
    return loaded, _validated(loaded, filename, lang)


def validate_bot(
    loaded: LoadedYaml,
    filename: str,
    *,
    lang: str,
    expected_id: str | None = None,
    models: ModelFiles | None = None,
) -> BotSpec:
    """Validate already parsed data (the studio's form comes here, with no lines)."""
    spec = _validated(loaded, filename, lang)
    return _checked_in_context(spec, loaded, filename, lang, expected_id, models)


def _validated(loaded: LoadedYaml, filename: str, lang: str) -> BotSpec:
    if not isinstance(loaded.data, dict):
        raise SpecError(filename, [Problem(loaded.line_of(()), t("yaml.not_mapping", lang))])
    try:
        spec = BotSpec.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecError(filename, problems_from_validation(exc, loaded, BotSpec, lang)) from None
    return spec


def _checked_in_context(
    spec: BotSpec,
    loaded: LoadedYaml,
    filename: str,
    lang: str,
    expected_id: str | None,
    models: ModelFiles | None,
) -> BotSpec:
    problems = _context_problems(spec, loaded, lang, expected_id, models)
    if problems:
        raise SpecError(filename, problems)
    return spec


def _context_problems(
    spec: BotSpec,
    loaded: LoadedYaml,
    lang: str,
    expected_id: str | None,
    models: ModelFiles | None,
) -> list[Problem]:
    """What the spec cannot know by itself: its file name and the models on this machine."""
    problems = []
    if expected_id is not None and spec.id != expected_id:
        message = t("spec.id_mismatch", lang, value=spec.id, stem=expected_id)
        problems.append(Problem(loaded.line_of(("id",)), message, ("id",)))
    if models is not None:
        for path, name in spec.model_files():
            if not models.exists(name):
                known = ", ".join(models.known_names())
                message = t(
                    "spec.unknown_model",
                    lang,
                    value=name,
                    gguf_dir=models.gguf_dir,
                    known=known,
                )
                problems.append(Problem(loaded.line_of(path), message, path))
    return problems


def spec_to_yaml(spec: BotSpec) -> str:
    """The YAML text of a spec: only keys that were set, in the contract's order."""
    return dump_yaml(spec.model_dump(mode="json", exclude_unset=True))


KNOWLEDGE_SUFFIX = ".knowledge"  # a bot's documents: bots/<id>.knowledge/


class BotRepository:
    """The bots/ folder: list, load, check and save bot files."""

    SUFFIXES = (".yaml", ".yml")

    def __init__(self, bots_dir: Path, models: ModelFiles, lang: str):
        self.bots_dir = bots_dir
        self.models = models
        self.lang = lang
        # path -> (bytes, parsed, validated): a bot is read for every message, and
        # parsing YAML in pure Python costs milliseconds of the interpreter each time
        self._parsed: dict[Path, tuple[bytes, LoadedYaml, BotSpec]] = {}
        self._parsed_lock = threading.Lock()

    def paths(self) -> list[Path]:
        if not self.bots_dir.is_dir():
            return []
        return sorted(
            p for p in self.bots_dir.iterdir() if p.suffix in self.SUFFIXES and p.is_file()
        )

    def ids(self) -> list[str]:
        return [p.stem for p in self.paths()]

    def path_for(self, bot_id: str) -> Path | None:
        """The file of the bot with this id, or None. Only a valid bot id names a file, so
        an id from a user ("../x", "/etc/x", "x\n") never reaches outside the bots folder."""
        if not isinstance(bot_id, str) or not BOT_ID.fullmatch(bot_id):
            return None
        for suffix in self.SUFFIXES:
            path = self.bots_dir / f"{bot_id}{suffix}"
            if path.is_file():
                return path
        return None

    def knowledge_dir(self, bot_id: str) -> Path:
        """The folder of the bot's documents, `<id>.knowledge/` beside its file (it may not
        exist). Like path_for, only a valid bot id names one, so no id reaches outside."""
        if not isinstance(bot_id, str) or not BOT_ID.fullmatch(bot_id):
            raise ValueError(f"not a bot id: {bot_id!r}")
        return self.bots_dir / f"{bot_id}{KNOWLEDGE_SUFFIX}"

    def load_path(self, path: Path) -> BotSpec:
        try:
            raw = path.read_bytes()
        except OSError:
            raise SpecError(str(path), [Problem(1, t("file.not_found", self.lang))]) from None
        with self._parsed_lock:
            cached = self._parsed.get(path)
        if cached is not None and cached[0] == raw:
            loaded, spec = cached[1], cached[2]
        else:
            loaded, spec = _parse_and_validate(raw, str(path), self.lang)
            with self._parsed_lock:
                self._parsed[path] = (raw, loaded, spec)
        # the models on this machine may have changed since: checked every time
        spec = _checked_in_context(spec, loaded, str(path), self.lang, path.stem, self.models)
        return spec.model_copy(deep=True)  # callers may change theirs; the cache stays

    def load(self, bot_id: str) -> BotSpec:
        """The bot with this id; KeyError when there is no such file."""
        path = self.path_for(bot_id)
        if path is None:
            raise KeyError(bot_id)
        return self.load_path(path)

    def check(self, paths: Iterable[Path]) -> list[tuple[Path, list[Problem]]]:
        results: list[tuple[Path, list[Problem]]] = []
        for path in paths:
            try:
                self.load_path(path)
                results.append((path, []))
            except SpecError as exc:
                results.append((path, exc.problems))
        return results

    def render(self, spec: BotSpec, path: Path) -> str:
        """The text to write: over an existing file, only what changed, comments kept."""
        text = spec_to_yaml(spec)
        if path.is_file():
            try:
                original = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
            except (OSError, UnicodeDecodeError):
                return text
            data = spec.model_dump(mode="json", exclude_unset=True)
            updated = update_yaml_text(original, data)
            if updated is not None:
                try:  # trust the round trip only if it reads back as the same bot
                    if parse_bot(updated.encode(), str(path), lang=self.lang) == spec:
                        return updated
                except SpecError:
                    pass
        return text

    def save(self, spec: BotSpec, path: Path | None = None) -> Path:
        """Write atomically, so a crash never leaves half a bot file behind."""
        self.bots_dir.mkdir(parents=True, exist_ok=True)
        path = path or self.path_for(spec.id) or self.bots_dir / f"{spec.id}.yaml"
        text = self.render(spec, path)
        fd, tmp = tempfile.mkstemp(dir=self.bots_dir, prefix=f".{spec.id}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
