"""``pullcoach debrief``: several role-plays side by side, for the trainer's debrief."""

from __future__ import annotations

import datetime
import json
import re
import sys

from pullcoach.cmd_sessions import emit, open_store, output_format, to_terminal_file
from pullcoach.debrief import collect
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.errors import ConfigError, StoreError
from pullcoach.paths import dir_flag
from pullcoach.report import jsonable

__all__ = ["register"]

FORMATS = ("html", "md", "json")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "debrief", help="stored role-plays side by side: figures, what to work on, bookmarks",
        description="Stored role-plays side by side for the trainer's debrief: each pair's figures, "
                    "what to work on together, what went well, bookmarks. On a terminal, HTML goes to "
                    "a file in the data directory and its path is printed.")
    p.add_argument("sessions", nargs="*", metavar="SESSION",
                   help="ids, id prefixes or 'last' (default: the sessions of --day)")
    p.add_argument("--day", metavar="YYYY-MM-DD",
                   help="the sessions started that day, or 'today' / 'yesterday' "
                        "(default: the newest session's day)")
    from pullcoach.lang_arg import add_lang

    add_lang(p, "the debrief's language", default=None, otherwise="that of most sessions")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="html (default, or from -o's suffix), md or json")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--data-dir", metavar="DIR", help="where sessions are stored "
                   "(default: the user data dir)")
    p.set_defaults(func=_debrief)


def day_arg(text: str | None, today: datetime.date | None = None) -> str | None:
    """--day as YYYY-MM-DD: 'today' and 'yesterday' too; a day written the other way round
    (07-12-2026, 7/12/2026) is refused with the spelling to use."""
    if text is None:
        return None
    today = today or datetime.date.today()
    word = text.strip().lower()
    if word == "today":
        return today.isoformat()
    if word == "yesterday":
        return (today - datetime.timedelta(days=1)).isoformat()
    try:
        return datetime.date.fromisoformat(word).isoformat()
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", word)
    hint = ""
    if m:
        for d, mo in ((m[1], m[2]), (m[2], m[1])):
            try:
                hint = f" (--day {datetime.date(int(m[3]), int(mo), int(d)).isoformat()}?)"
                break
            except ValueError:
                continue
    raise ConfigError(f"--day {text!r}: give the day as YYYY-MM-DD (e.g. 2026-12-06), today or "
                      f"yesterday{hint}")


def _debrief(args) -> int:
    fmt = output_format(args, FORMATS)
    day = day_arg(args.day)
    with open_store(args) as store:
        d = collect(store, args.sessions or None, day, args.lang)
        ids = ", ".join(r["session"]["id"] for r in d["sessions"]) or "none"
        print(f"debrief of {len(d['sessions'])} session(s): {ids}", file=sys.stderr)
        if not d["sessions"] and not args.output and sys.stdout.isatty():
            print("nothing to debrief: no finished sessions (`pullcoach sessions list"
                  f"{dir_flag(store.dir)}` shows what is stored)", file=sys.stderr)
            return 0
        first = d["sessions"][0]["session"]["id"] if d["sessions"] else "none"
        out = to_terminal_file(args, fmt, store.dir / "reports" / f"debrief-{first}.html")
    if fmt == "json":
        text = json.dumps(jsonable(d), ensure_ascii=False, indent=2)
    elif fmt == "md":
        text = render_debrief_md(d)
    else:
        text = render_debrief_html(d)
    emit(text, out, private=out != args.output)
    return 0
