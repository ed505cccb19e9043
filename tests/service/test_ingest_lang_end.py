"""/ingest: a capture that names no language is coached in the server's --lang; an
end-session naming another session ends nothing; a huge session id is not echoed back."""

import asyncio

import numpy as np
import pytest
from websockets.asyncio.client import connect

from pullcoach import ingest, tokens as tk
from pullcoach import protocol as p
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"


class Recording:
    def __init__(self, hub, source, session_id, lang, made):
        self.hub, self.source, self.id, self.lang = hub, source, session_id, lang
        made.append((session_id, lang))

    def stop(self, reason="stopped"):
        self.source.close()

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, lang=self.lang, wall_clock=0.0))
        async for _ in self.source.blocks():
            pass
        self.hub.publish(self.id, ev.SessionEnded(t=0.0))


async def serving(hub, made, lang="nl"):
    return await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0, ping_interval=None,
                         lang=lang,
                         session_factory=lambda src, *, session_id, lang, **kw: Recording(
                             hub, src, session_id, lang, made)).start()


async def hello(url, **kw):
    ws = await connect(url)
    await ws.send(p.encode(p.Hello(role="capture", token=INGEST, **kw)))
    return ws, p.decode(await asyncio.wait_for(ws.recv(), 5))


@pytest.mark.parametrize("said, server, coached", [(None, "en", "en"), (None, "nl", "nl"),
                                                   ("nl", "en", "nl"), ("en", "nl", "en")])
def test_a_capture_that_names_no_language_is_coached_in_the_server_s(said, server, coached):
    async def main():
        hub, made = Hub(), []
        service = await serving(hub, made, lang=server)
        ws, welcome = await hello(f"ws://127.0.0.1:{service.port}/ingest", lang=said)
        sid = welcome.sessions[0].session
        assert welcome.sessions[0].lang == coached and welcome.lang == server
        assert made == [(sid, coached)] and hub.sessions[sid].lang == coached
        await ws.send(p.encode(p.EndSession(session=sid)))
        await ws.close()
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_hello_with_lang_null_is_one_without():
    assert p.decode('{"v":1,"type":"hello","role":"capture","token":"t","lang":null}').lang is None


def test_an_end_session_naming_another_session_ends_nothing():
    async def main():
        hub, made = Hub(), []
        service = await serving(hub, made)
        url = f"ws://127.0.0.1:{service.port}/ingest"
        ws, welcome = await hello(url)
        sid = welcome.sessions[0].session
        other = "x" * 5000
        await ws.send(p.encode(p.EndSession(session=other)))
        reply = p.decode(await asyncio.wait_for(ws.recv(), 5))
        assert isinstance(reply, p.Error) and reply.code == "no-session", reply
        assert sid in reply.message and len(reply.message) < 200
        await ws.send(ingest.pack_block("coachee", 0, np.zeros(1600, np.float32)))
        await asyncio.sleep(0.3)
        assert not hub.sessions[sid].ended and ws.close_code is None  # still streaming
        await ws.send(p.encode(p.EndSession(session=sid)))
        with pytest.raises(Exception):
            await asyncio.wait_for(ws.recv(), 5)  # its own id ends it
        assert hub.sessions[sid].ended
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_huge_session_id_in_a_hello_is_not_echoed_back_whole():
    async def main():
        hub, made = Hub(), []
        service = await serving(hub, made)
        url = f"ws://127.0.0.1:{service.port}/ingest"
        huge = "s" * 50_000
        for secret in (None, tk.resume_token(TRAINER, huge)):  # bad-token, then no-session
            ws, reply = await hello(url, session=huge, resume=secret)
            assert isinstance(reply, p.Error) and reply.code in ("bad-token", "no-session"), reply
            assert len(reply.message) < 300, len(reply.message)
            assert "s" * 40 in reply.message
            await ws.close()
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))
