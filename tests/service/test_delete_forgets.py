"""Deleted sessions are gone: their report files, unsaved events, debriefs covering them,
their text in SQLite's free pages and -wal; old damaged copies go with retention; and
what pullcoach keeps is readable by this user only."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import numpy as np

from pullcoach.audio_keep import AudioKeeper
from pullcoach.cli import main
from pullcoach.rescue import rescue
from pullcoach.rules.events import SessionEnded, SessionStarted, TranscriptFinal
from pullcoach.store import Store

SECRET = "mijn-geheime-zin-over-de-reorganisatie"
DAY = 86400.0


def _store_session(store: Store, sid: str, wall: float, text: str = "Ik wil thuis werken.") -> None:
    store.append(sid, SessionStarted(session=sid, lang="nl", wall_clock=wall,
                                     coachee="Anna", partner="Bert"))
    store.append(sid, TranscriptFinal(t=2.0, speaker="partner", t0=0.5, t1=1.8, text=text))
    store.append(sid, SessionEnded(t=3.0, reason="stopped"))


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_delete_removes_reports_unsaved_events_and_the_debriefs_that_cover_it(tmp_path, capsys):
    now = time.time()
    with Store(tmp_path) as store:
        _store_session(store, "a", now - 300)
        _store_session(store, "b", now - 200)
        _store_session(store, "c", now - 100)
    rep = tmp_path / "reports"
    a_files = [_write(rep / "a.html", "Bladwijzer: notitie van de trainer"), _write(rep / "a.md"),
               _write(tmp_path / "unsaved" / "a.jsonl"), _write(tmp_path / "unsaved" / "a.2.jsonl")]
    # what `pullcoach debrief` writes names only its first session: it may cover a
    deb_a = _write(rep / "debrief-a.html", "<html>Debrief</html>")
    # one that lists its sessions covers only those
    deb_b = _write(rep / "debrief-b.html", '<meta name="pullcoach-sessions" content="b c">')
    kept = [_write(rep / "b.html"), _write(rep / "ab.html"), _write(tmp_path / "unsaved" / "ab.jsonl")]

    assert main(["sessions", "delete", "a", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for p in [*a_files, deb_a]:
        assert not p.exists() and f"removed {p}" in out
    assert deb_b.exists() and all(p.exists() for p in kept)

    # a later rescue does not bring it back from unsaved/
    rescue(tmp_path)
    with Store(tmp_path) as store:
        assert [s["id"] for s in store.sessions()] == ["c", "b"]
        store.delete("c")
        assert not deb_b.exists() and deb_b in store.removed
        assert (rep / "b.html").exists()


def test_a_debrief_naming_only_its_first_goes_with_sessions_from_then_on(tmp_path):
    now = time.time()
    with Store(tmp_path) as store:
        _store_session(store, "early", now - 3 * 3600)
        _store_session(store, "mid", now - 2 * 3600)
        _store_session(store, "late", now - 3600)
        deb = _write(tmp_path / "reports" / "debrief-mid.html", "<html>Debrief</html>")
        store.delete("early")  # started before the debrief's first: not in it
        assert deb.exists()
        store.delete("late")
        assert not deb.exists()


def _raw(path: Path) -> bytes:
    return b"".join(Path(f"{path}{s}").read_bytes() for s in ("", "-wal")
                    if Path(f"{path}{s}").exists())


def test_deleted_text_is_in_neither_the_database_nor_its_wal(tmp_path, monkeypatch):
    """As on a SQLite build whose secure_delete is off by default (this one's is on)."""
    real = sqlite3.connect

    def build_default_off(*a, **kw):
        con = real(*a, **kw)
        con.execute("PRAGMA secure_delete=OFF")
        return con

    monkeypatch.setattr(sqlite3, "connect", build_default_off)
    with Store(tmp_path) as store:
        _store_session(store, "keep", time.time() - 100)
        _store_session(store, "gone", time.time() - 50, text=SECRET * 40)  # a page of it
    db = tmp_path / "sessions.db"
    assert SECRET.encode() in _raw(db)
    with Store(tmp_path) as store:  # open, as a CLI beside a serve leaves the -wal there
        store.delete("gone")
        assert SECRET.encode() not in _raw(db)
        assert store.events("keep")
    assert SECRET.encode() not in _raw(db)


def test_delete_names_damaged_copies_and_retention_removes_old_ones(tmp_path, capsys):
    now = time.time()
    with Store(tmp_path) as store:
        _store_session(store, "old", now - 40 * DAY)
        _store_session(store, "new", now - 100)
    old = tmp_path / "damaged" / time.strftime("%Y%m%d-%H%M%S", time.localtime(now - 35 * DAY))
    recent = tmp_path / "damaged" / time.strftime("%Y%m%d-%H%M%S", time.localtime(now - DAY))
    _write(old / "sessions.db", "... old ... new ...")
    _write(recent / "sessions.db", "... new ...")

    assert main(["sessions", "delete", "new", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"still hold its text: {old}, {recent};" in out
    assert f"rm -r {old} {recent}" in out and old.exists() and recent.exists()  # kept by delete

    assert main(["sessions", "retention", "30", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"removed {old}: a damaged copy" in out and not old.exists() and recent.exists()
    assert "deleted 1 finished session(s)" in out


def test_delete_json_says_what_was_removed(tmp_path, capsys):
    with Store(tmp_path) as store:
        _store_session(store, "a", time.time())
    report = _write(tmp_path / "reports" / "a.html")
    assert main(["sessions", "delete", "a", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["deleted"] == "a" and said["removed"] == [str(report)] and said["wal_emptied"]


def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


def test_the_data_dir_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    own = tmp_path / "xdg" / "pullcoach"
    with Store(own) as store:  # made by pullcoach
        _store_session(store, "a", time.time())
        with AudioKeeper(store.audio_dir, "a") as keep:
            from collections import namedtuple
            keep.write(namedtuple("B", "speaker start samples")("coachee", 0, np.zeros(160)))
    assert _mode(own) == 0o700 and _mode(own / "sessions.db") == 0o600
    assert _mode(own / "reports") == 0o700 and _mode(own / "audio" / "a") == 0o700
    assert _mode(own / "audio" / "a" / "coachee.flac") == 0o600

    os.chmod(own, 0o755)  # made by an older pullcoach
    os.chmod(own / "sessions.db", 0o644)
    Store(own).close()
    assert _mode(own) == 0o700 and _mode(own / "sessions.db") == 0o600

    named = tmp_path / "shared"
    named.mkdir(mode=0o755)
    os.chmod(named, 0o755)
    Store(named).close()  # the user's own folder keeps its mode; pullcoach's things in it do not
    assert _mode(named) == 0o755
    assert _mode(named / "sessions.db") == 0o600 and _mode(named / "reports") == 0o700

    fresh = tmp_path / "new-dir"
    Store(fresh).close()
    assert _mode(fresh) == 0o700


def test_delete_of_a_session_deleted_before_removes_what_it_left(tmp_path, capsys):
    with Store(tmp_path) as store:
        _store_session(store, "20261201-101010-abcd", time.time() - 100)
        _store_session(store, "20261201-111111-beef", time.time() - 50)
        # as the delete of an older pullcoach left it: the rows gone, the files not
        store._call(lambda con: con.execute("DELETE FROM sessions WHERE id = '20261201-101010-abcd'"))
    report = _write(tmp_path / "reports" / "20261201-101010-abcd.html")
    other = _write(tmp_path / "reports" / "20261201-111111-beef.html")
    assert main(["sessions", "delete", "20261201-101010-abcd", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "was deleted already" in out and f"removed {report}" in out
    assert not report.exists() and other.exists()
    assert main(["sessions", "delete", "20261201-101010", "--data-dir", str(tmp_path)]) == 6  # ids only
    assert "no session" in capsys.readouterr().err


def test_a_debrief_as_rendered_lists_its_sessions_so_delete_removes_only_those_that_cover_it(tmp_path):
    from pullcoach.debrief import build_debrief
    from pullcoach.debrief_render import render_debrief_html
    from pullcoach.report_data import build
    now = time.time()
    with Store(tmp_path) as store:
        for sid, wall in (("early", now - 900), ("mid", now - 600), ("late", now - 300)):
            _store_session(store, sid, wall)
        html = render_debrief_html(build_debrief([build(store.events(s)) for s in ("mid", "late")]))
        assert '<meta name="pullcoach-sessions" content="mid late">' in html
        deb = _write(tmp_path / "reports" / "debrief-mid.html", html)
        store.delete("early")  # not in it
        assert deb.exists()
        store.delete("late")   # in it
        assert not deb.exists()


def test_a_report_written_into_the_data_dir_is_this_user_s_only(tmp_path):
    from pullcoach.report import write_session_report
    with Store(tmp_path) as store:
        _store_session(store, "r1", time.time() - 60)
        path = write_session_report(store, "r1")
    assert path.parent == tmp_path / "reports" and (path.stat().st_mode & 0o777) == 0o600
