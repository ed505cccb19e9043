"""``pullcoach sessions rescue``: a fresh session database from what a damaged one still reads.

It reads a private copy of the damaged file (its -wal too), never the file itself. Per
session, events are read in ``seq`` order; where SQLite refuses a row (a page of garbage,
a file cut short), seeks further on in ``seq`` find where reading works again, so a damaged
page costs only the rows on it. A session whose end does not read is kept as interrupted
with what does. A -wal that does not fit its database (a file restored from a backup beside
the old -wal) spoils the read, so a damaged read is done again without it, and each
session keeps the better of the two.

The rescued file is written next to the damaged one (``sessions.rescued.db``). Only when
no pullcoach (nor a sqlite3 shell) has the store open does it take the damaged file's
place; the damaged file and its -wal/-shm are kept in ``damaged/<time>/``, never deleted.
Session ids stay as they were, so kept audio (``audio/<id>/``) and reports stay theirs.

Then, with the store free, the events runs could not store (``unsaved/<id>.jsonl``, see
store.py) are stored, each file removed once in; those stored already are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pullcoach.rescue_pages import scan
from pullcoach.rules.events import PipelineWarning, SessionStarted, to_json, type_name
from pullcoach.errors import StoreError
from pullcoach.store import DB_NAME, Store, rescue_command, store_users, unsaved_files
from pullcoach.store_schema import migrate

__all__ = ["rescue", "Rescue", "SessionRescue", "RESCUED_NAME", "readable_events", "unsaved_lines"]

RESCUED_NAME = "sessions.rescued.db"
SEQ_MAX = 1 << 40  # beyond any seq a session reaches; bounds the search for a lost tail
_SIDE = ("-wal", "-shm")


@dataclass
class SessionRescue:
    """What one session kept: ``events`` rows; ``total`` the rows it had when known (its
    end read); ``lost`` rows known lost in the middle; ``tail_lost``: its end did not read."""
    id: str
    started_wall: float
    events: int
    total: int | None
    lost: int
    tail_lost: bool
    last_t: float
    audio: bool
    gaps: list[tuple[float, float | None]] = field(default_factory=list)  # lost stretches, s

    @property
    def whole(self) -> bool:
        return not self.lost and not self.tail_lost


@dataclass
class Rescue:
    """The outcome: per session, the ids none of whose events read, where the files went."""
    sessions: list[SessionRescue] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    damaged: bool = False  # False: everything read whole, nothing was written
    without_wal: bool = False  # some sessions read better without the -wal beside the file
    rescued: Path | None = None
    kept_dir: Path | None = None
    swapped: bool = False
    users: list[str] = field(default_factory=list)  # who has the store open: no swap
    imported: list[tuple[Path, str, int, int]] = field(default_factory=list)  # Store.import_unsaved
    unsaved: list[Path] = field(default_factory=list)  # unsaved files left waiting
    unsaved_error: str = ""  # why they wait


def rescue(directory: str | Path, *, now: float | None = None, mine: Path | None = None,
           before_swap: Callable[[], None] | None = None) -> Rescue:
    """Rescue ``directory``'s session database; see the module docstring. A Store rescuing
    its own file mid-session passes its lock file (``mine``: not another user) and closes
    its connection in ``before_swap``."""
    directory = Path(directory)
    db = directory / DB_NAME
    out = Rescue()
    with tempfile.TemporaryDirectory(prefix="pullcoach-rescue-") as tmp:
        reads = []
        with_wal = _copy(db, Path(tmp) / "with", wal=True)
        reads.append(_read_all(with_wal, directory))
        if reads[0]["damaged"] and _has_wal(db):
            reads.append(_read_all(_copy(db, Path(tmp) / "without", wal=False), directory))
        out.damaged = any(r["damaged"] for r in reads[:1])
        if not out.damaged:
            out.sessions = [s["info"] for s in reads[0]["sessions"].values()]
            return _import_unsaved(out, directory, mine)
        best, out.without_wal = _best(reads)
        out.sessions = sorted((s["info"] for s in best.values() if s["rows"]),
                              key=lambda s: (-s.started_wall, s.id))
        out.unreadable = sorted(sid for sid, s in best.items() if not s["rows"])
        out.rescued = directory / RESCUED_NAME
        _write(out.rescued, best, reads[0]["settings"])
        os.chmod(out.rescued, 0o600)  # it becomes sessions.db: this user's only
    out.users = store_users(db, mine=mine)
    if out.users:
        out.unsaved = [p for p, _ in unsaved_files(directory)]
        out.unsaved_error = f"{', '.join(out.users)} uses the store"
        return out
    if before_swap is not None:
        before_swap()
    out.kept_dir = _keep_damaged(db, now)
    os.replace(out.rescued, db)
    out.swapped = True
    return _import_unsaved(out, directory, mine)


def _import_unsaved(out: Rescue, directory: Path, mine: Path | None) -> Rescue:
    """Store the unsaved files' events, when there are any and nobody else uses the store
    (not from a Store's own rescue mid-session: its run saves them itself)."""
    waiting = [p for p, _ in unsaved_files(directory)]
    if not waiting or mine is not None:
        return out
    out.users = out.users or store_users(directory / DB_NAME)
    if out.users:
        out.unsaved, out.unsaved_error = waiting, f"{', '.join(out.users)} uses the store"
        return out
    try:
        with Store(directory) as store:
            out.imported = store.import_unsaved()
    except (StoreError, OSError) as exc:
        out.unsaved_error = str(exc)
    out.unsaved = [p for p, _ in unsaved_files(directory)]
    return out


def unsaved_lines(out: Rescue, directory: Path) -> list[str]:
    """What became of the unsaved files, for ``pullcoach sessions rescue``."""
    lines = []
    for path, sid, added, had in out.imported:
        lines.append(f"stored {added} event(s) of session {sid} from {path}"
                     + (f" ({had} were stored already)" if had else "")
                     + (" (all were stored already)" if not added else ""))
    if out.unsaved:
        lines.append(f"{len(out.unsaved)} unsaved file(s) wait in {out.unsaved[0].parent}: "
                     f"{out.unsaved_error}; run `{rescue_command(directory / DB_NAME)}` again "
                     "once it is free")
    return lines


def readable_events(con: sqlite3.Connection, session_id: str) -> int:
    """How many of the session's events a damaged file still gives back."""
    return len(_read_session(con, session_id)[0])


# --- reading ----------------------------------------------------------------------------
def _copy(db: Path, where: Path, *, wal: bool) -> Path:
    where.mkdir(parents=True)
    shutil.copyfile(db, where / DB_NAME)
    if wal and _has_wal(db):
        shutil.copyfile(f"{db}-wal", where / f"{DB_NAME}-wal")
    return where / DB_NAME


def _has_wal(db: Path) -> bool:
    try:
        return os.path.getsize(f"{db}-wal") > 0
    except OSError:
        return False


def _read_all(path: Path, directory: Path) -> dict:
    """Every session a copy gives back: {"damaged", "sessions": {id: {...}}, "settings"}.
    Through SQLite first; where that finds damage, the leaf pages fill in what it missed."""
    rows, reads, settings, damaged = {}, {}, [], True
    try:
        con = sqlite3.connect(path, isolation_level=None)
    except sqlite3.DatabaseError:
        con = None
    if con is not None:
        try:
            con.execute("PRAGMA writable_schema=ON")  # reads a file shorter than its header says
            con.execute("PRAGMA query_only=ON")
            damaged = not _quick_check(con)
            rows, bad_rows = _session_rows(con)
            settings = _try(lambda: con.execute("SELECT key, value FROM settings").fetchall(), [])
            for sid in sorted(set(rows) | _event_ids(con, set(rows)) | _ids_on_disk(directory)):
                reads[sid] = _read_session(con, sid)
                damaged = damaged or bad_rows or any(reads[sid][1:])
        except sqlite3.DatabaseError:
            damaged = True
        finally:
            con.close()  # folds the copy's -wal into it, for the page scan
    if damaged:
        _fill_from_pages(path, rows, reads)
    sessions = {sid: _session(sid, rows.get(sid), *read, directory) for sid, read in reads.items()}
    return {"damaged": damaged, "sessions": sessions, "settings": settings}


def _fill_from_pages(path: Path, rows: dict, reads: dict) -> None:
    """Add the rows only the leaf pages still hold, for sessions known by a sessions row
    (or kept audio): events of sessions nobody lists are left, they may be deleted ones."""
    try:
        events, sessions = scan(path)
    except OSError:
        return
    for r in sessions:
        rows.setdefault(r[0], (r[1], r[2], r[3], r[4], r[6], r[7], r[8]))
    found: dict[str, dict[int, tuple]] = {}
    for sid, *row in events:
        if (sid in rows or sid in reads) and _valid(row):
            found.setdefault(sid, {}).setdefault(row[0], tuple(row))
    for sid, more in found.items():
        got, _, tail = reads.get(sid, ([], 0, True))
        merged = {r[0]: r for r in got}
        for seq, r in more.items():
            merged.setdefault(seq, r)
        out = [merged[k] for k in sorted(merged)]
        if out and out[-1][2] == "session-ended":
            tail = False
        reads[sid] = (out, (out[-1][0] + 1 - len(out)) if out else 0, tail)
    for sid in set(rows) - set(reads):
        reads[sid] = ([], 0, True)


def _try(fn, default):
    try:
        return fn()
    except sqlite3.DatabaseError:
        return default


def _quick_check(con: sqlite3.Connection) -> bool:
    """The file checks out and holds pullcoach's tables (a file cut to nothing reads as an
    empty database)."""
    def check() -> bool:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return ({"sessions", "events"} <= names
                and con.execute("PRAGMA quick_check").fetchall() == [("ok",)])
    return _try(check, False)


def _session_rows(con: sqlite3.Connection) -> tuple[dict[str, tuple], bool]:
    """The sessions table by rowid, past damaged pages; and whether any row was lost."""
    got, lost, _ = _read_keyed(
        con, "SELECT rowid, id, started_wall, lang, status, reason, coachee, partner, keep_audio "
             "FROM sessions WHERE rowid >= ? ORDER BY rowid", ())
    return {r[1]: r[2:] for r in got if isinstance(r[1], str)}, bool(lost)


def _event_ids(con: sqlite3.Connection, known: set[str]) -> set[str]:
    """Session ids in the events table the sessions table lost: from each id known, the next
    one either way, until a damaged page stops that walk."""
    found: set[str] = set()
    todo = [("", ">")] + [(sid, d) for sid in known for d in (">", "<")] + [("\U0010ffff", "<")]
    seen = set()
    while todo:
        key, op = todo.pop()
        if (key, op) in seen:
            continue
        seen.add((key, op))
        order = "" if op == ">" else " DESC"
        row = _try(lambda: con.execute(
            f"SELECT session_id FROM events WHERE session_id {op} ? ORDER BY session_id{order} "
            "LIMIT 1", (key,)).fetchone(), None)
        if row and isinstance(row[0], str):
            found.add(row[0])
            todo.append((row[0], op))
    return found - known


def _ids_on_disk(directory: Path) -> set[str]:
    """Sessions whose kept audio lies beside the database."""
    try:
        return {p.name for p in (directory / "audio").iterdir() if p.is_dir()}
    except OSError:
        return set()


def _read_session(con: sqlite3.Connection, sid: str) -> tuple[list[tuple], int, bool]:
    """The rows that read, as (seq, t, type, json); how many are known lost in the middle;
    whether the end is lost."""
    got, lost, tail = _read_keyed(con, "SELECT seq, t, type, json FROM events WHERE session_id = ? "
                                       "AND seq >= ? ORDER BY seq", (sid,))
    rows = [r for r in got if _valid(r)]
    lost += len(got) - len(rows)
    if tail and rows and rows[-1][2] == "session-ended":
        tail = False  # it read to its end; what failed was the next session's page
    return rows, lost, tail


def _valid(row: tuple) -> bool:
    try:
        return isinstance(row[0], int) and isinstance(json.loads(row[3]), dict)
    except (TypeError, ValueError):
        return False


def _read_keyed(con: sqlite3.Connection, sql: str, args: tuple) -> tuple[list[tuple], int, bool]:
    """Rows of ``sql`` (its last parameter: the first key to read from; rows start with the
    integer key), in key order, past the keys SQLite cannot read. Returns the rows, how many
    keys between readable rows were skipped, and whether reading ended in a failure."""
    rows: list[tuple] = []
    lost, key = 0, 0
    while True:
        try:
            for row in con.execute(sql, args + (key,)):
                if not isinstance(row[0], int) or row[0] < key:
                    continue  # out of order: a damaged tree; each key once, ascending
                rows.append(row)
                key = row[0] + 1
            return rows, lost, False
        except sqlite3.DatabaseError:
            pass
        nxt = _next_readable(con, sql + " LIMIT 1", args, key)
        if nxt is None:
            return rows, lost, True
        lost += nxt - key
        key = nxt


def _next_readable(con: sqlite3.Connection, sql: str, args: tuple, bad: int) -> int | None:
    """The first key after ``bad`` (whose read fails) where reading works again, or None.
    Doubling steps to a read that works, then halving back to the first that does."""
    def probe(k: int):  # a row, None at the end, False where it fails
        try:
            return con.execute(sql, args + (k,)).fetchone()
        except sqlite3.DatabaseError:
            return False
    step = 1
    while True:
        good = bad + step
        if good > SEQ_MAX:
            return None
        if probe(good) is not False:
            break
        bad, step = good, step * 2
    while good - bad > 1:
        mid = (bad + good) // 2
        if probe(mid) is False:
            bad = mid
        else:
            good = mid
    row = probe(good)
    return row[0] if row else None


def _session(sid: str, row: tuple | None, events: list[tuple], lost: int, tail_lost: bool,
             directory: Path) -> dict:
    """The rescued session: its row for the new table, its rows and what it kept."""
    started = next((json.loads(e[3]) for e in events if e[2] == "session-started"), {})
    ended = json.loads(events[-1][3]) if events and events[-1][2] == "session-ended" else None
    if row is not None:
        wall, lang, status, reason, coachee, partner, keep = row
    else:
        wall = started.get("wall_clock") or _wall_from_id(sid)
        lang, coachee, partner = (started.get("lang", "nl"), started.get("coachee", "coachee"),
                                  started.get("partner", "partner"))
        keep = 0
        status, reason = ("ended", ended.get("reason")) if ended else ("interrupted", "interrupted")
        if reason == "interrupted":
            status = "interrupted"
    if tail_lost or status == "live":  # nobody writes it any more: cut off here
        status, reason = "interrupted", "interrupted"
    audio = bool(keep) or any((directory / "audio" / sid).glob("*.flac"))
    info = SessionRescue(id=sid, started_wall=float(wall or 0.0), events=len(events),
                         total=None if tail_lost else (events[-1][0] + 1 if events else 0),
                         lost=lost, tail_lost=tail_lost,
                         last_t=max((float(e[1] or 0.0) for e in events), default=0.0), audio=audio,
                         gaps=_stretches(events, tail_lost))
    return {"row": (sid, info.started_wall, lang or "nl", status, reason, coachee or "coachee",
                    partner or "partner", int(audio)),
            "rows": events, "info": info}


def _stretches(events: list[tuple], tail_lost: bool) -> list[tuple[float, float | None]]:
    """The audio-time stretches whose rows were lost (None: to the end)."""
    if not events:
        return []
    seqs = [e[0] for e in events]
    out = [(0.0, float(events[0][1] or 0.0))] if seqs[0] > 0 else []
    out += [(float(a[1] or 0.0), float(b[1] or 0.0))
            for a, b in zip(events, events[1:]) if b[0] - a[0] > 1]
    if tail_lost:
        out.append((float(events[-1][1] or 0.0), None))
    return out


def _wall_from_id(sid: str) -> float:
    """An id made by new_session_id ("20261130-101400-ab12") says when it started."""
    try:
        return time.mktime(time.strptime(sid[:15], "%Y%m%d-%H%M%S"))
    except ValueError:
        return 0.0


def _best(reads: list[dict]) -> tuple[dict, bool]:
    """Per session, the read that kept most rows (the first on a tie)."""
    best: dict = {}
    other = False
    for n, r in enumerate(reads):
        for sid, s in r["sessions"].items():
            if sid not in best or len(s["rows"]) > len(best[sid]["rows"]):
                other = other or (n > 0 and sid in best)
                best[sid] = s
    return best, other


# --- writing ----------------------------------------------------------------------------
def _write(path: Path, sessions: dict, settings: list) -> None:
    """A fresh database at ``path`` with these sessions (a rollback journal, so nothing is
    left beside it; the Store turns on WAL when it opens it)."""
    for p in (path, *(Path(f"{path}{s}") for s in _SIDE), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(con)
        con.execute("BEGIN")
        con.executemany("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", settings)
        for s in sessions.values():
            if not s["rows"]:
                continue
            con.execute("INSERT INTO sessions(id, started_wall, lang, status, reason, coachee, "
                        "partner, keep_audio) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", s["row"])
            con.executemany("INSERT INTO events(session_id, seq, t, type, json) VALUES (?, ?, ?, ?, ?)",
                            [(s["row"][0], *r) for r in s["rows"]] + _gap_rows(s))
        con.execute("COMMIT")
        if con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise sqlite3.DatabaseError(f"the rescued file {path} does not check out")
    finally:
        con.close()


def _gap_rows(s: dict) -> list[tuple]:
    """Rows where rows were lost, on their free seqs: a PipelineWarning "store-rescued" at
    the first lost seq of each stretch, dated between the rows either side; and, when the
    start is lost, a SessionStarted at seq 0 from the sessions table (the report takes the
    language, names and start time from it)."""
    out, rows, sid = [], s["rows"], s["row"][0]
    if not rows:
        return out
    first = rows[0][0]
    if first > 0 and rows[0][2] != "session-started":
        _, wall, lang, _, _, coachee, partner, _ = s["row"]
        start = SessionStarted(session=sid, lang=lang, wall_clock=wall, coachee=coachee,
                               partner=partner)
        out.append((sid, 0, 0.0, type_name(start), to_json(start)))
        if first > 1:
            out.append(_gap(sid, 1, 0.0, rows[0][1], first - 1))
    for before, after in zip(rows, rows[1:]):
        if after[0] - before[0] > 1:
            out.append(_gap(sid, before[0] + 1, before[1], after[1], after[0] - before[0] - 1))
    if s["info"].tail_lost:
        out.append(_gap(sid, rows[-1][0] + 1, rows[-1][1], None, None))
    return out


def _gap(sid: str, seq: int, t0: float, t1: float | None, n: int | None) -> tuple:
    t0 = float(t0 or 0.0)
    what = (f"{n} event(s) from {t0:.1f} s to {t1:.1f} s" if t1 is not None
            else f"the events after {t0:.1f} s")
    w = PipelineWarning(t=t0, kind="store-rescued",
                        message=f"{what} were lost: the session database was damaged and "
                                "`pullcoach sessions rescue` could not read them",
                        detail={"t0": t0, "t1": t1, "events": n})
    return (sid, seq, t0, type_name(w), to_json(w))


def _keep_damaged(db: Path, now: float | None) -> Path:
    """Keep the damaged file and its -wal/-shm in ``damaged/<time>/`` (a hard link for the
    file, so it is never absent; its -wal/-shm are moved: beside the rescued file they would
    spoil it)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now if now is not None else time.time()))
    keep = db.parent / "damaged" / stamp
    n = 1
    while keep.exists():
        n += 1
        keep = db.parent / "damaged" / f"{stamp}-{n}"
    keep.mkdir(mode=0o700, parents=True)
    try:
        os.link(db, keep / db.name)
    except OSError:
        shutil.copy2(db, keep / db.name)
    for side in _SIDE:
        if Path(f"{db}{side}").exists():
            os.replace(f"{db}{side}", keep / f"{db.name}{side}")
    return keep
