"""The command line: ``pullcoach <command>``. ``main(argv)`` is callable from tests.

Each command lives in its own module exposing ``register(subparsers)``; the parser it
adds sets ``func(args) -> int``. Errors from the tree in ``errors.py`` become one line
on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from pullcoach import __version__
from pullcoach.errors import PullcoachError

# command modules, in the order `pullcoach --help` lists them
COMMANDS = (
    "pullcoach.cmd_run",       # run, demo, serve, capture
    "pullcoach.cmd_replay",    # replay, bench
    "pullcoach.cmd_devices",   # devices
    "pullcoach.cmd_analyze",   # analyze
    "pullcoach.cmd_overlay",   # overlay
    "pullcoach.cmd_sessions",  # sessions, report
    "pullcoach.cmd_debrief",   # debrief
    "pullcoach.cmd_model",     # model
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pullcoach",
        description="A local conversation coach: pull, don't push.",
    )
    parser.add_argument("--version", action="version", version=f"pullcoach {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:  # Ctrl-C while the command modules still load: the documented 130, no traceback
        parser = build_parser()
    except KeyboardInterrupt:
        return 130
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except PullcoachError as err:
        print(f"pullcoach: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `pullcoach sessions list | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
