"""`pullcoach sessions delete` in another shell while serve runs: a trainer page already open
is told (``session-deleted``) within seconds, and the server forgets the session's history,
with no trainer connecting (before: only a page opened after the delete left it out; the
beamer's dashboard showed the participant who asked to be deleted until it was reloaded).
A session only pruned from memory is still stored: no one is told it was deleted."""

from __future__ import annotations

import asyncio
import json
import os
import time

from websockets.asyncio.client import connect

from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.cli import main
from pullcoach.hub import Hub
from pullcoach.rules.events import SessionEnded, SessionStarted, TranscriptFinal
from pullcoach.server import Service
from pullcoach.store import Store
from tests.service.serve_proc import pullcoach_serve

TRAINER = "trainer-token-0123456789"


def role_play(sid: str, coachee: str, wall: float) -> list:
    return [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee=coachee, partner="Bert"),
            *(TranscriptFinal(t=10.0 * i + 4, speaker="coachee", t0=10.0 * i, t1=10.0 * i + 4,
                              text=f"Wat vind jij daar lastig aan, {coachee}?") for i in range(3)),
            SessionEnded(t=40.0, reason="trainer")]


async def until(ws, kind: str, timeout: float) -> dict | None:
    """The next message of type ``kind`` (None if none came within ``timeout`` s)."""
    end = time.monotonic() + timeout
    while (left := end - time.monotonic()) > 0:
        try:
            msg = json.loads(await asyncio.wait_for(ws.recv(), left))
        except asyncio.TimeoutError:
            return None
        if msg["type"] == kind:
            return msg
    return None


def test_a_trainer_connected_to_serve_is_told_of_a_sessions_delete_in_another_shell(tmp_path, capsys):
    data, now = tmp_path / "data", time.time()
    keep, gone = "20261207-100000-keep", "20261207-101000-gone"
    with Store(data) as store:
        for sid, who, wall in ((keep, "Eva", now - 120), (gone, "Fenna", now - 60)):
            for e in role_play(sid, who, wall):
                store.append(sid, e)
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "xdg"),
               PULLCOACH_TRAINER_TOKEN=TRAINER)
    env.pop("DISPLAY", None)

    async def trainer(port):
        ws = await connect(f"ws://127.0.0.1:{port}/ws", max_size=None)
        await ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": TRAINER}))
        return ws, json.loads(await ws.recv())

    async def run(port):
        end = time.monotonic() + 30
        while True:  # serve reads today's role-plays from the store after it is up
            ws, welcome = await trainer(port)
            if {s["session"] for s in welcome["sessions"]} == {keep, gone} or time.monotonic() > end:
                break
            await ws.close()
            await asyncio.sleep(0.2)
        assert {s["session"] for s in welcome["sessions"]} == {keep, gone}
        async with ws:  # the dashboard on the beamer, open all along
            said = await asyncio.to_thread(main, ["sessions", "delete", gone, "--yes", "--data-dir", str(data)])
            assert said == 0
            told = await until(ws, "session-deleted", 15)
            assert told == {"v": 1, "type": "session-deleted", "session": gone}
            assert p.decode(json.dumps(told)) == p.SessionDeleted(session=gone)
            assert await until(ws, "session-deleted", 6) is None  # once, and not the one kept
        # a page opened (or reconnecting) now: not listed, and told, in case it still shows it
        ws, welcome = await trainer(port)
        async with ws:
            assert [s["session"] for s in welcome["sessions"]] == [keep]
            assert (await until(ws, "session-deleted", 5))["session"] == gone

    with pullcoach_serve(env, data) as port:
        asyncio.run(asyncio.wait_for(run(port), 90))
    assert f"deleted {gone}" in capsys.readouterr().out


def _serve(tmp_path, hub):
    """A Service on a real store with two ended role-plays stored (``Eva``'s and ``Fenna``'s)."""
    store = Store(tmp_path)
    service = Service(hub, tk.Tokens(trainer=TRAINER), port=0, ping_interval=None, store=store)
    service.deleted_check_s = 0.1
    for sid, who in (("s-eva", "Eva"), ("s-fenna", "Fenna")):
        events = role_play(sid, who, time.time())
        for e in events:
            store.append(sid, e)
        store.flush()
        hub.declare(sid, tk.session_token(TRAINER, sid), coachee=who)
        for e in events:
            hub.publish(sid, e)
        service.stored.add(sid)  # as runtime marks a session once its report is written
    return store, service


async def _hello(service, role="trainer", **kw):
    ws = await connect(f"ws://127.0.0.1:{service.port}/ws", max_size=None)
    await ws.send(p.encode(p.Hello(role=role, token=TRAINER, **kw)))
    return ws, p.decode(await ws.recv())


def test_the_server_forgets_a_deleted_session_with_no_trainer_connecting(tmp_path):
    async def run():
        hub = Hub()
        store, service = _serve(tmp_path, hub)
        with store:
            await service.start()
            assert "s-fenna" in service.history
            store.delete("s-fenna")
            await asyncio.sleep(0.5)  # nobody connects: its history goes all the same
            assert "s-fenna" not in hub.sessions and "s-fenna" not in service.history
            assert "s-eva" in hub.sessions and "s-eva" in service.history
            await service.close()
    asyncio.run(asyncio.wait_for(run(), 30))


def test_a_session_pruned_from_memory_stays_and_is_told_only_once_deleted(tmp_path):
    async def run():
        hub = Hub(keep_ended=1)  # Eva's role-play is pruned when Fenna's ends: still stored
        store, service = _serve(tmp_path, hub)
        with store:
            await service.start()
            assert "s-eva" not in hub.sessions
            ws, _ = await _hello(service)  # (a page open since before the prune still shows it)
            async with ws:
                assert await until(ws, "session-deleted", 0.6) is None
                store.delete("s-eva")  # deleted now: the page that shows it must drop it
                assert (await until(ws, "session-deleted", 5))["session"] == "s-eva"
                assert await until(ws, "session-deleted", 0.6) is None
            await service.close()
    asyncio.run(asyncio.wait_for(run(), 30))


def test_an_overlay_of_the_deleted_session_is_left_as_it_is(tmp_path):
    """The coachee's own overlay goes on saying the session ended: no message, no close."""
    async def run():
        hub = Hub()
        store, service = _serve(tmp_path, hub)
        with store:
            await service.start()
            overlay, welcome = await _hello(service, role="overlay", session="s-fenna")
            assert welcome.sessions[0].session == "s-fenna"
            async with overlay:
                await until(overlay, "status", 2)
                store.delete("s-fenna")
                await asyncio.sleep(0.5)
                assert "s-fenna" not in hub.sessions
                assert await until(overlay, "session-deleted", 0.5) is None
                await overlay.ping()  # still connected
            await service.close()
    asyncio.run(asyncio.wait_for(run(), 30))


def test_a_client_may_not_send_session_deleted(tmp_path):
    async def run():
        hub = Hub()
        store, service = _serve(tmp_path, hub)
        with store:
            await service.start()
            ws, _ = await _hello(service)
            async with ws:
                await ws.send(p.encode(p.SessionDeleted(session="s-eva")))
                err = await until(ws, "error", 2)
                assert err["code"] == "malformed"
            assert "s-eva" in hub.sessions
            await service.close()
    asyncio.run(asyncio.wait_for(run(), 30))
