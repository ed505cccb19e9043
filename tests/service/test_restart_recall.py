"""A restarted ``serve`` recalls today's role-plays without freezing: a trainer's hello is
answered while a large store is read, and the cards fill in. A role-play a crash cut off has
its card at once, waiting for its capture; the capture goes on with it on that same card.
A real store, a real Service, real websockets on 127.0.0.1 (no speech model)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import time

from websockets.asyncio.client import connect

from pullcoach import tokens as tk
from pullcoach.rules import events as ev
from pullcoach.store import Store
from tests.service.test_restart_unrevived import ENV, TRAINER, runtime

INGEST = ENV["PULLCOACH_TOKEN"]


def long_role_play(store, sid, *, wall, minutes, ended=True):
    """What a stored role-play holds: ticks 20 a second, metrics twice, a final now and then."""
    store.append(sid, ev.SessionStarted(t=0.0, session=sid, lang="nl", wall_clock=wall,
                                        coachee=f"Anna {sid}", partner="Bram"))
    for i in range(1, int(minutes * 60 * 20)):
        t = round(i * 0.05, 3)
        store.append(sid, ev.Tick(t=t))
        if i % 10 == 0:
            store.append(sid, ev.MetricsUpdated(t=t, metrics={"talk_share": 0.5, "questions": i // 10,
                                                              "open_share": 0.25, "words": i}))
        if i % 100 == 0:
            store.append(sid, ev.TranscriptFinal(t=t, speaker="coachee", t0=t - 4.0, t1=t,
                                                 text="Hoe gaat het met de planning van het project?"))
    if ended:
        store.append(sid, ev.SessionEnded(t=minutes * 60.0, reason="ended"))


async def hello(port):
    """A trainer's hello: (seconds to the welcome, the welcome)."""
    began = time.perf_counter()
    async with connect(f"ws://127.0.0.1:{port}/ws", max_size=None, close_timeout=0.1) as ws:
        await ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": TRAINER}))
        welcome = json.loads(await ws.recv())
        return time.perf_counter() - began, welcome  # (it leaves with the history unread)


def test_serve_answers_a_trainer_while_it_recalls_a_large_store(tmp_path, monkeypatch):
    now = time.time()
    n = 8
    with Store(tmp_path / "d") as store:  # eight ten-minute role-plays of this morning
        for i in range(n):
            long_role_play(store, f"s-{i}", wall=now - 900 - i * 60, minutes=10.0)
        store.flush()

    async def main():
        r = runtime(tmp_path, monkeypatch)

        async def no_model():
            pass
        r._load_transcriber = no_model
        lags = []

        async def probe():  # how late the loop wakes a task that sleeps 10 ms
            while True:
                began = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - began - 0.01)

        probing = asyncio.create_task(probe())
        serving = asyncio.create_task(r.serve_forever())
        while r.service is None or not r.service.port:
            await asyncio.sleep(0.01)
        try:
            first = await hello(r.service.port)  # a dashboard opened at once
            while len(r.hub.sessions) < n:
                await asyncio.sleep(0.01)
            worst = max(lags)
            last = await hello(r.service.port)
        finally:
            probing.cancel()
            os.kill(os.getpid(), signal.SIGTERM)  # serve's own stop
            await asyncio.wait_for(serving, 60)
        return first, worst, last

    try:
        (first_s, first), worst, (_, last) = asyncio.run(main())
    finally:
        gc.unfreeze()  # serve froze what the test process had
    assert first_s < 0.5 and len(first["sessions"]) < n  # answered while it read the store
    assert worst < 0.5                                    # the loop went on (it froze 1.5 s and more)
    assert len(last["sessions"]) == n                     # then all the cards came


class GoesOn:
    """Stands in for a revived LiveSession: no new start, "session-resumed", a tick a second
    of audio, its end when its capture ends it."""

    def __init__(self, hub, source, session_id, resume):
        self.hub, self.source, self.id, self.resume = hub, source, session_id, resume

    def stop(self, reason="stopped"):
        self.source.close()

    def inject(self, event):
        self.hub.publish(self.id, event)

    async def run(self):
        t = self.resume.t
        self.hub.publish(self.id, ev.PipelineWarning(t=t, kind="session-resumed", message="went on",
                                                     detail={"resumed_at": t, "open": []}))
        async for b in self.source.blocks():
            t = (b.start + len(b.samples)) / 16000
            self.hub.publish(self.id, ev.Tick(t=t))
        self.hub.publish(self.id, ev.SessionEnded(t=t, reason="ended"))


async def messages(ws, until, timeout=5.0):
    """What a trainer's socket says until ``until(msg)`` (that message included)."""
    got = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
        except TimeoutError:
            continue
        got.append(msg)
        if until(msg):
            break
    return got


def test_a_fresh_dashboard_shows_the_cut_off_role_play_waiting_then_going_on(tmp_path, monkeypatch):
    import numpy as np
    from pullcoach.ingest import pack_block

    now = time.time()
    with Store(tmp_path / "d") as store:  # the server that was killed 30 s into Anna's role-play
        long_role_play(store, "s-anna", wall=now - 60, minutes=0.5, ended=False)
        long_role_play(store, "s-done", wall=now - 1800, minutes=1.0)
        store.flush()

    async def main():
        r = runtime(tmp_path, monkeypatch)
        await r._start(serving=True)
        made = []

        def factory(source, *, session_id, resume=None, **kw):
            made.append(GoesOn(r.hub, source, session_id, resume))
            return made[-1]
        r.service.session_factory = factory
        port = r.service.port
        try:
            await r._recall_today()
            async with connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as trainer:
                await trainer.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": TRAINER}))
                welcome = json.loads(await trainer.recv())
                before = await messages(trainer, lambda m: m.get("type") == "status"
                                        and m["session"] == "s-anna")
                # a nudge to a role-play that waits for its capture is refused, said why
                await trainer.send(json.dumps({"v": 1, "type": "send-nudge", "session": "s-anna",
                                               "message": "Vat samen"}))
                refused = await messages(trainer, lambda m: m.get("type") == "error")
                seq = r.hub.sessions["s-anna"].seq
                # Anna's capture reconnects (its resume secret from the old server's welcome)
                async with connect(f"ws://127.0.0.1:{port}/ingest") as cap:
                    await cap.send(json.dumps({"v": 1, "type": "hello", "role": "capture", "token": INGEST,
                                               "session": "s-anna", "coachee": "Anna", "partner": "Bram",
                                               "resume": tk.resume_token(TRAINER, "s-anna")}))
                    back = json.loads(await cap.recv())
                    going = await messages(trainer, lambda m: m.get("type") == "status"
                                           and m["session"] == "s-anna" and not m.get("capture_away"))
                    for k in range(30, 33):  # its audio goes on at 30 s
                        await cap.send(pack_block("coachee", k * 16000, np.zeros(16000, np.float32)))
                    await cap.send(json.dumps({"v": 1, "type": "end-session", "session": "s-anna"}))
                    after = await messages(trainer, lambda m: m.get("type") == "session-ended"
                                           and m["session"] == "s-anna")
            late = [json.loads(t) for t in r.service.history["s-anna"]]
            return welcome, before, refused, seq, back, going, after, r.hub.sessions["s-anna"].seq, late
        finally:
            await r._stop()

    welcome, before, refused, seq, back, going, after, seq_after, late = asyncio.run(main())
    listed = {s["session"]: s for s in welcome["sessions"]}
    # a fresh dashboard: Anna's card is there, live, waiting for its capture; its transcript too
    assert listed["s-anna"]["live"] is True and listed["s-anna"]["coachee"] == "Anna s-anna"
    assert listed["s-done"]["live"] is False
    status = [m for m in before if m.get("type") == "status" and m["session"] == "s-anna"][-1]
    assert status["listening"] is True and status.get("capture_away") is True
    assert refused[-1]["code"] == "no-session" and "waits for its capture" in refused[-1]["message"]
    # the capture goes on with that same session: its welcome, the card back to live
    assert back["type"] == "welcome" and back["sessions"][0]["session"] == "s-anna"
    assert going[-1]["listening"] is True and not going[-1].get("capture_away")
    # ... with no end nor a new start in between (no "ended" flash, no second card) ...
    between = [m for m in going + after[:-1] if m.get("session") == "s-anna"]
    assert not any(m["type"] in ("session-ended", "session-started", "welcome") for m in between)
    assert any(m.get("type") == "pipeline-warning" and m["kind"] == "session-resumed" for m in after)
    assert seq_after == seq  # the same hub record
    assert after[-1]["t"] >= 32.0 and after[-1]["reason"] == "ended"
    # and a trainer who joins later gets its history once: one start, one end
    assert [m["type"] for m in late].count("session-started") == 1
    assert [m["type"] for m in late].count("session-ended") == 1
    with Store(tmp_path / "d") as store:
        assert store.row("s-anna")["status"] == "ended"
