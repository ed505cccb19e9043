"""One live conversation: an audio source through the pipeline and the rule engine to sinks.

A sink is a plain callable ``sink(session_id, event)`` run on the event loop for every
event in order: each pipeline event, then what the engine made of it. Sinks must not
block (queue and return); a sink that raises is logged and dropped, never fatal.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import replace
from typing import Callable

from pullcoach.asr import Transcriber
from pullcoach.band import EDGE_HZ, BandMeter
from pullcoach.errors import AudioDeviceError, AudioError
from pullcoach.pipeline import AsrScheduler, PipelineConfig, Segmenter
from pullcoach.lang_guess import SOUND_RULES, guess_lang, language_warning
from pullcoach.rules.events import (
    SPEAKERS, NudgeIssued, PipelineWarning, SessionEnded, SessionStarted, SpeechEnded, SpeechStarted,
    TranscriptFinal,
)
from pullcoach.vad import RATE

log = logging.getLogger(__name__)
Sink = Callable[[str, object], None]


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class LiveSession:
    def __init__(self, source, *, transcriber: Transcriber, session_id: str | None = None,
                 lang: str = "nl", engine=None, config: PipelineConfig = PipelineConfig(),
                 pace: str = "live", coachee: str = "coachee", partner: str = "partner",
                 keeper=None, resume=None) -> None:
        self.source = source
        self.resume = resume  # a revive.Resume: go on with a stored session (engine primed)
        self.keeper = keeper  # an AudioKeeper when the user asked for --keep-audio
        self.id = session_id or new_session_id()
        self.lang = lang
        self.engine = engine
        self.pace = pace
        self.names = (coachee, partner)
        self.segmenter = Segmenter(config)
        if getattr(source, "on_warning", False) is None:  # a source's dated warnings (a replayed
            source.on_warning = self.inject               # file broke off) join the session's events
        files = getattr(source, "paths", None)  # a replayed recording: its set-up warnings say the file
        if files and self.segmenter.check is not None:
            self.segmenter.check.from_files(files)
        self.scheduler = AsrScheduler(transcriber, self._dispatch, lambda: self.segmenter.clock,
                                      pace=pace, behind_warn_s=config.behind_warn_s, lang=lang,
                                      partials=config.partials)
        self._sinks: list[Sink] = []
        self._stopping = False
        self._stop_reason = "stopped"
        self.started_wall: float | None = None
        self.ended = False
        self._heard: list[str] | None = []  # final texts until the language is told (then None)
        self.band = BandMeter()  # the band each channel's first speech has (set at the start)
        self._talking: set[str] = set()  # speakers the segmenter hears speaking
        self._lang_warned = False

    @property
    def clock(self) -> float:
        """Seconds of audio processed so far: the session clock."""
        return self.segmenter.clock

    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def stop(self, reason: str = "stopped") -> None:
        """End the session soon: the source stops, open utterances are finished. ``reason``
        goes into its SessionEnded ("server-stopped": the server quit under it)."""
        self._stopping = True
        self._stop_reason = reason
        close = getattr(self.source, "close", None)
        if close:
            close()

    @property
    def stop_reason(self) -> str:
        """Why ``stop`` was called ("stopped", "server-stopped"); "" if it was not."""
        return self._stop_reason if self._stopping else ""

    def inject(self, event) -> None:
        """An event from outside the audio (a trainer's nudge, a bookmark)."""
        self._dispatch(event)

    def _dispatch(self, event) -> None:
        if isinstance(event, PipelineWarning) and event.kind == "language":
            if self._lang_warned:  # told once, by the words or by the audio
                return
            self._lang_warned, self._heard = True, None
        self._send(event)
        if isinstance(event, TranscriptFinal) and self._heard is not None:
            self._check_language(event)
        if self.engine is None:
            return
        try:
            derived = self.engine.feed(event)
        except Exception as exc:
            log.exception("rule engine failed on %s", type(event).__name__)
            derived = [PipelineWarning(t=getattr(event, "t", 0.0), kind="rules-error",
                                       message=f"Rule engine error: {exc}", detail={})]
        for out in derived:
            if (self._lang_warned and isinstance(out, NudgeIssued) and out.delivered
                    and out.rule not in SOUND_RULES and out.kind != "trainer"):
                # words in the other language: what the rules make of them is wrong (an English
                # "You should just take the train" was praised as a Dutch summary); report only
                out = replace(out, delivered=False, detail={**out.detail, "held": "language"})
            self._send(out)

    def _check_language(self, event: TranscriptFinal) -> None:
        """Once the words tell, say if they are not the session's language: the language is
        pinned (Dutch by default), and English coached with the Dutch rules gets wrong nudges."""
        self._heard.append(event.text)
        said = guess_lang(self._heard)
        if said is None and len(self._heard) < LANG_CHECK_FINALS:
            return
        self._heard = None
        if said is not None and said != self.lang:
            self._dispatch(language_warning(event.t, said, self.lang))

    def _send(self, event) -> None:
        for sink in list(self._sinks):
            try:
                sink(self.id, event)
            except Exception:  # a broken sink must not stop the conversation
                log.exception("sink %r failed; removed", sink)
                self._sinks.remove(sink)

    def _start(self, first_block=None) -> None:
        # wall-clock time of audio sample 0, so clients can measure delays
        ahead = 0.0 if first_block is None else (first_block.start + len(first_block.samples)) / RATE
        self.started_wall = time.time() - ahead
        self._dispatch(SessionStarted(t=0.0, session=self.id, lang=self.lang,
                                      wall_clock=round(self.started_wall, 3),
                                      coachee=self.names[0], partner=self.names[1],
                                      via=getattr(self.source, "via", ""),
                                      settings=dict(self.engine.pack.settings) if self.engine else {}))
        if self.engine is not None and self.engine.config.focus:  # --focus: clients show it
            self._dispatch(self.engine.focus_event(0.0, self.engine.config.focus, by="start"))
        warnings = narrowband(self.source)
        for warning in warnings:
            self._dispatch(warning)
        self.band = BandMeter(skip={w.detail["speaker"] for w in warnings})

    def _begin(self, first_block=None) -> None:
        if self.resume is None:
            self._start(first_block)
        else:
            self._go_on(first_block)

    def _go_on(self, first_block=None) -> None:
        """A revived session: no new start; close the speech the old server left open and
        go on at the first audio after where it stopped."""
        r = self.resume
        self.band = BandMeter(skip={e.detail.get("speaker") for e in r.inputs  # (told before)
                                    if isinstance(e, PipelineWarning) and e.kind == "narrowband"})
        self.started_wall = r.started_wall if r.started_wall is not None else time.time() - r.t
        t = r.t if first_block is None else max(r.t, first_block.start / RATE)
        self.segmenter.skip_to(t)
        for speaker in r.open:
            self._dispatch(SpeechEnded(t=r.t, speaker=speaker))
        lost = f"; {t - r.t:.0f} s of audio after that never arrived" if t - r.t >= 1 else ""
        self._dispatch(PipelineWarning(
            t=r.t, kind="session-resumed",
            message=(f"The server restarted; coaching goes on from {int(r.t // 60)}:{r.t % 60:04.1f}. "
                     f"Speech in progress then has no transcript{lost}."),
            detail={"resumed_at": round(t, 3), "open": list(r.open)}))

    def _band(self, narrow: list, t: float) -> None:
        for speaker, share in narrow:
            self._dispatch(measured_narrowband(self.source, speaker, share, t))

    def _emit_all(self, events, jobs) -> None:
        for ev in events:
            if isinstance(ev, (SpeechStarted, SpeechEnded)):
                (self._talking.add if isinstance(ev, SpeechStarted) else self._talking.discard)(ev.speaker)
            self._dispatch(ev)
        self.scheduler.submit(jobs)

    async def run(self) -> None:
        worker = asyncio.create_task(self.scheduler.run())
        reason, broke = "ended", None
        try:
            async for block in self.source.blocks():
                if self.started_wall is None:
                    self._begin(block)
                if self.keeper is not None:
                    self.keeper.write(block)
                self._emit_all(*await self.segmenter.feed_async(block.speaker, block.start, block.samples))
                if block.speaker in self._talking:  # speech only: a hum or fan is no voice's band
                    self._band(self.band.feed(block.speaker, block.samples), block.end / RATE)
                if self.pace == "max":
                    await self.scheduler.drain()
                else:
                    self.scheduler.check()
                if self._stopping:
                    break
            if self._stopping:
                reason = self._stop_reason
        except asyncio.CancelledError:
            reason = self._stop_reason
            raise
        except Exception as exc:  # the audio broke (a damaged file, a device that died)
            reason, broke = "error", exc
            raise
        finally:
            if self.started_wall is None:  # no audio came at all
                self._begin()
            self._emit_all(*await self.segmenter.finish_async())
            self._band(self.band.finish(), self.clock)
            await self.scheduler.close()
            await asyncio.shield(worker)
            if reason == "error":  # what broke goes into the log, so the report can say it
                self._dispatch(self._broke(broke))
            self._dispatch(SessionEnded(t=round(self.clock, 3), reason=reason))
            self.ended = True
            # a serve's hub keeps the last 20 ended sessions (their cards): their audio and
            # VAD state is done with (5-6 MB a session; the clock stays)
            self.segmenter.channels.clear()
            if self.keeper is not None:
                await asyncio.to_thread(self.keeper.close)

    def _broke(self, err: Exception) -> PipelineWarning:
        """What broke the audio, dated at the end of the audio before it: a replayed file
        that broke off is the structured ``file_broken`` warning (the report, the trainer's
        card and the overlay word it in the session's language, as for a capture's); any
        other error (a device that died) is an ``audio-error`` with its text."""
        t = round(self.clock, 3)
        paths = getattr(self.source, "paths", None)
        if paths and isinstance(err, AudioError) and not isinstance(err, AudioDeviceError):
            from pullcoach.audio_file import file_broken  # (a replay: PyAV is loaded already)
            warning = file_broken(t, SPEAKERS[0], str(paths[0]), str(err), files=[str(p) for p in paths])
            # (its words are a capture's: here the replay itself stopped)
            return replace(warning, message=warning.message.replace("The capture stopped", "The replay stopped"))
        return PipelineWarning(t=t, kind="audio-error", message=str(err)[:300], detail={})


LANG_CHECK_FINALS = 40  # finals after which an undecided language check gives up
NARROW_HZ = 16000  # Whisper hears 16 kHz; below it the upper speech band is gone
PHONE_BAND_HZ = 3400  # a phone line carries speech up to about this


def narrowband(source) -> list[PipelineWarning]:
    """A channel recorded under 16 kHz (a telephone recording, a Bluetooth headset in call
    mode at 8 kHz): resampled it plays, but Whisper mishears far more (an 8 kHz replay of
    nl_push looped "wéuwe wéuwe"), so the session says so at its start, with the band the
    channel can carry (half its rate): "8 kHz (telephone quality)" said nothing of a 2 kHz
    file, which carries less than a phone line does. (A higher rate with a phone's band in
    it is measured from the sound: ``measured_narrowband``.)"""
    out = []
    for speaker, rate in _native_rates(source).items():
        if 0 < rate < NARROW_HZ:
            band = rate / 2
            what = ("less than even a phone line carries (up to 3.4 kHz). Whisper will get little "
                    "of it right: figures about words are not to be trusted" if band < PHONE_BAND_HZ
                    else "as a phone line, a Bluetooth headset in call mode or a heavily compressed "
                    "recording does. Whisper hears such audio worse: figures about words are less "
                    "reliable")
            out.append(PipelineWarning(
                t=0.0, kind="narrowband",
                message=(f"{_whose(source, speaker)} carries only sound below {band / 1000:.3g} kHz "
                         f"(recorded at {rate / 1000:g} kHz), {what}. Record at 16 kHz or more (a "
                         "Bluetooth headset in call mode records at 8 kHz; a wired headset or the "
                         "laptop's mic does better)."),
                detail={"speaker": speaker, "rate": rate, "band": band}))
    return out


def measured_narrowband(source, speaker: str, share: float, t: float) -> PipelineWarning:
    """A channel at 16 kHz or more whose first speech has next to no sound above 4 kHz
    (``band.BandMeter``): a phone call or a headset in call mode, stored at a higher rate."""
    rate = _native_rates(source).get(speaker) or float(RATE)
    return PipelineWarning(
        t=round(t, 3), kind="narrowband",
        message=(f"{_whose(source, speaker)} carries only sound below {EDGE_HZ / 1000:g} kHz, though "
                 f"its rate is {rate / 1000:g} kHz (measured in its first speech), as a phone "
                 "line, a Bluetooth headset in call mode or a heavily compressed recording does. "
                 "Whisper hears such audio worse: figures about words are less reliable. A higher "
                 "rate does not bring the lost sound back: record the conversation itself with a "
                 "wired headset or the laptop's mic, not over a phone line or a headset in call mode."),
        detail={"speaker": speaker, "rate": rate, "band": float(EDGE_HZ), "measured": True,
                "share_above": float(f"{share:.3g}")})


def _native_rates(source) -> dict[str, float]:
    stats = getattr(source, "stats", None)
    speakers = (stats() if stats else {}).get("speakers", {})
    return {speaker: float(st.get("native_rate") or 0.0) for speaker, st in speakers.items()}


def _whose(source, speaker: str) -> str:
    """"The partner's side of call.wav", "b.wav (the partner's file)", "The partner's audio"."""
    files = [str(p) for p in getattr(source, "paths", None) or ()]
    if len(files) == 2:
        return f"{files[SPEAKERS.index(speaker)]} (the {speaker}'s file)"
    return f"The {speaker}'s side of {files[0]}" if files else f"The {speaker}'s audio"
