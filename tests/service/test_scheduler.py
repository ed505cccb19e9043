"""The ASR scheduler's policy with a fake transcriber: speculative finals, priorities."""

import asyncio

import numpy as np

from pullcoach.asr import AsrConfig, Transcript
from pullcoach.pipeline import AsrScheduler, Job
from pullcoach.rules.events import TranscriptFinal, TranscriptPartial


class FakeTranscriber:
    """Says what it decoded: 'final' or 'partial' and the job's end time."""

    def __init__(self):
        self.config = AsrConfig(lang="nl")
        self.calls = []

    def transcribe(self, audio, *, final=True, offset=0.0, lang=None):
        self.calls.append((final, round(offset + len(audio) / 16000, 2)))
        return Transcript(text=f"{'final' if final else 'partial'} {len(audio)}", words=(), decode_s=0.01)


def job(t1, *, final=True, speculative=False, action="decode", utterance=1, ready=None, speaker="coachee"):
    n = int(t1 * 16000)
    return Job(speaker=speaker, final=final, s0=0, s1=n, t0=0.0, t1=t1,
               ready=ready if ready is not None else t1 + 0.25, audio=np.zeros(n, np.float32),
               utterance=utterance, action=action, speculative=speculative)


def run(steps, pace="max"):
    """steps: list of job lists, submitted one after another with a drain in between."""
    out, tr = [], FakeTranscriber()
    clock = [0.0]

    async def main():
        s = AsrScheduler(tr, out.append, lambda: clock[0], pace=pace)
        worker = asyncio.create_task(s.run())
        for jobs in steps:
            clock[0] = max([j.ready for j in jobs] + [clock[0]])
            s.submit(jobs)
            await s.drain()
        await s.close()
        await worker
    asyncio.run(main())
    return out, tr


def test_confirmed_speculation_gives_one_final_at_the_confirm_time():
    spec = job(2.0, speculative=True)
    confirm = job(2.0, action="confirm", ready=2.4)
    out, tr = run([[spec], [confirm]])
    assert [type(e) for e in out] == [TranscriptFinal]
    assert out[0].t == 2.4 and out[0].t1 == 2.0
    assert tr.calls == [(True, 2.0)]  # decoded once, before the utterance was known to end


def test_cancelled_speculation_emits_nothing():
    out, _ = run([[job(2.0, speculative=True)], [job(2.0, action="cancel")]])
    assert out == []


def test_speech_resumed_then_ended_gives_only_the_later_final():
    out, tr = run([[job(2.0, speculative=True)], [job(2.0, action="cancel")],
                   [job(5.0, speculative=True)], [job(5.0, action="confirm", ready=5.4)]])
    assert len(out) == 1 and out[0].t1 == 5.0 and out[0].t == 5.4


def test_partials_of_an_utterance_that_is_final_are_skipped():
    out, tr = run([[job(3.0, final=False), job(3.5)]])
    assert [type(e) for e in out] == [TranscriptFinal]
    assert tr.calls == [(True, 3.5)]


def test_only_the_newest_partial_per_speaker_is_decoded():
    out, tr = run([[job(2.0, final=False), job(3.0, final=False), job(4.0, final=False)]])
    assert [type(e) for e in out] == [TranscriptPartial]
    assert tr.calls == [(False, 4.0)]


def test_finals_go_before_partials():
    out, tr = run([[job(4.0, final=False, speaker="coachee"),
                    job(3.0, speaker="partner", utterance=7)]])
    assert tr.calls[0] == (True, 3.0)
