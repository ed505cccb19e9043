"""What ``pullcoach serve`` says on its console: after a crash, and on a first Ctrl-C; from a
real store and a real server with real capture connections."""

from __future__ import annotations

import asyncio

import numpy as np
from websockets.asyncio.client import connect

from pullcoach import ingest, tokens as tk
from pullcoach import protocol as p
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.serve_console import restart_lines, running_line
from pullcoach.server import Service
from pullcoach.store import Store

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"
NOW = 1_800_000_000.0


def stored(store, sid, coachee, partner, *, wall, t):
    store.append(sid, ev.SessionStarted(t=0.0, session=sid, lang="nl", wall_clock=wall,
                                        coachee=coachee, partner=partner))
    store.append(sid, ev.Tick(t=t))


def test_after_a_crash_serve_says_once_that_it_goes_on_with_the_role_plays_that_ran(tmp_path):
    with Store(tmp_path) as store:   # the server that was killed: its sessions stay live
        stored(store, "s-anna", "Anna", "Bram", wall=NOW - 70.0, t=61.5)
        stored(store, "s-chris", "Chris", "Dirk", wall=NOW - 65.0, t=61.5)
        store.flush()
    with Store(tmp_path) as store:   # the next serve finds them cut off
        assert sorted(store.interrupted) == ["s-anna", "s-chris"]
        lines = restart_lines(store, tmp_path, now=NOW)
    assert lines == [
        "pullcoach goes on with 2 role-plays that were running when it stopped (Anna ↔ Bram, Chris ↔ Dirk): "
        "each where it was as its capture reconnects (by itself within 2 minutes; a capture that "
        "stopped too: run it again)"]
    assert not any("cut off" in line for line in lines)


def test_a_role_play_stopped_too_long_ago_to_go_on_with_is_said_to_be_cut_off(tmp_path):
    with Store(tmp_path) as store:
        stored(store, "s-anna", "Anna", "Bram", wall=NOW - 30.0, t=20.0)
        stored(store, "s-old", "Eva", "Frank", wall=NOW - 3600.0, t=600.0)   # 50 minutes ago
        store.flush()
    with Store(tmp_path) as store:
        lines = restart_lines(store, tmp_path, now=NOW)
    assert lines == [
        "pullcoach goes on with 1 role-play that was running when it stopped (Anna ↔ Bram): it goes on "
        "where it was as its capture reconnects (by itself within 2 minutes; a capture that stopped "
        "too: run it again)",
        f"session s-old was cut off (pullcoach stopped without ending it, too long ago to go on with); "
        f"its events are kept: pullcoach report s-old --data-dir {tmp_path}"]


class Recording:
    """Stands in for LiveSession on a real Service: starts, takes the blocks, ends."""

    def __init__(self, hub, source, session_id, coachee, partner):
        self.hub, self.source, self.id = hub, source, session_id
        self.names = {"coachee": coachee, "partner": partner}

    def stop(self, reason="stopped"):
        self.source.close()

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0, **self.names))
        async for _ in self.source.blocks():
            pass
        self.hub.publish(self.id, ev.SessionEnded(t=0.0))


def test_the_first_ctrl_c_names_a_role_play_whose_capture_is_away_as_waiting_for_it():
    async def main():
        hub = Hub()
        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0, ping_interval=None,
                                session_factory=lambda src, *, session_id, coachee, partner, **kw:
                                Recording(hub, src, session_id, coachee, partner)
                                ).start()
        url = f"ws://127.0.0.1:{service.port}/ingest"
        assert running_line(service, 10.0) is None   # nothing runs: Ctrl-C quits at once
        captures = []
        for coachee, partner in (("Anna", "Bram"), ("Chris", "Dirk")):
            ws = await connect(url)
            await ws.send(p.encode(p.Hello(role="capture", token=INGEST, coachee=coachee, partner=partner)))
            await ws.recv()
            await ws.send(ingest.pack_block("coachee", 0, np.zeros(1600, np.float32)))
            captures.append(ws)
        for _ in range(100):
            if len(hub.sessions) == 2 and all(r.live for r in hub.sessions.values()):
                break
            await asyncio.sleep(0.02)
        assert running_line(service, 10.0) == (
            "2 role-plays live: Anna ↔ Bram, Chris ↔ Dirk. Press Ctrl-C again within 10 s to end them "
            "and stop the server (their reports end there).")
        captures[1].transport.abort()   # Chris's capture killed: no close frame
        for _ in range(100):
            if "waiting" in running_line(service, 10.0):
                break
            await asyncio.sleep(0.02)
        assert running_line(service, 10.0) == (
            "1 role-play live: Anna ↔ Bram; 1 role-play waiting for its capture: Chris ↔ Dirk. Press "
            "Ctrl-C again within 10 s to end them and stop the server (their reports end there).")
        await captures[0].close()
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))
