"""``pullcoach sessions rescue`` on real SQLite files damaged the ways it happens: a page of
garbage in the middle, a file cut short, the -wal of another state beside a restored file;
the rescued file opens with the normal Store and reports work on what it saved."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import session_events  # noqa: E402

from pullcoach.cli import main
from pullcoach.rescue import RESCUED_NAME, rescue
from pullcoach.rules.events import PipelineWarning, SessionEnded, SessionStarted, Tick
from pullcoach.errors import StoreError
from pullcoach.store import Store

WALL = 1_796_000_000.0  # 2026-11-30


def role_play(sid: str, wall: float, rounds: int = 12) -> list:
    """A session of ``rounds`` times the scripted role-play (transcripts, labels, nudges) with
    ticks every half second: about 100 events per 100 s, like a real log but denser."""
    base = session_events()
    start = dataclasses.replace(base[0], session=sid, wall_clock=wall)
    timed = [e for e in base[1:] if not isinstance(e, SessionEnded)]
    events: list = [start]
    for k in range(rounds):
        shift = 100.0 * k
        batch = [_shifted(e, shift) for e in timed]
        batch += [Tick(t=shift + i * 0.5) for i in range(200)]
        events += sorted(batch, key=lambda e: e.t)
    return events + [SessionEnded(t=100.0 * rounds, reason="ended")]


def _shifted(e, dt: float):
    changes = {f: getattr(e, f) + dt for f in ("t", "t0", "t1", "evidence_t")
               if isinstance(getattr(e, f, None), float)}
    return dataclasses.replace(e, **changes)


def make_store(path: Path, ids=("a", "b", "c")) -> dict[str, list]:
    """Sessions a, b, c (a oldest), written one after the other, checkpointed into the file."""
    logs = {sid: role_play(sid, WALL + 3600 * n) for n, sid in enumerate(ids)}
    with Store(path) as store:
        for sid, events in logs.items():
            for e in events:
                store.append(sid, e)
    return logs


def page_size(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_subsequence(part: list, whole: list) -> bool:
    it = iter(whole)
    return all(any(x == y for y in it) for x in part)


def stored(path: Path) -> tuple[dict, dict]:
    with Store(path) as store:
        infos = {s["id"]: s for s in store.sessions()}
        assert store.damaged == []
        return infos, {sid: store.events(sid) for sid in infos}


def test_a_page_of_garbage_costs_only_the_rows_on_it(tmp_path, capsys):
    logs = make_store(tmp_path)
    db = tmp_path / "sessions.db"
    page = page_size(db)
    with open(db, "r+b") as f:  # a page in the middle of session a's events
        f.seek(page * 40)
        f.write(random.Random(7).randbytes(page))
    damaged = digest(db)

    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    infos, events = stored(tmp_path)
    assert events["b"] == logs["b"] and events["c"] == logs["c"]
    kept = [e for e in events["a"] if not isinstance(e, PipelineWarning)]
    lost = len(logs["a"]) - len(kept)
    assert 0 < lost < 200 and is_subsequence(kept, logs["a"])
    assert kept[-1] == logs["a"][-1] and infos["a"]["status"] == "ended"
    gap = [e for e in events["a"] if isinstance(e, PipelineWarning)]
    assert [g.kind for g in gap] == ["store-rescued"] and gap[0].detail["events"] == lost
    assert f"2 of 3 sessions rescued whole; 2026-11-30 " in out
    assert f"kept {len(kept)} of {len(logs['a'])} events (lost at " in out
    kept_dir = next((tmp_path / "damaged").iterdir())
    assert digest(kept_dir / "sessions.db") == damaged  # the damaged file, as it was
    assert main(["report", "a", "--format", "md", "--data-dir", str(tmp_path)]) == 0
    assert "Anna" in capsys.readouterr().out


def test_a_file_cut_short_keeps_what_reads_and_the_cut_session_as_interrupted(tmp_path, capsys):
    logs = make_store(tmp_path)
    db = tmp_path / "sessions.db"
    os.truncate(db, db.stat().st_size * 6 // 10)
    with pytest.raises(StoreError, match="`pullcoach sessions rescue --data-dir "):
        Store(tmp_path)  # a file cut short fails on open: it says what to run

    out = rescue(tmp_path)
    assert out.swapped and not (tmp_path / RESCUED_NAME).exists()
    infos, events = stored(tmp_path)
    assert events["a"] == logs["a"] and infos["a"]["status"] == "ended"
    cut = [s for s in out.sessions if s.tail_lost]  # the sessions the cut went through
    assert cut and "a" not in {s.id for s in cut}
    for s in cut:
        assert s.total is None and infos[s.id]["status"] == "interrupted"
        kept = [e for e in events[s.id] if not isinstance(e, PipelineWarning)]
        assert 0 < len(kept) < len(logs[s.id]) and is_subsequence(kept[1:], logs[s.id])
        assert s.last_t == max(e.t for e in kept)
        assert main(["report", s.id, "--format", "json", "--data-dir", str(tmp_path)]) == 0
        assert '"status": "interrupted"' in capsys.readouterr().out
    b = next(s for s in out.sessions if s.id == "b")  # the cut ran through it: most of it reads
    assert b.events > len(logs["b"]) // 2 and b.tail_lost


def test_the_wal_of_another_state_beside_a_restored_file(tmp_path):
    """sessions.db restored from a backup that held only a; the -wal beside it was written
    after b and c, holding d: with it the file is a mixture, without it only a reads."""
    with Store(tmp_path) as store:
        for e in role_play("a", WALL):
            store.append("a", e)
    backup = tmp_path.parent / "backup.db"
    shutil.copyfile(tmp_path / "sessions.db", backup)
    logs = make_store(tmp_path, ids=("b", "c"))
    db = tmp_path / "sessions.db"
    holder = sqlite3.connect(db)  # keeps the -wal from being folded in at close
    holder.execute("SELECT 1 FROM sessions").fetchall()
    d = role_play("d", WALL + 4 * 3600)
    with Store(tmp_path) as store:
        store._con.execute("PRAGMA wal_autocheckpoint=0")
        for e in d:
            store.append("d", e)
    stray = Path(f"{db}-wal").read_bytes()
    holder.close()
    shutil.copyfile(backup, db)
    Path(f"{db}-wal").write_bytes(stray)
    Path(f"{db}-shm").unlink(missing_ok=True)

    out = rescue(tmp_path)
    assert out.damaged and out.swapped
    assert not Path(f"{db}-wal").exists()  # the stray -wal went with the damaged file
    assert (out.kept_dir / "sessions.db-wal").read_bytes() == stray
    infos, events = stored(tmp_path)
    assert events["a"] == role_play("a", WALL)  # from the file without the -wal
    assert events["d"] == d  # from the -wal
    for sid in set(events) - {"a", "d"}:  # whatever of b and c the mixture still gives
        assert is_subsequence([e for e in events[sid] if not isinstance(e, PipelineWarning)
                               and not isinstance(e, SessionStarted)], logs[sid])


def test_kept_audio_stays_with_its_session(tmp_path, capsys):
    make_store(tmp_path)
    audio = tmp_path / "audio" / "b"
    audio.mkdir(parents=True)
    (audio / "coachee.flac").write_bytes(b"fLaC" + bytes(100))
    with Store(tmp_path) as store:
        store.mark_audio_kept("b")
    db = tmp_path / "sessions.db"
    with open(db, "r+b") as f:
        f.seek(page_size(db) * 40)
        f.write(b"\xff" * page_size(db))
    rescue(tmp_path)
    infos, _ = stored(tmp_path)
    assert infos["b"]["audio_kept"] and not infos["a"]["audio_kept"]
    assert (audio / "coachee.flac").read_bytes().startswith(b"fLaC")


HOLDER = r"""
import sys, time
from pullcoach.errors import StoreError
from pullcoach.store import Store
store = Store(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_not_swapped_in_while_pullcoach_has_the_store_open(tmp_path, capsys):
    make_store(tmp_path)
    db = tmp_path / "sessions.db"
    with open(db, "r+b") as f:
        f.seek(page_size(db) * 40)
        f.write(b"\xff" * page_size(db))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        before = digest(db)
        assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 1
        out = capsys.readouterr().out
        assert f"not swapped in: pid {holder.pid}" in out and "then run `pullcoach sessions " \
            f"rescue --data-dir {tmp_path}` again" in out
        assert digest(db) == before and (tmp_path / RESCUED_NAME).is_file()
        assert not (tmp_path / "damaged").exists()
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    assert "is now the rescued database" in capsys.readouterr().out
    assert not (tmp_path / RESCUED_NAME).exists()


def test_sessions_list_points_to_rescue_and_a_healthy_file_is_left_alone(tmp_path, capsys, caplog):
    make_store(tmp_path)
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    assert "nothing to rescue, nothing changed" in capsys.readouterr().out
    assert not (tmp_path / "damaged").exists()
    db = tmp_path / "sessions.db"
    with open(db, "r+b") as f:
        f.seek(page_size(db) * 40)
        f.write(b"\xff" * page_size(db))
    assert main(["sessions", "list", "--data-dir", str(tmp_path)]) == 0
    io = capsys.readouterr()
    assert "damaged" in io.out
    assert f"`pullcoach sessions rescue --data-dir {tmp_path}` saves what still reads" in io.out
    assert f"`pullcoach sessions rescue --data-dir {tmp_path}` copies" in caplog.text  # damaged_text
    assert "sqlite3" not in caplog.text and "mv " not in caplog.text
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["sessions", "list", "--data-dir", str(tmp_path)]) == 0
    io = capsys.readouterr()
    assert "damaged" not in io.out and "rescue" not in io.out + io.err
    assert main(["report", "last", "--format", "md", "--data-dir", str(tmp_path)]) == 0


@pytest.mark.parametrize("cut", [0, 50])
def test_a_file_with_nothing_readable_is_set_aside_and_says_so(tmp_path, capsys, cut):
    make_store(tmp_path)
    db = tmp_path / "sessions.db"
    os.truncate(db, cut)
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"nothing in {db} could be read" in out and "(empty: pullcoach starts afresh)" in out
    assert (next((tmp_path / "damaged").iterdir()) / "sessions.db").stat().st_size == cut
    infos, _ = stored(tmp_path)
    assert infos == {}


def test_leaves_below_lost_interior_pages_are_read_off_the_pages(tmp_path):
    """A file cut short loses the interior pages first (they are written last): SQLite then
    reaches none of the pages below them, which are whole. Only the rows on the interior
    pages themselves (an index keeps some there) are lost."""
    logs = make_store(tmp_path)
    db = tmp_path / "sessions.db"
    con = sqlite3.connect(db)
    interior = con.execute("SELECT pageno, ncell FROM dbstat WHERE name = 'events' "
                           "AND pagetype = 'internal'").fetchall()
    con.close()
    assert len(interior) > 1
    page = page_size(db)
    with open(db, "r+b") as f:
        for n, _ in interior:
            f.seek(page * (n - 1))
            f.write(b"\x00" * page)
    out = rescue(tmp_path)
    assert out.damaged and not out.unreadable
    assert sum(s.lost for s in out.sessions) == sum(cells for _, cells in interior)
    _, events = stored(tmp_path)
    for sid, log in logs.items():
        kept = [e for e in events[sid] if not isinstance(e, PipelineWarning)]
        assert is_subsequence(kept, log) and kept[-1] == log[-1]
