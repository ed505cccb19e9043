"""What a session leaves beside the database, for ``Store.delete`` and ``Store.prune``.

Besides its rows and ``audio/<id>/``, a session may have:

- ``reports/<id>.<fmt>``: its report, written at its end by run/serve and by ``pullcoach
  report`` on a terminal (the trainer's bookmark notes are in it);
- ``unsaved/<id>.jsonl`` (or ``<id>.2.jsonl``): events a run could not store; ``sessions
  rescue`` would store them again, bringing a deleted session back;
- ``reports/debrief-<first>.html``: a debrief of several sessions (``pullcoach debrief`` on
  a terminal), named after its first (oldest) one;
- ``damaged/<time>/``: a damaged database a rescue set aside, with every session it held.

Delete and retention remove the first three. Which debriefs cover a session: one that
lists its sessions (a ``<meta name="pullcoach-sessions">``, or links to their reports)
covers those; one that names only its first (what ``pullcoach debrief`` writes) may cover
any session from its first on (a day's sessions, or ids named in any order, oldest first),
so it is removed with every session that started at or after its first. That can remove
a debrief that did not include the session; ``pullcoach debrief`` writes it again from
what is stored, while a debrief left behind would keep a deleted conversation.

Damaged copies are not removed by delete: one may hold other sessions that are still to
be rescued from it (see ``damaged_holding``). Retention removes those older than its days:
every session in one started before it was set aside.
"""

from __future__ import annotations

import mmap
import re
import shutil
import time
import urllib.parse
from pathlib import Path

__all__ = ["remove_session_files", "session_files", "damaged_holding", "old_damaged", "stamp_time"]

REPORT_FORMATS = ("html", "md", "json", "vtt")
_MARK = re.compile(r'<meta name="pullcoach-sessions" content="([^"]*)"')
_LINK = re.compile(r'href="/reports/([^"?#/]+)')
_STAMP = "%Y%m%d-%H%M%S"  # session ids and damaged/ folders start with their local time


def stamp_time(name: str) -> float | None:
    try:
        return time.mktime(time.strptime(name[:15], _STAMP))
    except (ValueError, OverflowError):
        return None


def _quoted(sid: str) -> str:  # as store.unsaved_path names the file
    return urllib.parse.quote(sid, safe="-_").replace(".", "%2E")


def session_files(directory: Path, sid: str) -> list[Path]:
    """The session's own report files and unsaved files."""
    out = [directory / "reports" / f"{sid}.{fmt}" for fmt in REPORT_FORMATS]
    out = [p for p in out if p.exists()]
    unsaved = directory / "unsaved"
    if unsaved.is_dir():  # <id>.jsonl, <id>.2.jsonl, and a .part being written
        out += sorted(p for p in unsaved.iterdir() if p.name.split(".")[0] == _quoted(sid))
    return out


def _debrief_sessions(path: Path) -> set[str] | None:
    """The ids a debrief file lists, or None when it names only its first (in its name)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    mark = _MARK.search(text)
    if mark:
        return set(mark.group(1).split())
    links = {urllib.parse.unquote(m) for m in _LINK.findall(text)}
    return links or None


def _covers(path: Path, sid: str, started: float | None, starts: dict[str, float]) -> bool:
    first = path.name[len("debrief-"):].split(".")[0]
    if first == "none":  # a debrief of no sessions
        return False
    if first == sid:
        return True
    listed = _debrief_sessions(path)
    if listed is not None:
        return sid in listed
    since = starts.get(first) or stamp_time(first)
    return since is None or started is None or since <= started + 1.0  # ids are to the second


def remove_session_files(directory: Path, gone: dict[str, float | None],
                         starts: dict[str, float]) -> list[Path]:
    """Remove what ``gone`` (session id -> its start) left in reports/ and unsaved/, and
    the debriefs that cover any of them; ``starts``: every session's start, deleted ones
    too (a debrief's first). The paths removed."""
    directory = Path(directory)
    removed: list[Path] = []
    for sid in gone:
        removed += session_files(directory, sid)
    reports = directory / "reports"
    debriefs = sorted(reports.glob("debrief-*")) if reports.is_dir() else []
    removed += [p for p in debriefs
                if any(_covers(p, sid, started, starts) for sid, started in gone.items())]
    done = []
    for path in dict.fromkeys(removed):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue  # said by its absence from the list
        done.append(path)
    return done


def damaged_holding(directory: Path, sid: str) -> list[Path]:
    """The damaged/<time>/ folders whose files hold the session id (so, its text)."""
    out = []
    root = Path(directory) / "damaged"
    needle = sid.encode()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        for f in folder.iterdir() if folder.is_dir() else []:
            try:
                with open(f, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
                    if m.find(needle) >= 0:
                        out.append(folder)
                        break
            except (OSError, ValueError):  # empty file: nothing to map
                continue
    return out


def old_damaged(directory: Path, days: float, now: float | None = None) -> list[Path]:
    """Remove the damaged/<time>/ folders set aside more than ``days`` ago (their name's
    time, else their mtime); the folders removed."""
    root = Path(directory) / "damaged"
    cutoff = (time.time() if now is None else now) - days * 86400.0
    out = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            when = stamp_time(folder.name) or folder.stat().st_mtime
        except OSError:
            continue
        if folder.is_dir() and when < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                out.append(folder)
    return out
