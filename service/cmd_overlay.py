"""``pullcoach overlay``: the small always-on-top nudge window (Tk)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from pullcoach.errors import ConfigError


def register(subparsers) -> None:
    p = subparsers.add_parser("overlay", help="show nudges in a small always-on-top window",
                              description="Connect to a running pullcoach service and show its nudges.")
    p.add_argument("--url", default="ws://127.0.0.1:8765/ws",
                   help="the service's websocket URL (default ws://127.0.0.1:8765/ws: a `run` or "
                        "`serve` on this laptop)")
    p.add_argument("--token", default=None,
                   help="the overlay token `run` or `capture` printed (default: $PULLCOACH_OVERLAY_TOKEN, else $PULLCOACH_TOKEN)")
    p.add_argument("--session", default=None, help="the session id (default: the one live session)")
    p.add_argument("--alpha", type=float, default=0.9, help="window opacity, 0.2..1 (default 0.9)")
    p.add_argument("--report-file", default=None, metavar="PATH",
                   help="the report `run` writes: linked when the session ends (the window stays)")
    p.set_defaults(func=run)


# the overlay's own variable; PULLCOACH_TOKEN is the capture token's (the README's training
# day), read here only when the overlay's is not set (`run` hands its overlay the token in it)
ENV, OLD_ENV = "PULLCOACH_OVERLAY_TOKEN", "PULLCOACH_TOKEN"


def token_from(args: argparse.Namespace, environ=os.environ) -> tuple[str | None, str]:
    """The token and where it came from (--token, or the variable it was read from)."""
    if args.token:
        return args.token, "--token"
    for name in (ENV, OLD_ENV):
        if environ.get(name):
            return environ[name], name
    return None, ""


def run(args: argparse.Namespace) -> int:
    token, origin = token_from(args)
    if not token:
        raise ConfigError("no token: pass --token T, the overlay token `run` or `capture` printed "
                          f"(its overlay: line ends in #token=…), or set {ENV}")
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
    check_token(args.url, token, args.session, origin)
    # Ctrl-C: Tk swallows a KeyboardInterrupt raised in one of its callbacks (a traceback,
    # and the window stays); SystemExit gets through
    signal.signal(signal.SIGINT, _interrupted)
    try:
        return run_overlay(args.url, token, args.session, alpha=args.alpha, report_file=args.report_file)
    except tkinter.TclError as exc:
        raise ConfigError(f"cannot open a window ({exc}); is there a display? "
                          "Use the browser overlay at http://HOST:PORT/ instead") from None


def _interrupted(_signum, _frame):
    raise SystemExit(130)


REFUSED = {
    "bad-token": "use the overlay token `pullcoach run` or `capture` printed (its overlay: line "
                 f"ends in #token=…), as --token T or {ENV}",
    "bad-version": "this pullcoach and the service speak different protocol versions; install "
                   "the same version on both",
    "bad-origin": "start the service with --allow-host for the address in --url",
}


def check_token(url: str, token: str, session: str | None, origin: str = "--token",
                timeout: float = 5.0) -> None:
    """Say a refusal now, on the console (the window would show only a word, and wait):
    one hello to the service. A service not reachable yet is said too, and the window
    keeps trying (the overlay may start before `run`)."""
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
    from websockets.sync.client import connect

    from pullcoach.clients.overlay_state import OverlayState
    hello = OverlayState(token=token, session=session).hello()
    try:
        with connect(url, open_timeout=timeout, max_size=2**20) as ws:
            ws.send(json.dumps(hello))
            reply = json.loads(ws.recv(timeout=timeout))
    except InvalidURI:
        raise ConfigError(f"--url {url!r} is not a websocket address; e.g. ws://127.0.0.1:8765/ws") from None
    except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed, ValueError) as exc:
        print(f"pullcoach overlay: cannot reach {url} yet ({exc}); the window keeps trying. Is "
              "`pullcoach run`, `demo` or `serve` running there?", file=sys.stderr, flush=True)
        return
    if isinstance(reply, dict) and reply.get("type") == "error" and reply.get("code") in REFUSED:
        which = ""
        if reply["code"] == "bad-token" and origin == OLD_ENV:
            which = (f" (the token was {OLD_ENV}'s, which holds the capture token where the README's "
                     f"training day set it; leave that one for `pullcoach capture`)")
        elif reply["code"] == "bad-token" and origin == ENV:
            which = f" (the token was {ENV}'s)"
        raise ConfigError(f"the service at {url} refused: {reply.get('message') or reply['code']}"
                          f"{which}; {REFUSED[reply['code']]}")
