"""What every tab gets: the workspace, the language, and the shared bot picker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.i18n import t
from runtime.spec import BotSpec, SpecError
from runtime.workspace import Workspace


@dataclass
class StudioContext:
    workspace: Workspace
    lang: str
    hub: Any = None  # the running server's channels (WeCom), when there is one
    bot_picker: Any = None  # gr.Dropdown: the bot every tab works on
    # (handler, inputs, outputs) run when the page loads, after the picker is filled
    on_load: list[tuple[Any, Any, Any]] = field(default_factory=list)
    # run when the server stops (removing files with personal data, studio/downloads.py)
    on_shutdown: list[Any] = field(default_factory=list)
    limits: Any = None  # runtime.server.limits.Limits: what an upload may weigh

    def t(self, message_id: str, **params: object) -> str:
        return t(message_id, self.lang, **params)

    def upload_limits_text(self) -> str:
        from runtime.server.limits import size_text

        return self.t("limit.upload_label", models=size_text(self.limits.model_file),
                      other=size_text(self.limits.other_file))  # fmt: skip

    def spec(self, bot_id: str | None) -> BotSpec | None:
        """The picked bot's spec; None with no bot picked, or for a file that does not
        read (the Edit and Bots tabs say why)."""
        if not bot_id:
            return None
        try:
            return self.workspace.dialogue.spec(bot_id)
        except (KeyError, SpecError):
            return None

    def bot_choices(self) -> list[tuple[str, str]]:
        """(label, id) for the picker: the bot's name where its file reads, else its id."""
        choices = []
        for path in self.workspace.bots.paths():
            try:
                name = self.workspace.bots.load_path(path).name
                choices.append((f"{name}（{path.stem}）", path.stem))
            except Exception:  # a broken file is still listed, so that it can be fixed
                choices.append((f"⚠ {path.stem}", path.stem))
        return choices
