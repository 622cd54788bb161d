"""`report BOT [--json]`: the A/B experiment's numbers and what to do about them."""

from __future__ import annotations

import argparse
import json

from runtime.cli.common import load_bot
from runtime.experiments.report import report_for
from runtime.workspace import Workspace


def add_parser(commands) -> None:
    report = commands.add_parser("report", help="the bot's A/B experiment report")
    report.add_argument("bot")
    report.add_argument("--json", action="store_true", help="machine-readable output")


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    spec = load_bot(workspace, args.bot)
    if spec is None:
        return 1
    report = report_for(workspace.journal, spec, lang)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{spec.name} ({spec.id}), experiment seed {report['seed']}")
    for v in report["variants"]:
        chance = "-" if v["chance_to_win"] is None else f"{v['chance_to_win']:.0%}"
        p = "-" if v["p_value"] is None else f"{v['p_value']:.3g}"
        print(f"  {v['id']:<8} users {v['users']:>6}  conversions {v['conversions']:>5}  "
              f"rate {v['rate']:6.1%} [{v['ci_low']:.1%}, {v['ci_high']:.1%}]  "
              f"p {p:>7}  chance to win {chance}")  # fmt: skip
    for v in report["variants"]:
        print(f"  {v['id']:<8} replies {v['replies']:>6}  median reply "
              f"{_or_dash(v['median_latency_ms'], '{:.0f} ms')}  median turns to conversion "
              f"{_or_dash(v['median_turns_to_conversion'], '{:g}')}  👍 "
              f"{_or_dash(v['thumbs_up_rate'], '{:.0%}')} of {v['feedback']} ratings")  # fmt: skip
    print(f"  sample ratio check p = {report['srm_p']:.3g}")
    print(report["advice"])
    return 0


def _or_dash(value: float | None, form: str) -> str:
    return "-" if value is None else form.format(value)
