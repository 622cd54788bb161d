"""`apikey create|list|revoke`: keys for the OpenAI-compatible API (`/v1/…`).

apikey create NAME [--bots a,b] [--rate 60/minute]   the key, printed once (stdout)
apikey list                                          name, bots, rate, created: no secret
apikey revoke NAME                                   refused from the next request on

Only a hash of a key is kept (runtime/store/api_keys.py), so a key cannot be shown
again: `create` prints it on stdout alone (`KEY=$(… apikey create crm)` keeps it) and
the words around it on stderr.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import datetime

from runtime.cli.common import say_unknown_bot
from runtime.i18n import t
from runtime.store.api_keys import ApiKey, ApiKeys, KeyProblem
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    apikey = commands.add_parser("apikey", help="keys for the OpenAI-compatible API (/v1/...)")
    actions = apikey.add_subparsers(dest="apikey_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key (printed once)")
    create.add_argument("name", help="lowercase letters, digits, - and _ (e.g. crm, landing)")
    create.add_argument(  # its own dest: `bots` is the global --bots (the bots folder)
        "--bots",
        dest="key_bots",
        metavar="BOT,BOT",
        help="only these bots (comma-separated; default: all)",
    )
    create.add_argument(
        "--rate", metavar="N/UNIT", help="at most N requests per minute, hour or day (60/minute)"
    )
    actions.add_parser("list", help="the keys: name, bots, rate, created (never the key)")
    revoke = actions.add_parser("revoke", help="revoke a key: refused from now on")
    revoke.add_argument("name")
    apikey.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    action = {"create": create, "list": list_, "revoke": revoke}
    return action[args.apikey_action](workspace, args)


def rate_text(key: ApiKey, lang: str) -> str:
    per = key.per()
    if per is None:
        return t("apikey.no_rate", lang)
    unit = {60: "minute", 3600: "hour", 86400: "day"}[per[1]]
    return t(f"apikey.rate.{unit}", lang, n=per[0])


def bots_text(key: ApiKey, lang: str) -> str:
    return ", ".join(key.bots) if key.bots is not None else t("apikey.all_bots", lang)


def create(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    bots = [b.strip() for b in (args.key_bots or "").split(",") if b.strip()] or None
    for bot in bots or []:
        if workspace.bots.path_for(bot) is None:  # a typo would make a key for no bot
            say_unknown_bot(workspace, bot)
            return 1
    try:
        key, text = ApiKeys(workspace.settings).create(args.name, bots, args.rate)
    except KeyProblem as exc:
        print(t(exc.message_id, lang, **exc.params), file=sys.stderr)
        return 1
    bots_said, rate_said = bots_text(key, lang), rate_text(key, lang)
    print(t("apikey.created", lang, name=key.name, bots=bots_said, rate=rate_said), file=sys.stderr)
    sys.stderr.flush()
    print(text, flush=True)  # alone on stdout
    print(t("apikey.once", lang), file=sys.stderr)
    return 0


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def list_(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    keys = ApiKeys(workspace.settings).list()
    if not keys:
        print(t("apikey.none", lang), file=sys.stderr)
        return 0
    columns = ("name", "key", "bots", "rate", "created")
    rows = [[t(f"apikey.col.{c}", lang) for c in columns]]
    for key in keys:
        created = datetime.fromtimestamp(key.created_at).strftime("%Y-%m-%d %H:%M")
        shown = f"bsk-{key.key_id}-…"  # the id is no secret: it tells keys apart
        rows.append([key.name, shown, bots_text(key, lang), rate_text(key, lang), created])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(columns))]
    for row in rows:
        cells = (cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row))
        print("  ".join(cells).rstrip())
    return 0


def revoke(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    keys = ApiKeys(workspace.settings)
    if not keys.revoke(args.name):
        known = ", ".join(k.name for k in keys.list()) or t("apikey.none", lang)
        print(t("apikey.unknown", lang, name=args.name, known=known), file=sys.stderr)
        return 1
    print(t("apikey.revoked", lang, name=args.name))
    return 0
