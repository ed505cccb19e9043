"""A restarted ``serve`` and the role-plays a crash cut off: one whose capture had stopped (its
file broke off) or stopped too long ago is ended at once, one whose capture does not come back
is ended once the revive window has passed; all of today's finished role-plays come back to the
trainer; a capture's restart is not printed as a device gone. A real store, a real server."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace

from websockets.asyncio.client import connect

from pullcoach import runtime as rt
from pullcoach.ingest import REVIVE_WITHIN_S
from pullcoach.rules import events as ev
from pullcoach.serve_console import GapStalls, restart_lines
from pullcoach.store import Store

TRAINER = "trainer-token-0123456789"
ENV = {"PULLCOACH_TRAINER_TOKEN": TRAINER, "PULLCOACH_TOKEN": "ingest-token-0123456789"}


def stored(store, sid, coachee, *, wall, t, end=None, broke=False):
    store.append(sid, ev.SessionStarted(t=0.0, session=sid, lang="nl", wall_clock=wall,
                                        coachee=coachee, partner="P"))
    if broke:
        store.append(sid, ev.PipelineWarning(
            t=t, kind="channel-stalled", message="The recording broke off at 0:20.",
            detail={"speaker": "coachee", "cause": "file-broken", "file": "x.wav", "error": "cut",
                    "files": ["x.wav"]}))
    store.append(sid, ev.Tick(t=t))
    if end:
        store.append(sid, ev.SessionEnded(t=t, reason=end))


def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    args = SimpleNamespace(host="127.0.0.1", port=0, allow_host=[], data_dir=str(tmp_path / "d"),
                           lang="nl", model="base")
    return rt.Runtime(args, ENV)


async def welcome(r):
    async with connect(f"ws://127.0.0.1:{r.service.port}/ws") as ws:
        await ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": TRAINER}))
        return json.loads(await ws.recv())


def test_a_restart_ends_what_cannot_go_on_and_recalls_all_of_todays_role_plays(tmp_path, monkeypatch, capsys):
    now = time.time()
    with Store(tmp_path / "d") as store:     # the server that was killed
        for i in range(15):                  # three pairs, five rounds: more than 12
            stored(store, f"s-done{i:02d}", f"Done{i}", wall=now - 3000 + i * 60, t=40.0, end="ended")
        stored(store, "s-broken", "Broken", wall=now - 60, t=20.0, broke=True)
        stored(store, "s-going", "Going", wall=now - 30, t=25.0)
        stored(store, "s-old", "Old", wall=now - REVIVE_WITHIN_S - 200, t=100.0)
        store.flush()

    async def main():
        r = runtime(tmp_path, monkeypatch)
        await r._start(serving=True)
        try:
            shown = await r._recall_today(now=now)
            hello = await welcome(r)
            await asyncio.sleep(0.5)
            return r, shown, hello
        finally:
            await r._stop()

    r, shown, hello = asyncio.run(main())
    err = capsys.readouterr().err
    listed = {s["session"]: s for s in hello["sessions"]}
    assert all(f"s-done{i:02d}" in listed for i in range(15))     # not only the newest 12
    # the broken one and the old one: ended now (not live), with the protocol's reasons
    assert not listed["s-broken"]["live"] and not listed["s-old"]["live"]
    assert listed["s-going"]["live"]    # its capture may still go on with it: its card waits
    with Store(tmp_path / "d") as store:
        rows = {s["id"]: s for s in store.sessions()}
        assert (rows["s-broken"]["status"], rows["s-broken"]["reason"]) == ("ended", "error")
        assert (rows["s-old"]["status"], rows["s-old"]["reason"]) == ("ended", "server-stopped")
        assert rows["s-going"]["status"] == "interrupted"
        assert store.events("s-broken")[-1] == ev.SessionEnded(t=20.0, reason="error")
    # the console does not say the broken one goes on
    going = next(line for line in err.splitlines() if line.startswith("pullcoach goes on with"))
    assert "Going ↔ P" in going and "Broken" not in going
    assert "session s-broken (Broken ↔ P) is not gone on with" in err
    assert "report: " in err and "s-broken.html" in err


def test_a_role_play_whose_capture_does_not_come_back_ends_when_the_revive_window_passed(tmp_path, monkeypatch, capsys):
    now = time.time()
    with Store(tmp_path / "d") as store:
        stored(store, "s-gone", "Gone", wall=now - REVIVE_WITHIN_S - 20.0 + 2.0, t=20.0)   # 2 s left
        store.flush()

    async def main():
        r = runtime(tmp_path, monkeypatch)
        await r._start(serving=True)
        try:
            await r._recall_today()
            (waits,) = [s for s in (await welcome(r))["sessions"] if s["session"] == "s-gone"]
            assert waits["live"] is True   # its card waits for its capture
            async with connect(f"ws://127.0.0.1:{r.service.port}/ws") as ws:   # a dashboard open
                await ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": TRAINER}))
                got = []
                end = time.monotonic() + 8.0
                while time.monotonic() < end and not any(m.get("type") == "session-ended" for m in got):
                    try:
                        got.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
                    except TimeoutError:
                        pass
            hello = await welcome(r)
            await asyncio.sleep(0.5)
            return got, hello
        finally:
            await r._stop()

    got, hello = asyncio.run(main())
    ended = [m for m in got if m.get("type") == "session-ended"]
    assert ended and ended[0]["session"] == "s-gone" and ended[0]["reason"] == "server-stopped"
    assert ended[0]["t"] == 20.0
    (info,) = [s for s in hello["sessions"] if s["session"] == "s-gone"]
    assert info["live"] is False
    with Store(tmp_path / "d") as store:
        assert (store.row("s-gone")["status"]) == "ended"
    assert "its capture did not come back" in capsys.readouterr().err


def test_restart_lines_leave_a_session_whose_file_broke_off_out_of_those_going_on(tmp_path):
    now = time.time()
    with Store(tmp_path) as store:
        stored(store, "s-broken", "Broken", wall=now - 40, t=20.0, broke=True)
        stored(store, "s-anna", "Anna", wall=now - 40, t=30.0)
        store.flush()
    with Store(tmp_path) as store:
        lines = restart_lines(store, tmp_path, now=now)
    assert lines[0].startswith("pullcoach goes on with 1 role-play that was running when it stopped (Anna ↔ P)")
    assert lines[1].startswith("session s-broken (Broken ↔ P) is not gone on with: its capture had stopped at 0:20")


def warn(t, kind, speaker="partner", **detail):
    return ev.PipelineWarning(t=t, kind=kind, message=f"{kind} {speaker}", detail={"speaker": speaker, **detail})


def test_a_capture_restart_is_not_printed_as_a_device_gone():
    said = []
    gate = GapStalls(lambda sid, w: said.append(w.kind))
    # what serve got for a capture kill -9ed at 12.8 s and run again 12 s later: the stall first
    gate("s", warn(12.8, "channel-stalled"))
    gate("s", ev.Tick(t=13.5))
    gate("s", ev.PipelineWarning(t=12.8, kind="capture-resumed", message="went on",
                                 detail={"resumed_at": 24.8, "gap_s": 12.0}))
    gate("s", ev.Tick(t=23.0))
    gate("s", warn(23.8, "channel-ok", after="channel-stalled"))
    gate("s", ev.Tick(t=60.0))
    assert said == ["capture-resumed"]
    # a device that really stalls is still said (a little later), with its end
    gate("s", warn(70.0, "channel-stalled"))
    assert said == ["capture-resumed"]
    gate("s", ev.Tick(t=75.1))
    gate("s", warn(80.0, "channel-ok", after="channel-stalled"))
    assert said == ["capture-resumed", "channel-stalled", "channel-ok"]
