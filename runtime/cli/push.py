"""`push BOT TEXT [--markdown] [--alert]`: send a message to the bot's group webhook (or its
alert webhook) through the outbox, and wait until it is delivered or given up."""

from __future__ import annotations

import argparse
import sys

from runtime.cli.common import bot_file_exists
from runtime.i18n import t
from runtime.outbox import Outbox
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pushing = commands.add_parser("push", help="send a message to the bot's group webhook")
    pushing.add_argument("bot")
    pushing.add_argument("text")
    pushing.add_argument("--markdown", action="store_true")
    pushing.add_argument("--alert", action="store_true", help="to the alert webhook instead")
    pushing.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    if not bot_file_exists(workspace, args.bot):
        return 1
    kind = "alert_webhook" if args.alert else "webhook"
    outbox = Outbox(workspace.journal, workspace.bindings)
    try:
        ids = outbox.push(args.bot, args.text, markdown=args.markdown, kind=kind)
    except LookupError:
        print(t("push.unbound", lang, bot=args.bot, kind=kind), file=sys.stderr)
        return 1
    delivered = outbox.wait_delivered(ids, deliver=True)  # retried until sent or given up
    if delivered.state == "sent":
        print(t("push.sent", lang, n=len(ids)))
        return 0
    print(t("push.failed", lang, error=delivered.error), file=sys.stderr)
    return 1
