"""The session store: every event of every session, appended to SQLite as it happens.

The event log is the truth; figures and reports derive from it. One writer thread owns
the writing connection: ``append`` only serialises the event and queues it, so a sink on
the event loop never waits on the disk. The writer commits each batch it drains (at
least every ``COMMIT_EVERY`` seconds while busy), and WAL with ``synchronous=NORMAL``
keeps every commit across a ``kill -9``.

A write the disk refuses (full, or an I/O error) loses nothing at first: the events wait in
memory (at most ``PENDING_MAX``) and the writer tries again every ``RETRY_S`` until they
land. It says so once, with the directory to free space in, and once more when writing
works again. Events beyond the bound are dropped, and the session gets a ``store-gap``
PipelineWarning saying which stretch is missing.

A write that finds the file damaged (a page of garbage) does what ``pullcoach sessions
rescue`` does: what still reads goes into a fresh sessions.db, the damaged file is kept in
``damaged/<time>/``, and the sessions being written go on there (said once). While another
process has the store open that cannot be done under it: the events wait in memory as
above, until it stops. ``check`` finds such damage before a session starts (about 1 ms).

Events still refused when a run ends (another process held the store to the end) are
saved in ``unsaved/<session id>.jsonl`` beside the database, one stored event JSON a line;
``pullcoach sessions rescue`` puts them in once the store is free (``import_unsaved``: what
is stored already is skipped, so running it twice stores nothing twice).

A Store holds an advisory lock file while open; on open, sessions still "live" whose
owning Store no longer holds its lock (its process died) are marked "interrupted". So a
``pullcoach sessions list`` beside a running service leaves the service's live session
alone.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import sqlite3
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pullcoach.errors import StoreError
from pullcoach.forget import (
    damaged_holding, old_damaged, remove_session_files, session_files, stamp_time,
)
from pullcoach.paths import dir_flag, make_private, protect_data_dir
from pullcoach.rules.events import (
    Event, EventError, PipelineWarning, SessionEnded, SessionStarted, from_json, to_json,
    type_name,
)
from pullcoach.store_schema import migrate

try:  # POSIX advisory locks; elsewhere every other owner counts as gone
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["Store", "StoreDamaged", "DB_NAME", "UNSAVED_DIR", "COMMIT_EVERY", "damaged_text",
           "locked_text", "lock_holders", "rescue_command", "store_users", "unsaved_files"]

log = logging.getLogger(__name__)

DB_NAME = "sessions.db"
COMMIT_EVERY = 0.25  # seconds; the floor is "lose at most the last second"
BUSY_S = 10.0  # seconds to wait for a lock another process holds
RETRY_S = 1.0  # seconds between tries while the disk refuses writes
STALE_LOCK_S = 60.0  # a lock file this old that nobody holds belongs to a dead process
PENDING_MAX = 20_000  # events held in memory meanwhile: ~15 min of a session (~22 events/s)
UNSAVED_DIR = "unsaved"  # events a run ended with unstored: <session id>.jsonl, see above
_STOP = object()


def _db_path(path_or_dir: str | Path) -> Path:
    p = Path(path_or_dir)
    if p.suffix in (".db", ".sqlite", ".sqlite3") and not p.is_dir():
        return p
    return p / DB_NAME


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():  # made private; SQLite gives its -wal/-shm the same mode
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        make_private(name, 0o600)
    con = sqlite3.connect(path, timeout=BUSY_S, check_same_thread=False, isolation_level=None)
    # a deleted session's text is overwritten, not left in free pages (whatever the build's
    # default); checkpoint() then takes it out of the -wal too
    con.execute("PRAGMA secure_delete=ON")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


class StoreDamaged(StoreError):
    """The end-of-run read found the database damaged (its writes had not)."""


class Store:
    """``Store(path_or_dir, retention_days=None)``; see the module docstring.

    ``retention_days``: delete sessions that started more than N days ago, on open.
    None means the persisted setting (``set_retention``), which is off by default.
    """

    def __init__(self, path_or_dir: str | Path, *, retention_days: float | None = None) -> None:
        self.path = _db_path(path_or_dir)
        self.dir = self.path.parent
        self.audio_dir = self.dir / "audio"
        try:
            made = not self.dir.exists()
            self.dir.mkdir(parents=True, exist_ok=True)
            protect_data_dir(self.dir, made)
            self._con = _connect(self.path)
        except (sqlite3.DatabaseError, OSError) as exc:
            if _damaged(exc):  # a file cut short fails already here
                raise StoreError(damaged_text(self.path, exc)) from None
            raise StoreError(f"cannot open the session database {self.path}: {exc}; "
                             "choose another --data-dir") from None
        self._owner = uuid.uuid4().hex
        try:
            migrate(self._con)
            self._lock_file = self._take_lock()
            try:
                self._mark_interrupted()
            except sqlite3.DatabaseError:
                self._release_lock()
                raise
        except (sqlite3.DatabaseError, StoreError) as exc:
            self._con.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(self._open_failure(exc)) from None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._seq: dict[str, int] = {}
        self._error: BaseException | None = None
        self._pending: list[tuple] = []  # ("event", ...) items the disk refused, in order
        self._lost: dict[str, list[float]] = {}  # session -> [n, t0, t1] dropped past the bound
        self._failing: str | None = None  # the message said when writes began to fail
        self._cause = ""  # its first part: why they fail
        self._lost_said = False
        self._live: dict[str, tuple] = {}  # session -> (SessionStarted, json), until it ends
        self.switched: Path | None = None  # where a damaged file went when writing moved on
        self.unstored: dict[str, int] = {}  # session -> events not stored, without a gap row
        self._spilled: dict[str, Path] = {}  # session -> its unsaved file written by this Store
        self._damage_seen: str | None = None  # damage a read of this Store found
        self._closed = False
        self.removed: list[Path] = []  # files the last delete or prune removed
        self.removed_damaged: list[Path] = []  # damaged/<time>/ folders the last prune removed
        self.checkpointed = True  # whether the last delete or prune emptied the -wal
        self._thread = threading.Thread(target=self._run, name="pullcoach-store", daemon=True)
        self._thread.start()
        days = retention_days if retention_days is not None else self.retention()
        if days:
            self.prune(days)

    # --- writing -------------------------------------------------------------------
    def append(self, session_id: str, event: Event) -> None:
        """Queue one event; never waits on the disk."""
        if self._closed:
            raise StoreError("the store is closed; open a new Store to append")
        self._queue.put(("event", session_id, event, to_json(event)))

    def sink(self, session_id: str, event: Event) -> None:
        """A LiveSession sink: ``session.add_sink(store.sink)``."""
        self.append(session_id, event)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything appended so far is committed."""
        if self._closed:
            return
        done, failed = threading.Event(), []
        self._queue.put(("flush", done, failed))
        if not done.wait(timeout):
            raise StoreError(self._failing or "the session store did not commit within "
                             f"{timeout:.0f} s; is the disk full or very slow?")
        if failed:
            raise StoreError(failed[0])

    def not_stored(self, session_id: str) -> tuple[int, str]:
        """The end-of-run check. After a flush: how many events of the session are not in
        the database (waiting in memory, or dropped with no gap row to say so), and why;
        (0, "") when ``pullcoach report`` gives it whole. Events still waiting are saved in
        ``unsaved/<id>.jsonl`` too (the why says where, and the command that stores them);
        they stay in memory and land if the store frees up before the end. With everything
        stored, the session is read back: damage only that read finds raises StoreDamaged."""
        self._synced()
        waiting, path, failed = self._ask_spill(session_id)
        n = self.unstored.get(session_id, 0) + waiting
        if not n:
            if self._failing is None:  # (writes that fail said why already)
                self._read_back(session_id)
            return 0, ""
        why = self._failing or (damaged_text(self.path, self._error) if self._error is not None
                                and _damaged(self._error) else str(self._error or ""))
        if waiting:
            why = (self._cause or why) + ". Until this process ends they wait in memory (and are "
            why += ("stored if the store frees up); "
                    + spilled_text(self.path, session_id, path, too=True)
                    if path else f"stored if the store frees up); saving them in "
                    f"{unsaved_path(self.dir, session_id)} failed too ({failed}): they are lost "
                    "when it ends unless the store frees up first")
        return n, why

    def _ask_spill(self, session_id: str) -> tuple[int, Path | None, str]:
        """Have the writer save the session's waiting events: (how many, the file, or None
        and why it could not be written)."""
        if self._closed:
            return 0, None, ""
        done, out = threading.Event(), []
        self._queue.put(("spill", session_id, done, out))
        if not done.wait(BUSY_S * 3) or not out:
            return 0, None, ""
        return out[0]

    def _read_back(self, session_id: str) -> None:
        """Read the session as its report does (and the pages the next session writes): a
        damaged file SQLite's writes did not notice raises StoreDamaged, with how much of
        the session still reads."""
        seen = self._damage_seen
        try:
            with self._reader_closing() as con:
                _read_where_sessions_write(con)
                con.execute("SELECT seq, json FROM events WHERE session_id = ? ORDER BY seq",
                            (session_id,)).fetchall()
                agg: dict = {}
                _aggregate(con, agg, session_id)
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc):
                raise StoreError(self._failure_text(exc)) from None
            seen = damaged_text(self.path, exc)
        if seen is None:
            return
        from pullcoach.rescue import readable_events
        try:
            with self._reader_closing() as con:
                kept = readable_events(con, session_id)
        except sqlite3.Error:
            kept = None
        written = self._seq.get(session_id)
        reads = ("none of its events read back" if not kept else
                 f"{kept} of its {written} events read back" if written and kept < written
                 else "its events read back; the damage is elsewhere in the file")
        raise StoreDamaged(f"{seen} ({reads})")

    def _synced(self) -> None:
        """Flush before reading, but read what is stored while the disk refuses writes."""
        try:
            self.flush()
        except StoreError as exc:
            log.debug("reading without the unwritten events: %s", exc)

    def delete(self, session_id: str) -> bool:
        """Remove a session: its events, any kept audio, its reports, unsaved events and the
        debriefs that cover it (``forget``); the files removed are in ``self.removed``. Its
        text is then in neither the database nor its -wal (``checkpoint``). True if it
        existed. A live session is refused: its writer would go on and bring back a damaged
        copy. What still holds it afterwards: ``leftovers``."""
        def drop(con: sqlite3.Connection) -> tuple[bool, dict]:
            row = con.execute("SELECT status FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row and row[0] == "live":  # not cut off at open: its writer holds its lock
                raise StoreError(f"session {session_id} is live (a pullcoach run or serve is "
                                 "recording it); end it first (Ctrl-C in its run, or the "
                                 "trainer's end button), then delete")
            self._seq.pop(session_id, None)
            starts = dict(con.execute("SELECT id, started_wall FROM sessions"))
            return con.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0, starts
        existed, starts = self._call(drop)
        self._forget({session_id: starts.get(session_id)}, starts)
        return existed

    def _forget(self, gone: dict[str, float | None], starts: dict[str, float]) -> None:
        """After rows are deleted: their files, and the text out of the -wal."""
        self.removed = []
        if not gone:
            return
        for sid in gone:
            audio = self.audio_dir / sid
            if audio.exists():
                shutil.rmtree(audio, ignore_errors=True)
                self.removed.append(audio)
        self.removed += remove_session_files(self.dir, gone, starts)
        self.checkpointed = self.checkpoint()

    def forget_leftovers(self, session_id: str) -> bool:
        """A session no longer stored (deleted before delete removed its files): remove
        what it left, as ``delete`` does. False when nothing of it is there."""
        left = session_files(self.dir, session_id) + [self.audio_dir / session_id]
        left += (self.dir / "reports").glob(f"debrief-{session_id}.*")
        if not any(p.exists() for p in left):
            return False
        with self._reading() as con:
            starts = dict(con.execute("SELECT id, started_wall FROM sessions"))
        if session_id in starts:
            raise StoreError(f"session {session_id} is stored: delete it")
        self._forget({session_id: stamp_time(session_id)}, starts)
        return True

    def checkpoint(self) -> bool:
        """Copy the -wal into the database and empty it (TRUNCATE): with secure_delete, the
        text of deleted rows is then in neither file. False when another process (a serve)
        kept it from finishing: the -wal is emptied at its next checkpoint."""
        try:
            con = sqlite3.connect(self.path, timeout=5.0)
            try:
                busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error as exc:
            log.warning("checkpointing %s failed: %s", self.path, exc)
            return False
        return busy == 0

    def leftovers(self, session_id: str) -> tuple[list[Path], list[str]]:
        """What may still show a deleted session: the damaged/<time>/ copies holding its
        text, and the other processes with the store open (a serve's dashboards open now
        drop it within seconds)."""
        return (damaged_holding(self.dir, session_id),
                store_users(self.path, mine=self._lock_path(self._owner)))

    def _call(self, fn, timeout: float = 10.0):
        """Run ``fn(connection)`` on the writer thread, inside its transaction."""
        if self._closed:
            raise StoreError("the store is closed; open a new Store")
        fut: Future = Future()
        self._queue.put(("call", fn, fut))
        try:
            return fut.result(timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"the session database refused a change: {exc}") from None

    def close(self) -> None:
        if self._closed:
            return
        self._queue.put(("stop", None))
        # a held store makes each try wait BUSY_S: the one in progress, then the last
        self._thread.join(timeout=2 * BUSY_S + 5.0)
        self._closed = True
        if self._thread.is_alive():  # closing its connection under it crashes the process
            log.error("the session store's writer did not stop within %.0f s", 2 * BUSY_S + 5.0)
        else:
            self._con.close()
        self._release_lock()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------
    def sessions(self) -> list[dict[str, Any]]:
        """All sessions, newest first: id, started_wall, lang, status, reason, duration,
        counts (events per type name), coachee, partner."""
        self._synced()
        self.damaged = []  # sessions whose events a damaged file does not give back
        with self._reading() as con:
            rows = con.execute(
                "SELECT id, started_wall, lang, status, reason, coachee, partner, keep_audio "
                "FROM sessions ORDER BY started_wall DESC, id").fetchall()
            agg: dict[str, dict] = {}
            try:
                _aggregate(con, agg, "")
            except sqlite3.DatabaseError as exc:
                if not _damaged(exc):
                    raise
                broken = str(exc)
                self._damage_seen = damaged_text(self.path, exc)
                agg = {}  # one by one: a damaged page spoils only the sessions on it
                for sid, *_ in rows:
                    try:
                        _aggregate(con, agg, sid)
                    except sqlite3.DatabaseError as one:
                        if not _damaged(one):
                            raise
                        self.damaged.append(sid)
                        agg.pop(sid, None)
                log.error("%s; %s", damaged_text(self.path, broken),
                          f"sessions not readable: {', '.join(self.damaged)}" if self.damaged
                          else "every session still reads")
        out = []
        for sid, wall, lang, status, reason, coachee, partner, keep in rows:
            a = agg.get(sid, {"counts": {}, "t": 0.0})
            if sid in self.damaged:
                status = "damaged"
            out.append({"id": sid, "started_wall": wall, "lang": lang, "status": status,
                        "reason": reason, "duration": round(a["t"], 3),
                        "counts": a["counts"], "coachee": coachee, "partner": partner,
                        "audio_kept": bool(keep) or self._audio_on_disk(sid)})
        return out

    def ids(self) -> set[str]:
        """The ids of the sessions stored now: one small read, no flush and no counts (a
        running serve asks every few seconds which ones ``sessions delete`` took out)."""
        with self._reading() as con:
            return {sid for (sid,) in con.execute("SELECT id FROM sessions")}

    def _audio_on_disk(self, session_id: str) -> bool:
        """FLAC of this session beside the database: a run killed before its end never
        marked it kept, but the files are there (and the report must not say otherwise)."""
        try:
            return any((self.audio_dir / session_id).glob("*.flac"))
        except OSError:
            return False

    def events(self, session_id: str, skip: tuple[str, ...] = ()) -> list[Event]:
        """The session's events in the order they were appended; ``skip``: event type names
        left unread (a trainer's history needs no ticks: ~20x faster on a long session)."""
        self._synced()
        with self._reading() as con:
            rows = con.execute("SELECT seq, json FROM events WHERE session_id = ? AND type NOT IN "
                               f"({', '.join('?' * len(skip))}) ORDER BY seq",
                               (session_id, *skip)).fetchall()
        out = []
        for seq, text in rows:
            try:
                out.append(from_json(text))
            except EventError as exc:  # a newer event version; skip, don't fail the report
                log.warning("session %s event %d unreadable: %s", session_id, seq, exc)
        return out

    def resolve(self, ref: str, say=None) -> str:
        """A session id from an id, a unique id prefix, or "last": the newest session but
        for false starts and demos after it (``debrief.false_start``, ``is_demo``), unless
        there is nothing else. When it skips any it says so: ``say(text)``, by default on
        stderr."""
        items = self.sessions()
        if ref == "last":
            if not items:
                raise StoreError(f"no sessions stored in {self.dir}")
            return _last(items, say or _to_stderr)
        ids = [s["id"] for s in items]
        if ref in ids:
            return ref
        hits = [i for i in ids if i.startswith(ref)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            waiting = [p for p, sid in unsaved_files(self.dir) if sid.startswith(ref)]
            if waiting:
                raise StoreError(f"session {ref!r} is not in {self.path.name} yet: its events wait "
                                 f"in {waiting[0]}; `{rescue_command(self.path)}` stores them")
            raise StoreError(f"no session {ref!r} in {self.dir}; "
                             f"`pullcoach sessions list{dir_flag(self.dir)}` shows the ids")
        raise StoreError(f"{ref!r} matches {len(hits)} sessions; give more of the id")

    def check(self) -> str | None:
        """Read the pages a new session writes to (the sessions table and its index, the
        end of the events tree, the settings): a damaged one is said here, before a
        session starts, rather than by its first write. None when they read. About a
        millisecond, whatever the size (a full ``PRAGMA quick_check`` of 100 sessions of
        10 minutes reads 400 MB: 1.5 s warm, far more cold)."""
        try:
            with self._reader_closing() as con:
                _read_where_sessions_write(con)
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                return damaged_text(self.path, exc)
            raise StoreError(self._failure_text(exc)) from None
        return None

    # --- settings and retention ----------------------------------------------------
    def retention(self) -> float | None:
        """The persisted retention in days, or None (keep everything)."""
        with self._reading() as con:
            row = con.execute("SELECT value FROM settings WHERE key = 'retention_days'").fetchone()
        return float(row[0]) if row and row[0] else None

    def set_retention(self, days: float | None) -> None:
        self._call(lambda con: con.execute(
            "INSERT OR REPLACE INTO settings(key, value) VALUES ('retention_days', ?)",
            (str(days) if days else "",)))

    def prune(self, days: float) -> list[str]:
        """Delete finished sessions that started more than ``days`` days ago, with their
        files as ``delete`` does (``self.removed``), and the damaged/<time>/ copies set
        aside more than ``days`` ago (``self.removed_damaged``)."""
        gone, starts = self._call(lambda con: _prune(con, days))
        self._forget(gone, starts)
        self.removed_damaged = old_damaged(self.dir, days)
        return list(gone)

    def mark_audio_kept(self, session_id: str) -> None:
        """Record that audio of this session lies beside the database (for the report)."""
        self._call(lambda con: con.execute(
            "UPDATE sessions SET keep_audio = 1 WHERE id = ?", (session_id,)))

    def row(self, session_id: str) -> dict[str, Any] | None:
        """The session's row (status, names, start) and its last event time, or None."""
        self._synced()
        with self._reading() as con:
            row = con.execute("SELECT status, lang, coachee, partner, started_wall FROM sessions "
                              "WHERE id = ?", (session_id,)).fetchone()
            t = con.execute("SELECT MAX(t) FROM events WHERE session_id = ?", (session_id,)).fetchone()
        if row is None:
            return None
        return dict(zip(("status", "lang", "coachee", "partner", "started_wall"), row), t=t[0] or 0.0)

    def reopen(self, session_id: str) -> None:
        """An interrupted session goes on in this process (a revived capture session)."""
        self._call(lambda con: con.execute(
            "UPDATE sessions SET status = 'live', reason = NULL, owner = ? WHERE id = ?",
            (self._owner, session_id)))
        self._live.setdefault(session_id, (None, None))

    # --- the writer thread ---------------------------------------------------------
    def _run(self) -> None:
        stop = False
        while not stop:
            try:  # with events waiting for the disk, wake up to try again
                batch = [self._queue.get(timeout=RETRY_S if self._pending else None)]
            except queue.Empty:
                batch = []
            deadline = time.monotonic() + COMMIT_EVERY
            while time.monotonic() < deadline:  # drain what is there, bounded in time
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            batch, self._pending = self._pending + batch, []
            # sorted out first: a failing write must not hide a flush or stop behind it
            flushes = [item for item in batch if item[0] == "flush"]
            calls = [item[2] for item in batch if item[0] == "call"]
            spills = [item for item in batch if item[0] == "spill"]
            stop = any(item[0] == "stop" for item in batch)
            results: list[tuple[Future, object]] = []  # handed out after COMMIT: a reader sees them
            seq = dict(self._seq)
            try:
                try:
                    self._commit(batch, results)
                except sqlite3.Error as exc:
                    self._rollback()
                    self._seq = seq
                    if not (_damaged(exc) and self._switch(exc)):
                        raise
                    results, seq = [], {}  # the same batch, in the fresh file
                    self._commit(batch, results)
            except sqlite3.Error as exc:
                self._rollback()
                self._seq = seq  # the same events get the same numbers on the next try
                self._refused(exc, [item for item in batch if item[0] == "event"], stop)
                for fut in calls:
                    if not fut.done():
                        fut.set_exception(exc)
                for item in flushes:
                    item[2].append(self._failing or f"writing the session database failed: {exc}")
            else:
                self._lost, self._lost_said = {}, False
                self._note_live(batch)
                if self._failing is not None:
                    log.warning("the session store writes again in %s; nothing waits in memory "
                                "any more", self.dir)
                    self._failing, self._error = None, None
                for fut, result in results:
                    fut.set_result(result)
                self._landed()
            for item in spills:
                item[3].append(self._spill(item[1]))
                item[2].set()
            for item in flushes:
                item[1].set()

    def _commit(self, batch: list[tuple], results: list) -> None:
        self._con.execute("BEGIN")
        for item in batch:
            if item[0] == "event":
                self._write(*item[1:])
            elif item[0] == "call" and not item[2].done():
                self._run_call(item[1], item[2], results)
        self._write_gaps()
        self._con.execute("COMMIT")

    def _spill(self, session_id: str, items: list[tuple] | None = None) -> tuple[int, Path | None, str]:
        """Save the session's waiting events (or ``items``) in its unsaved file, whole each
        time (written aside, then renamed: never half a file). (n, path, "") or (n, None, why)."""
        if items is None:
            items = [i for i in self._pending if i[0] == "event" and i[1] == session_id]
        if not items:
            return 0, None, ""
        path = self._spilled.get(session_id) or _free_unsaved_path(self.dir, session_id)
        tmp = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as f:
                f.writelines(item[3] + "\n" for item in items)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return len(items), None, exc.strerror or str(exc)
        self._spilled[session_id] = path
        return len(items), path, ""

    def _landed(self) -> None:
        """A commit went through: what this Store saved in unsaved files is stored now."""
        for sid, path in list(self._spilled.items()):
            if not any(i[1] == sid for i in self._pending):
                path.unlink(missing_ok=True)
                del self._spilled[sid]
                log.warning("the events of session %s that waited are stored after all; %s "
                            "is removed", sid, path)

    def _rollback(self) -> None:
        try:
            self._con.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _note_live(self, batch: list[tuple]) -> None:
        """The sessions this Store is writing, with their start (stored by now)."""
        for item in batch:
            if item[0] == "event" and isinstance(item[2], SessionStarted):
                self._live[item[1]] = (item[2], item[3])
            elif item[0] == "event" and isinstance(item[2], SessionEnded):
                self._live.pop(item[1], None)

    def _switch(self, exc: sqlite3.Error) -> bool:
        """A write found the file damaged: rescue what still reads into a fresh sessions.db
        (the damaged file kept in damaged/, as ``pullcoach sessions rescue`` does) and go on
        writing there. False while another process has the store open: no swap under it."""
        from pullcoach.rescue import rescue
        mine = self._lock_path(self._owner)
        if store_users(self.path, mine=mine):
            return False
        closed = []
        def close() -> None:
            self._con.close()
            closed.append(True)
        try:
            out = rescue(self.dir, mine=mine, before_swap=close)
        except (OSError, sqlite3.Error) as err:
            log.error("rescuing the damaged session database %s failed: %s", self.path, err)
            out = None
        if closed:
            self._con = _connect(self.path)
        if out is None or not out.swapped:
            return False
        self._seq = {}  # numbers go on from what the fresh file holds
        self._con.execute("BEGIN")
        try:
            for sid, (start, text) in self._live.items():
                self._reattach(sid, start, text)
            self._con.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()
            raise
        self.switched = out.kept_dir
        lost = [s.id for s in out.sessions if not s.whole] + out.unreadable
        log.error("the session database %s is damaged (%s): pullcoach moved it to %s and goes on "
                  "in a fresh %s with every session that still reads; the sessions being recorded "
                  "are safe%s", self.path, exc, out.kept_dir, self.path.name,
                  f"; not whole: {', '.join(lost)} (`pullcoach sessions list{dir_flag(self.dir)}`)"
                  if lost else "")
        return True

    def _reattach(self, sid: str, start: SessionStarted, text: str) -> None:
        """A session this Store is writing goes on in the rescued file: live and ours again;
        if none of it read back, from its start, with the gap said."""
        con = self._con
        if start is None or con.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone():
            con.execute("UPDATE sessions SET status = 'live', reason = NULL, owner = ? "
                        "WHERE id = ?", (self._owner, sid))
            return
        self._write(sid, start, text)
        gap = PipelineWarning(t=0.0, kind="store-rescued",
                              message="the events stored before the session database was found "
                                      "damaged did not read back: they are missing here",
                              detail={"t0": 0.0, "t1": None, "events": None})
        self._write(sid, gap, to_json(gap))

    def _refused(self, exc: sqlite3.Error, events: list[tuple], stopping: bool) -> None:
        """The disk refused a batch: keep its events for the next try (bounded), say so once."""
        self._error = exc
        damaged = _damaged(exc)
        retry = (isinstance(exc, sqlite3.OperationalError) or damaged) and not stopping
        if not retry:  # a bad statement, or the end: these cannot be written
            why = (self._failing or damaged_text(self.path, exc) if damaged
                   else f"session store write failed: {exc}")
            log.error("%s; %d event(s) not stored", why, len(events))
            kept = isinstance(exc, sqlite3.OperationalError) or damaged  # the end, still refused
            for item in events:
                if not kept:
                    self._count_lost(item)
                self.unstored[item[1]] = self.unstored.get(item[1], 0) + 1
            if kept:
                self._spill_all(events)
            return
        keep = events[:PENDING_MAX]
        for item in events[PENDING_MAX:]:  # the first and last event of a session stay
            if isinstance(item[2], (SessionStarted, SessionEnded)):
                keep.append(item)
            else:
                self._count_lost(item)
        self._pending = keep
        if self._failing is None:
            code = getattr(exc, "sqlite_errorcode", None)
            full = code == sqlite3.SQLITE_FULL
            why = (f"the disk holding {self.dir} is full" if full
                   else locked_text(self.path).split(": stop that")[0]
                   if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                   else f"the session database {self.path} is damaged ({exc})" if damaged
                   else f"the session database {self.path} cannot be written ({exc})")
            users = store_users(self.path, mine=self._lock_path(self._owner)) if damaged else []
            self._cause = why
            self._failing = (f"{why}: sessions are not being stored; their events wait in memory "
                             f"(up to {PENDING_MAX}, about 15 minutes) and are written as soon as "
                             + ("space is freed there (df -h " + str(self.dir) + ")" if full
                                else f"{', '.join(users)} stop(s) using it: then the damaged "
                                     "file is set aside and they go into a fresh one" if damaged
                                else "it can be written again"))
            log.error("%s", self._failing)
        if len(events) > PENDING_MAX and not self._lost_said:
            self._lost_said = True
            log.error("the session store still cannot write to %s: events from now on are "
                      "dropped; the report marks the gap", self.dir)

    def _spill_all(self, events: list[tuple]) -> None:
        """The store closes with events refused: save each session's in its unsaved file."""
        for sid in dict.fromkeys(item[1] for item in events):
            n, path, failed = self._spill(sid, [i for i in events if i[1] == sid])
            if path is not None:
                log.error("session %s: %s", sid, spilled_text(self.path, sid, path, n))
            else:
                log.error("session %s: saving its %d unstored event(s) in %s failed too (%s): "
                          "they are lost", sid, n, unsaved_path(self.dir, sid), failed)

    def import_unsaved(self) -> list[tuple[Path, str, int, int]]:
        """Store the events of every unsaved file (see the module docstring), skipping those
        stored already; each file is removed once its events are in. Per file: (file,
        session, events stored, events that were stored already)."""
        out = []
        for path, sid in unsaved_files(self.dir):
            texts = [t for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
            events = []
            for text in texts:
                try:
                    events.append((from_json(text), text))
                except (EventError, ValueError) as exc:
                    raise StoreError(f"{path}: a line is not a pullcoach event ({exc}); "
                                     "nothing of it was stored") from None
            added = self._call(lambda con: self._import(con, sid, events))
            path.unlink()
            out.append((path, sid, added, len(events) - added))
        return out

    def _import(self, con: sqlite3.Connection, sid: str, events: list[tuple]) -> int:
        have: dict[str, int] = {}
        for (text,) in con.execute("SELECT json FROM events WHERE session_id = ?", (sid,)):
            have[text] = have.get(text, 0) + 1
        self._seq.pop(sid, None)
        added = 0
        for event, text in events:
            if have.get(text):
                have[text] -= 1
                continue
            self._write(sid, event, text)
            added += 1
        self._seq.pop(sid, None)
        con.execute("UPDATE sessions SET status = 'interrupted', reason = 'interrupted' "
                    "WHERE id = ? AND status = 'live' AND owner = ?", (sid, self._owner))
        return added

    def _count_lost(self, item: tuple) -> None:
        t = float(getattr(item[2], "t", 0.0) or 0.0)
        n, t0, t1 = self._lost.get(item[1], [0, t, t])
        self._lost[item[1]] = [n + 1, min(t0, t), max(t1, t)]

    def _write_gaps(self) -> None:
        """Mark, in each session that lost events, the stretch they came from."""
        for sid, (n, t0, t1) in self._lost.items():
            gap = PipelineWarning(t=t0, kind="store-gap",
                                  message=f"{int(n)} event(s) from {t0:.1f} s to {t1:.1f} s were "
                                          "not stored (the session database could not be written)",
                                  detail={"t0": t0, "t1": t1, "events": int(n)})
            self._write(sid, gap, to_json(gap))

    def _run_call(self, fn, fut: Future, results: list) -> None:
        self._con.execute("SAVEPOINT call")
        try:
            result = fn(self._con)
        except BaseException as exc:  # hand it to the caller, keep the batch
            self._con.execute("ROLLBACK TO call")
            self._con.execute("RELEASE call")
            fut.set_exception(exc)
        else:
            self._con.execute("RELEASE call")
            results.append((fut, result))

    def _write(self, session_id: str, event: Event, text: str) -> None:
        con = self._con
        seq = self._seq.get(session_id)
        if seq is None:
            row = con.execute("SELECT MAX(seq) FROM events WHERE session_id = ?",
                              (session_id,)).fetchone()
            seq = (row[0] + 1) if row and row[0] is not None else 0
        if isinstance(event, SessionStarted):
            wall = event.wall_clock or time.time()
            con.execute(
                "INSERT INTO sessions(id, started_wall, lang, status, owner, coachee, partner) "
                "VALUES (?, ?, ?, 'live', ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "started_wall = excluded.started_wall, lang = excluded.lang, status = 'live', "
                "reason = NULL, owner = excluded.owner, coachee = excluded.coachee, "
                "partner = excluded.partner",
                (session_id, wall, event.lang, self._owner, event.coachee, event.partner))
        else:
            con.execute("INSERT OR IGNORE INTO sessions(id, started_wall, status, owner) "
                        "VALUES (?, ?, 'live', ?)", (session_id, time.time(), self._owner))
        if isinstance(event, SessionEnded):
            status = "interrupted" if event.reason == "interrupted" else "ended"
            con.execute("UPDATE sessions SET status = ?, reason = ? WHERE id = ?",
                        (status, event.reason, session_id))
        con.execute("INSERT INTO events(session_id, seq, t, type, json) VALUES (?, ?, ?, ?, ?)",
                    (session_id, seq, float(getattr(event, "t", 0.0)), type_name(event), text))
        self._seq[session_id] = seq + 1

    # --- ownership -----------------------------------------------------------------
    def _lock_path(self, owner: str) -> Path:
        return self.dir / "locks" / f"{owner}.lock"

    def _take_lock(self):
        path = self._lock_path(self._owner)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        f = open(path, "w")
        if fcntl is not None:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._sweep_locks()
        return f

    def _sweep_locks(self) -> None:
        """Remove lock files of processes that died (kill -9 leaves them). Only old ones: a
        file just created is about to be locked by its process."""
        for path in (self.dir / "locks").glob("*.lock"):
            owner = path.stem
            try:
                if owner == self._owner or time.time() - path.stat().st_mtime < STALE_LOCK_S:
                    continue
            except OSError:
                continue
            self._owner_alive(owner)  # unlinks the file when nobody holds it

    def _release_lock(self) -> None:
        try:
            self._lock_file.close()
            self._lock_path(self._owner).unlink(missing_ok=True)
        except OSError:
            pass

    def _owner_alive(self, owner: str | None) -> bool:
        if not owner or fcntl is None:
            return False
        path = self._lock_path(owner)
        if not path.exists():
            return False
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True  # someone holds it
            fcntl.flock(f, fcntl.LOCK_UN)
        path.unlink(missing_ok=True)
        return False

    def _mark_interrupted(self) -> None:
        live = self._con.execute("SELECT id, owner FROM sessions WHERE status = 'live'").fetchall()
        gone = [sid for sid, owner in live if not self._owner_alive(owner)]
        self.interrupted = gone  # cut off by a crash or a kill, found at this open
        if gone:
            with self._con:
                self._con.executemany(
                    "UPDATE sessions SET status = 'interrupted', reason = 'interrupted' "
                    "WHERE id = ?", [(s,) for s in gone])
            log.info("marked %d session(s) interrupted: %s", len(gone), ", ".join(gone))

    def _reader(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10.0)
        con.execute("PRAGMA secure_delete=ON")  # (reads only; every connection alike)
        con.execute("PRAGMA query_only=ON")
        return con

    @contextmanager
    def _reader_closing(self):
        con = self._reader()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _reading(self):
        """A reading connection; a damaged file becomes a StoreError saying what to do."""
        con = self._reader()
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                self._damage_seen = damaged_text(self.path, exc)
            raise StoreError(self._failure_text(exc)) from None
        finally:
            con.close()

    def _open_failure(self, exc: sqlite3.Error) -> str:
        if _damaged(exc):
            return damaged_text(self.path, exc)
        if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return locked_text(self.path)
        return (f"cannot open the session database {self.path}: {exc}; choose another "
                "--data-dir")

    def _failure_text(self, exc: sqlite3.Error) -> str:
        if not _damaged(exc):
            return f"reading the session database {self.path} failed: {exc}"
        return damaged_text(self.path, exc)


def _last(items: list[dict], say) -> str:
    """The newest session worth a report (``Store.resolve``'s "last")."""
    from pullcoach.debrief import false_start, is_demo
    from pullcoach.report_text import clock
    skipped = []
    for s in items:
        if s["status"] == "live" or not (false_start(s) or is_demo(s)):
            break
        skipped.append(s)
    else:
        return items[0]["id"]  # nothing but false starts and demos: the newest of them
    if skipped:
        s = items[len(skipped)]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s["started_wall"]))
        what = ", ".join(f"{x['id']} ({'demo' if is_demo(x) else 'a start of ' + clock(x['duration'])})"
                         for x in skipped[:3]) + (" …" if len(skipped) > 3 else "")
        say(f"'last' is {s['id']} ({s['coachee']} ↔ {s['partner']}, {when}, "
            f"{clock(s['duration'])}): skipped {len(skipped)} shorter session(s) after it with "
            f"nothing to report: {what}; give its id to see one")
    return items[len(skipped)]["id"]


def _to_stderr(text: str) -> None:
    import sys
    print(text, file=sys.stderr)


def _read_where_sessions_write(con: sqlite3.Connection) -> None:
    for sql in ("SELECT COUNT(*), MAX(started_wall) FROM sessions NOT INDEXED",
                "SELECT COUNT(*) FROM sessions INDEXED BY sqlite_autoindex_sessions_1 WHERE id > ''",
                "SELECT session_id, seq FROM events ORDER BY session_id DESC, seq DESC LIMIT 1",
                "SELECT COUNT(*) FROM settings"):
        con.execute(sql).fetchall()


def damaged_file(directory: Path) -> str | None:
    """``Store.check`` without opening a Store (which would take the store and mark the
    sessions a crash cut off): for `serve`, before it spends seconds loading the model.
    None when there is no database yet, or it reads (or cannot be read for another reason:
    the Store's own open says that)."""
    path = Path(directory) / DB_NAME
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10.0)
    except sqlite3.Error:
        return None
    try:
        _read_where_sessions_write(con)
    except sqlite3.DatabaseError as exc:
        return damaged_text(path, exc) if _damaged(exc) else None
    finally:
        con.close()
    return None


def _quoted(session_id: str) -> str:
    return urllib.parse.quote(session_id, safe="-_").replace(".", "%2E")


def unsaved_path(directory: Path, session_id: str) -> Path:
    """Where a run saves the events of ``session_id`` it could not store."""
    return Path(directory) / UNSAVED_DIR / f"{_quoted(session_id)}.jsonl"


def _free_unsaved_path(directory: Path, session_id: str) -> Path:
    """``unsaved_path``, or beside it when an earlier run's file for the session waits there."""
    path, n = unsaved_path(directory, session_id), 1
    while path.exists():
        n += 1
        path = path.with_name(f"{_quoted(session_id)}.{n}.jsonl")
    return path


def unsaved_files(directory: Path) -> list[tuple[Path, str]]:
    """The unsaved files waiting in ``directory``, oldest first, with their session ids."""
    try:
        paths = sorted((Path(directory) / UNSAVED_DIR).glob("*.jsonl"),
                       key=lambda p: (p.stat().st_mtime, p.name))
    except OSError:
        return []
    return [(p, urllib.parse.unquote(p.name.split(".")[0])) for p in paths]


def spilled_text(db: Path, session_id: str, path: Path, n: int | None = None,
                 too: bool = False) -> str:
    """Where the unstored events went, and the commands that store them and show the report."""
    what = f"its {n} unstored event(s) are" if n else "they are"
    return (f"{what} saved in {path}{' too' if too else ''}: once nothing else uses the store, "
            f"`{rescue_command(db)}` stores them (twice stores nothing twice), then "
            f"`pullcoach report {session_id}{dir_flag(db.parent)}` shows the whole session")


def _damaged(exc: BaseException) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def locked_text(path: Path) -> str:
    """Who holds the database locked, and what to do (never: move a file in use)."""
    who = ", ".join(f"pid {pid} (`{cmd}`)" if cmd else f"pid {pid}" for pid, cmd in lock_holders(path))
    who = who or ("another process: a pullcoach run, demo or serve using this data dir, or a "
                  "sqlite3 shell or database browser with the file open")
    return (f"the session database {path} is locked by {who}: stop that (or let it finish "
            "its write) and try again, or choose another --data-dir; do not move the file "
            "while it is in use, that loses what it is writing")


def lock_holders(path: Path) -> list[tuple[int, str]]:
    """Processes holding a write lock on the database or its -shm (Linux: /proc/locks);
    [] where that is not known."""
    return _holders([path, Path(f"{path}-shm")], ("WRITE",))


def store_users(path: Path, mine: Path | None = None) -> list[str]:
    """Who has the database at ``path`` open now, one description each: a pullcoach Store
    (its lock file is held) or another process with a lock on the file (a sqlite3 shell).
    [] when nobody does, so its file may be replaced. ``mine``: a lock file of the asking
    Store, not counted."""
    out: list[str] = []
    held = []
    for lock in sorted((path.parent / "locks").glob("*.lock")):
        if mine is not None and lock == mine:
            continue
        try:
            with open(lock, "a") as f:
                if fcntl is None:
                    continue
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    held.append(lock)
                else:
                    fcntl.flock(f, fcntl.LOCK_UN)
        except OSError:
            continue
    pids = _holders(held, ("READ", "WRITE"))
    out += [f"pid {pid} (`{cmd}`)" if cmd else f"pid {pid}" for pid, cmd in pids]
    if held and not pids:
        out.append(f"a pullcoach process (lock file {held[0]})")
    for pid, cmd in _holders([path, Path(f"{path}-shm")], ("READ", "WRITE")):
        text = f"pid {pid} (`{cmd}`)" if cmd else f"pid {pid}"
        if not any(o.startswith(f"pid {pid} ") or o == f"pid {pid}" for o in out):
            out.append(text)
    return out


def _holders(paths: list[Path], kinds: tuple[str, ...]) -> list[tuple[int, str]]:
    """Other processes holding a lock of ``kinds`` on any of ``paths`` (/proc/locks)."""
    inodes = set()
    for p in paths:
        try:
            inodes.add(p.stat().st_ino)
        except OSError:
            pass
    if not inodes:
        return []
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:  # "1: POSIX  ADVISORY  WRITE 4242 08:01:1234 120 120"
        f = line.split()
        if len(f) < 6 or f[1] == "->" or f[3] not in kinds:
            continue
        try:
            pid, inode = int(f[4]), int(f[5].rsplit(":", 1)[1])
        except (ValueError, IndexError):
            continue
        if inode in inodes and pid != os.getpid() and pid not in pids:
            pids.append(pid)
    out = []
    for pid in pids:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
        except OSError:
            cmd = ""
        out.append((pid, cmd[:100]))
    return out


def damaged_text(path: Path, exc: BaseException | str) -> str:
    """What to do about a damaged database file: rescue what still reads."""
    return (f"the session database {path} is damaged ({exc}): sessions on the damaged part "
            f"cannot be read. `{rescue_command(path)}` copies everything that still reads "
            "into a fresh database and keeps the damaged file")


def rescue_command(path: Path) -> str:
    """The command line that rescues the database at ``path``."""
    return f"pullcoach sessions rescue{dir_flag(path.parent)}"


def _aggregate(con: sqlite3.Connection, agg: dict, session_id: str) -> None:
    """Event counts per type and the last time, of one session ("" for all)."""
    where = "WHERE session_id = ? " if session_id else ""
    for sid, typ, n, tmax in con.execute(
            "SELECT session_id, type, COUNT(*), MAX(t) FROM events " + where +
            "GROUP BY session_id, type", (session_id,) if session_id else ()):
        a = agg.setdefault(sid, {"counts": {}, "t": 0.0})
        a["counts"][typ] = n
        a["t"] = max(a["t"], tmax or 0.0)


def _prune(con: sqlite3.Connection, days: float) -> tuple[dict, dict]:
    """({id: start} deleted, {id: start} of every session before)."""
    cutoff = time.time() - days * 86400.0
    starts = dict(con.execute("SELECT id, started_wall FROM sessions"))
    gone = dict(con.execute(
        "SELECT id, started_wall FROM sessions WHERE started_wall < ? AND status != 'live'",
        (cutoff,)))
    con.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in gone])
    return gone, starts
