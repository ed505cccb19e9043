"""Audio blocks in, speech and transcript events on the session clock out.

``Segmenter`` is synchronous and does no ASR: it keeps both channels in lockstep, runs
the VAD (Silero score -> bleed gate -> near gate -> ``VadMachine``) frame by frame, emits
``SpeechStarted``/``SpeechEnded`` and ``Tick`` events in audio-time order, and asks for
final and partial decodes. ``feed_async``/``finish_async`` do the same in the segmenter's
own thread, so the event loop serving the sockets is not held by a block's VAD and echo
work (2-25 ms each; Silero and the FFTs let the loop run meanwhile). ``AsrScheduler``
runs those decodes in worker threads, two at once when live: finals first (one per speaker
at a time, so they stay in order), one partial at a time and only when no final waits (so
lag cannot creep).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from pullcoach.asr import Transcriber
from pullcoach.lang_guess import AudioLangCheck, language_warning
from pullcoach.model import bigger_than_base
from pullcoach.channel_check import ChannelCheck, CheckConfig
from pullcoach.echo_cancel import EchoCanceller
from pullcoach.echo_delay import MAX_LAG, EchoDelay, lag_correlation
from pullcoach.ring import Ring
from pullcoach.rules.events import (
    COACHEE, SPEAKERS, PipelineWarning, SpeechEnded, SpeechStarted, Tick, TranscriptFinal,
    TranscriptPartial,
)
from pullcoach.vad import (
    FRAME, RATE, NearGate, SileroScorer, VadConfig, VadMachine, bleed_gate, correlation, frame_db,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    vad: VadConfig = VadConfig()
    # rules about time run on ticks this often; the interruption rule fires on the first
    # tick past its threshold, so this is part of its latency
    tick_s: float = 0.05
    pre_roll_s: float = 0.3  # audio kept before a VAD onset for the decoder
    post_roll_s: float = 0.15
    partials: bool = True
    # the rules act mid-turn on the coachee's partials (decoded first); the partner's show
    # the trainer the words as they come. Both cost no final latency with two decoders.
    partial_speakers: tuple[str, ...] = SPEAKERS
    partial_every_s: float = 1.0  # re-decode the open utterance about every second
    partial_min_s: float = 1.5  # no partials for turns shorter than this
    max_utterance_s: float = 25.0  # cut before Whisper's 30 s window
    max_skew_s: float = 2.0  # a channel this far behind the other is padded with silence
    behind_warn_s: float = 3.0  # watchdog: warn when a final waits this long
    check: CheckConfig = CheckConfig()  # set-up checks: silent or doubled channels


@dataclass(slots=True)
class Job:
    speaker: str
    final: bool
    s0: int  # audio range decoded (samples, incl. pre/post roll)
    s1: int
    t0: float  # utterance bounds reported in the event
    t1: float
    ready: float  # audio time at which the job could start
    audio: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    utterance: int = 0
    # speculative finals: decoded at a speech pause, emitted only if the utterance ends
    # there ("confirm"), dropped if speech resumes ("cancel")
    action: str = "decode"  # decode | confirm | cancel
    speculative: bool = False

    @property
    def key(self) -> tuple[str, int, float]:
        return (self.speaker, self.utterance, self.t1)


class _Channel:
    def __init__(self, speaker: str, cfg: PipelineConfig) -> None:
        self.speaker = speaker
        self.ring = Ring(int((cfg.max_utterance_s + 5) * RATE))
        self.scorer = SileroScorer()
        self.vad = VadMachine(cfg.vad)
        self.near = NearGate(cfg.vad if speaker in cfg.vad.near_speakers
                             else replace(cfg.vad, near_margin_db=None))
        self.utt_start: int | None = None
        self.utterance = 0
        self.last_partial = 0
        self.speculative: Job | None = None  # decoded at the last pause, not yet confirmed
        self.padded = 0  # samples of silence inserted for a lagging channel
        self.fed = False  # has a block of its own arrived yet
        self.stalled = False
        self.echo = EchoDelay()  # how late this channel hears the other (speakers)
        # how much of this channel is the other coming back (speakers and room)
        self.aec = EchoCanceller(cfg.vad.floor_db, cfg.vad.bleed_margin_db)


class Segmenter:
    """Synchronous core of the live pipeline. ``feed`` returns events and jobs."""

    def __init__(self, config: PipelineConfig = PipelineConfig(), speakers=SPEAKERS) -> None:
        self.config = config
        self.channels = {s: _Channel(s, config) for s in speakers}
        self.pos = 0  # samples processed by the VAD on every channel (frame-aligned)
        # what ``clock`` says: ``pos`` once that block's events are handed over, so an event
        # made meanwhile (a transcript) is never stamped later than events still to come
        self.shown = 0
        self.next_tick = 0.0
        self.onset: int | None = None  # where the first block of any channel began
        pair = tuple(self.channels)
        self.check = ChannelCheck(pair, config.check) if len(pair) == 2 else None
        self._worker: ThreadPoolExecutor | None = None
        self._ready: deque[tuple[list, list[Job]]] = deque()  # done off the loop, not yet handed over

    @property
    def clock(self) -> float:
        return self.shown / RATE

    def feed(self, speaker: str, start: int, samples: np.ndarray) -> tuple[list, list[Job]]:
        out = self._feed(speaker, start, samples)
        self.shown = self.pos
        return out

    async def feed_async(self, speaker: str, start: int, samples: np.ndarray) -> tuple[list, list[Job]]:
        """``feed`` in this segmenter's thread: the same events in the same order. Blocks go
        through one thread in the order they are given; await each before the next."""
        return await self._off_loop(self._feed, speaker, start, samples)

    async def finish_async(self) -> tuple[list, list[Job]]:
        """``finish`` in this segmenter's thread, after any block still running there (also
        one whose caller was cancelled: its events come out here); then the thread ends."""
        try:
            return await self._off_loop(self._finish)
        finally:
            if self._worker is not None:
                self._worker.shutdown(wait=False)
                self._worker = None

    async def _off_loop(self, work, *args) -> tuple[list, list[Job]]:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="vad")

        def run() -> None:
            self._ready.append(work(*args))

        await asyncio.get_running_loop().run_in_executor(self._worker, run)
        events, jobs = [], []
        while self._ready:  # a cancelled call's results come out with the next one
            e, j = self._ready.popleft()
            events += e
            jobs += j
        self.shown = self.pos  # the thread is idle now: nothing queued behind this
        return events, jobs

    def _feed(self, speaker: str, start: int, samples: np.ndarray) -> tuple[list, list[Job]]:
        ch = self.channels[speaker]
        ch.fed = True
        if self.onset is None:
            self.onset = start
        if start < ch.ring.end:  # overlaps what we have (e.g. after padding): drop that part
            samples = samples[ch.ring.end - start:]
        elif start > ch.ring.end:  # a gap on the session clock: silence
            ch.ring.append(np.zeros(start - ch.ring.end, dtype=np.float32))
        if len(samples):
            ch.ring.append(np.asarray(samples, dtype=np.float32))
        warnings = self._pad_laggards()
        events, jobs = self._process(min(c.ring.end for c in self.channels.values()))
        return warnings + events, jobs

    def skip_to(self, t: float) -> None:
        """Start (a fresh segmenter) at audio time ``t``, not 0: a session revived after a
        server restart goes on from where its stored events end. Audio before is dropped."""
        pos = -(-int(round(t * RATE)) // FRAME) * FRAME
        if pos <= self.pos:
            return
        self.pos = self.shown = pos
        for ch in self.channels.values():
            ch.ring.end = max(ch.ring.end, pos)
        tick = self.config.tick_s
        self.next_tick = round((int(t / tick + 1e-6) + 1) * tick, 6)

    def _check(self, s0: int, frames: dict, levels: dict, raw: dict, corrs: dict) -> list:
        if self.check is None:
            return []
        a, b = self.check.speakers
        corr = np.maximum(corrs[a], corrs[b])
        skip = frozenset(s for s, c in self.channels.items() if c.stalled)
        return self.check.feed(s0, levels, raw, corr, skip, frames)

    def _pad_laggards(self) -> list:
        """A channel that stalls (device gone quiet, loopback paused) is filled with silence
        so the other one goes on being coached; the user is told once per stall. A channel
        not heard from yet is behind from where the first audio of either began, not from 0:
        a sound server may wake both devices late (PulseAudio idles at up to 2 s), and the
        one whose first block lands a few ms first must not call the other stalled."""
        lead = max(c.ring.end for c in self.channels.values())
        limit = int(self.config.max_skew_s * RATE)
        warnings = []
        for c in self.channels.values():
            end = c.ring.end if c.fed else max(c.ring.end, self.onset or 0)
            if lead - end > limit:
                n = lead - limit - c.ring.end
                if not c.stalled:
                    what = (f"No audio from the {c.speaker}'s channel for {self.config.max_skew_s:.0f} s"
                            if c.fed else f"No audio from the {c.speaker}'s channel yet, "
                            f"{self.config.max_skew_s:.0f} s into the session")
                    warnings.append(PipelineWarning(
                        t=round(end / RATE, 3), kind="channel-stalled",
                        message=(f"{what}: treated as silence. Check that device (unplugged, "
                                 "muted, or the call's audio stopped)."),
                        detail={"speaker": c.speaker}))
                c.stalled = True
                c.ring.append(np.zeros(n, dtype=np.float32))
                c.padded += n
            elif c.stalled and lead - c.ring.end < limit // 2:
                c.stalled = False
                warnings.append(PipelineWarning(
                    t=round(c.ring.end / RATE, 3), kind="channel-ok",
                    message=f"Audio from the {c.speaker}'s channel again.",
                    detail={"speaker": c.speaker, "after": "channel-stalled"}))
        return warnings

    def finish(self) -> tuple[list, list[Job]]:
        """End of stream: score what is left, close open utterances."""
        out = self._finish()
        self.shown = self.pos
        return out

    def _finish(self) -> tuple[list, list[Job]]:
        events, jobs = self._process(max(c.ring.end for c in self.channels.values()), pad=True)
        end = self.pos
        for ch in self.channels.values():
            for b in ch.vad.flush():
                e, j = self._boundary(ch, b.kind, min(b.sample, end), end)
                events += e
                jobs += j
        events.append(Tick(t=round(end / RATE, 3)))
        return events, jobs

    def _process(self, upto: int, pad: bool = False) -> tuple[list, list[Job]]:
        n = (upto - self.pos) // FRAME
        if pad and (upto - self.pos) % FRAME:
            n += 1
        if n <= 0:
            return [], []
        s0, s1 = self.pos, self.pos + n * FRAME
        frames, levels = {}, {}
        for sp, ch in self.channels.items():
            a = ch.ring.get(s0, s1)
            if len(a) < s1 - s0:
                a = np.concatenate([a, np.zeros(s1 - s0 - len(a), dtype=np.float32)])
            frames[sp] = a.reshape(n, FRAME)
            levels[sp] = frame_db(frames[sp])
        marks: list[tuple[int, int, str, str]] = []  # (sample, order, speaker, kind)
        vad = self.config.vad
        raw, corrs = {}, {}
        for sp, ch in self.channels.items():
            others = [o for o in self.channels if o != sp]
            other = levels[others[0]] if len(others) == 1 else None
            corrs[sp] = (np.maximum(correlation(frames[sp], frames[others[0]], vad.bleed_lag),
                                    self._echo(ch, self.channels[others[0]], s0, frames[sp], levels[sp], other))
                         if other is not None else None)
            raw[sp] = ch.scorer.score(frames[sp])
            echo = (np.array([ch.aec.frame(m, c, a, b) for m, c, a, b in zip(
                        frames[sp], frames[others[0]], levels[sp], other)])
                    if other is not None and vad.echo_share is not None else None)
            probs = bleed_gate(raw[sp], levels[sp], other, vad, corrs[sp], echo)
            onset, keep = ch.near(probs, levels[sp])
            for b in ch.vad.push(s0, onset, keep=keep):
                # order at equal samples: utterance ends, speech ends, then starts
                order = {"end": 0, "pause": 1, "resume": 2, "start": 2}[b.kind]
                marks.append((b.sample, order, sp, b.kind))
        self.pos = s1
        events: list = self._check(s0, frames, levels, raw, corrs)
        jobs: list[Job] = []
        for sample, _, sp, kind in sorted(marks):
            e, j = self._boundary(self.channels[sp], kind, sample, s1)
            events += e
            jobs += j
        jobs += self._partials_and_cuts(s1)
        while self.next_tick <= s1 / RATE + 1e-9:
            events.append(Tick(t=round(self.next_tick, 3)))
            self.next_tick = round(self.next_tick + self.config.tick_s, 6)
        return events, jobs

    def _echo(self, ch: _Channel, other: _Channel, s0: int, own: np.ndarray, own_db: np.ndarray,
              other_db: np.ndarray) -> np.ndarray:
        """Per frame, how like the other's voice this channel is at the delay it hears the
        other with (speakers into a mic; ``echo_delay``), 0 where none is learnt yet."""
        vad = self.config.vad
        n = len(own)
        s1 = s0 + n * FRAME
        like = np.zeros(n)
        active = own_db >= vad.floor_db
        if not active.any():
            return like
        a = s0 - MAX_LAG
        got = other.ring.get(a, s1)
        win = np.zeros(s1 - a, dtype=np.float32)
        lo = max(a, other.ring.start) - a
        win[lo: lo + len(got)] = got
        rows = np.lib.stride_tricks.sliding_window_view(win, FRAME + MAX_LAG)[::FRAME][:n]
        corr = lag_correlation(own[active], rows[active])
        candidate = (other_db >= vad.floor_db) & (own_db <= other_db - vad.bleed_margin_db)
        for j, i in enumerate(np.flatnonzero(active)):
            like[i] = ch.echo.observe(corr[j], bool(candidate[i]))
        return like

    def _boundary(self, ch: _Channel, kind: str, sample: int, now: int) -> tuple[list, list[Job]]:
        t = round(sample / RATE, 3)
        if kind == "start":
            ch.utt_start = sample
            ch.utterance += 1
            ch.last_partial = sample
            return [SpeechStarted(t=t, speaker=ch.speaker)], []
        if kind == "resume":
            return [SpeechStarted(t=t, speaker=ch.speaker)], self._cancel(ch)
        if kind == "pause":
            jobs = self._cancel(ch)
            if ch.utt_start is not None:  # start decoding now; the utterance may end here
                ch.speculative = self._job(ch, ch.utt_start, sample, now, final=True)
                ch.speculative.speculative = True
                jobs.append(ch.speculative)
            return [SpeechEnded(t=t, speaker=ch.speaker)], jobs
        if ch.utt_start is None:  # "end" of an utterance already cut for length
            return [], self._cancel(ch)
        spec, ch.speculative = ch.speculative, None
        if spec is not None and spec.t1 == t:
            confirm = Job(speaker=ch.speaker, final=True, s0=spec.s0, s1=spec.s1, t0=spec.t0,
                          t1=spec.t1, ready=round(now / RATE, 3), utterance=spec.utterance,
                          action="confirm")
            ch.utt_start = None
            return [], [confirm]
        jobs = [] if spec is None else [self._cancel_job(spec)]
        jobs.append(self._job(ch, ch.utt_start, sample, now, final=True))
        ch.utt_start = None
        return [], jobs

    def _cancel(self, ch: _Channel) -> list[Job]:
        spec, ch.speculative = ch.speculative, None
        return [] if spec is None else [self._cancel_job(spec)]

    @staticmethod
    def _cancel_job(spec: Job) -> Job:
        return Job(speaker=spec.speaker, final=True, s0=spec.s0, s1=spec.s1, t0=spec.t0,
                   t1=spec.t1, ready=spec.ready, utterance=spec.utterance, action="cancel")

    def _job(self, ch: _Channel, u0: int, u1: int, now: int, final: bool) -> Job:
        cfg = self.config
        s0 = max(ch.ring.start, u0 - int(cfg.pre_roll_s * RATE))
        s1 = min(now, u1 + int(cfg.post_roll_s * RATE)) if final else u1
        return Job(speaker=ch.speaker, final=final, s0=s0, s1=s1,
                   t0=round(u0 / RATE, 3), t1=round(u1 / RATE, 3), ready=round(now / RATE, 3),
                   audio=ch.ring.get(s0, s1), utterance=ch.utterance)

    def _partials_and_cuts(self, now: int) -> list[Job]:
        cfg = self.config
        jobs = []
        for ch in self.channels.values():
            if ch.utt_start is None:
                continue
            length = now - ch.utt_start
            if length >= cfg.max_utterance_s * RATE:  # too long for one window: cut here
                jobs += self._cancel(ch)
                jobs.append(self._job(ch, ch.utt_start, now, now, final=True))
                ch.utt_start = now
                ch.last_partial = now
                ch.utterance += 1
            elif (cfg.partials and ch.speaker in cfg.partial_speakers and ch.vad.voiced
                  and length >= cfg.partial_min_s * RATE
                  and now - ch.last_partial >= cfg.partial_every_s * RATE):
                jobs.append(self._job(ch, ch.utt_start, now, now, final=False))
                ch.last_partial = now
        return jobs


CAUGHT_UP_HOLD_S = 10.0  # caught up this long (audio seconds) before it is said


def behind_message(lag: float, *, partials: bool, model: str | None) -> str:
    """What the console says when transcription falls behind, and what helps on this
    machine: fewer programs on the CPU, no partials (--no-partials), and a smaller model
    only where one was asked for: the packaged base is the smallest that ships."""
    head = f"Transcription is {lag:.1f} s behind the conversation: " + (
        "partial transcripts paused" if partials else "nudges on words come later")
    helps = ["close other programs that use the CPU"]
    if partials:
        helps.append("start with --no-partials (final transcripts only)")
    bigger = bigger_than_base(model)
    if bigger:
        helps.append(f"leave out --model {model} (the packaged base is faster)")
    elif bigger is None:
        helps.append(f"leave out --model {model} if it is bigger than base (the packaged base)")
    said = helps[0] if len(helps) == 1 else f"{', '.join(helps[:-1])} or {helps[-1]}"
    return f"{head}. {said[0].upper()}{said[1:]}."


class AsrScheduler:
    """Runs decodes one at a time off the event loop and turns them into events.

    ``pace="live"``: a transcript's ``t`` is the audio clock when its text came back.
    ``pace="max"``: the feeder waits for each decode (``drain``), and ``t`` is when the
    job was ready: a replay at full speed then gives the same events every time.
    """

    def __init__(self, transcriber: Transcriber, emit: Callable[[object], None],
                 clock: Callable[[], float], *, pace: str = "live",
                 behind_warn_s: float = 3.0, lang: str | None = None, partials: bool = True) -> None:
        self.transcriber = transcriber
        self.partials_on = partials  # the pipeline makes partials (no --no-partials)
        # decodes at once: the model's workers when live; one at full speed, so a replay
        # gives the same events in the same order every time
        self.at_once = 1 if pace == "max" else max(1, getattr(transcriber.config, "workers", 1))
        # decodes wait for the shared model in their own threads, never in the default
        # executor that reports and the store use
        self._pool = ThreadPoolExecutor(self.at_once, thread_name_prefix="asr")
        self.busy_finals: set[str] = set()  # speakers with a final decoding
        self.busy_partial = False
        self.emit = emit
        self.clock = clock
        self.pace = pace
        self.lang = lang
        self.behind_warn_s = behind_warn_s
        self.finals: deque[Job] = deque()
        self.partials: dict[str, Job] = {}
        self.latest_final: dict[str, int] = {}
        self.spec_results: dict[tuple, object] = {}  # speculative key -> transcript (or None: running)
        self.confirmed: dict[tuple, float] = {}  # speculative key -> audio time confirmed
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self.behind = False  # partials paused
        self.said_behind = False  # an asr-behind warning is out, its caught-up not yet
        self.calm_since: float | None = None  # caught up since (audio clock)
        self.records: list[dict] = []  # one per decode, for the benchmark
        self.skipped_partials = 0
        # the audio's language, judged on the first finals (what made-up words cannot tell)
        self.lang_check = (AudioLangCheck(lang) if lang and hasattr(transcriber, "detect_lang")
                           else None)

    def submit(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.action == "cancel":
                self.finals = deque(j for j in self.finals if not (j.speculative and j.key == job.key))
                self.spec_results.pop(job.key, None)
                continue
            if job.action == "confirm":
                self.latest_final[job.speaker] = job.utterance
                self.partials.pop(job.speaker, None)
                self.confirmed[job.key] = job.ready
                if self.spec_results.get(job.key) is not None:
                    self._emit_final(job, self.spec_results.pop(job.key), job.ready)
                continue
            if job.speculative:
                self.finals.append(job)
                self.spec_results[job.key] = None
            elif job.final:
                self.finals.append(job)
                self.latest_final[job.speaker] = job.utterance
                self.partials.pop(job.speaker, None)
            else:
                if job.speaker in self.partials:
                    self.skipped_partials += 1
                self.partials[job.speaker] = job  # only the newest partial is worth doing
        if jobs:
            self._idle.clear()
            self._wake.set()

    def lag(self) -> float:
        """Audio seconds the oldest waiting final has waited."""
        return self.clock() - self.finals[0].ready if self.finals else 0.0

    def check(self) -> None:
        """Watchdog, called as audio arrives."""
        lag = self.lag()
        now = self.clock()
        if lag > self.behind_warn_s:
            self.behind = True
            self.calm_since = None
            if not self.said_behind:
                self.said_behind = True
                self.emit(PipelineWarning(
                    t=round(now, 3), kind="asr-behind",
                    message=behind_message(lag, partials=self.partials_on,
                                           model=getattr(self.transcriber, "model_name", None)),
                    detail={"lag_s": round(lag, 2), "waiting": len(self.finals)}))
        elif lag < 1.0:
            self.behind = False  # partials go on at once
            if self.said_behind:
                # said only once it stays caught up: a busy machine swings around the
                # threshold, and one warning per swing is noise on the console and overlay
                self.calm_since = now if self.calm_since is None else self.calm_since
                if now - self.calm_since >= CAUGHT_UP_HOLD_S:
                    self.said_behind = False
                    self.calm_since = None
                    self.emit(PipelineWarning(t=round(now, 3), kind="asr-caught-up",
                                              message="Transcription has caught up.", detail={}))
        else:
            self.calm_since = None

    def _next(self) -> Job | None:
        """The next job that may start now: finals first, but never two of one speaker at
        once (their events keep their order); one partial at a time, when no final waits."""
        for job in self.finals:
            if job.speaker not in self.busy_finals:
                self.finals.remove(job)
                return job
        if self.finals or self.busy_partial or self.behind or not self.partials:
            return None
        speaker = COACHEE if COACHEE in self.partials else min(
            self.partials, key=lambda s: self.partials[s].ready)
        return self.partials.pop(speaker)

    async def drain(self) -> None:
        await self._idle.wait()

    async def close(self) -> None:
        self._closing = True
        self._wake.set()

    async def run(self) -> None:
        running: set[asyncio.Task] = set()
        try:
            while True:
                job = self._next() if len(running) < self.at_once else None
                if job is None:
                    if not running:
                        self._idle.set()
                        if self._closing:
                            return
                    self._wake.clear()
                    await self._wake.wait()  # a submit or a finished decode
                    continue
                if not job.final and job.utterance <= self.latest_final.get(job.speaker, 0):
                    continue  # that utterance is already final
                if job.final:
                    self.busy_finals.add(job.speaker)
                else:
                    self.busy_partial = True
                task = asyncio.create_task(self._decode(job))
                running.add(task)
                task.add_done_callback(lambda t: (running.discard(t), self._wake.set()))
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            self._pool.shutdown(wait=False)

    async def _decode(self, job: Job) -> None:
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        try:
            result = await loop.run_in_executor(
                self._pool, lambda: self.transcriber.transcribe(
                    job.audio, final=job.final, offset=job.s0 / RATE, lang=self.lang))
        except Exception as exc:  # one failed decode must not end the session
            log.exception("decode failed")
            self.emit(PipelineWarning(
                t=round(self.clock(), 3), kind="asr-error",
                message=f"Could not transcribe {job.speaker} {job.t0:.1f}-{job.t1:.1f} s: {exc}",
                detail={"speaker": job.speaker, "t0": job.t0, "t1": job.t1}))
            return
        finally:
            if job.final:
                self.busy_finals.discard(job.speaker)
            else:
                self.busy_partial = False
        t = job.ready if self.pace == "max" else round(max(self.clock(), job.ready), 3)
        self.records.append({
            "speaker": job.speaker, "final": job.final, "audio_s": (job.s1 - job.s0) / RATE,
            "decode_s": result.decode_s, "t1": job.t1, "ready": job.ready,
            "done_wall": time.time(), "wait_s": time.perf_counter() - started - result.decode_s,
        })
        try:
            if job.speculative:
                if job.key not in self.spec_results:
                    return  # cancelled while it ran: speech went on
                if job.key not in self.confirmed:
                    self.spec_results[job.key] = result  # emitted when the utterance ends
                    return
                self.spec_results.pop(job.key, None)
                t = max(t, self.confirmed[job.key])
            if not job.final and job.utterance <= self.latest_final.get(job.speaker, 0):
                return
            self._emit_final(job, result, t) if job.final else self._emit(job, result, t)
        finally:  # after the transcript is out, never before it
            if job.final and result.text:
                await self._check_language(job, t)

    async def _check_language(self, job: Job, t: float) -> None:
        """The audio's language, on a final's first seconds (speculative finals too: most
        long turns end as one); only when the model is idle: an extra encoder pass must not
        hold up a transcript (three role-plays on one model: final p95 +0.6 s when it ran
        regardless)."""
        check = self.lang_check
        slots = getattr(self.transcriber, "slots", None)
        idle = not self.finals and (slots is None or (slots.busy == 0 and slots.finals_waiting == 0))
        if not check or check.done or not idle or len(job.audio) < check.MIN_S * RATE:
            return
        clip = job.audio[: int(check.CLIP_S * RATE)]  # enough to tell; the encoder costs per second
        try:
            probs = await asyncio.get_running_loop().run_in_executor(
                self._pool, lambda: self.transcriber.detect_lang(clip))
        except Exception:  # a check, not the transcript: never end the session for it
            log.exception("language detection failed")
            self.lang_check = None
            return
        if heard := check.add(probs):
            self.emit(language_warning(t if self.pace == "max" else round(max(t, self.clock()), 3),
                                       heard, self.lang))

    def _emit_final(self, job: Job, result, t: float) -> None:
        self.confirmed.pop(job.key, None)
        self._emit(job, result, t if self.pace == "max" else round(max(t, self.clock()), 3))

    def _emit(self, job: Job, result, t: float) -> None:
        if not result.text:  # nothing left after the guards
            return
        cls = TranscriptFinal if job.final else TranscriptPartial
        self.emit(cls(t=t, speaker=job.speaker, t0=job.t0, t1=job.t1, text=result.text,
                      words=result.words, language=self.lang or self.transcriber.config.lang))
