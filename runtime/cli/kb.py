"""`kb add|list|remove|search|faq`: a bot's knowledge base from the terminal.

kb add BOT FILE...            put documents in (each checked; a bad one is skipped)
kb list BOT                   the documents, their passages and when they were added
kb remove BOT FILE            take one out
kb search BOT "QUESTION" [-k 3] [--json]   the passages found, best first
kb faq BOT --import FILE      the FAQ from Excel/CSV (问题, 答案, 相似问法)
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from runtime.cli.common import load_bot
from runtime.i18n import t
from runtime.knowledge.faq_import import read_faq_table
from runtime.knowledge.passages import DocumentError
from runtime.spec import SpecError
from runtime.spec.knowledge import FaqSettings
from runtime.spec.model import BotSpec
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = commands.add_parser("kb", help="a bot's knowledge base: documents and FAQ")
    actions = kb.add_subparsers(dest="kb_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add documents (.md .txt .docx .xlsx .csv .pdf .html)")
    add.add_argument("bot")
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    listing = actions.add_parser("list", help="list the documents")
    listing.add_argument("bot")
    remove = actions.add_parser("remove", help="remove a document")
    remove.add_argument("bot")
    remove.add_argument("file", metavar="FILE", help="the document's name, as listed")
    search = actions.add_parser("search", help="the passages a question finds")
    search.add_argument("bot")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=3, help="how many passages (default 3)")
    search.add_argument("--json", action="store_true", help="print JSON: source, text, score")
    faq = actions.add_parser("faq", help="import the FAQ from Excel/CSV")
    faq.add_argument("bot")
    faq.add_argument("--import", dest="table", type=Path, required=True, metavar="FILE")
    faq.add_argument("--replace", action="store_true", help="replace the FAQ (default: add)")
    kb.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    spec = load_bot(workspace, args.bot)
    if spec is None:
        return 1
    action = {"add": _add, "list": _list, "remove": _remove, "search": _search, "faq": _faq}
    return action[args.kb_action](workspace, spec, args)


def _add(workspace: Workspace, spec: BotSpec, args: argparse.Namespace) -> int:
    lang, base, failed = workspace.lang, workspace.knowledge.of(spec.id), 0
    for path in args.files:
        try:
            raw = path.read_bytes()
        except OSError:
            print(t("kb.cli.cannot_read", lang, file=path), file=sys.stderr)
            failed += 1
            continue
        try:
            added = base.add(path.name, raw)
        except DocumentError as exc:
            print(f"✘ {exc.text(lang)}", file=sys.stderr)
            failed += 1
            continue
        print(t("kb.cli.added", lang, file=added.name, n=added.passages))
    return 1 if failed else 0


def _list(workspace: Workspace, spec: BotSpec, args: argparse.Namespace) -> int:
    lang, zone = workspace.lang, ZoneInfo(spec.timezone)
    documents = workspace.knowledge.of(spec.id).documents()
    if not documents:
        print(t("kb.cli.none", lang, bot=spec.id))
        return 0
    for doc in documents:
        added = datetime.fromtimestamp(doc.added_at, zone).strftime("%Y-%m-%d %H:%M")
        line = t("kb.cli.row", lang, file=doc.name, n=doc.passages, at=added, kb=doc.size // 1024)
        print(line + (f"  ⚠️ {doc.problem}" if doc.problem else ""))
    return 0


def _remove(workspace: Workspace, spec: BotSpec, args: argparse.Namespace) -> int:
    try:
        workspace.knowledge.of(spec.id).remove(args.file)
    except DocumentError as exc:
        print(exc.text(workspace.lang), file=sys.stderr)
        return 1
    print(t("kb.cli.removed", workspace.lang, file=args.file))
    return 0


def _search(workspace: Workspace, spec: BotSpec, args: argparse.Namespace) -> int:
    hits = workspace.knowledge.of(spec.id).search(args.question, max(1, args.k))
    if args.json:
        found = [
            {"source": h.passage.source, "text": h.passage.text, "score": round(h.score, 3)}
            for h in hits
        ]
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print(t("kb.cli.nothing", workspace.lang))
    for number, hit in enumerate(hits, 1):
        where = " · ".join(p for p in (hit.passage.source, hit.passage.heading) if p)
        print(f"{number}. [{hit.score:.2f}] {where}\n   {hit.passage.text}")
    return 0


def _faq(workspace: Workspace, spec: BotSpec, args: argparse.Namespace) -> int:
    lang = workspace.lang
    try:
        entries = read_faq_table(args.table.name, args.table.read_bytes(), lang)
    except OSError:
        print(t("kb.cli.cannot_read", lang, file=args.table), file=sys.stderr)
        return 1
    except DocumentError as exc:
        print(exc.text(lang), file=sys.stderr)
        return 1
    kept = [] if args.replace else list(spec.faq.entries)
    new = {e.question.strip() for e in entries}
    merged = [e for e in kept if e.question.strip() not in new] + entries  # the file wins
    faq = FaqSettings.model_validate(
        {**spec.faq.model_dump(exclude_unset=True, exclude={"entries"}), "entries": merged}
    )
    try:
        workspace.bots.save(spec.model_copy(update={"faq": faq}))
    except SpecError as exc:  # pragma: no cover - the entries were validated above
        print(exc, file=sys.stderr)
        return 1
    print(t("kb.cli.faq_imported", lang, n=len(entries), total=len(merged), bot=spec.id))
    return 0
