"""`report BOT [--json]`: the A/B experiment's numbers and what to do about them."""

from __future__ import annotations

import argparse
import json
import math

from runtime.cli.common import load_bot
from runtime.experiments.report import report_for
from runtime.i18n import t
from runtime.inbox import CHANNEL_FAMILIES
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="the bot's A/B experiment report")
    report.set_defaults(func=run)
    report.add_argument("bot")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    report.add_argument(
        "--channel", help="only the customers who came by it: " + ", ".join(CHANNEL_FAMILIES)
    )
    report.add_argument("--source", help="only the customers of this campaign")


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    spec = load_bot(workspace, args.bot)
    if spec is None:
        return 1
    if args.channel is not None and args.channel not in CHANNEL_FAMILIES:
        choices = ", ".join(CHANNEL_FAMILIES)
        print(t("cli.report.bad_channel", lang, value=args.channel, choices=choices))
        return 2
    report = report_for(workspace.journal, spec, lang, source=args.source, channel=args.channel)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(t("cli.report.head", lang, name=spec.name, id=spec.id, seed=report["seed"]))
    if args.channel:
        print(t("cli.report.channel", lang, name=t(f"channel.{args.channel}", lang)))
    if args.source:
        print(t("cli.report.source", lang, name=args.source))
    for v in report["variants"]:
        if v["no_data"]:  # not "0.0% [0.0%, 100.0%]": nobody is in this group yet
            print(t("cli.report.no_data", lang, id=v["id"]))
            continue
        chance = "-" if v["chance_to_win"] is None else f"{math.floor(v['chance_to_win'] * 100)}%"
        print(
            t(
                "cli.report.line",
                lang,
                id=v["id"],
                users=v["users"],
                conversions=v["conversions"],
                rate=f"{v['rate']:.1%}",
                low=f"{v['ci_low']:.1%}",
                high=f"{v['ci_high']:.1%}",
                p=_or_dash(v["p_value"], "{:.3g}"),
                chance=chance,
            )
        )
    for v in report["variants"]:
        if v["no_data"]:
            continue
        print(
            t(
                "cli.report.behaviour",
                lang,
                id=v["id"],
                replies=v["replies"],
                latency=_or_dash(v["median_latency_ms"], "{:.0f} ms"),
                turns=_or_dash(v["median_turns_to_conversion"], "{:g}"),
                thumbs=_or_dash(v["thumbs_up_rate"], "{:.0%}"),
                ratings=v["feedback"],
            )
        )
    print(t("cli.report.srm", lang, p=f"{report['srm_p']:.3g}"))
    print(report["advice"])
    return 0


def _or_dash(value: float | None, form: str) -> str:
    return "-" if value is None else form.format(value)
