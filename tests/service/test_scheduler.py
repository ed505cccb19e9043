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


class SlowTranscriber(FakeTranscriber):
    """Takes ``seconds[final]`` per decode in a worker thread, like the real model."""

    def __init__(self, seconds, fail_at=None):
        super().__init__()
        self.seconds = seconds
        self.fail_at = fail_at
        self.spans = []

    def transcribe(self, audio, *, final=True, offset=0.0, lang=None):
        import time
        t = time.perf_counter()
        if self.fail_at is not None and round(len(audio) / 16000, 2) == self.fail_at:
            raise RuntimeError("decoder broke")
        time.sleep(self.seconds[final])
        self.spans.append((final, round(len(audio) / 16000, 2), t, time.perf_counter()))
        return super().transcribe(audio, final=final, offset=offset, lang=lang)


def run_live(steps, tr):
    """steps: job lists submitted 0.05 s apart while decodes run."""
    out = []

    async def main():
        s = AsrScheduler(tr, out.append, lambda: 0.0, pace="live")
        worker = asyncio.create_task(s.run())
        for jobs in steps:
            s.submit(jobs)
            await asyncio.sleep(0.05)
        await s.drain()
        await s.close()
        await worker
    asyncio.run(main())
    return out


def test_live_a_final_does_not_wait_behind_a_running_partial():
    tr = SlowTranscriber({False: 0.4, True: 0.1})
    out = run_live([[job(4.0, final=False, speaker="coachee")],
                    [job(3.0, speaker="partner", utterance=7)]], tr)
    partial = next(s for s in tr.spans if not s[0])
    final = next(s for s in tr.spans if s[0])
    assert final[2] < partial[3]  # started while the partial still ran
    assert [type(e) for e in out] == [TranscriptFinal, TranscriptPartial]


def test_live_finals_of_one_speaker_stay_in_order():
    tr = SlowTranscriber({True: 0.2, False: 0.0})
    out = run_live([[job(5.0, utterance=1), job(6.0, utterance=2)]], tr)
    assert [e.t1 for e in out] == [5.0, 6.0]
    first, second = sorted((s for s in tr.spans), key=lambda s: s[2])
    assert second[2] >= first[3]  # the second began after the first ended


def test_a_failed_decode_is_a_warning_and_later_ones_still_run():
    tr = SlowTranscriber({True: 0.0, False: 0.0}, fail_at=5.0)
    out = run_live([[job(5.0, utterance=1), job(6.0, utterance=2)]], tr)
    assert [type(e).__name__ for e in out] == ["PipelineWarning", "TranscriptFinal"]
    assert out[0].kind == "asr-error" and out[1].t1 == 6.0


def test_model_slots_let_a_waiting_final_go_before_waiting_partials():
    import threading
    import time

    from pullcoach.asr import Slots

    slots, order = Slots(1), []
    slots.acquire(final=True)  # the one slot is busy

    def decode(name, final):
        slots.acquire(final)
        order.append(name)
        slots.release()

    threads = [threading.Thread(target=decode, args=("partial-a", False)),
               threading.Thread(target=decode, args=("partial-b", False))]
    for t in threads:
        t.start()
    time.sleep(0.05)
    threads.append(threading.Thread(target=decode, args=("final", True)))
    threads[-1].start()
    time.sleep(0.05)
    slots.release()
    for t in threads:
        t.join(2)
    assert order[0] == "final" and sorted(order[1:]) == ["partial-a", "partial-b"]
    assert slots.busy == 0


def test_audio_that_breaks_mid_session_ends_it_as_an_error_the_report_says():
    """A damaged recording or a device that died: the session ends with reason "error", what
    broke is logged, and the report says where the recording broke off."""
    from pullcoach.audio import AudioBlock
    from pullcoach.errors import AudioError
    from pullcoach.report import render
    from pullcoach.rules.events import SessionEnded
    from pullcoach.session import LiveSession

    class Breaking:
        async def blocks(self):
            for i in range(40):  # 2 s of silence, then broken data
                yield AudioBlock(speaker="coachee" if i % 2 == 0 else "partner",
                                 start=(i // 2) * 1600, samples=np.zeros(1600, np.float32))
            raise AudioError("cut.flac: broken audio data after 2.0 s")

    seen = []
    session = LiveSession(Breaking(), transcriber=FakeTranscriber(), session_id="s", pace="max")
    session.add_sink(lambda sid, e: seen.append(e))

    async def main():
        try:
            await session.run()
        except AudioError:
            return True
        return False

    assert asyncio.run(main())  # the error still reaches the command, which says it
    (end,) = [e for e in seen if isinstance(e, SessionEnded)]
    assert end.reason == "error"
    md = render(seen, "md")
    assert "> De opname brak op 0:02 af (cut.flac: broken audio data after 2.0 s)" in md


def behind_warning(model=None, partials=True):
    """The warning a scheduler gives with a final waiting 4 s (its watchdog warns past 3 s)."""
    out, tr, clock = [], FakeTranscriber(), [10.0]
    tr.model_name = model

    async def main():
        s = AsrScheduler(tr, out.append, lambda: clock[0], pace="live", partials=partials)
        s.submit([job(9.75)])  # ready at 10.0; nothing decodes it
        clock[0] = 14.0
        s.check()
    asyncio.run(main())
    (w,) = out
    assert (w.kind, w.detail) == ("asr-behind", {"lag_s": 4.0, "waiting": 1})
    return w.message


def test_behind_says_what_helps_here_not_a_smaller_model_than_the_smallest_that_ships():
    from pullcoach.model import assembled_dir
    base = behind_warning(str(assembled_dir()))  # what --model left out resolves to
    assert base == ("Transcription is 4.0 s behind the conversation: partial transcripts paused. "
                    "Close other programs that use the CPU or start with --no-partials (final transcripts only).")
    assert "smaller model" not in base and "--model" not in base
    assert behind_warning("base") == behind_warning("tiny") == base
    # with --no-partials there are none to pause or to turn off
    assert behind_warning(None, partials=False) == (
        "Transcription is 4.0 s behind the conversation: nudges on words come later. "
        "Close other programs that use the CPU.")
    # a bigger model the user asked for: the packaged base is the faster one
    assert behind_warning("small").endswith(
        ", start with --no-partials (final transcripts only) or leave out --model small (the packaged base is faster).")
    assert "leave out --model /srv/my-whisper if it is bigger than base" in behind_warning("/srv/my-whisper")


def test_a_lag_swinging_round_the_threshold_is_said_once_and_caught_up_once_it_holds():
    """On a busy machine a final's wait swings past 3 s and back every few seconds: the
    console and the overlay get one warning, and "caught up" once it stays caught up
    (it said a pair per swing). Partials still go on as soon as the lag is down."""
    out, clock = [], [0.0]

    async def main():
        s = AsrScheduler(FakeTranscriber(), out.append, lambda: clock[0], pace="live")
        for start in (10.0, 20.0, 30.0):  # three swings: 4 s behind, then decoded
            s.submit([job(start - 0.25)])  # ready at `start`
            clock[0] = start + 4.0
            s.check()
            assert s.behind
            s.finals.clear()  # its decode came back
            clock[0] = start + 5.0
            s.check()
            assert not s.behind  # partials resume at once
        for t in (36.0, 40.0, 44.0):
            clock[0] = t
            s.check()
        said = [(w.kind, w.t) for w in out]
        assert said == [("asr-behind", 14.0)]  # caught up since 35 s: not yet 10 s
        clock[0] = 45.0
        s.check()
        return [(w.kind, w.t) for w in out]

    assert asyncio.run(main()) == [("asr-behind", 14.0), ("asr-caught-up", 45.0)]
