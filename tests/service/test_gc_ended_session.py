"""An ended session lets go of its audio and VAD state: a serve's hub keeps the last 20
ended sessions (their controllers, for the trainer's cards), and each kept its channels'
rings, Silero and echo filters: 5-6 MB a session, for nothing."""

import asyncio
import gc
import weakref

import numpy as np

from pullcoach.audio import AudioBlock
from pullcoach.hub import Hub
from pullcoach.session import LiveSession

from tests.service.test_scheduler import FakeTranscriber

BLOCK = 1600  # 0.1 s


class Tone:
    """Two seconds of a quiet tone on both channels."""

    async def blocks(self):
        t = np.arange(BLOCK, dtype=np.float32) / 16000
        for i in range(40):
            yield AudioBlock(speaker="coachee" if i % 2 == 0 else "partner", start=(i // 2) * BLOCK,
                             samples=(0.01 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))


def test_an_ended_session_kept_by_the_hub_holds_no_audio():
    session = LiveSession(Tone(), transcriber=FakeTranscriber(), session_id="s", pace="max")
    hub = Hub()
    hub.declare("s", "token", controller=session)  # as serve does: kept after the end
    session.add_sink(hub.publish)
    rings = [weakref.ref(ch.ring) for ch in session.segmenter.channels.values()]
    scorers = [weakref.ref(ch.scorer) for ch in session.segmenter.channels.values()]
    asyncio.run(session.run())
    gc.collect()
    assert hub.sessions["s"].ended and hub.sessions["s"].controller is session
    assert 2.0 <= session.clock < 2.1  # the clock stays (the frames finish pads)
    assert [r() for r in rings + scorers] == [None] * 4
