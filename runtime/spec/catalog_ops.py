"""Managing the bots/ folder as the studio does: create, duplicate, rename, delete, import.

Each operation validates through the spec first, so nothing invalid is written,
and refuses to overwrite a bot that exists.
"""

from __future__ import annotations

from pathlib import Path

from runtime.i18n import Explained, t
from runtime.spec.loader import BotRepository, SpecError, parse_bot
from runtime.spec.model import BOT_ID, BotSpec
from runtime.spec.yaml_io import Problem


class BotOperationError(Explained, ValueError):
    """An operation the user asked for that cannot be done, in their language."""


def _check_new_id(repo: BotRepository, bot_id: str) -> None:
    if not BOT_ID.fullmatch(bot_id or ""):
        raise BotOperationError("spec.bad_id", repo.lang, value=bot_id)
    if repo.path_for(bot_id) is not None:
        raise BotOperationError("ops.exists", repo.lang, bot=bot_id)


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


def create_from(repo: BotRepository, spec: BotSpec, new_id: str, name: str) -> Path:
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
    """Give a bot a new id (its file name). The old file goes only once the new one is written."""
    _check_new_id(repo, new_id)
    spec = repo.load(old_id)
    old_path = repo.path_for(old_id)
    path = create_from(repo, spec, new_id, spec.name)
    if old_path is not None:
        old_path.unlink()
    return path


def delete(repo: BotRepository, bot_id: str) -> None:
    path = repo.path_for(bot_id)
    if path is None:
        raise BotOperationError("cli.unknown_bot", repo.lang, bot=bot_id, known="")
    path.unlink()


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
