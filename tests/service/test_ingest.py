"""/ingest against captures that send what no capture sends: blocks far ahead of the
session's audio, sessions that are not theirs, sessions that break."""

import asyncio
import json
import urllib.request

import numpy as np
import pytest
from websockets.asyncio.client import connect

from pullcoach import capture, ingest, tokens as tk
from pullcoach import protocol as p
from pullcoach.errors import ProtocolError
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"
RATE = ingest.RATE
HOUR = 3600 * RATE


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Recording:
    """Stands in for LiveSession on a real Service: starts, takes the blocks, ends."""

    def __init__(self, hub, source, session_id, seen=None):
        self.hub, self.source, self.id, self.seen = hub, source, session_id, seen

    def stop(self, reason="stopped"):
        self.source.close()

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
        async for b in self.source.blocks():
            if self.seen is not None:
                self.seen.append((b.speaker, b.start, len(b.samples)))
        self.hub.publish(self.id, ev.SessionEnded(t=0.0))


async def serving(hub, seen=None):
    return await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0, ping_interval=None,
                         session_factory=lambda src, *, session_id, **kw: Recording(hub, src, session_id, seen)
                         ).start()


class Slow:
    """A capture's source at 100 blocks a second: ``n`` blocks of the coachee."""

    def __init__(self, n):
        self.n, self.closed = n, False

    async def blocks(self):
        for i in range(self.n):
            if self.closed:
                return
            await asyncio.sleep(0.01)
            yield block("coachee", i * 1600)

    def close(self):
        self.closed = True


def block(speaker, start, n=1600):
    return ingest.AudioBlock(speaker=speaker, start=start, samples=np.zeros(n, np.float32))


@pytest.mark.parametrize("start", [HOUR, 2**40, 2**62, 2**64 - 1600])
def test_a_block_far_ahead_of_the_session_is_refused_and_never_queued(start):
    async def main():
        clock = Clock()
        src = ingest.WebSocketSource(clock=clock)
        src.feed(block("coachee", 0))
        src.feed(block("partner", 0))
        clock.now += 3700  # even an hour into the session: no gap of an hour
        with pytest.raises(ProtocolError) as err:
            src.feed(block("coachee", start))
        assert p.error_code(err.value) == "bad-block" and "dropped" in str(err.value)
        src.feed(block("coachee", 1600))  # and the capture goes on where it was
        src.close()
        got = [(b.speaker, b.start, len(b.samples)) async for b in src.blocks()]
        return got, src.stats()
    got, stats = asyncio.run(main())
    assert got == [("coachee", 0, 1600), ("partner", 0, 1600), ("coachee", 1600, 1600)]
    assert stats["refused"] == 1 and stats["blocks"] == 3


@pytest.mark.parametrize("start", [HOUR, 2**62])
def test_a_first_block_far_from_zero_is_refused(start):
    async def main():
        src = ingest.WebSocketSource(clock=Clock())
        with pytest.raises(ProtocolError, match="bad-block|at most"):
            src.feed(block("coachee", start))
        src.close()
        return [b async for b in src.blocks()]
    assert asyncio.run(main()) == []


def test_audio_cannot_run_ahead_of_the_clock_by_jumping_again_and_again():
    """Jumps under the gap bound, one after the other, still cannot outrun real time."""
    async def main():
        clock = Clock()
        src = ingest.WebSocketSource(clock=clock)
        src.feed(block("coachee", 0))
        clock.now += 10
        src.feed(block("coachee", 20 * RATE))  # 30 s ahead of a 10 s session's clock: a head start
        with pytest.raises(ProtocolError, match="ahead of the clock"):
            src.feed(block("coachee", 140 * RATE))  # a 120 s jump, but 130 s ahead of the clock
        return src.stats()
    assert asyncio.run(main())["refused"] == 1


def test_a_real_gap_after_a_reconnect_is_silence_handed_over_a_second_at_a_time():
    """A capture back after 115 s: the gap goes to the pipeline in 1 s pieces, and the event
    loop runs other things between them (padded in one go it held the loop 1.4 s)."""
    async def main():
        clock = Clock()
        src = ingest.WebSocketSource(clock=clock)
        src.feed(block("coachee", 0))
        src.feed(block("partner", 0))
        clock.now += 118
        gap_end = 1600 + 115 * RATE
        src.feed(block("coachee", gap_end))
        src.feed(block("partner", gap_end))
        src.close()
        turns = 0

        async def other():
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(other())
        await asyncio.sleep(0)
        got = []
        async for b in src.blocks():
            got.append((b.speaker, b.start, len(b.samples), float(np.abs(b.samples).max())))
        task.cancel()
        return got, turns
    got, turns = asyncio.run(main())
    for speaker in ("coachee", "partner"):
        mine = [g for g in got if g[0] == speaker]
        assert all(n <= RATE for _, _, n, _ in mine)
        # contiguous from 0 to the end: every sample of the gap is there, as silence
        assert mine[0][1] == 0 and all(a[1] + a[2] == b[1] for a, b in zip(mine, mine[1:]))
        assert mine[-1][1] == 1600 + 115 * RATE
    assert turns > 200  # the loop ran between the pieces


def test_a_capture_sending_a_block_an_hour_ahead_gets_an_error_and_the_server_goes_on():
    async def main():
        hub, seen = Hub(), []
        service = await serving(hub, seen)
        url = f"ws://127.0.0.1:{service.port}"
        async with connect(url + "/ingest") as ws:
            await ws.send(p.encode(p.Hello(role="capture", token=INGEST)))
            sid = p.decode(await ws.recv()).sessions[0].session
            await ws.send(ingest.pack_block("coachee", 0, np.zeros(1600, np.float32)))
            await ws.send(ingest.pack_block("coachee", HOUR, np.zeros(1600, np.float32)))
            reply = p.decode(await asyncio.wait_for(ws.recv(), 5))
            assert isinstance(reply, p.Error) and reply.code == "bad-block", reply
            assert "3600 s past" in reply.message
            health = await asyncio.to_thread(
                lambda: json.loads(urllib.request.urlopen(url.replace("ws", "http") + "/healthz",
                                                          timeout=5).read()))
            assert health["ok"]
            await ws.send(p.encode(p.EndSession(session=sid)))
            with pytest.raises(Exception):
                await asyncio.wait_for(ws.recv(), 5)  # closed once the session has ended
        assert seen == [("coachee", 0, 1600)]  # the far block never reached the session
        assert hub.sessions[sid].ended
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_the_trainer_is_told_when_a_capture_drops_and_when_it_is_back():
    async def main():
        hub = Hub()
        service = await serving(hub)
        url = f"ws://127.0.0.1:{service.port}"
        capture_ws = await connect(url + "/ingest")
        await capture_ws.send(p.encode(p.Hello(role="capture", token=INGEST)))
        welcome = p.decode(await capture_ws.recv())
        sid = welcome.sessions[0].session
        await capture_ws.send(ingest.pack_block("coachee", 0, np.zeros(1600, np.float32)))
        trainer = await connect(url + "/ws")
        await trainer.send(p.encode(p.Hello(role="trainer", token=TRAINER)))

        async def status():
            while True:
                msg = p.decode(await asyncio.wait_for(trainer.recv(), 5))
                if isinstance(msg, p.Status) and msg.session == sid:
                    return msg
        assert not (await status()).capture_away
        capture_ws.transport.abort()   # killed: no close frame
        assert (await status()).capture_away
        async with connect(url + "/ingest") as again:
            await again.send(p.encode(p.Hello(role="capture", token=INGEST, session=sid, resume=welcome.resume)))
            await again.recv()
            assert not (await status()).capture_away
            await again.send(p.encode(p.EndSession(session=sid)))
        await trainer.close()
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_session_that_breaks_is_not_said_to_be_ended_by_the_trainer(caplog):
    async def main():
        hub = Hub()

        class Broken:
            def __init__(self, source, session_id):
                self.source, self.id = source, session_id

            def stop(self, reason="stopped"):
                self.source.close()

            async def run(self):
                async for _ in self.source.blocks():
                    raise MemoryError("Unable to allocate 4.00 TiB")

        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None,
                                session_factory=lambda src, *, session_id, **kw: Broken(src, session_id)).start()

        with pytest.raises(ProtocolError, match="failed on the server"):
            await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, Slow(200))
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))
    assert "the trainer ended" not in caplog.text


def test_another_pairs_capture_cannot_take_over_a_session_by_its_id():
    """Every pair holds the capture token; only the capture that started a session holds
    its resume secret (from its welcome), and only that resumes it."""
    async def main():
        hub, got = Hub(), {}

        class Counting:
            def __init__(self, source, session_id):
                self.source, self.id, self.n = source, session_id, 0
                got[session_id] = self

            def stop(self, reason="stopped"):
                self.source.close()

            async def run(self):
                hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
                async for b in self.source.blocks():
                    self.n += len(b.samples)
                hub.publish(self.id, ev.SessionEnded(t=self.n / RATE))

        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None,
                                session_factory=lambda src, *, session_id, **kw: Counting(src, session_id)).start()
        url = f"ws://127.0.0.1:{service.port}/ingest"
        welcomes = []

        real = asyncio.create_task(capture.stream(url, INGEST, Slow(100), on_welcome=welcomes.append))
        while not welcomes:
            await asyncio.sleep(0.01)
        sid = welcomes[0].sessions[0].session
        assert welcomes[0].resume == tk.resume_token(TRAINER, sid)
        assert welcomes[0].resume not in (welcomes[0].token, tk.session_token(TRAINER, sid))
        for secret in (None, "", welcomes[0].token, tk.resume_token(TRAINER, sid + "x")):
            async with connect(url) as thief:  # the victim's id, the pairs' capture token
                await thief.send(p.encode(p.Hello(role="capture", token=INGEST, session=sid,
                                                  resume=secret)))
                reply = p.decode(await thief.recv())
                assert isinstance(reply, p.Error) and reply.code == "bad-token", reply
                with pytest.raises(Exception):
                    await asyncio.wait_for(thief.recv(), 2)
                assert thief.close_code == 4401
        assert await asyncio.wait_for(real, 10) == sid  # the real capture was never replaced
        assert got[sid].n == 100 * 1600 and len(got) == 1
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_resume_secrets_are_derived_per_session_and_differ_from_the_other_tokens():
    a, b = tk.resume_token(TRAINER, "s1"), tk.resume_token(TRAINER, "s2")
    assert a != b and a == tk.resume_token(TRAINER, "s1") and len(a) >= 24
    assert a not in (tk.session_token(TRAINER, "s1"), tk.view_token(TRAINER, "s1"),
                     tk.resume_token("other-trainer-token", "s1"))


def test_a_capture_says_the_server_s_errors_while_it_streams(caplog):
    """The capture read nothing from the server until the session ended: a `bad-block`
    error went unseen (and piled up) for as long as the role-play lasted."""
    async def main():
        hub, said_at = Hub(), []

        class Source:
            closed = False

            async def blocks(self):
                yield block("coachee", 0)
                for _ in range(3):
                    yield block("coachee", HOUR)  # refused, three times
                for i in range(40):  # the role-play goes on
                    await asyncio.sleep(0.02)
                    if any("server:" in r.getMessage() for r in caplog.records) and not said_at:
                        said_at.append(i)
                    yield block("coachee", 1600 * (i + 1))

            def close(self):
                self.closed = True

        service = await serving(hub)
        with caplog.at_level("WARNING", logger="pullcoach.capture"):
            await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, Source())
        await service.close()
        return said_at

    said_at = asyncio.run(asyncio.wait_for(main(), 30))
    assert said_at and said_at[0] < 30  # heard while streaming, not after the end
    msgs = [r.getMessage() for r in caplog.records]
    assert sum("3600 s past" in m for m in msgs) == 1  # the server says it once a second at most


def test_a_session_that_is_behind_holds_the_capture_back_instead_of_dropping_its_audio():
    """After a restart three role-plays' backlogs arrived at once; the full queue dropped
    blocks (14 s of one pair's speech, reported as their device gone). Now the pump waits."""
    async def main():
        src = ingest.WebSocketSource(max_blocks=4, clock=Clock())
        for i in range(4):
            src.feed(block("coachee", 1600 * i))
        waiting = asyncio.create_task(src.room())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # full: the pump (and so the capture) waits
        it = src.blocks()
        assert (await it.__anext__()).start == 0
        await asyncio.wait_for(waiting, 1)
        src.feed(block("coachee", 1600 * 4))
        assert src.stats()["dropped"] == 0
    asyncio.run(main())


def test_a_capture_with_the_trainer_token_is_taken_but_the_serve_window_says_so(caplog):
    async def main():
        hub = Hub()
        service = await serving(hub)
        url = f"ws://127.0.0.1:{service.port}/ingest"
        for token in (INGEST, TRAINER):
            async with connect(url) as ws:
                await ws.send(p.encode(p.Hello(role="capture", token=token, coachee="Gijs")))
                sid = p.decode(await ws.recv()).sessions[0].session
                await ws.send(p.encode(p.EndSession(session=sid)))
                with pytest.raises(Exception):
                    await asyncio.wait_for(ws.recv(), 5)
        await service.close()
    caplog.set_level("WARNING")
    asyncio.run(asyncio.wait_for(main(), 30))
    said = [r.getMessage() for r in caplog.records if "trainer token" in r.getMessage()]
    assert len(said) == 1 and "Gijs" in said[0] and "give pairs the capture token" in said[0]
