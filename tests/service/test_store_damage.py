"""A partly damaged sessions.db: what is readable is listed and reported, the rest gets
a StoreError naming the file and what to do (no sqlite3 traceback)."""

from __future__ import annotations

import sqlite3

import pytest

from pullcoach.errors import StoreError
from pullcoach.rules.events import SessionEnded, SessionStarted, Tick
from pullcoach.store import Store


def _damaged_db(tmp_path):
    with Store(tmp_path) as store:
        for n, sid in enumerate("abc"):
            store.append(sid, SessionStarted(session=sid, lang="en", wall_clock=1000.0 + n))
            for i in range(3000):
                store.append(sid, Tick(t=i * 0.1))
            store.append(sid, SessionEnded(t=300.0))
    con = sqlite3.connect(tmp_path / "sessions.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(tmp_path / "sessions.db", "r+b") as f:  # one events page of session "a"
        f.seek(page * 20)
        f.write(b"\xff" * page)


def test_a_damaged_page_spoils_only_its_sessions(tmp_path, caplog):
    _damaged_db(tmp_path)
    with Store(tmp_path) as store:
        listed = {s["id"]: s for s in store.sessions()}
        assert set(listed) == {"a", "b", "c"}
        assert store.damaged == ["a"] and listed["a"]["status"] == "damaged"
        assert listed["b"]["status"] == "ended" and listed["b"]["duration"] == 300.0
        assert len(store.events("c")) == 3002
        with pytest.raises(StoreError, match=r"sessions.db is damaged.*`pullcoach sessions "
                                             r"rescue --data-dir .*` copies everything"):
            store.events("a")
    assert "sessions not readable: a" in caplog.text


HOLDER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO settings VALUES ('held', 'x')")
print("holding", flush=True)
time.sleep(30)
"""


def test_a_database_locked_elsewhere_names_the_holder_and_never_says_move_it(tmp_path, monkeypatch):
    import subprocess
    import sys

    from pullcoach import store as store_mod
    Store(tmp_path).close()
    monkeypatch.setattr(store_mod, "BUSY_S", 0.5)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "sessions.db")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreError) as err:
            Store(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    text = str(err.value)
    assert f"locked by pid {holder.pid}" in text and "stop that" in text
    assert "move the file away" not in text and "do not move the file" in text
