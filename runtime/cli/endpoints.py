"""`endpoints add|list|test|remove|presets`: models served elsewhere (OpenAI-compatible
APIs). Keys go to the secret store under --data, never to bots/, and are never
printed in full; `--api-key -` reads the key from the terminal (or a pipe) instead of
the command line, where it would stay in the shell's history."""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata

from runtime.endpoints.bots import bots_using, switch_bots
from runtime.endpoints.presets import BY_ID, PRESETS, guess_kind
from runtime.endpoints.store import KINDS, EndpointInvalid, make_endpoint
from runtime.i18n import shown, t
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    endpoints = commands.add_parser(
        "endpoints", help="models served elsewhere (OpenAI-compatible endpoints)"
    )
    actions = endpoints.add_subparsers(dest="action", metavar="ACTION", required=True)
    adding = actions.add_parser("add", help="add or change an endpoint")
    adding.add_argument("name", help="lowercase letters, digits, - and _; bots use model.endpoint")
    adding.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="URL",
        help="e.g. https://api.deepseek.com/v1 (repeat: a pool of servers)",
    )
    adding.add_argument(
        "--api-key",
        metavar="KEY",
        help="the provider's key; '-' to type it unseen (kept if omitted)",
    )
    adding.add_argument("--model", metavar="MODEL", help="default model (bots may set model.name)")
    adding.add_argument(
        "--kind", choices=KINDS, help="server kind (default: the preset's, or guessed from the URL)"
    )
    adding.add_argument(
        "--preset",
        choices=[p.id for p in PRESETS],
        help="fill the base URL, kind and model of a known service",
    )
    adding.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="seconds without an answer before the next URL (default 60)",
    )
    adding.add_argument(
        "--bot",
        action="append",
        default=[],
        metavar="BOT",
        help="switch this bot to the endpoint (repeatable)",
    )
    listing = actions.add_parser("list", help="the endpoints (keys masked)")
    testing = actions.add_parser("test", help="ask each base URL for a few words")
    testing.add_argument("name")
    removing = actions.add_parser("remove", help="forget an endpoint and its key")
    removing.add_argument("name")
    known = actions.add_parser("presets", help="the known services and self-hosted servers")
    for parser, action in (
        (adding, add),
        (listing, list_),
        (testing, test),
        (removing, remove),
        (known, presets),
    ):
        parser.set_defaults(func=action)


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> None:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row))
        print("  ".join(cells).rstrip())


def _read_key(lang: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(t("endpoint.key_prompt", lang))
    return sys.stdin.readline().strip()


def add(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    store = workspace.endpoints
    old = store.get(args.name)
    preset = BY_ID.get(args.preset) if args.preset else None
    urls = args.base_url or ([preset.base_url] if preset else list(old.base_urls if old else []))
    kind = args.kind or (preset.kind if preset else None) or (old.kind if old else None)
    kind = kind or (guess_kind(urls[0]) if urls else "openai")
    model = args.model if args.model is not None else (preset.model if preset else None)
    model = model if model is not None else (old.model if old else "")
    key = _read_key(lang) if args.api_key == "-" else args.api_key
    key = key if key is not None else (old.api_key if old else "")
    timeout = args.timeout if args.timeout is not None else (old.timeout if old else None)
    try:
        endpoint = make_endpoint(args.name, urls, key, model, kind, timeout)
    except EndpointInvalid as exc:
        print(exc.text(lang), file=sys.stderr)
        return 1
    new = store.save(endpoint)
    shown_model = endpoint.model or t("endpoint.server_model", lang)
    print(
        t(
            "endpoint.saved" if new else "endpoint.updated",
            lang,
            name=endpoint.name,
            urls=", ".join(endpoint.base_urls),
            model=shown_model,
            kind=endpoint.kind,
            key=endpoint.masked_key() or t("endpoint.no_key", lang),
        )
    )
    if not args.bot:
        print(t("endpoint.use_hint", lang, name=endpoint.name))
        return 0
    refused = dict(switch_bots(workspace.bots, args.bot, endpoint.name))
    done = [b for b in args.bot if b not in refused]
    if done:
        print(t("endpoints.switched", lang, bots=", ".join(done), name=endpoint.name))
    for bot, why in refused.items():
        print(t("endpoints.switch_failed", lang, bot=bot, detail=why), file=sys.stderr)
    return 1 if refused else 0


def list_(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    endpoints = workspace.endpoints.all()
    if not endpoints:
        print(t("endpoint.none", lang), file=sys.stderr)
        return 0
    header = [t(f"endpoint.col.{c}", lang) for c in ("name", "kind", "model", "key", "urls")]
    rows = [header]
    for e in endpoints:
        key = e.masked_key() or t("endpoint.no_key", lang)
        model = e.model or t("endpoint.server_model", lang)
        rows.append([e.name, e.kind, model, key, " ".join(e.base_urls)])
    _table(rows)
    return 0


def test(workspace: Workspace, args: argparse.Namespace) -> int:
    from runtime.endpoints import EndpointError

    lang = workspace.lang
    try:
        results = workspace.remote.test(args.name)
    except EndpointError as exc:
        print(exc.text(lang), file=sys.stderr)
        return 1
    for r in results:
        if r["ok"]:
            print(
                t(
                    "endpoint.test_ok",
                    lang,
                    url=r["url"],
                    seconds=r["seconds"],
                    model=r["model"],
                    reply=r["reply"] or "…",
                )
            )
        else:
            print(t("endpoint.test_bad", lang, url=r["url"], error=shown(r["error"], lang)))
    ok = sum(1 for r in results if r["ok"])
    print(t("endpoint.test_summary", lang, ok=ok, n=len(results)))
    return 0 if ok == len(results) else 1


def remove(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    if not workspace.endpoints.remove(args.name):
        known = ", ".join(workspace.endpoints.names()) or t("spec.none", lang)
        print(t("endpoint.not_found", lang, name=args.name, known=known), file=sys.stderr)
        return 1
    print(t("endpoint.removed", lang, name=args.name))
    users = bots_using(workspace.bots, args.name)
    if users:
        print(t("endpoint.still_used", lang, bots=", ".join(users)), file=sys.stderr)
    return 0


def presets(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    rows = [[t(f"endpoint.col.{c}", lang) for c in ("preset", "provider", "url", "kind", "model")]]
    rows += [
        [p.id, p.label(lang), p.base_url, p.kind, p.model or t("endpoint.server_model", lang)]
        for p in PRESETS
    ]
    _table(rows)
    return 0
