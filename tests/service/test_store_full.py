"""A disk that refuses writes for a while: the store keeps the events, says so once, and
writes them when it can again. ``PRAGMA max_page_count`` makes SQLite answer exactly as
on a full disk (SQLITE_FULL, "database or disk is full")."""

from __future__ import annotations

import logging
import time

import pytest

from pullcoach import store as store_mod
from pullcoach.errors import StoreError
from pullcoach.rules.events import PipelineWarning, SessionEnded, SessionStarted, Tick
from pullcoach.store import Store


def _fill(store: Store) -> None:
    store.flush()
    pages = store._con.execute("PRAGMA page_count").fetchone()[0]
    store._con.execute(f"PRAGMA max_page_count = {pages}")


def _free(store: Store) -> None:
    store._con.execute("PRAGMA max_page_count = 1073741823")


def _start(sid: str) -> SessionStarted:
    return SessionStarted(session=sid, lang="en", wall_clock=time.time(), coachee="Anna",
                          partner="Bert")


def test_a_full_disk_spell_loses_nothing_says_so_once_and_recovers(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pullcoach.store")
    with Store(tmp_path) as store:
        store.append("a", _start("a"))
        _fill(store)
        ticks = [Tick(t=i * 0.1) for i in range(1500)]
        for e in ticks:
            store.append("a", e)
        with pytest.raises(StoreError, match=f"disk holding {tmp_path} is full.*not being stored"):
            store.flush()
        time.sleep(2.5)  # the writer tries again every second meanwhile
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "df -h" in errors[0].getMessage()
        assert [type(e) for e in store.events("a")] == [SessionStarted]  # reads what is stored

        _free(store)
        store.flush()  # space is back: everything waiting lands, in order
        store.append("a", SessionEnded(t=200.0))
        events = store.events("a")
        assert isinstance(events[0], SessionStarted) and events[1:] == [*ticks, SessionEnded(t=200.0)]
        assert "writes again" in caplog.text

        # a session recorded entirely after the spell is stored and flushes cleanly
        store.append("b", _start("b"))
        store.append("b", SessionEnded(t=1.0))
        store.flush()
        assert [s["status"] for s in store.sessions()] == ["ended", "ended"]
        assert store.row("a")["coachee"] == "Anna"


def test_events_past_the_bound_are_dropped_and_the_gap_is_marked(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "PENDING_MAX", 100)
    with Store(tmp_path) as store:
        store.append("a", _start("a"))
        _fill(store)
        for i in range(300):
            store.append("a", Tick(t=float(i)))
        store.append("a", SessionEnded(t=300.0))
        with pytest.raises(StoreError):
            store.flush()
        _free(store)
        store.flush()
        events = store.events("a")
    assert isinstance(events[0], SessionStarted)
    assert [e.t for e in events if isinstance(e, Tick)] == [float(i) for i in range(100)]
    assert isinstance(events[-2], SessionEnded)  # the end is kept beyond the bound
    gap = events[-1]
    assert isinstance(gap, PipelineWarning) and gap.kind == "store-gap"
    assert gap.detail == {"t0": 100.0, "t1": 299.0, "events": 200}
