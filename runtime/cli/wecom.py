"""`bind`, `unbind` and `push`: WeCom channels from the terminal. Secrets go to the secret
store under --data, never to bots/, and are never printed in full."""

from __future__ import annotations

import argparse
import sys
import time

from runtime.channels.bindings import FIELDS, BindingError, mask, webhook_key
from runtime.channels.wecom.crypto import CryptoError, WeComCrypto
from runtime.cli.common import say_unknown_bot
from runtime.i18n import t
from runtime.outbox import Outbox
from runtime.workspace import Workspace

OPTIONS = {  # binding kind -> (option dest -> binding field)
    "webhook": {"webhook": "key"},
    "alert_webhook": {"alert_webhook": "key"},
    "aibot": {"aibot_token": "token", "aibot_aes_key": "aes_key"},
    "longconn": {"longconn_bot_id": "bot_id", "longconn_secret": "secret"},
    "app": {
        "corp_id": "corp_id",
        "agent_id": "agent_id",
        "app_secret": "secret",
        "app_token": "token",
        "app_aes_key": "aes_key",
    },
}


def add_parsers(commands) -> None:
    bind = commands.add_parser("bind", help="bind a bot to WeCom")
    bind.add_argument("bot")
    bind.add_argument("--webhook", metavar="URL_OR_KEY", help="group push webhook")
    bind.add_argument("--alert-webhook", metavar="URL_OR_KEY", help="webhook for lead alerts")
    bind.add_argument("--aibot-token", metavar="TOKEN")
    bind.add_argument("--aibot-aes-key", metavar="KEY", help="EncodingAESKey, 43 characters")
    bind.add_argument("--longconn-bot-id", metavar="ID")
    bind.add_argument("--longconn-secret", metavar="SECRET")
    bind.add_argument("--corp-id", metavar="ID")
    bind.add_argument("--agent-id", metavar="N")
    bind.add_argument("--app-secret", metavar="S")
    bind.add_argument("--app-token", metavar="T")
    bind.add_argument("--app-aes-key", metavar="K")

    unbind = commands.add_parser("unbind", help="remove a bot's WeCom bindings")
    unbind.add_argument("bot")
    for kind in ("webhook", "alert-webhook", "aibot", "longconn", "app"):
        unbind.add_argument(f"--{kind}", action="store_true")

    push = commands.add_parser("push", help="send a message to the bot's group webhook")
    push.add_argument("bot")
    push.add_argument("text")
    push.add_argument("--markdown", action="store_true")
    push.add_argument("--alert", action="store_true", help="to the alert webhook instead")


def _known_bot(workspace: Workspace, bot_id: str) -> bool:
    """Bindings need only the bot's file to exist, not to be valid: it may be mid-edit."""
    if workspace.bots.path_for(bot_id) is None:
        say_unknown_bot(workspace, bot_id)
        return False
    return True


def bind(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    if not _known_bot(workspace, args.bot):
        return 1
    given = {
        kind: {field: getattr(args, dest) for dest, field in opts.items()}
        for kind, opts in OPTIONS.items()
    }
    chosen = {k: v for k, v in given.items() if any(v.values())}
    if not chosen:
        print(t("bind.nothing", lang), file=sys.stderr)
        return 1
    for kind, values in chosen.items():
        try:
            if kind in ("webhook", "alert_webhook"):
                values["key"] = webhook_key(values["key"])
            missing = [f for f in FIELDS[kind] if not values.get(f)]
            if missing:
                raise BindingError(", ".join(missing))
            if "aes_key" in values:
                WeComCrypto(values["token"], values["aes_key"])
            workspace.bindings.bind(args.bot, kind, values)
        except BindingError as exc:
            print(t(f"bind.bad_{kind}", lang, detail=exc), file=sys.stderr)
            return 1
        except CryptoError as exc:
            print(t("bind.bad_aes_key", lang, detail=exc.reason), file=sys.stderr)
            return 1
        shown = ", ".join(f"{f}={mask(str(v))}" for f, v in values.items())
        print(t("bind.done", lang, bot=args.bot, kind=kind, shown=shown))
        if kind in ("aibot", "app"):
            path = f"/wecom/{kind}/{args.bot}"
            print(t("bind.callback", lang, path=path, port=args.port))
    return 0


def unbind(workspace: Workspace, args: argparse.Namespace) -> int:
    if not _known_bot(workspace, args.bot):
        return 1
    kinds = [k for k in OPTIONS if getattr(args, k)] or [None]
    removed = [r for kind in kinds for r in workspace.bindings.unbind(args.bot, kind)]
    print(t("unbind.done", workspace.lang, bot=args.bot, kinds=", ".join(removed) or "-"))
    return 0


def push(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    if not _known_bot(workspace, args.bot):
        return 1
    kind = "alert_webhook" if args.alert else "webhook"
    outbox = Outbox(workspace.journal, workspace.bindings)
    try:
        ids = outbox.push(args.bot, args.text, markdown=args.markdown, kind=kind)
    except LookupError:
        print(t("push.unbound", lang, bot=args.bot, kind=kind), file=sys.stderr)
        return 1
    placeholders = ",".join("?" * len(ids))
    db = workspace.journal.connection()
    while True:  # deliver, waiting out the pace when a long message needs it
        outbox.deliver_due()
        states = [
            r[0]
            for r in db.execute(
                f"SELECT state FROM outbox WHERE id IN ({placeholders}) ORDER BY id", ids
            )
        ]
        if all(s == "sent" for s in states):
            print(t("push.sent", lang, n=len(ids)))
            return 0
        if any(s == "failed" for s in states):
            error = workspace.bindings.health(args.bot, kind).get("last_error", "")
            print(t("push.failed", lang, error=error), file=sys.stderr)
            return 1
        due = outbox.next_due() or time.time() + 1
        time.sleep(min(max(due - time.time(), 0.2), 5))
