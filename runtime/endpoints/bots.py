"""Which bots use an endpoint, and switching chosen bots to one: each bot's YAML changes
through the same validation and atomic save as the studio's editor, comments kept."""

from __future__ import annotations

from runtime.spec.loader import BotRepository, SpecError, validate_bot
from runtime.spec.yaml_io import LoadedYaml


def bots_using(repo: BotRepository, name: str) -> list[str]:
    """The bots that (or a variant of which) answer through endpoint `name`."""
    users = []
    for path in repo.paths():
        try:
            spec = repo.load_path(path)
        except SpecError:  # a file with problems: `check` says which
            continue
        named = [spec.model.endpoint] + [v.model.endpoint for v in spec.variants if v.model]
        if name in named:
            users.append(spec.id)
    return users


def switch_bots(repo: BotRepository, bot_ids: list[str], name: str) -> list[tuple[str, str]]:
    """Set each bot's `model.endpoint` (its file and model name go); (bot, problem) for
    each bot left as it was: no such bot, or one that would not validate."""
    problems = []
    for bot_id in bot_ids:
        path = repo.path_for(bot_id)
        if path is None:
            problems.append((bot_id, "?"))
            continue
        try:
            data = repo.load_path(path).model_dump(mode="json", exclude_unset=True)
            own = {k: v for k, v in data.get("model", {}).items() if k not in ("file", "name")}
            data["model"] = {**own, "endpoint": name}
            spec = validate_bot(
                LoadedYaml(data), path.name, lang=repo.lang, expected_id=bot_id, models=repo.models
            )
        except SpecError as exc:
            problems.append((bot_id, "; ".join(p.message for p in exc.problems) or str(exc)))
            continue
        repo.save(spec, path)
    return problems
