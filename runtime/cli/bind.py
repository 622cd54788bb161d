"""`bind BOT --webhook … | --aibot-… | --longconn-… | --app-… | --kf-…`: bind a bot to
WeCom. Secrets go to the secret store under --data, never to bots/, and are never printed in
full."""

from __future__ import annotations

import argparse
import sys

from runtime.cli.common import bot_file_exists
from runtime.i18n import t
from runtime.wecom.bindings import FIELDS, BindingError, mask, webhook_key
from runtime.wecom.crypto import CryptoError, WeComCrypto
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
    "kf": {
        "kf_corp_id": "corp_id",
        "kf_secret": "secret",
        "kf_token": "token",
        "kf_aes_key": "aes_key",
        "kf_open_kfid": "open_kfid",
    },
}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    binding = commands.add_parser("bind", help="bind a bot to WeCom")
    binding.add_argument("bot")
    binding.add_argument("--webhook", metavar="URL_OR_KEY", help="group push webhook")
    binding.add_argument("--alert-webhook", metavar="URL_OR_KEY", help="webhook for lead alerts")
    binding.add_argument("--aibot-token", metavar="TOKEN")
    binding.add_argument("--aibot-aes-key", metavar="KEY", help="EncodingAESKey, 43 characters")
    binding.add_argument("--longconn-bot-id", metavar="ID")
    binding.add_argument("--longconn-secret", metavar="SECRET")
    binding.add_argument("--corp-id", metavar="ID")
    binding.add_argument("--agent-id", metavar="N")
    binding.add_argument("--app-secret", metavar="S")
    binding.add_argument("--app-token", metavar="T")
    binding.add_argument("--app-aes-key", metavar="K")
    # 微信客服: the self-built app that may call the kf API, and the kf account it answers for
    binding.add_argument("--kf-corp-id", metavar="ID", help="微信客服: the corp id (CorpID)")
    binding.add_argument("--kf-secret", metavar="SECRET", help="微信客服: the app's Secret")
    binding.add_argument("--kf-token", metavar="TOKEN", help="微信客服: the callback Token")
    binding.add_argument("--kf-aes-key", metavar="KEY", help="微信客服: the EncodingAESKey")
    binding.add_argument("--kf-open-kfid", metavar="OPEN_KFID", help="微信客服: the kf account")
    binding.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    if not bot_file_exists(workspace, args.bot):
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
        if kind in ("aibot", "app", "kf"):
            path = f"/wecom/{kind}/{args.bot}"
            print(t("bind.callback", lang, path=path, port=args.port))
    return 0
