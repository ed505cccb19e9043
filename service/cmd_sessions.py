"""``pullcoach sessions list|show|export|delete|retention|rescue`` and ``pullcoach report``."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from pullcoach.errors import ConfigError, StoreError, cannot_write
from pullcoach.paths import data_dir, make_private
from pullcoach.report import FORMATS, build, jsonable, previous_events, render
from pullcoach.report_text import clock
from pullcoach.rules.events import to_dict
from pullcoach.rescue import rescue, unsaved_lines
from pullcoach.store import DB_NAME, Store, rescue_command

__all__ = ["register", "open_store", "emit", "output_format"]


def _described(sub):
    """``add_parser`` whose ``help`` is also the page's description (``sessions list --help``)."""
    def add(name, **kw):
        said = kw.get("help", "")
        kw.setdefault("description", said[:1].upper() + said[1:] + "." if said else None)
        return sub.add_parser(name, **kw)
    return add


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", help="where sessions are stored "
                        "(default: the user data dir)")

    p = subparsers.add_parser("sessions", help="list, show, export, delete or rescue stored sessions",
                              description="Without an ACTION: list.")
    # `sessions --data-dir DIR` lists too; a subcommand's own --data-dir would reset this one
    p.add_argument("--data-dir", dest="outer_data_dir", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=_list, format="text", data_dir=None)
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    add = _described(sub)
    ls = add("list", parents=[common], help="the stored sessions, newest first")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    ls.set_defaults(func=_list)
    show = add("show", parents=[common], help="one session's details and figures")
    show.add_argument("session", metavar="SESSION", help="an id, an id prefix, or 'last'")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(func=_show)
    ex = add("export", parents=[common],
                        help="a session's event log, one JSON event per line")
    ex.add_argument("session", metavar="SESSION")
    ex.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    ex.set_defaults(func=_export)
    rm = add("delete", parents=[common], help="delete a session: its events, audio, reports, "
             "unsaved events and the debriefs that cover it")
    rm.add_argument("session", metavar="SESSION")
    rm.add_argument("--format", choices=("text", "json"), default="text")
    rm.add_argument("-y", "--yes", action="store_true", help="do not ask first (asked only on a terminal)")
    rm.set_defaults(func=_delete)
    ret = add("retention", parents=[common],
                         help="show or set how many days sessions are kept ('off' keeps all)")
    ret.add_argument("days", nargs="?", metavar="DAYS|off")
    ret.set_defaults(func=_retention)
    res = add("rescue", parents=[common],
                         help="copy what a damaged session database still reads into a fresh one "
                              "(the damaged file is kept in damaged/)")
    res.add_argument("--format", choices=("text", "json"), default="text")
    res.set_defaults(func=_rescue)

    r = subparsers.add_parser("report", parents=[common], help="the post-call report of a session",
                              description="The post-call report of a stored session. On a terminal, HTML "
                              "goes to a file in the data directory and its path is printed.")
    r.add_argument("session", metavar="SESSION", help="an id, an id prefix, or 'last'")
    r.add_argument("--format", choices=FORMATS, default=None,
                   help="html (default, or from -o's suffix), md, json or vtt")
    r.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    r.set_defaults(func=_report)


FIRST = "; `pullcoach demo` (or run, serve) stores one"  # said to a new user


def _data_dir(args) -> str | None:
    """--data-dir given after `sessions` or after its ACTION."""
    return args.data_dir if args.data_dir is not None else getattr(args, "outer_data_dir", None)


def open_store(args) -> Store:
    """The store in the data dir; one that holds none is not created (a mistyped --data-dir
    would otherwise get an empty database and a "no sessions" that misleads)."""
    directory = data_dir(_data_dir(args))
    if not (directory / DB_NAME).is_file():
        where = (f"; without --data-dir: {data_dir(None)}" if _data_dir(args) is not None else FIRST)
        raise StoreError(f"no sessions stored in {directory} (no {DB_NAME} there){where}")
    return Store(directory)


def to_terminal_file(args, fmt: str, path: Path) -> str | None:
    """-o as given; an HTML page asked for on a terminal goes to ``path`` instead (a
    hundred lines of markup help nobody there), said on stderr."""
    if args.output or fmt != "html" or not sys.stdout.isatty():
        return args.output
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    print("(HTML is written to a file on a terminal: open it in a browser; -o FILE or a pipe "
          "for elsewhere)", file=sys.stderr)
    return str(path)


def emit(text: str, path: str | None, *, private: bool = False) -> None:
    """``private``: a file in the data dir's reports/ (its transcript: this user's only)."""
    if path:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise cannot_write(path, exc) from None
        if private:
            make_private(Path(path), 0o600)
        print(path, file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _list(args) -> int:
    items, damaged = [], []
    if (data_dir(_data_dir(args)) / DB_NAME).is_file():  # nothing stored there: nothing to list
        with open_store(args) as store:
            items = store.sessions()
            damaged = store.damaged
    if args.format == "json":
        emit(json.dumps(items, ensure_ascii=False, indent=2), None)
        return 0
    if not items:
        print(f"no sessions stored in {data_dir(_data_dir(args))}"
              + (FIRST if _data_dir(args) is None else ""))
        return 0
    for line in _table(items):
        print(line)
    if damaged:
        print(f"{len(damaged)} damaged session(s) do not read whole: "
              f"`{rescue_command(data_dir(_data_dir(args)) / DB_NAME)}` saves what still reads "
              "(and keeps the damaged file)")
    return 0


# `sessions list`'s columns: the header's words, and whether the values are right-aligned
LIST_COLUMNS = (("session", False), ("started", False), ("duration", True), ("lang", False),
                ("status", False), ("utterances", True), ("nudges", True), ("coachee ↔ partner", False))


def _table(items: list[dict]) -> list[str]:
    """The sessions as aligned lines under a header naming the columns."""
    rows = []
    for s in items:
        c = s["counts"]
        rows.append([s["id"], time.strftime("%Y-%m-%d %H:%M", time.localtime(s["started_wall"])),
                     clock(s["duration"]), str(s["lang"]), str(s["status"]),
                     str(c.get("transcript-final", 0)),
                     str(c.get("nudge-issued", 0) - c.get("nudge-withdrawn", 0)),
                     " ↔ ".join(n for n in (s.get("coachee"), s.get("partner")) if n)])
    head = [name for name, _ in LIST_COLUMNS]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return ["  ".join(v.rjust(w) if right else v.ljust(w)
                      for v, w, (_, right) in zip(r, widths, LIST_COLUMNS)).rstrip()
            for r in [head, *rows]]


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
        sid, left = args.session, False
        try:
            sid = store.resolve(args.session)
        except StoreError:
            # deleted before delete removed its files: its id as given removes what is left
            if not store.forget_leftovers(args.session):
                raise
            left = True
        if not args.yes and sys.stdin.isatty() and sid != args.session:
            # "last" or a prefix: say which one before it is gone
            info = store.row(sid)
            answer = input(f"delete {sid} ({info['coachee']} ↔ {info['partner']}, "
                           f"{clock(info['t'])})? [y/N] ")  # as `sessions` lists it
            if answer.strip().lower() not in ("y", "yes", "j", "ja"):
                print("kept")
                return 1
        if not left:
            store.delete(sid)
        damaged, users = store.leftovers(sid)
        removed, flushed = store.removed, store.checkpointed
    if args.format == "json":
        emit(json.dumps({"deleted": sid, "removed": [str(p) for p in removed],
                         "damaged_copies": [str(p) for p in damaged], "in_use_by": users,
                         "wal_emptied": flushed}), None)
        return 0
    print((f"{sid} was deleted already; what it left:" if left else f"deleted {sid}: its events")
          + "".join(f"\n  removed {p}" for p in removed))
    for line in _still_there(sid, damaged, users, flushed, removed):
        print(line)
    return 0


def _still_there(sid: str, damaged: list[Path], users: list[str], flushed: bool,
                 removed: list[Path]) -> list[str]:
    """What may still hold a deleted session, and what to do about it."""
    lines = []
    if any(p.name.startswith("debrief-") for p in removed):
        lines.append("(a debrief is removed with every session it may cover; `pullcoach debrief` "
                     "writes one again from what is stored)")
    if damaged:
        lines.append(f"damaged copies a rescue set aside still hold its text: "
                     f"{', '.join(map(str, damaged))}; they may hold other sessions still to be "
                     f"rescued, so they are kept: `rm -r {' '.join(map(str, damaged))}` once "
                     "nothing in them is needed (`pullcoach sessions retention DAYS` removes "
                     "older ones)")
    if users:
        lines.append(f"{', '.join(users)} has the store open: a serve's trainer pages open now "
                     f"drop {sid} within a few seconds")
    if not flushed:
        lines.append("its text is still in sessions.db-wal until the process using the store "
                     "ends (or checkpoints)")
    return lines


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
                      + (f": {', '.join(gone)}" if 0 < len(gone) <= 10 else "")
                      + (f", and {len(store.removed)} file(s) of theirs (reports, audio, "
                         "unsaved events, debriefs)" if store.removed else ""))
                for p in store.removed_damaged:
                    print(f"removed {p}: a damaged copy set aside more than {days:g} days ago")
                if gone and not store.checkpointed:
                    print("their text is still in sessions.db-wal until the process using the "
                          "store ends (or checkpoints)")
        days = store.retention()
    print(f"sessions are kept forever (`pullcoach sessions retention DAYS` deletes older ones)" if not days
          else f"sessions are kept for {days:g} days: older ones (with their reports, audio and "
               "damaged copies) are deleted each time pullcoach opens the store ('off' keeps all)")
    return 0


def output_format(args, formats: tuple[str, ...]) -> str:
    """``--format``, else the one ``-o``'s suffix names, else html. A suffix that names
    another format, or none we write (``.pdf``), is refused: the file would lie. A ``.txt``
    file gets markdown, the readable text form."""
    suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
    named = {"htm": "html", "markdown": "md", "txt": "md"}.get(suffix, suffix)
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
                live=info["status"] == "live"), out, private=out != args.output)
    return 0


def _rescue(args) -> int:
    directory = data_dir(_data_dir(args))
    if not (directory / DB_NAME).is_file():
        raise StoreError(f"no {DB_NAME} in {directory}: nothing to rescue")
    out = rescue(directory)
    if args.format == "json":
        emit(json.dumps(_rescue_json(out), ensure_ascii=False, indent=2), None)
    else:
        quiet = not out.damaged and (out.imported or out.unsaved)  # "nothing changed" would lie
        for line in ([] if quiet else _rescue_lines(out, directory)) + unsaved_lines(out, directory):
            print(line)
    return 1 if out.users or out.unsaved else 0


def _when(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(wall)) if wall else "(no date)"


def _lost(s) -> str:
    """"to 3:12" (its end is lost), "lost 1:40-1:46", or both."""
    middle = [(t0, t1) for t0, t1 in s.gaps if t1 is not None]
    parts = [f"to {clock(s.last_t)}, its end is lost: kept as interrupted"] if s.tail_lost else []
    if middle:
        shown = ", ".join(clock(t0) if clock(t0) == clock(t1) else f"{clock(t0)}-{clock(t1)}"
                          for t0, t1 in middle[:3])
        parts.append(f"lost at {shown}" + (f" and {len(middle) - 3} more" if len(middle) > 3 else ""))
    return "; ".join(parts) or "some rows lost"


def _rescue_lines(out, directory: Path) -> list[str]:
    db = directory / DB_NAME
    if not out.damaged:
        return [f"{db} reads whole ({len(out.sessions)} session(s)): nothing to rescue, "
                "nothing changed"]
    whole = [s for s in out.sessions if s.whole]
    total = len(out.sessions) + len(out.unreadable)
    part = [f"{_when(s.started_wall)} kept {s.events}" + (f" of {s.total}" if s.total is not None
                                                          else "")
            + (" event" if (s.total if s.total is not None else s.events) == 1 else " events")
            + f" ({_lost(s)})"
            for s in out.sessions if not s.whole]
    head = f"{len(whole)} of {total} sessions rescued whole"
    lines = ([f"nothing in {db} could be read"] if not total
             else [f"{head}; {part[0]}"] if len(part) == 1 else [head, *(f"  {p}" for p in part)])
    for sid in out.unreadable:
        audio = directory / "audio" / sid
        lines.append(f"could not read any event of {sid}"
                     + (f"; its audio stays in {audio}" if audio.is_dir() else ""))
    if out.without_wal:
        lines.append(f"(some sessions read better without {db.name}-wal: it did not fit the "
                     "database and is kept with the damaged file)")
    if out.users:
        lines.append(f"not swapped in: {', '.join(out.users)} has {db} open. Stop it (Ctrl-C in "
                     f"its run or serve, close the sqlite3 shell), then run "
                     f"`{rescue_command(db)}` again; the rescued copy meanwhile is "
                     f"{out.rescued}")
    else:
        lines.append(f"{db} is now the rescued database"
                     + (" (empty: pullcoach starts afresh)" if not out.sessions else "")
                     + f"; the damaged file is kept in {out.kept_dir}")
    return lines


def _rescue_json(out) -> dict:
    return {"damaged": out.damaged, "swapped": out.swapped, "in_use_by": out.users,
            "rescued": str(out.rescued) if out.rescued else None,
            "kept": str(out.kept_dir) if out.kept_dir else None,
            "unreadable": out.unreadable, "read_without_wal": out.without_wal,
            "unsaved_stored": [{"file": str(p), "session": sid, "events": n, "stored_already": had}
                               for p, sid, n, had in out.imported],
            "unsaved_waiting": [str(p) for p in out.unsaved],
            "sessions": [{"id": s.id, "started_wall": s.started_wall, "events": s.events,
                          "total": s.total, "lost": s.lost, "end_lost": s.tail_lost,
                          "to": s.last_t, "whole": s.whole, "audio_kept": s.audio}
                         for s in out.sessions]}
