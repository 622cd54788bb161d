"""Managing the bots/ folder as the studio does: create, duplicate, rename, delete, import.

Each operation validates through the spec first, so nothing invalid is written,
and refuses to overwrite a bot that exists. A bot's documents (`<id>.knowledge/`
beside its file) go wherever the bot goes: copied, moved and deleted with it.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from runtime.i18n import Explained, t
from runtime.spec.fields import BOT_ID
from runtime.spec.loader import BotRepository, SpecError, parse_bot
from runtime.spec.model import BotSpec
from runtime.spec.yaml_io import Problem


class BotOperationError(Explained, ValueError):
    """An operation the user asked for that cannot be done, in their language."""


def _check_new_id(repo: BotRepository, bot_id: str) -> None:
    if not BOT_ID.fullmatch(bot_id or ""):
        raise BotOperationError("spec.bad_id", repo.lang, value=bot_id)
    if repo.path_for(bot_id) is not None:
        raise BotOperationError("ops.exists", repo.lang, bot=bot_id)
    # documents left without a bot (by hand, or a crash): never merged into another's
    if os.path.lexists(repo.knowledge_dir(bot_id)):
        folder = repo.knowledge_dir(bot_id).name
        raise BotOperationError("ops.knowledge_exists", repo.lang, bot=bot_id, folder=folder)


def _aside(repo: BotRepository, name: str) -> Path:
    """A path in bots/ that nothing has yet, for a folder on its way in or out: in bots/, so
    that os.replace is one rename on one disk; hidden and `.tmp`, so that neither the bot
    list nor a bot id ever matches it."""
    return repo.bots_dir / f".{name}.{secrets.token_hex(6)}.tmp"


def staging_dir(repo: BotRepository, name: str) -> Path:
    """A new empty folder in bots/, to fill before it is moved into place."""
    repo.bots_dir.mkdir(parents=True, exist_ok=True)
    while True:
        path = _aside(repo, name)
        try:
            path.mkdir()  # the umask's mode, as any folder the user makes
        except FileExistsError:
            continue
        return path


def copy_knowledge(repo: BotRepository, source: str, target: str) -> Path | None:
    """Copy the documents of `source` to `target`'s folder, which must not exist: copied
    aside first and moved in at once, so `target` never has half of them."""
    folder = repo.knowledge_dir(source)
    if not folder.is_dir():
        return None
    staged = _aside(repo, repo.knowledge_dir(target).name)
    try:
        shutil.copytree(folder, staged, symlinks=True)  # the folder's mode too
        destination = repo.knowledge_dir(target)
        os.replace(staged, destination)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return destination


def create(repo: BotRepository, bot_id: str, name: str, template: str | None) -> Path:
    """A new bot: a copy of `template` (a bot id) with a new id and name, or a blank one."""
    _check_new_id(repo, bot_id)
    if template:  # the template's file is copied, comments and all, then renamed
        return create_from(repo, repo.load(template), bot_id, name or bot_id)
    blank = {"id": bot_id, "name": name or bot_id, "language": repo.lang}
    return repo.save(BotSpec.model_validate(blank))


def duplicate(repo: BotRepository, source: str, new_id: str) -> Path:
    _check_new_id(repo, new_id)
    spec = repo.load(source)
    copy_name = t("ops.copy_name", repo.lang, name=spec.name)[:200]
    return create_from(repo, spec, new_id, copy_name)


def create_from(
    repo: BotRepository, spec: BotSpec, new_id: str, name: str, *, documents: bool = True
) -> Path:
    """`spec` under a new id and name; its documents are copied too unless `documents` is
    False. The documents go first, so the new bot is never seen without them."""
    copied = copy_knowledge(repo, spec.id, new_id) if documents else None
    try:
        return _write_copy(repo, spec, new_id, name)
    except BaseException:
        if copied is not None:
            shutil.rmtree(copied, ignore_errors=True)
        raise


def _write_copy(repo: BotRepository, spec: BotSpec, new_id: str, name: str) -> Path:
    source_path = repo.path_for(spec.id)
    target = repo.bots_dir / f"{new_id}.yaml"
    renamed = spec.model_copy(update={"id": new_id, "name": name})
    if source_path is not None:  # keep the source's comments and layout
        target.write_text(source_path.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        return repo.save(renamed, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def rename(repo: BotRepository, old_id: str, new_id: str) -> Path:
    """Give a bot a new id (its file name). The new file is written first, then the documents
    move (one rename on the same disk), and only then the old file goes: a failure at any
    step puts back what was done, so neither bot is ever left without its documents."""
    _check_new_id(repo, new_id)
    spec = repo.load(old_id)
    old_path = repo.path_for(old_id)
    path = create_from(repo, spec, new_id, spec.name, documents=False)
    old_docs, new_docs = repo.knowledge_dir(old_id), repo.knowledge_dir(new_id)
    moved = False
    try:
        if old_docs.is_dir():
            os.replace(old_docs, new_docs)
            moved = True
        if old_path is not None:
            old_path.unlink()
    except BaseException:
        if moved:
            os.replace(new_docs, old_docs)
        path.unlink(missing_ok=True)
        raise
    return path


def delete(repo: BotRepository, bot_id: str) -> None:
    """Remove a bot and its documents. The documents are first moved aside (one rename), so
    a bot whose file could not be removed keeps them, and a bot is never half deleted."""
    path = repo.path_for(bot_id)
    if path is None:
        raise BotOperationError("cli.unknown_bot", repo.lang, bot=bot_id, known="")
    docs = repo.knowledge_dir(bot_id)
    aside: Path | None = None
    if docs.is_dir():
        aside = _aside(repo, f"{docs.name}.deleted")
        os.replace(docs, aside)
    try:
        path.unlink()
    except BaseException:
        if aside is not None:
            os.replace(aside, docs)
        raise
    if aside is not None:  # the bot is gone; a folder that resists is hidden, not listed
        shutil.rmtree(aside, ignore_errors=True)


def import_file(repo: BotRepository, raw: bytes, filename: str) -> Path:
    """Import a bot YAML: validated in full; it keeps its own id, which must be new."""
    try:
        spec = parse_bot(raw, filename, lang=repo.lang, models=repo.models)
    except SpecError:
        raise
    if repo.path_for(spec.id) is not None:
        problem = Problem(1, t("ops.exists", repo.lang, bot=spec.id), ("id",))
        raise SpecError(filename, [problem])
    target = repo.bots_dir / f"{spec.id}.yaml"
    repo.bots_dir.mkdir(parents=True, exist_ok=True)
    target.write_bytes(raw.removeprefix(b"\xef\xbb\xbf"))
    return target
