"""A capture whose connection drops because the server fell behind (its session's queue
full: it stops reading, so keepalive pings go unanswered) loses no audio, and one that drops
while its session is ending still ends it. Real websockets on 127.0.0.1, a real Service."""

import asyncio
import functools

import numpy as np
import pytest

from pullcoach import capture, ingest, server as server_mod, tokens as tk
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"
RATE = ingest.RATE
BLOCK = 800  # 50 ms


class Fast:
    """``seconds`` of both channels in 50 ms blocks, a second of audio per ``pace`` s of wall
    time; block i of a channel has the level (i % 50 + 1) / 100, so a lost one is missed."""

    def __init__(self, seconds, pace=0.05):
        self.n, self.pace, self.closed = int(seconds * 20), pace, False

    async def blocks(self):
        for i in range(self.n):
            if self.closed:
                return
            if i % 20 == 0:
                await asyncio.sleep(self.pace)
            for speaker in ("coachee", "partner"):
                yield ingest.AudioBlock(speaker=speaker, start=i * BLOCK,
                                        samples=np.full(BLOCK, (i % 50 + 1) / 100, np.float32))

    def close(self):
        self.closed = True


class Stalling:
    """Stands in for LiveSession on a loaded laptop: after ``after`` s of audio it takes no
    blocks for ``stall`` s (Whisper behind), then catches up."""

    def __init__(self, hub, source, session_id, after, stall):
        self.hub, self.source, self.id = hub, source, session_id
        self.after, self.stall = after, stall
        self.got = []  # (speaker, start, n, level)

    def stop(self, reason="stopped"):
        self.source.close()

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
        stalled = False
        async for b in self.source.blocks():
            self.got.append((b.speaker, b.start, len(b.samples), round(float(b.samples.max()), 2)))
            if not stalled and b.start >= self.after * RATE:
                stalled = True
                await asyncio.sleep(self.stall)
        self.hub.publish(self.id, ev.SessionEnded(t=self.got[-1][1] / RATE if self.got else 0.0))


async def serving(monkeypatch, after, stall):
    hub, made = Hub(), []

    def factory(source, *, session_id, **kw):
        made.append(Stalling(hub, source, session_id, after, stall))
        return made[-1]
    # keepalive and close handshake in tenths of a second (20 s and 10 s in `serve`)
    monkeypatch.setattr(server_mod, "serve", functools.partial(server_mod.serve, close_timeout=0.5))
    service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                            ping_interval=0.5, session_factory=factory).start()
    return service, hub, made


def heard(got, speaker):
    """The levels of one channel's blocks in session order: 0.0 is silence filled in."""
    return [g[3] for g in sorted(g for g in got if g[0] == speaker)]


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(ingest, "AHEAD_S", 1000.0)  # the source runs faster than real time
    monkeypatch.setattr(capture, "KEEPALIVE", {"ping_interval": 0.5, "ping_timeout": 0.5,
                                               "close_timeout": 0.5}, raising=False)


# the source still streaming when the connection drops (40 s of audio in 6 s), or done and
# its end-session waiting behind the audio the server has not read (20 s in 1 s)
@pytest.mark.parametrize("seconds, pace, ending", [(40, 0.15, False), (20, 0.05, True)],
                         ids=["mid-session", "while-ending"])
def test_a_drop_while_the_server_is_behind_loses_no_audio_and_the_session_ends(
        monkeypatch, quick, caplog, seconds, pace, ending):
    async def main():
        service, hub, made = await serving(monkeypatch, after=2.0, stall=4.0)
        url = f"ws://127.0.0.1:{service.port}"
        with caplog.at_level("WARNING"):
            sid = await asyncio.wait_for(capture.stream(url, INGEST, Fast(seconds, pace)), 40)
        for _ in range(200):
            if hub.sessions[sid].ended:
                break
            await asyncio.sleep(0.05)
        await service.close()
        return made, sid, hub

    made, sid, hub = asyncio.run(main())
    said = [r.getMessage() for r in caplog.records]
    lost = [s for s in said if s.startswith("lost the server")]
    assert lost and ("while the session was ending" in lost[0]) == ending, said  # it did drop
    assert len(made) == 1 and hub.sessions[sid].ended  # at once: not after the 120 s grace
    assert not any("waiting 120 s" in s for s in said[-2:]), said
    want = [(i % 50 + 1) / 100 for i in range(seconds * 20)]
    for speaker in ("coachee", "partner"):
        got = heard(made[0].got, speaker)
        assert 0.0 not in got, f"{got.count(0.0)} blocks of {speaker} silence filled in"
        assert got == want
