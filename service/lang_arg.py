"""``--lang`` as every command takes it: nl or en, by default ``$PULLCOACH_LANG`` (so an
English-speaking trainer's day is English without each command saying so)."""

from __future__ import annotations

import argparse
import os

LANGS = ("nl", "en")
ENV = "PULLCOACH_LANG"


class EnvLang(str):
    """A language that came from $PULLCOACH_LANG, not from a --lang on the command line."""


class DefaultLang(str):
    """The language a command takes when neither --lang nor $PULLCOACH_LANG says one."""


def from_env(lang) -> bool:
    return isinstance(lang, EnvLang)


def chosen(lang) -> bool:
    """--lang was on the command line (not the default, not $PULLCOACH_LANG: those are defaults)."""
    return lang is not None and not isinstance(lang, (EnvLang, DefaultLang))


def take_pack_lang(args) -> None:
    """With a --rules pack and no --lang on the command line, the pack's language is the
    session's (as analyze and serve take it): an English pack needs no --lang en, and
    $PULLCOACH_LANG, a default for the day, gives way to the pack the command names. A --lang
    given that is not the pack's is refused where the pack is loaded (make_engine)."""
    rules = getattr(args, "rules", None)
    if rules and not getattr(args, "no_rules", False) and not chosen(getattr(args, "lang", None)):
        from pullcoach.cmd_analyze import load_rule_pack
        args.lang = DefaultLang(load_rule_pack(rules, None).lang)


def env_lang(environ=None) -> EnvLang | None:
    """$PULLCOACH_LANG as given (checked when a command reads it), or None when unset or empty."""
    value = (os.environ if environ is None else environ).get(ENV, "").strip()
    return EnvLang(value) if value else None


def parse_lang(text: str) -> str:
    lang = text.strip().lower()
    if lang in LANGS:
        kind = type(text) if isinstance(text, (EnvLang, DefaultLang)) else str
        return kind(lang)  # a default stays one: argparse parses a str default as if typed
    if from_env(text):
        raise argparse.ArgumentTypeError(f"{ENV}={str(text)[:20]!r} is no language pullcoach "
                                         f"coaches in: set it to nl or en (or unset it)")
    raise argparse.ArgumentTypeError(f"invalid choice: {text[:20]!r} (choose from nl, en)")


def add_lang(p, what: str, *, default: str | None = "nl", otherwise: str | None = None) -> None:
    """``--lang`` on parser ``p``: ``default`` unless $PULLCOACH_LANG says. ``what``: the help's
    start; ``otherwise``: what no language at all means (with ``default`` None)."""
    env = env_lang()
    default = DefaultLang(default) if default is not None else None
    p.add_argument("--lang", type=parse_lang, metavar="{nl,en}", default=env if env is not None else default,
                   help=f"{what} (default: ${ENV}, else {default or otherwise})")
