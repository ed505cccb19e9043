"""One adapter around faster-whisper's ``WhisperModel``, shared by both channels.

``Transcriber.transcribe`` is blocking: call it from a worker thread. It runs
``model.transcribe`` *and* consumes the segment generator there, pins the language,
decodes at temperature 0 with a token cap, and drops what the guards call hallucination.

Encoder window: faster-whisper pads every call to 30 s, so base's encoder costs ~0.85 s
whatever the clip (ASR_MEASUREMENTS.md). Here the padded features are cut back to a
shorter window (``AsrConfig``) before encoding, which makes short utterances several
times cheaper; a window of 30 s gives faster-whisper's own behaviour.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from pullcoach import guards
from pullcoach.errors import ModelError
from pullcoach.rules.events import Word

log = logging.getLogger(__name__)
RATE = 16_000


@dataclass(frozen=True, slots=True)
class AsrConfig:
    lang: str = "nl"
    beam_final: int = 5  # beam 5 vs 1: 59% vs 80% WER on espeak Dutch (ASR_MEASUREMENTS)
    beam_partial: int = 1
    # finals longer than this decode with beam_long: beam 5 cost 0.2-0.45 s more on 6-8 s
    # Dutch turns, which set the p95 final latency, for about 1 point of WER here
    long_clip_s: float = 5.0
    beam_long: int = 2
    # Encoder window = max(minimum, clip + margin), capped at Whisper's 30 s. Windows much
    # shorter than the clip + 2 s made Dutch decode to nothing and "Yes." to "D S".
    final_window_s: float = 15.0
    partial_window_s: float = 8.0
    window_margin_s: float = 2.0
    # Two decodes at once, one core each, so a final never waits behind a partial or the
    # other channel's final. On 2 cores one thread decoded base as fast as two (7.9 s Dutch
    # clip: 1.16 vs 1.53 s at beam 2): its matrices are too small to split well.
    cpu_threads: int = 1
    workers: int = 2
    compute_type: str = "int8"
    initial_prompt: str | None = None
    # Added to the decode threads' nice (Linux; 0 = off), so that when decodes take every
    # core the event loop (VAD, live rules, sockets) gets one first. Three role-plays on 2
    # cores: rule fired -> socket p95 at most 0.12 s at 3, up to 0.27-2.2 s in 4 of 5 runs at
    # 0. Not 10: the process's CPU share against other programs falls with its threads'
    # weight, and finals once took 12.6 s at p50 (docs/measurements.md, 2026-12-06).
    nice: int = 3


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    decode_s: float  # wall seconds spent decoding
    dropped: tuple[str, ...] = ()  # what the guards removed, for the log


def _windowed_model_class():
    from faster_whisper import WhisperModel

    class WindowedModel(WhisperModel):
        """Encodes only the calling thread's ``window.frames`` mel frames when set."""

        window = threading.local()

        def encode(self, features):
            frames = getattr(self.window, "frames", None)
            if frames and features.shape[-1] > frames:
                features = np.ascontiguousarray(features[..., :frames])
            return super().encode(features)

    return WindowedModel


def _load_at_nice(nice: int, load):
    """``load()`` in a thread of its own whose nice is raised by ``nice``. CTranslate2 starts
    its decode threads (one per worker) while the model loads, and a Linux thread starts with
    the nice of the thread that made it; the caller keeps its own priority. Linux only, where
    nice is per thread: on macOS and Windows this does nothing (there it would be the whole
    process's, the event loop's too)."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return load()
    out: dict = {}

    def run() -> None:
        tid = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except OSError as exc:
            log.warning("Whisper decodes keep the event loop's priority: %s", exc)
        try:
            out["model"] = load()
        except BaseException as exc:  # raised again in the caller
            out["error"] = exc

    loader = threading.Thread(target=run, name="asr-load")
    loader.start()
    loader.join()
    if "error" in out:
        raise out["error"]
    return out["model"]


class Slots:
    """At most ``n`` decodes inside the model at once; a final waiting for a slot goes before
    any partial. `serve` shares one model between sessions: one session's partials must not
    hold up another session's finals."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.busy = 0
        self.finals_waiting = 0
        self._cv = threading.Condition()

    def acquire(self, final: bool) -> None:
        with self._cv:
            self.finals_waiting += final
            try:
                while self.busy >= self.n or (not final and self.finals_waiting):
                    self._cv.wait()
            finally:
                self.finals_waiting -= final
            self.busy += 1

    def release(self) -> None:
        with self._cv:
            self.busy -= 1
            self._cv.notify_all()


class Transcriber:
    def __init__(self, model: str, config: AsrConfig = AsrConfig()) -> None:
        self.config = config
        self.model_name = model
        self.slots = Slots(config.workers)
        try:
            self.model = _load_at_nice(config.nice, lambda: _windowed_model_class()(
                model, device="cpu", compute_type=config.compute_type,
                cpu_threads=config.cpu_threads, num_workers=config.workers,
            ))
        except Exception as exc:  # faster-whisper raises many kinds here
            said = " ".join(str(exc).split())
            detail = said if len(said) <= 160 else said[:160] + "…"
            offline = any(k in f"{exc.__class__.__name__} {said}" for k in
                          ("Hub", "Connect", "resolve", "LocalEntryNotFound", "snapshot", "offline"))
            hint = ("it is not cached here and cannot be downloaded (no network to the model hub): leave out "
                    "--model for the packaged base model, or give --model DIR with a local "
                    "CTranslate2 copy" if offline else
                    "check --model: a faster-whisper size name, or a local CTranslate2 directory")
            raise ModelError(f"could not load Whisper model {model!r}: {hint} "
                             f"({exc.__class__.__name__}: {detail})") from None

    def warm_up(self) -> None:
        self.transcribe(np.zeros(RATE // 2, dtype=np.float32), final=False)

    def transcribe(self, audio: np.ndarray, *, final: bool = True, offset: float = 0.0,
                   lang: str | None = None) -> Transcript:
        """Decode one utterance (16 kHz float32). Word times are shifted by ``offset``.
        Thread-safe: up to ``config.workers`` calls decode at once, more wait their turn
        (finals first)."""
        cfg = self.config
        lang = lang or cfg.lang
        seconds = len(audio) / RATE
        window = max(cfg.final_window_s if final else cfg.partial_window_s,
                     seconds + cfg.window_margin_s)
        # 100 mel frames per second; even for the stride-2 conv; 3000 = Whisper's 30 s
        frames = int(window * 100)
        self.model.window.frames = min(3000, frames + frames % 2)  # this thread's window
        self.slots.acquire(final)
        try:
            return self._decode(audio, final=final, offset=offset, lang=lang, seconds=seconds)
        finally:
            self.slots.release()

    def detect_lang(self, audio: np.ndarray) -> dict[str, float]:
        """Whisper's language probabilities for one utterance (one encoder pass, ~0.1 s for
        4 s of speech on 2 cores); waits for a slot like a partial."""
        frames = int((len(audio) / RATE + self.config.window_margin_s) * 100)
        self.model.window.frames = min(3000, frames + frames % 2)
        self.slots.acquire(False)
        try:
            _, _, probs = self.model.detect_language(audio=audio)
        finally:
            self.slots.release()
        return dict(probs)

    def _decode(self, audio: np.ndarray, *, final: bool, offset: float, lang: str,
                seconds: float) -> Transcript:
        cfg = self.config
        started = time.perf_counter()
        segments, _info = self.model.transcribe(
            audio,
            language=lang,
            task="transcribe",
            beam_size=(cfg.beam_partial if not final else
                       cfg.beam_long if seconds > cfg.long_clip_s else cfg.beam_final),
            temperature=0.0,
            condition_on_previous_text=False,
            word_timestamps=True,
            vad_filter=False,
            without_timestamps=False,
            max_new_tokens=int(10 + 8 * seconds),
            initial_prompt=cfg.initial_prompt,
            suppress_blank=True,
        )
        words: list[Word] = []
        dropped: list[str] = []
        for seg in segments:  # consume the generator here, in the worker
            if guards.low_confidence(seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio):
                dropped.append(f"low-confidence: {seg.text.strip()}")
                continue
            if guards.is_known_hallucination(seg.text, lang):
                dropped.append(f"known: {seg.text.strip()}")
                continue
            for w in seg.words or ():
                if w.start > seconds + 0.5 or guards.is_noise_tag(w.word):  # made up
                    continue
                words.append(Word(text=w.word.strip(), start=round(offset + float(w.start), 3),
                                  end=round(offset + min(float(w.end), seconds), 3),
                                  p=round(float(w.probability), 3)))
        words = [w for w in words if w.text]
        cut = guards.repetition_cut([w.text for w in words])
        if cut < len(words):
            dropped.append(f"repetition from word {cut}")
            words = words[:cut]
        text = " ".join(w.text for w in words).strip()
        decode_s = time.perf_counter() - started
        if dropped:
            log.debug("guards dropped %s", dropped)
        return Transcript(text=text, words=tuple(words), decode_s=decode_s, dropped=tuple(dropped))


def load_transcriber(model: str | None = None, lang: str = "nl", **config) -> Transcriber:
    """The CLI's way in: resolve ``--model`` (packaged default, directory or size name)."""
    from pullcoach import model as models

    return Transcriber(models.resolve(model), AsrConfig(lang=lang, **config))
