"""`leads BOT [--csv FILE] [--delete USER]`: the bot's leads, exported, or one erased."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.cli.common import load_bot
from runtime.i18n import t
from runtime.leads.export import header, row, write_csv
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    leads = commands.add_parser("leads", help="list, export or delete a bot's leads")
    leads.set_defaults(func=run)
    leads.add_argument("bot")
    leads.add_argument("--csv", type=Path, metavar="FILE", help="write a CSV file (opens in Excel)")
    leads.add_argument("--delete", metavar="USER", help="erase one person's lead and messages")


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    spec = load_bot(workspace, args.bot)
    if spec is None:
        return 1
    store = workspace.leads
    if args.delete:
        if not store.delete(args.bot, args.delete):
            print(t("leads.no_such", lang, user=args.delete), file=sys.stderr)
            return 1
        print(t("leads.deleted", lang, user=args.delete))
        return 0
    leads = store.list(args.bot)
    if args.csv:
        write_csv(spec, leads, args.csv, lang)
        print(t("leads.written", lang, n=len(leads), path=args.csv))
        return 0
    print("\t".join(header(spec, lang)))
    for lead in leads:
        print("\t".join(row(spec, lead, lang)))
    return 0
