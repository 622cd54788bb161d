"""`launch.py` with no command: start the server on --host:--port."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from runtime.i18n import t
from runtime.store.private import private_tree
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


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="start the server (the default)")
    serve.set_defaults(func=run)


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    # Everything under data/ private (what older versions left readable too), and the
    # settings and the journal opened now: a damaged one stops here with a plain message
    # (DamagedState, see runtime/cli/__init__.py), not inside the server with a traceback.
    private_tree(workspace.data_dir)
    settings, _journal = workspace.settings, workspace.journal
    if not is_loopback(args.host) and not settings.has_password():
        # Without a password, an open port would hand every bot to anyone on the network.
        print(t("cli.refuse_public", workspace.lang, host=args.host), file=sys.stderr)
        return 1
    import uvicorn

    from runtime.server.app import create_app
    from runtime.web.limits import Limits

    limits = Limits(
        model_file=args.model_upload_limit, other_file=args.upload_limit, body=args.upload_limit
    )
    app = create_app(
        workspace, listen_host=args.host, allowed_hosts=args.allowed_host, limits=limits
    )
    print(t("cli.serving", workspace.lang, host=args.host, port=args.port), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
