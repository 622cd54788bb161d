"""What every tab gets: the workspace, the language, the shared bot picker, and the
means to stay current: a "something changed" signal and re-reading when a tab is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import gradio as gr

from runtime.i18n import t
from runtime.spec import BotRepository, BotSpec, SpecError
from runtime.spec.model import DEFAULT_MODEL
from runtime.workspace import Workspace

if TYPE_CHECKING:
    from runtime.outbox import Outbox
    from runtime.responder import Responder
    from runtime.schedules.runner import Scheduler

REFRESH_SECONDS = 10  # how often a shown 概览, 线索 or 企业微信 tab re-reads itself


class RunningChannels(Protocol):
    """The running server's channels as the tabs use them: runtime/server/hub.py's
    ChannelHub, a layer above the studio, handed in by the server that mounts it."""

    outbox: Outbox
    responder: Responder
    scheduler: Scheduler

    def connect(self, bot_id: str) -> None: ...


@dataclass
class StudioContext:
    workspace: Workspace
    lang: str
    hub: RunningChannels  # the running server's channels (WeCom), its outbox and scheduler
    bot_picker: Any = None  # gr.Dropdown: the bot every tab works on
    # (handler, inputs, outputs) run when the page loads, after the picker is filled
    on_load: list[tuple[Any, Any, Any]] = field(default_factory=list)
    # run when the server stops (removing files with personal data, studio/downloads.py)
    on_shutdown: list[Any] = field(default_factory=list)
    limits: Any = None  # runtime.web.limits.Limits: what an upload may weigh
    # gr.State bumped after a tab writes bots, models or bindings: lists listen to it
    changed: Any = None
    tabs: Any = None  # gr.Tabs, for a handler that has to show a tab
    tab: Any = None  # the gr.Tab being built, and its id
    tab_id: str = ""
    # tab id -> gr.Timer that ticks only while that tab is shown (app.py switches them)
    timers: dict[str, Any] = field(default_factory=dict)
    # the question asked before leaving a bot with unsaved edits (studio/tabs/edit.py)
    unsaved: Any = None

    def t(self, message_id: str, **params: object) -> str:
        return t(message_id, self.lang, **params)

    def bump(self, event: Any) -> None:
        """After `event` (a save, an upload, a create...): every list re-reads itself."""
        event.then(lambda n: (n or 0) + 1, self.changed, self.changed, show_progress="hidden")

    def refresh(self, handler: Any, inputs: Any, outputs: Any, *, every: bool = False) -> None:
        """Run `handler` again when another tab changed something and when this tab is
        opened; with `every`, also every REFRESH_SECONDS while this tab is shown."""
        quiet = {"show_progress": "hidden"}
        self.changed.change(handler, inputs, outputs, **quiet)
        self.tab.select(handler, inputs, outputs, **quiet)
        if every:
            if self.tab_id not in self.timers:
                self.timers[self.tab_id] = gr.Timer(REFRESH_SECONDS, active=False)
            self.timers[self.tab_id].tick(handler, inputs, outputs, **quiet)

    def upload_limits_text(self) -> str:
        from runtime.web.limits import size_text

        return self.t(
            "limit.upload_label",
            models=size_text(self.limits.model_file),
            other=size_text(self.limits.other_file),
        )

    def spec(self, bot_id: str | None) -> BotSpec | None:
        """The picked bot's spec; None with no bot picked, or for a file that does not
        read (the Edit and Bots tabs say why)."""
        if not bot_id:
            return None
        try:
            return self.workspace.dialogue.spec(bot_id)
        except (KeyError, SpecError):
            return None

    @cached_property
    def bots(self) -> BotRepository:
        """bots/ as this studio's user sees it: its problems in the studio's language, which
        need not be the server's (workspace.bots speaks the terminal's)."""
        return BotRepository(self.workspace.bots_dir, self.workspace.models, self.lang)

    def model_choices(self) -> list[tuple[str, str]]:
        """(label, name) of each model a bot may name: the bundled one in words."""
        return [
            (self.t("models.default_label") if name == DEFAULT_MODEL else name, name)
            for name in self.workspace.models.known_names()
        ]

    def answer_choices(self) -> list[tuple[str, str]]:
        """What a bot may answer with: the model files, then the endpoints of models served
        elsewhere ("endpoint:NAME", runtime/endpoints)."""
        endpoints = [
            (self.model_label(f"endpoint:{n}"), f"endpoint:{n}")
            for n in self.workspace.endpoints.names()
        ]
        return [*self.model_choices(), *endpoints]

    def model_label(self, name: str) -> str:
        if name.startswith("endpoint:"):
            return f"🌐 {name.removeprefix('endpoint:')}"
        return self.t("models.default_label") if name == DEFAULT_MODEL else name

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
