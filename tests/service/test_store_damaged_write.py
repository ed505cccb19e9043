"""A sessions.db found damaged by a write during a session: the session is not lost. The
store rescues what reads into a fresh sessions.db (the damaged file kept in damaged/),
says so once, and writes on there; while another process has the store open it keeps
the events in memory until it can."""

from __future__ import annotations

import logging
import sqlite3
import time

from pullcoach import store as store_mod
from pullcoach.rules.events import SessionEnded, SessionStarted, Tick
from pullcoach.store import Store


def _start(sid: str, wall: float) -> SessionStarted:
    return SessionStarted(session=sid, lang="en", wall_clock=wall, coachee="Anna", partner="Bert")


def _old_sessions(tmp_path, n: int = 5) -> None:
    with Store(tmp_path) as store:
        for i in range(n):
            sid = f"old{i}"
            store.append(sid, _start(sid, 1000.0 + i))
            for k in range(20):
                store.append(sid, Tick(t=k * 0.5))
            store.append(sid, SessionEnded(t=10.0))


def _garble(path, page_no: int) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(path, "r+b") as f:
        f.seek((page_no - 1) * size)
        f.write(b"\x5a" * size)


def _index_page(path) -> int:
    con = sqlite3.connect(path)
    page = con.execute("SELECT rootpage FROM sqlite_master "
                       "WHERE name = 'sqlite_autoindex_sessions_1'").fetchone()[0]
    con.close()
    return page


def _session(store: Store, sid: str, ticks: int) -> None:
    store.append(sid, _start(sid, time.time()))
    for k in range(ticks):
        store.append(sid, Tick(t=k * 0.1))
    store.append(sid, SessionEnded(t=ticks * 0.1))


def test_a_session_on_a_damaged_file_is_stored_in_a_fresh_one_said_once(tmp_path, caplog):
    _old_sessions(tmp_path)
    db = tmp_path / "sessions.db"
    _garble(db, _index_page(db))  # the open does not touch it; the session's first write does
    caplog.set_level(logging.INFO, logger="pullcoach.store")
    with Store(tmp_path) as store:
        _session(store, "new", 300)
        store.flush()
        assert store.switched is not None and (store.switched / "sessions.db").is_file()
        assert store.unstored == {}
    said = [r for r in caplog.records if "is damaged" in r.getMessage()]
    assert len(said) == 1 and "are safe" in said[0].getMessage()
    with Store(tmp_path) as again:  # another process: `pullcoach report new` works
        assert again.resolve("new") == "new"
        events = again.events("new")
        assert len(events) == 302 and isinstance(events[-1], SessionEnded)
        listed = {s["id"]: s for s in again.sessions()}
        assert {"new", "old0", "old4"} <= set(listed) and listed["new"]["status"] == "ended"
        assert len(again.events("old3")) == 22  # the index page held no event
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()


def test_a_file_damaged_mid_session_goes_on_from_what_was_stored(tmp_path):
    _old_sessions(tmp_path)
    db = tmp_path / "sessions.db"
    page = _index_page(db)
    with Store(tmp_path) as store:
        store.append("live", _start("live", time.time()))
        for k in range(50):
            store.append("live", Tick(t=k * 0.1))
        store.flush()
        store._call(lambda con: con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
        store._call(lambda con: con.execute("PRAGMA cache_size = 0"))  # reads the file anew
        with open(db, "r+b") as f:
            f.seek((page - 1) * 4096)
            f.write(b"\x5a" * 4096)
        for k in range(50, 100):
            store.append("live", Tick(t=k * 0.1))
        store.append("live", SessionEnded(t=10.0))
        store.flush()
        assert store.switched is not None
    with Store(tmp_path) as again:
        events = again.events("live")
        assert isinstance(events[0], SessionStarted) and events[0].coachee == "Anna"
        assert [e.t for e in events if isinstance(e, Tick)] == [k * 0.1 for k in range(100)]
        assert isinstance(events[-1], SessionEnded)
        assert {s["id"]: s["status"] for s in again.sessions()}["live"] == "ended"


def test_while_another_process_has_it_open_the_events_wait_then_land(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(store_mod, "RETRY_S", 0.1)
    _old_sessions(tmp_path)
    db = tmp_path / "sessions.db"
    _garble(db, _index_page(db))
    other = Store(tmp_path)  # a `pullcoach serve` on the same data dir: no swap under it
    with Store(tmp_path) as store:
        _session(store, "new", 100)
        time.sleep(0.5)
        assert store.switched is None
        waiting = [r.getMessage() for r in caplog.records if "is damaged" in r.getMessage()]
        assert len(waiting) == 1 and "wait in memory" in waiting[0]
        other.close()
        store.flush()
        assert store.switched is not None and store.unstored == {}
    with Store(tmp_path) as again:
        assert len(again.events("new")) == 102


def _damaged_and_held(tmp_path, monkeypatch) -> Store:
    """A damaged store that another Store holds open (it cannot be swapped): that Store."""
    monkeypatch.setattr(store_mod, "RETRY_S", 0.1)
    _old_sessions(tmp_path)
    db = tmp_path / "sessions.db"
    _garble(db, _index_page(db))
    return Store(tmp_path)


def test_events_that_could_not_be_kept_are_counted_for_the_caller(tmp_path, caplog, monkeypatch):
    other = _damaged_and_held(tmp_path, monkeypatch)
    try:
        store = Store(tmp_path)
        _session(store, "new", 10)
        store.close()  # the end: still refused, nothing kept them
        assert store.unstored == {"new": 12}
    finally:
        other.close()
    assert "12 event(s) not stored" in caplog.text


def test_check_finds_damage_where_a_new_session_writes_and_nowhere_else(tmp_path):
    _old_sessions(tmp_path)
    db = tmp_path / "sessions.db"
    with Store(tmp_path) as store:
        assert store.check() is None
    _garble(db, _index_page(db))
    with Store(tmp_path) as store:  # opens: the open reads no index page
        said = store.check()
        assert "is damaged" in said and "pullcoach sessions rescue --data-dir" in said
        assert {s["id"] for s in store.sessions()} >= {"old0", "old4"}  # reading still works


def test_not_stored_says_how_many_of_a_session_and_why(tmp_path, monkeypatch):
    other = _damaged_and_held(tmp_path, monkeypatch)
    try:
        with Store(tmp_path) as store:
            _session(store, "new", 10)
            n, why = store.not_stored("new")
            assert n == 12 and "is damaged" in why and "wait in memory" in why
            assert store.not_stored("old0") == (0, "")
            other.close()
            time.sleep(0.5)
            assert store.not_stored("new") == (0, "")  # landed in the fresh file
    finally:
        other.close()


def test_run_and_serve_on_a_store_already_damaged_refuse_before_any_session(tmp_path, capsys, monkeypatch):
    """`run` (and `serve`) refuse a damaged file up front, naming the rescue: no role-play is
    coached into a file that would then need rescuing."""
    from pathlib import Path

    import pullcoach.asr
    from pullcoach.cli import main
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(pullcoach.asr, "load_transcriber",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("model loaded")))
    data = tmp_path / "data"
    _old_sessions(data)
    db = data / "sessions.db"
    _garble(db, _index_page(db))
    audio = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "nl_push.flac"
    for args in (["run", "--replay", str(audio), "--no-overlay"], ["serve"]):  # both before the model
        code = main([*args, "--port", "0", "--data-dir", str(data)])
        err = capsys.readouterr().err
        assert code == 6, err
        assert "pullcoach sessions rescue" in err and "no session was started" in err
