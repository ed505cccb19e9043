"""``--lang`` as every command takes it: nl or en, by default ``$PULLCOACH_LANG`` (so an
English-speaking trainer's day is English without each command saying so)."""

from __future__ import annotations

import argparse
import os

LANGS = ("nl", "en")
ENV = "PULLCOACH_LANG"


class EnvLang(str):
    """A language that came from $PULLCOACH_LANG, not from a --lang on the command line."""


def from_env(lang) -> bool:
    return isinstance(lang, EnvLang)


def env_lang(environ=None) -> EnvLang | None:
    """$PULLCOACH_LANG as given (checked when a command reads it), or None when unset or empty."""
    value = (os.environ if environ is None else environ).get(ENV, "").strip()
    return EnvLang(value) if value else None


def parse_lang(text: str) -> str:
    lang = text.strip().lower()
    if lang in LANGS:
        return EnvLang(lang) if from_env(text) else lang
    if from_env(text):
        raise argparse.ArgumentTypeError(f"{ENV}={str(text)[:20]!r} is no language pullcoach "
                                         f"coaches in: set it to nl or en (or unset it)")
    raise argparse.ArgumentTypeError(f"invalid choice: {text[:20]!r} (choose from nl, en)")


def add_lang(p, what: str, *, default: str | None = "nl", otherwise: str | None = None) -> None:
    """``--lang`` on parser ``p``: ``default`` unless $PULLCOACH_LANG says. ``what``: the help's
    start; ``otherwise``: what no language at all means (with ``default`` None)."""
    env = env_lang()
    p.add_argument("--lang", type=parse_lang, metavar="{nl,en}", default=env if env is not None else default,
                   help=f"{what} (default: ${ENV}, else {default or otherwise})")
