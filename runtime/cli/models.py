"""`models`: the GGUF files in gguf/ with what is inside each; its actions (download,
catalog, source) are runtime/cli/model_downloads.py's."""

from __future__ import annotations

import argparse
import sys

from runtime.i18n import t
from runtime.models.gguf_info import GGUFError, read_gguf_info
from runtime.workspace import Workspace

HEADER = ("file", "architecture", "parameters", "quantization", "context", "size")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from runtime.cli import model_downloads

    models = commands.add_parser("models", help="list GGUF model files; download one")
    models.set_defaults(func=run)  # with an action, the action's own
    model_downloads.add_parsers(models)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    files = workspace.models.files()
    if not files:
        print(t("cli.no_models", workspace.lang, path=workspace.gguf_dir), file=sys.stderr)
        return 1
    rows: list[tuple[str, ...]] = [HEADER]
    for path in files:
        try:
            info = read_gguf_info(path)
        except (GGUFError, OSError) as exc:
            rows.append((path.name, t("cli.model_unreadable", workspace.lang, detail=exc)))
            continue
        rows.append(tuple(info.row()))
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(HEADER))]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    from runtime.engine import gpu_offload_supported

    key = "cli.gpu_available" if gpu_offload_supported() else "cli.gpu_unavailable"
    print(f"\n{t(key, workspace.lang)}")
    return 0
