"""Every command's and action's --help page says what it does, not only its usage."""

import argparse

from pullcoach.cli import build_parser


def _pages(parser, path=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _pages(sub, (*path, name))


def test_every_help_page_has_a_description():
    pages = dict(_pages(build_parser()))
    assert ("sessions", "export") in pages and ("debrief",) in pages
    bare = [" ".join(path) for path, sub in pages.items() if not (sub.description or "").strip()]
    assert not bare, f"no description on: {bare}"
