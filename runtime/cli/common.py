"""What several commands share: finding the bot they were asked about, or saying why not."""

from __future__ import annotations

import sys

from runtime.dialogue import UnknownBot
from runtime.i18n import t
from runtime.spec import BotSpec, SpecError
from runtime.workspace import Workspace


def say_unknown_bot(workspace: Workspace, bot_id: str) -> None:
    known = ", ".join(workspace.bots.ids()) or t("spec.none", workspace.lang)
    print(t("cli.unknown_bot", workspace.lang, bot=bot_id, known=known), file=sys.stderr)


def bot_file_exists(workspace: Workspace, bot_id: str) -> bool:
    """Whether the bot's file is there, after saying so when it is not. Bindings need only
    the file to exist, not to be valid: it may be mid-edit."""
    if workspace.bots.path_for(bot_id) is None:
        say_unknown_bot(workspace, bot_id)
        return False
    return True


def load_bot(workspace: Workspace, bot_id: str) -> BotSpec | None:
    """The bot's spec; None after printing why (no such bot, or its file has problems)."""
    try:
        return workspace.dialogue.spec(bot_id)
    except UnknownBot:
        say_unknown_bot(workspace, bot_id)
    except SpecError as exc:
        print(str(exc), file=sys.stderr)
    return None
