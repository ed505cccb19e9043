"""``pullcoach sessions list|show|export|delete|retention`` and ``pullcoach report``."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from pullcoach.errors import ConfigError, StoreError
from pullcoach.paths import data_dir
from pullcoach.report import FORMATS, build, jsonable, previous_events, render
from pullcoach.report_text import clock
from pullcoach.rules.events import to_dict
from pullcoach.store import DB_NAME, Store

__all__ = ["register", "open_store", "emit", "output_format"]


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", help="where sessions are stored "
                        "(default: the user data dir)")

    p = subparsers.add_parser("sessions", help="list, show, export or delete stored sessions")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", parents=[common], help="the stored sessions, newest first")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    ls.set_defaults(func=_list)
    show = sub.add_parser("show", parents=[common], help="one session's details and figures")
    show.add_argument("session", metavar="SESSION", help="an id, an id prefix, or 'last'")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(func=_show)
    ex = sub.add_parser("export", parents=[common],
                        help="a session's event log, one JSON event per line")
    ex.add_argument("session", metavar="SESSION")
    ex.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    ex.set_defaults(func=_export)
    rm = sub.add_parser("delete", parents=[common], help="delete a session and any kept audio")
    rm.add_argument("session", metavar="SESSION")
    rm.add_argument("--format", choices=("text", "json"), default="text")
    rm.add_argument("-y", "--yes", action="store_true", help="do not ask first (asked only on a terminal)")
    rm.set_defaults(func=_delete)
    ret = sub.add_parser("retention", parents=[common],
                         help="show or set how many days sessions are kept ('off' keeps all)")
    ret.add_argument("days", nargs="?", metavar="DAYS|off")
    ret.set_defaults(func=_retention)

    r = subparsers.add_parser("report", parents=[common], help="the post-call report of a session")
    r.add_argument("session", metavar="SESSION", help="an id, an id prefix, or 'last'")
    r.add_argument("--format", choices=FORMATS, default=None,
                   help="html (default, or from -o's suffix), md, json or vtt")
    r.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    r.set_defaults(func=_report)


def open_store(args) -> Store:
    """The store in the data dir; one that holds none is not created (a mistyped --data-dir
    would otherwise get an empty database and a "no sessions" that misleads)."""
    directory = data_dir(args.data_dir)
    if not (directory / DB_NAME).is_file():
        where = "" if args.data_dir is None else f"; without --data-dir: {data_dir(None)}"
        raise StoreError(f"no sessions stored in {directory} (no {DB_NAME} there){where}")
    return Store(directory)


def to_terminal_file(args, fmt: str, path: Path) -> str | None:
    """-o as given; an HTML page asked for on a terminal goes to ``path`` instead (a
    hundred lines of markup help nobody there), said on stderr."""
    if args.output or fmt != "html" or not sys.stdout.isatty():
        return args.output
    path.parent.mkdir(parents=True, exist_ok=True)
    print("(HTML is written to a file on a terminal: open it in a browser; -o FILE or a pipe "
          "for elsewhere)", file=sys.stderr)
    return str(path)


def emit(text: str, path: str | None) -> None:
    if path:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror}; choose another -o") from None
        print(path, file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _list(args) -> int:
    items = []
    if (data_dir(args.data_dir) / DB_NAME).is_file():  # nothing stored there: nothing to list
        with open_store(args) as store:
            items = store.sessions()
    if args.format == "json":
        emit(json.dumps(items, ensure_ascii=False, indent=2), None)
        return 0
    if not items:
        print(f"no sessions stored in {data_dir(args.data_dir)}")
        return 0
    for s in items:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(s["started_wall"]))
        c = s["counts"]
        who = " ↔ ".join(n for n in (s.get("coachee"), s.get("partner")) if n)
        print(f"{s['id']:<24} {started}  {clock(s['duration']):>7}  {s['lang']}  "
              f"{s['status']:<11} {c.get('transcript-final', 0):>4} utt  "
              f"{c.get('nudge-issued', 0) - c.get('nudge-withdrawn', 0):>3} nudges  {who}".rstrip())
    return 0


def _show(args) -> int:
    with open_store(args) as store:
        sid = store.resolve(args.session)
        info = next(s for s in store.sessions() if s["id"] == sid)
        report = build(store.events(sid))
    info["figures"] = report["figures"]
    if args.format == "json":
        emit(json.dumps(jsonable(info), ensure_ascii=False, indent=2), None)
        return 0
    for key in ("id", "status", "reason", "lang", "coachee", "partner"):
        print(f"{key:<10} {info[key]}")
    print(f"{'started':<10} {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(info['started_wall']))}")
    print(f"{'duration':<10} {clock(info['duration'])}")
    print(f"{'audio':<10} {'kept' if info['audio_kept'] else 'not stored'}")
    for name, f in report["figures"].items():
        print(f"{name:<22} {_short(f['value']):>8}  {f['rating']}")
    return 0


def _short(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def _export(args) -> int:
    with open_store(args) as store:
        sid = store.resolve(args.session)
        events = store.events(sid)
    if args.format == "json":
        text = json.dumps([to_dict(e) for e in events], ensure_ascii=False, indent=2)
    else:
        text = "".join(json.dumps(to_dict(e), ensure_ascii=False) + "\n" for e in events)
    emit(text, args.output)
    return 0


def _delete(args) -> int:
    with open_store(args) as store:
        sid = store.resolve(args.session)
        if not args.yes and sys.stdin.isatty() and sid != args.session:
            # "last" or a prefix: say which one before it is gone
            info = store.row(sid)
            answer = input(f"delete {sid} ({info['coachee']} ↔ {info['partner']}, "
                           f"{info['t']:.0f} s)? [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "j", "ja"):
                print("kept")
                return 1
        store.delete(sid)
    if args.format == "json":
        emit(json.dumps({"deleted": sid}), None)
    else:
        print(f"deleted {sid}")
    return 0


def _retention(args) -> int:
    with open_store(args) as store:
        if args.days is not None:
            if args.days.lower() in ("off", "none"):
                store.set_retention(None)
            else:
                try:
                    days = float(args.days)
                    if not math.isfinite(days):  # "nan" and "inf" parse, and mean nothing
                        raise ValueError(args.days)
                except ValueError:
                    raise ConfigError(f"retention must be a number of days or 'off', "
                                      f"not {args.days!r}") from None
                if days <= 0:
                    raise ConfigError("retention must be more than 0 days ('off' keeps every session; "
                                      "`pullcoach sessions delete ID` deletes one)")
                store.set_retention(days)
                gone = store.prune(days)
                print(f"deleted {len(gone)} finished session(s) older than {days:g} days"
                      + (f": {', '.join(gone)}" if 0 < len(gone) <= 10 else ""))
        days = store.retention()
    print(f"sessions are kept {'forever' if not days else f'for {days:g} days'}")
    return 0


def output_format(args, formats: tuple[str, ...]) -> str:
    """``--format``, else the one ``-o``'s suffix names, else html. A suffix that names
    another format, or none we write (``.pdf``), is refused: the file would lie."""
    suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
    named = {"htm": "html", "markdown": "md", "txt": None}.get(suffix, suffix)
    if named and named not in formats:
        pdf = "; for a PDF, open the HTML in a browser and print it" if named == "pdf" else ""
        raise ConfigError(f"-o {args.output}: pullcoach writes {', '.join(formats)}, not {suffix}{pdf}")
    if args.format and named and named != args.format:
        raise ConfigError(f"-o {args.output} with --format {args.format}: the file would be {args.format} "
                          f"under a .{suffix} name; drop one, or name the file .{args.format}")
    return args.format or named or "html"


def _report(args) -> int:
    fmt = output_format(args, FORMATS)
    with open_store(args) as store:
        sid = store.resolve(args.session)
        infos = store.sessions()
        info = next(s for s in infos if s["id"] == sid)
        events = store.events(sid)
        previous = previous_events(store, sid, infos)
        if not events:
            raise StoreError(f"session {sid} has no events to report")
        out = to_terminal_file(args, fmt, store.dir / "reports" / f"{sid}.html")
    emit(render(events, fmt, audio_kept=info["audio_kept"], previous=previous,
                live=info["status"] == "live"), out)
    return 0
