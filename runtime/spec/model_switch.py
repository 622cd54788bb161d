"""Switching bots to another model file: each bot's YAML changes through the same
validation and atomic save as the studio's editor, comments and layout kept."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.i18n import t
from runtime.spec.loader import BotRepository, SpecError, validate_bot
from runtime.spec.yaml_io import LoadedYaml


@dataclass(frozen=True)
class Switched:
    bot: str
    ok: bool
    message_id: str
    params: dict[str, str]

    def text(self, lang: str) -> str:
        return t(self.message_id, lang, **self.params)


def switch_bots(repo: BotRepository, bot_ids: list[str], model_file: str) -> list[Switched]:
    """Set `model.file` of each bot to `model_file`. A bot whose file has problems, or
    that would not validate afterwards, is left exactly as it was and says why.
    Variants that name a model of their own keep it."""
    results = []
    for bot_id in bot_ids:
        path = repo.path_for(bot_id)
        if path is None:
            results.append(Switched(bot_id, False, "dl.switch.no_bot", {"bot": bot_id}))
            continue
        try:
            spec = repo.load_path(path)
            data = spec.model_dump(mode="json", exclude_unset=True)
            own = {k: v for k, v in data.get("model", {}).items() if k not in ("endpoint", "name")}
            data["model"] = {**own, "file": model_file}  # a file instead of an endpoint too
            spec = validate_bot(
                LoadedYaml(data), path.name, lang=repo.lang, expected_id=bot_id, models=repo.models
            )
        except SpecError as exc:
            first = exc.problems[0].message if exc.problems else str(exc)
            results.append(
                Switched(bot_id, False, "dl.switch.invalid", {"bot": bot_id, "detail": first})
            )
            continue
        repo.save(spec, path)
        results.append(
            Switched(bot_id, True, "dl.switch.done", {"bot": bot_id, "file": model_file})
        )
    return results
