"""The end of a run with events the store could not take: nothing is lost. Events still
refused when the run ends (another process held sessions.db to the end) are saved in
unsaved/<id>.jsonl; `pullcoach sessions rescue` stores them once the store is free, twice
storing nothing twice. Damage only the end-of-run read finds is said (exit 6)."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest

from pullcoach import store as store_mod
from pullcoach.cli import main
from pullcoach.errors import StoreError
from pullcoach.rescue import rescue
from pullcoach.rules.events import SessionEnded, SessionStarted, Tick, to_json
from pullcoach.store import Store, StoreDamaged


def _start(sid: str) -> SessionStarted:
    return SessionStarted(session=sid, lang="en", wall_clock=time.time(), coachee="Anna",
                          partner="Bert")


class _Held:
    """Another process holding sessions.db's write lock (a sqlite3 shell in a transaction)."""

    def __init__(self, path) -> None:
        self.con = sqlite3.connect(path / "sessions.db", isolation_level=None)
        self.con.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.con is not None:
            self.con.execute("ROLLBACK")
            self.con.close()
            self.con = None


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(store_mod, "BUSY_S", 0.2)
    monkeypatch.setattr(store_mod, "RETRY_S", 0.1)


def _held_to_the_end(tmp_path, before: int = 5, after: int = 5) -> tuple[list, _Held, tuple]:
    """A session whose first ``before`` ticks are stored, then the store is held to its end:
    its events, the holder, and what not_stored said at the end."""
    events = [_start("s1"), *(Tick(t=k * 0.1) for k in range(before + after)),
              SessionEnded(t=(before + after) * 0.1)]
    store = Store(tmp_path)
    for e in events[:before + 1]:
        store.append("s1", e)
    store.flush()
    held = _Held(tmp_path)
    for e in events[before + 1:]:
        store.append("s1", e)
    said = store.not_stored("s1")
    store.close()
    return events, held, said


def test_events_held_out_to_the_end_are_saved_then_rescue_stores_them_once(tmp_path, quick):
    events, held, (n, why) = _held_to_the_end(tmp_path)
    file = tmp_path / "unsaved" / "s1.jsonl"
    assert n == 6 and str(file) in why and "pullcoach sessions rescue --data-dir" in why
    assert file.read_text().splitlines() == [to_json(e) for e in events[6:]]
    out = rescue(tmp_path)  # still held: nothing is imported, the file waits
    assert out.imported == [] and out.unsaved == [file] and file.exists()
    held.release()
    out = rescue(tmp_path)
    assert [(sid, added) for _, sid, added, _ in out.imported] == [("s1", 6)]
    assert not file.exists()
    with Store(tmp_path) as store:
        assert [to_json(e) for e in store.events("s1")] == [to_json(e) for e in events]
        assert {s["id"]: s["status"] for s in store.sessions()}["s1"] == "ended"
    assert rescue(tmp_path).imported == []  # twice: nothing stored twice
    with Store(tmp_path) as store:
        assert len(store.events("s1")) == len(events)


def test_a_file_imported_before_a_crash_is_not_stored_twice(tmp_path, quick):
    events, held, _ = _held_to_the_end(tmp_path)
    held.release()
    file = tmp_path / "unsaved" / "s1.jsonl"
    copy = tmp_path / "copy.jsonl"
    shutil.copy(file, copy)
    rescue(tmp_path)
    shutil.copy(copy, file)  # as if rescue died after storing, before removing the file
    out = rescue(tmp_path)
    assert [(added, had) for _, _, added, had in out.imported] == [(0, 6)]
    with Store(tmp_path) as store:
        assert len(store.events("s1")) == len(events)


def test_a_session_held_out_from_its_start_is_whole_after_the_rescue(tmp_path, quick, capsys):
    store = Store(tmp_path)
    held = _Held(tmp_path)
    events = [_start("s2"), Tick(t=0.5), SessionEnded(t=1.0)]
    for e in events:
        store.append("s2", e)
    assert store.not_stored("s2")[0] == 3
    store.close()
    held.release()
    with Store(tmp_path) as store:  # before the rescue: says where the session waits
        with pytest.raises(StoreError, match="unsaved/s2.jsonl"):
            store.resolve("s2")
    capsys.readouterr()
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "stored 3 event(s) of session s2 from" in said and "nothing changed" not in said
    with Store(tmp_path) as store:
        assert [to_json(e) for e in store.events("s2")] == [to_json(e) for e in events]


def test_a_rescue_while_the_store_is_still_held_says_the_files_wait_and_exits_1(tmp_path, quick, capsys):
    _, held, _ = _held_to_the_end(tmp_path)
    capsys.readouterr()
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 1
    said = capsys.readouterr().out
    assert "1 unsaved file(s) wait in" in said and "again once it is free" in said
    held.release()


def test_a_save_that_fails_too_is_said(tmp_path, quick):
    (tmp_path / "unsaved").write_text("")  # a file where the folder goes: cannot be made
    with Store(tmp_path) as store:
        held = _Held(tmp_path)
        try:
            store.append("s3", _start("s3"))
            n, why = store.not_stored("s3")
        finally:
            held.release()
    assert n == 1 and "failed too" in why and "lost" in why


def _leaf_pages(path) -> list[int]:
    con = sqlite3.connect(path)
    pages = [r[0] for r in con.execute(
        "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno")]
    con.close()
    return pages


def test_damage_only_the_end_read_finds_is_said_not_report_again(tmp_path):
    with Store(tmp_path) as store:
        store.append("s4", _start("s4"))
        for k in range(3000):
            store.append("s4", Tick(t=k * 0.1))
        store.flush()
        store._call(lambda con: con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
        store._call(lambda con: con.execute("PRAGMA cache_size = 0"))
        pages = _leaf_pages(tmp_path / "sessions.db")
        with open(tmp_path / "sessions.db", "r+b") as f:  # a page in the middle: no write reads it
            f.seek((pages[len(pages) // 2] - 1) * 4096)
            f.write(b"\x5a" * 4096)
        store.append("s4", SessionEnded(t=300.0))
        store.flush()  # the write did not notice
        with pytest.raises(StoreDamaged) as err:
            store.not_stored("s4")
    said = str(err.value)
    assert "is damaged" in said and "pullcoach sessions rescue --data-dir" in said
    assert "of its 3002 events read back" in said


def test_run_ends_with_exit_6_and_the_rescue_when_the_end_read_finds_damage(tmp_path, monkeypatch,
                                                                           capsys):
    import pullcoach.runtime
    from pathlib import Path

    async def run_local(self, *a, **k):
        self.reports = {"s5": None}
        raise StoreDamaged("the session database X is damaged (malformed): `pullcoach sessions "
                           "rescue` copies everything that still reads")
    monkeypatch.setattr(pullcoach.runtime.Runtime, "run_local", run_local)
    monkeypatch.delenv("DISPLAY", raising=False)
    audio = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "nl_push.flac"
    code = main(["run", "--replay", str(audio), "--no-overlay", "--port", "0",
                 "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 6 and "pullcoach sessions rescue" in err and "report again" not in err
    assert "pullcoach report s5" in err
