"""`unbind BOT [--webhook] [--alert-webhook] [--aibot] [--longconn] [--app] [--kf]`: remove
a bot's WeCom bindings (all of them when none is named)."""

from __future__ import annotations

import argparse

from runtime.cli.bind import OPTIONS
from runtime.cli.common import bot_file_exists
from runtime.i18n import t
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    unbinding = commands.add_parser("unbind", help="remove a bot's WeCom bindings")
    unbinding.add_argument("bot")
    for kind in ("webhook", "alert-webhook", "aibot", "longconn", "app", "kf"):
        unbinding.add_argument(f"--{kind}", action="store_true")
    unbinding.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    if not bot_file_exists(workspace, args.bot):
        return 1
    kinds: list[str | None] = [k for k in OPTIONS if getattr(args, k)] or [None]
    removed = [r for kind in kinds for r in workspace.bindings.unbind(args.bot, kind)]
    print(t("unbind.done", workspace.lang, bot=args.bot, kinds=", ".join(removed) or "-"))
    return 0
