"""The session store on a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from pullcoach.errors import StoreError
from pullcoach.rules.events import (
    Bookmarked, NudgeIssued, SessionEnded, SessionStarted, SpeechEnded, SpeechStarted, Tick,
    TranscriptFinal, UtteranceLabeled, Word,
)
from pullcoach.store import Store
from pullcoach.store_schema import MIGRATIONS, migrate, version


def _session(sid: str = "s1", wall: float | None = None) -> list:
    return [
        SessionStarted(session=sid, lang="nl", wall_clock=wall or time.time(),
                       coachee="Anna", partner="Bert"),
        SpeechStarted(t=0.5, speaker="partner"),
        TranscriptFinal(t=2.4, speaker="partner", t0=0.5, t1=2.0, text="Ik wil thuis werken.",
                        words=(Word(text="Ik", start=0.5, end=0.7, p=0.9),)),
        SpeechEnded(t=2.0, speaker="partner"),
        UtteranceLabeled(t=2.4, speaker="partner", t0=0.5, t1=2.0, text="Ik wil thuis werken.",
                         labels={"question": None, "reflection": False}),
        NudgeIssued(t=3.0, rule="interruption", message="Laat uitpraten", evidence_t=2.5,
                    detail={"class": "competitive"}),
        Bookmarked(t=3.5, note="mooi moment"),
    ]


def test_round_trip_keeps_order_and_values(tmp_path):
    events = _session()
    with Store(tmp_path) as store:
        for e in events:
            store.append("s1", e)
        assert store.events("s1") == events
    with Store(tmp_path / "sessions.db") as again:  # a file path works too
        assert again.events("s1") == events


def test_sessions_lists_status_duration_and_counts(tmp_path):
    with Store(tmp_path) as store:
        for e in _session("old", wall=1000.0):
            store.append("old", e)
        store.append("old", SessionEnded(t=9.0, reason="stopped"))
        for e in _session("new"):
            store.append("new", e)
        listed = store.sessions()
    assert [s["id"] for s in listed] == ["new", "old"]  # newest first
    new, old = listed
    assert new["status"] == "live" and new["duration"] == 3.5
    assert old["status"] == "ended" and old["reason"] == "stopped" and old["duration"] == 9.0
    assert old["counts"]["nudge-issued"] == 1 and old["counts"]["transcript-final"] == 1
    assert old["lang"] == "nl" and old["coachee"] == "Anna" and old["started_wall"] == 1000.0


def test_live_sessions_of_a_closed_store_become_interrupted(tmp_path):
    store = Store(tmp_path)
    for e in _session():
        store.append("s1", e)
    store.close()  # no SessionEnded: as if the process had died
    with Store(tmp_path) as again:
        assert again.sessions()[0]["status"] == "interrupted"


def test_a_second_store_leaves_a_running_session_live(tmp_path):
    with Store(tmp_path) as writer:
        writer.append("s1", _session()[0])
        writer.flush()
        with Store(tmp_path) as reader:  # e.g. `pullcoach sessions list` beside `serve`
            assert reader.sessions()[0]["status"] == "live"
        writer.append("s1", SessionEnded(t=4.0))
        assert writer.sessions()[0]["status"] == "ended"


def test_append_does_not_wait_for_the_disk(tmp_path):
    with Store(tmp_path) as store:
        store.append("s1", _session()[0])
        started = time.perf_counter()
        for i in range(2000):
            store.append("s1", SpeechStarted(t=float(i), speaker="coachee"))
        queued = time.perf_counter() - started
        store.flush()
        assert store.sessions()[0]["counts"]["speech-started"] == 2000
    assert queued < 0.5  # a few µs each; a commit per event would take far longer


def test_append_from_many_threads_keeps_every_event(tmp_path):
    with Store(tmp_path) as store:
        def run(k):
            for i in range(200):
                store.sink(f"s{k}", SpeechStarted(t=float(i), speaker="partner"))
        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for k in range(4):
            assert [e.t for e in store.events(f"s{k}")] == [float(i) for i in range(200)]


def test_delete_removes_events_and_audio(tmp_path):
    with Store(tmp_path) as store:
        for e in _session():
            store.append("s1", e)
        store.append("s1", SessionEnded(t=4.0))  # a live one is refused: see below
        store.append("s2", _session("s2")[0])
        (store.audio_dir / "s1").mkdir(parents=True)
        (store.audio_dir / "s1" / "coachee.flac").write_bytes(b"x")
        assert store.delete("s1") is True
        assert store.delete("s1") is False
        assert [s["id"] for s in store.sessions()] == ["s2"]
        assert store.events("s1") == []
        assert not (store.audio_dir / "s1").exists()


def test_resolve_by_prefix_and_last(tmp_path):
    with Store(tmp_path) as store:
        store.append("abc123", _session("abc123", wall=1000.0)[0])
        store.append("abd456", _session("abd456", wall=2000.0)[0])
        assert store.resolve("last") == "abd456"
        assert store.resolve("abc") == "abc123"
        assert store.resolve("abd456") == "abd456"
        with pytest.raises(StoreError, match="2 sessions"):
            store.resolve("ab")
        with pytest.raises(StoreError, match="no session"):
            store.resolve("zz")


def test_retention_prunes_old_finished_sessions_on_open(tmp_path):
    with Store(tmp_path) as store:
        store.append("old", _session("old", wall=time.time() - 40 * 86400)[0])
        store.append("old", SessionEnded(t=1.0))
        store.append("new", _session("new")[0])
        store.append("new", SessionEnded(t=1.0))
        assert store.retention() is None  # off by default
    with Store(tmp_path) as store:
        assert len(store.sessions()) == 2
        store.set_retention(30)
    with Store(tmp_path) as store:  # the persisted setting applies on open
        assert [s["id"] for s in store.sessions()] == ["new"]
        store.set_retention(None)
        assert store.retention() is None


def test_schema_version_and_migrations(tmp_path):
    db = tmp_path / "sessions.db"
    with Store(db):
        pass
    con = sqlite3.connect(db)
    assert version(con) == len(MIGRATIONS)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # a later migration runs once, on a database that already has the earlier ones
    later = MIGRATIONS + ("ALTER TABLE sessions ADD COLUMN title TEXT",)
    con.isolation_level = None
    assert migrate(con, later) == len(MIGRATIONS)
    assert migrate(con, later) == len(later)
    assert "title" in [r[1] for r in con.execute("PRAGMA table_info(sessions)")]
    # an up-to-date file is only read: opening a damaged one must not write to it
    before = con.total_changes
    assert migrate(con, later) == len(later)
    assert con.total_changes == before
    con.close()


def test_a_database_from_a_newer_pullcoach_is_refused(tmp_path):
    db = tmp_path / "sessions.db"
    with Store(db):
        pass
    con = sqlite3.connect(db)
    con.execute("UPDATE schema_version SET version = 99")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db)


def test_a_file_that_is_not_a_database_gives_a_store_error(tmp_path):
    (tmp_path / "sessions.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="--data-dir"):
        Store(tmp_path)


def test_a_setting_is_committed_before_the_call_returns(tmp_path):
    # the writer used to hand out a call's result inside its transaction, so a reader right
    # after could see the old value (2 stale reads in 2,000 on a 2-core machine)
    with Store(tmp_path) as store:
        for days in range(1, 3001):
            store.set_retention(days)
            assert store.retention() == days


def test_a_live_session_is_not_deleted_under_its_writer(tmp_path):
    events = _session()
    with Store(tmp_path) as writer:
        for e in events:
            writer.append("s1", e)
        writer.flush()
        with Store(tmp_path) as other:  # `pullcoach sessions delete` beside a running `run`
            with pytest.raises(StoreError, match="s1 is live.*end it first.*then delete"):
                other.delete("s1")
        writer.append("s1", SessionEnded(t=4.0))
        assert writer.events("s1") == [*events, SessionEnded(t=4.0)]  # untouched
        with Store(tmp_path) as other:
            assert other.delete("s1") is True  # ended: deletes
            assert other.sessions() == []


def test_lock_files_of_dead_processes_are_swept(tmp_path):
    import os
    locks = tmp_path / "locks"
    locks.mkdir()
    for name in ("dead1", "dead2", "fresh"):
        (locks / f"{name}.lock").write_text("")
    old = time.time() - 3600
    os.utime(locks / "dead1.lock", (old, old))
    os.utime(locks / "dead2.lock", (old, old))
    with Store(tmp_path) as held:  # a live store's lock file stays, whatever its age
        os.utime(held._lock_path(held._owner), (old, old))
        with Store(tmp_path) as store:
            left = sorted(p.stem for p in locks.glob("*.lock"))
            assert left == sorted(["fresh", held._owner, store._owner])


def test_events_can_leave_types_unread(tmp_path):
    """A trainer's history of a stored session needs no ticks or partials: read without them."""
    with Store(tmp_path) as store:
        store.append("a", SessionStarted(t=0.0, session="a", lang="nl", wall_clock=1e9))
        for i in range(5):
            store.append("a", Tick(t=float(i)))
        store.append("a", SessionEnded(t=5.0))
        store.flush()
        assert len(store.events("a")) == 7
        kept = store.events("a", skip=("tick", "transcript-partial"))
    assert [type(e) for e in kept] == [SessionStarted, SessionEnded]
