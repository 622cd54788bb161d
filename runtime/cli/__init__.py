"""The command line: `python launch.py [global options] [command]`.

Each command lives in its own module; this one only parses arguments, builds the
workspace and turns every expected failure into a plain message and an exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from runtime.i18n import language_from_env, t
from runtime.store.damaged import DamagedState
from runtime.workspace import Workspace

EXIT_OK, EXIT_PROBLEM, EXIT_CRASH = 0, 1, 2


def _size(text: str) -> int:
    """'20GB', '512MB', '300KB' or a number of bytes."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?B?)\s*", text.upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 20MB, 20GB)")
    unit = match.group(2).rstrip("B")
    return int(float(match.group(1)) * 1024 ** " KMGT".index(unit or " "))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="launch.py",
        description="BotStudio: build WeCom chat bots on local GGUF models. "
        "With no command, starts the studio server.",
    )
    parser.add_argument("--bots", type=Path, default=Path("bots"), help="bot YAML folder")
    parser.add_argument("--data", type=Path, default=Path("data"), help="data folder")
    parser.add_argument("--gguf", type=Path, default=Path("gguf"), help="GGUF model folder")
    parser.add_argument("--host", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="server port (default 7860)")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the server may be reached by, e.g. behind an HTTPS "
        "proxy (repeatable; IP addresses and localhost always work)",
    )
    parser.add_argument(
        "--model-upload-limit",
        type=_size,
        default="20GB",
        metavar="SIZE",
        help="largest .gguf file the studio accepts (default 20GB)",
    )
    parser.add_argument(
        "--upload-limit",
        type=_size,
        default="20MB",
        metavar="SIZE",
        help="largest other uploaded file or request (default 20MB)",
    )
    parser.add_argument("--lang", choices=["zh", "en"], help="message language")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    # Each command's module adds its parser and the function it runs (`func`).
    from runtime.cli import (
        apikey,
        bind,
        chat,
        check,
        endpoints,
        kb,
        kf_link,
        leads,
        models,
        push,
        rehearse,
        report,
        serve,
        service,
        status,
        unbind,
    )

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    listed = (check, chat, models, kb, bind, unbind, push, leads, report, rehearse, status, service)
    for module in (*listed, kf_link, endpoints, apikey, serve):  # in this order in --help
        module.add_parser(commands)
    parser.set_defaults(func=serve.run)  # no command: start the server
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = args.lang or language_from_env()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:  # the terminal: warnings, unless -v
        handler.setLevel(logging.INFO if args.verbose else logging.WARNING)
    from runtime import logmask

    serving = args.command in (None, "serve")
    # phone numbers and emails are masked in every log line; a server also keeps
    # rotating log files under the data directory
    logmask.install(args.data if serving else None)
    workspace = Workspace(args.bots, args.data, args.gguf, lang)
    try:
        code: int = args.func(workspace, args)  # the command's run()
        return code
    except DamagedState as damaged:  # never start without the password or the bindings
        print(damaged.message(lang), file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print(f"\n{t('cli.interrupted', lang)}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: exit 2, so that systemd restarts (exit 1 means "a person must act")
        logging.getLogger("botstudio").exception("unexpected error")
        return EXIT_CRASH
