"""`launch.py` with no command: start the server on --host:--port."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from runtime.i18n import t
from runtime.workspace import Workspace


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except (OSError, ValueError):
            return False


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not workspace.settings.has_password():
        # Without a password, an open port would hand every bot to anyone on the network.
        print(t("cli.refuse_public", workspace.lang, host=args.host), file=sys.stderr)
        return 1
    import uvicorn

    from runtime.server.app import create_app

    app = create_app(workspace)
    print(t("cli.serving", workspace.lang, host=args.host, port=args.port), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
