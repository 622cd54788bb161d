"""`rehearse BOT --customers FILE --runs N`: simulated customers against each variant."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runtime.cli.common import load_bot
from runtime.experiments.rehearse import Rehearsal, Run, describe, parse_customers
from runtime.i18n import t
from runtime.spec import SpecError
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rehearse = commands.add_parser(
        "rehearse", help="let the model play simulated customers against each variant"
    )
    rehearse.set_defaults(func=run)
    rehearse.add_argument("bot")
    rehearse.add_argument("--customers", required=True, type=Path, help="YAML file of customers")
    rehearse.add_argument(
        "--runs", type=int, default=3, help="conversations per customer and variant"
    )
    rehearse.add_argument("--json", action="store_true", help="machine-readable output")


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    spec = load_bot(workspace, args.bot)
    if spec is None:
        return 1
    if not 1 <= args.runs <= 100:
        print(t("rehearse.bad_runs", lang, runs=args.runs), file=sys.stderr)
        return 2
    try:
        raw = args.customers.read_bytes()
    except OSError:
        print(f"{args.customers}: {t('file.not_found', lang)}", file=sys.stderr)
        return 1
    try:
        customers = parse_customers(raw, str(args.customers), spec, lang)
    except SpecError as exc:
        print(str(exc), file=sys.stderr)
        return 1

    def progress(done: int, total: int, result: Run) -> None:
        print(describe(lang, done, total, result), file=sys.stderr, flush=True)

    report = Rehearsal(workspace.dialogue, lang).run(spec, customers, args.runs, progress)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(t("rehearse.heading", lang))
    labels = {fld.key: fld.label for fld in spec.lead_capture.fields}  # words, not keys
    for v in report["variants"]:
        turns = v["median_turns_to_conversion"]
        fields = "  ".join(f"{labels.get(k, k)} {r:.0%}" for k, r in v["capture_rates"].items())
        print(
            t(
                "cli.rehearse.line",
                lang,
                id=v["id"],
                runs=v["runs"],
                conversions=v["conversions"],
                rate=f"{v['rate']:.1%}",
                low=f"{v['ci_low']:.1%}",
                high=f"{v['ci_high']:.1%}",
                turns="-" if turns is None else f"{turns:g}",
                fields=fields,
            )
        )
    print(report["advice"])
    return 0
