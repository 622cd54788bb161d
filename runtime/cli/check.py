"""`check [PATH ...]`: validate bot files; one `path:line: message` per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime.i18n import t
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser("check", help="validate bot files")
    check.add_argument("paths", nargs="*", type=Path, help="files (default: all in --bots)")
    check.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    paths = args.paths or workspace.bots.paths()
    if not paths:
        print(t("cli.check_none", workspace.lang, path=workspace.bots_dir), file=sys.stderr)
        return 1
    failed = False
    for path, problems in workspace.bots.check(paths):
        if problems:
            failed = True
            for problem in problems:
                print(problem.render(str(path)))
        else:
            print(t("cli.check_ok", workspace.lang, path=path))
    return 1 if failed else 0
