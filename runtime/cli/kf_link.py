"""`kf-link BOT --scene SCENE [--label LABEL] [--qr FILE.png]`: a 微信客服 contact link for
one campaign on the bot's bound kf account: the link alone on stdout (for scripts), notes on
stderr, its QR code written as a PNG. The same scene asked for again gives the link already
made, without asking WeCom again."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.cli.common import bot_file_exists
from runtime.i18n import t
from runtime.wecom.kf import KfError
from runtime.wecom.kf_links import KfLinkError, KfLinks, qr_png
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    link = commands.add_parser("kf-link", help="make a 微信客服 contact link for a campaign")
    link.add_argument("bot")
    link.add_argument("--scene", required=True, help="the campaign's key: ≤32 of 0-9 A-Z a-z _ -")
    link.add_argument("--label", help="the campaign's name, as the studio lists it")
    link.add_argument("--qr", type=Path, metavar="FILE.png", help="write the QR code here")
    link.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    if not bot_file_exists(workspace, args.bot):
        return 1
    links = KfLinks(workspace.journal, workspace.bindings)
    try:
        link, made = links.create(args.bot, args.label or "", args.scene)
    except KfLinkError as exc:
        if exc.message_id == "kfs.unbound":
            print(t("kflink.unbound", lang, bot=args.bot), file=sys.stderr)
        else:
            print(exc.text(lang), file=sys.stderr)
        return 1
    except KfError as exc:
        print(t("kfs.link_failed", lang, why=exc.text(lang)), file=sys.stderr)
        return 1
    if not made:  # on stderr: stdout stays the link alone, for scripts
        print(t("kfs.kept", lang, scene=link.scene, label=link.label), file=sys.stderr)
    print(link.url)
    if args.qr:
        try:
            args.qr.write_bytes(qr_png(link.url))
        except OSError as exc:
            detail = exc.strerror or type(exc).__name__
            print(t("kflink.qr_failed", lang, path=args.qr, detail=detail), file=sys.stderr)
            return 1
        print(t("kflink.qr_written", lang, path=args.qr), file=sys.stderr)
    return 0
