"""A restarted ``serve`` recalls today's role-plays, not a `pullcoach demo` run that day (an
install check) nor a capture started and stopped with nothing said. A real store."""

from __future__ import annotations

import asyncio
import time

from pullcoach.debrief import DEMO_NAMES
from pullcoach.rules import events as ev
from pullcoach.store import Store
from tests.service.test_restart_unrevived import runtime, welcome


def stored(store, sid, coachee, partner, *, wall, t, said=1):
    store.append(sid, ev.SessionStarted(t=0.0, session=sid, lang="nl", wall_clock=wall,
                                        coachee=coachee, partner=partner))
    for i in range(said):
        store.append(sid, ev.TranscriptFinal(t=t / 2 + i * 0.1, speaker=("coachee", "partner")[i % 2],
                                             t0=0.5, t1=t / 2, text="Hoe gaat het met de planning?"))
    store.append(sid, ev.Tick(t=t))
    store.append(sid, ev.SessionEnded(t=t, reason="ended"))


def test_a_restart_leaves_the_demo_and_a_false_start_out_of_the_day(tmp_path, monkeypatch):
    now = time.time()
    with Store(tmp_path / "d") as store:
        stored(store, "s-demo", *DEMO_NAMES, wall=now - 900, t=55.0)
        stored(store, "s-anna", "Anna", "Bram", wall=now - 600, t=300.0)
        stored(store, "s-oops", "Carla", "Dirk", wall=now - 300, t=2.0, said=0)
        stored(store, "s-hallo", "Carla", "Dirk", wall=now - 250, t=2.5)  # one line: a mic check
        stored(store, "s-short", "Carla", "Dirk", wall=now - 200, t=3.0, said=2)  # short, but they talked
        store.flush()

    async def main():
        r = runtime(tmp_path, monkeypatch)
        await r._start(serving=True)
        try:
            shown = await r._recall_today(now=now)
            return shown, await welcome(r)
        finally:
            await r._stop()

    shown, hello = asyncio.run(main())
    assert shown == ["s-anna", "s-short"]
    assert [s["session"] for s in hello["sessions"]] == ["s-anna", "s-short"]
