"""`service [--install]`: keep BotStudio running after logout, as a systemd user service.

The unit runs the same command as `./botstudio start` does after setup, with absolute
paths, restarts it if it crashes (not when it stopped with a message for a person: exit
status 1), and stops it with SIGTERM, which lets replies being written finish into the
outbox (TimeoutStopSec leaves them time).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from runtime.i18n import t
from runtime.web.limits import Limits
from runtime.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_MODEL_UPLOAD, DEFAULT_UPLOAD = Limits().model_file, Limits().other_file


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    service = commands.add_parser("service", help="a systemd unit that keeps BotStudio running")
    service.set_defaults(func=run)
    service.add_argument(
        "--install",
        action="store_true",
        help="write it to ~/.config/systemd/user/botstudio.service",
    )


def server_options(args: argparse.Namespace) -> list[str]:
    """The server's own global options as given, so the service serves the same way."""
    options = [opt for name in args.allowed_host for opt in ("--allowed-host", name)]
    if args.model_upload_limit != DEFAULT_MODEL_UPLOAD:
        options += ["--model-upload-limit", str(args.model_upload_limit)]
    if args.upload_limit != DEFAULT_UPLOAD:
        options += ["--upload-limit", str(args.upload_limit)]
    return options


def unit(workspace: Workspace, host: str, port: int, options: list[str] | None = None) -> str:
    python = ROOT / ".venv" / "bin" / "python"
    command = [
        str(python if python.exists() else Path(sys.executable)),
        str(ROOT / "launch.py"),
        "--bots",
        str(workspace.bots_dir.resolve()),
        "--data",
        str(workspace.data_dir.resolve()),
        "--gguf",
        str(workspace.gguf_dir.resolve()),
        "--host",
        host,
        "--port",
        str(port),
        *(options or []),
    ]
    return f"""\
[Unit]
Description=BotStudio: WeCom bots on local models
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory={ROOT}
ExecStart={shlex.join(command)}
Environment=BOTSTUDIO_LANG={workspace.lang}
Restart=on-failure
RestartSec=5
# exit status 1: a problem only a person can fix (a damaged settings file or database,
# a public address without a password); restarting would only repeat the message
RestartPreventExitStatus=1
# SIGTERM: replies being written finish into the outbox before the process exits
KillSignal=SIGTERM
TimeoutStopSec=90

[Install]
WantedBy=default.target
"""


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    text = unit(workspace, args.host, args.port, server_options(args))
    if not args.install:
        print(text, end="")
        return 0
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    target = config / "systemd" / "user" / "botstudio.service"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(t("service.installed", workspace.lang, path=target))
    return 0
