"""A session `sessions delete` took out of the store while serve ran: a trainer page opened
afterwards shows no card, transcript or debrief row of it (before, the card and its whole
transcript stayed until serve restarted, and the day's debrief link failed)."""

from __future__ import annotations

import asyncio
import time

from websockets.asyncio.client import connect

from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.hub import Hub
from pullcoach.rules.events import SessionEnded, SessionStarted, TranscriptFinal
from pullcoach.server import Service
from pullcoach.store import Store

TRAINER = "trainer-token-0123456789"


def test_a_trainer_page_opened_after_a_delete_does_not_show_the_deleted_session(tmp_path):
    async def main():
        with Store(tmp_path) as store:
            hub = Hub()
            service = await Service(hub, tk.Tokens(trainer=TRAINER), port=0, ping_interval=None,
                                    store=store).start()
            for sid in ("keep-1", "gone-1"):
                events = [SessionStarted(session=sid, lang="nl", wall_clock=time.time(), coachee="Eva"),
                          TranscriptFinal(t=2.0, speaker="coachee", t0=0.5, t1=1.8, text="Geheim."),
                          SessionEnded(t=3.0, reason="trainer")]
                for e in events:
                    store.append(sid, e)
                store.flush()
                rec = hub.declare(sid, tk.session_token(TRAINER, sid), coachee="Eva")
                for e in events:
                    hub.publish(sid, e)
                assert rec.ended
                service.stored.add(sid)  # as runtime marks a session once its report is written

            async def welcome():
                async with connect(f"ws://127.0.0.1:{service.port}/ws") as ws:
                    await ws.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
                    return [s.session for s in p.decode(await ws.recv()).sessions]
            assert sorted(await welcome()) == ["gone-1", "keep-1"]
            assert store.delete("gone-1")  # `pullcoach sessions delete` in another shell
            assert await welcome() == ["keep-1"]
            assert "gone-1" not in hub.sessions and "gone-1" not in service.history
            await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))
