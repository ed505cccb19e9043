"""The segmenter's VAD and echo work runs in its own thread (``feed_async``), so the event
loop that serves the sockets goes on while a block is processed, and the events are the
same, in the same order, as ``feed`` gives on the loop."""

import asyncio
import threading

import numpy as np

from pullcoach.audio import FileSource
from pullcoach.pipeline import PipelineConfig, Segmenter
from pullcoach.rules.events import Tick

BLOCK = 1600  # 0.1 s


class HeldScorer:
    """A Silero stand-in that holds the first block it scores until ``release`` is set."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        self.released_in_time = None

    def score(self, frames):
        if self.released_in_time is None:
            self.entered.set()
            self.released_in_time = self.release.wait(3.0)
        return np.zeros(len(frames), np.float32)


def _held(seg: Segmenter) -> HeldScorer:
    held = HeldScorer()
    seg.channels["coachee"].scorer = held
    return held


def _silence():
    return np.zeros(BLOCK, np.float32)


def test_the_loop_runs_while_a_block_is_processed():
    seg = Segmenter(PipelineConfig())
    held = _held(seg)
    seen = []

    async def main():
        await seg.feed_async("coachee", 0, _silence())  # nothing to score until both channels have it
        task = asyncio.create_task(seg.feed_async("partner", 0, _silence()))
        while not held.entered.is_set():
            await asyncio.sleep(0.005)
        # the block is being scored: the loop still runs callbacks (a socket write, a tick)
        # and the clock has not moved past events not yet handed over
        seen.append(seg.clock)
        held.release.set()
        while not task.done():  # the block done in its thread, its events not yet out
            seen.append(seg.clock)
            await asyncio.sleep(0)
        events, _ = await task
        seen.append(seg.clock)
        return events

    events = asyncio.run(main())
    assert held.released_in_time  # the loop set it while the block was held
    # 3 frames of 32 ms: the clock moves when their events come out, not before
    assert set(seen[:-1]) == {0.0} and seen[-1] == 0.096
    assert [e.t for e in events if isinstance(e, Tick)] == [0.0, 0.05]


def test_a_cancelled_blocks_events_come_out_at_finish():
    seg = Segmenter(PipelineConfig())
    held = _held(seg)

    async def main():
        await seg.feed_async("coachee", 0, _silence())
        task = asyncio.create_task(seg.feed_async("partner", 0, _silence()))
        while not held.entered.is_set():
            await asyncio.sleep(0.005)
        task.cancel()  # the session is stopped mid-block: the block still finishes there
        held.release.set()
        return await seg.finish_async()

    events, _ = asyncio.run(main())
    ref = Segmenter(PipelineConfig())
    ref.feed("coachee", 0, _silence())
    want = ref.feed("partner", 0, _silence())[0] + ref.finish()[0]
    assert events == want


def _blocks(seconds: float):
    source = FileSource("tests/fixtures/audio/nl_push.flac")
    for block in source.produce():
        if block.start >= seconds * 16000:
            return
        yield block


def test_off_the_loop_gives_the_same_events_and_jobs_as_on_it():
    blocks = list(_blocks(16.0))  # a turn each, the coachee cutting in
    on = Segmenter(PipelineConfig())
    want_events, want_jobs = [], []
    for b in blocks:
        e, j = on.feed(b.speaker, b.start, b.samples)
        want_events += e
        want_jobs += j
    e, j = on.finish()
    want_events += e
    want_jobs += j

    async def main():
        off = Segmenter(PipelineConfig())
        events, jobs = [], []
        for b in blocks:
            e, j = await off.feed_async(b.speaker, b.start, b.samples)
            events += e
            jobs += j
        e, j = await off.finish_async()
        return events + e, jobs + j

    events, jobs = asyncio.run(main())
    assert sum(1 for e in events if type(e).__name__ == "SpeechStarted") >= 2
    assert events == want_events
    assert [(j.key, j.action, j.s0, j.s1, j.ready) for j in jobs] == [
        (j.key, j.action, j.s0, j.s1, j.ready) for j in want_jobs]
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(jobs, want_jobs) if a.audio is not None)


def test_a_live_session_processes_its_blocks_off_the_loop():
    """``LiveSession.run`` feeds its blocks through the segmenter's thread: while a block is
    being scored, the loop (sockets, ticks, a trainer's nudge) goes on; on the loop, the held
    scorer would wait out its 3 s and the release would come too late."""
    from pullcoach.audio import AudioBlock
    from pullcoach.session import LiveSession

    from tests.service.test_scheduler import FakeTranscriber

    class Silence:
        async def blocks(self):
            for i in range(20):
                yield AudioBlock(speaker="coachee" if i % 2 == 0 else "partner",
                                 start=(i // 2) * BLOCK, samples=_silence())

    session = LiveSession(Silence(), transcriber=FakeTranscriber(), session_id="s", pace="max")
    held = _held(session.segmenter)
    ticks = []
    session.add_sink(lambda sid, e: ticks.append(e.t) if isinstance(e, Tick) else None)

    async def main():
        run = asyncio.create_task(session.run())
        while not held.entered.is_set():
            await asyncio.sleep(0.005)
        held.release.set()  # only the loop can: the session must not hold it
        await run

    asyncio.run(main())
    assert held.released_in_time
    assert ticks and ticks == sorted(ticks)
