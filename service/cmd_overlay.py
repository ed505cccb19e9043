"""``pullcoach overlay``: the small always-on-top nudge window (Tk)."""

from __future__ import annotations

import argparse
import os

from pullcoach.errors import ConfigError


def register(subparsers) -> None:
    p = subparsers.add_parser("overlay", help="show nudges in a small always-on-top window",
                              description="Connect to a running pullcoach service and show its nudges.")
    p.add_argument("--url", default="ws://127.0.0.1:8765/ws", help="the service's websocket URL")
    p.add_argument("--token", default=None,
                   help="the session token the service printed (default: $PULLCOACH_TOKEN)")
    p.add_argument("--session", default=None, help="the session id (default: the one live session)")
    p.add_argument("--alpha", type=float, default=0.9, help="window opacity, 0.2..1 (default 0.9)")
    p.add_argument("--report-file", default=None, metavar="PATH",
                   help="the report `run` writes: linked when the session ends (the window stays)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get("PULLCOACH_TOKEN")
    if not token:
        raise ConfigError("no token: pass --token T (the service prints it at start) or set PULLCOACH_TOKEN")
    if not args.url.startswith(("ws://", "wss://")):
        raise ConfigError(f"--url must start with ws:// or wss://, not {args.url!r}")
    if not 0.2 <= args.alpha <= 1.0:
        raise ConfigError("--alpha must be between 0.2 and 1")
    try:
        import tkinter
        from pullcoach.clients.overlay import run_overlay
    except ImportError as exc:
        raise ConfigError(f"the overlay needs Tk ({exc}); install python3-tk, or open the "
                          "browser overlay at http://HOST:PORT/ instead") from None
    try:
        return run_overlay(args.url, token, args.session, alpha=args.alpha, report_file=args.report_file)
    except tkinter.TclError as exc:
        raise ConfigError(f"cannot open a window ({exc}); is there a display? "
                          "Use the browser overlay at http://HOST:PORT/ instead") from None
