"""Streaming voice-activity detection, one channel at a time.

Split as pipecat does it: ``SileroScorer`` only scores 512-sample frames (Silero v6, the
ONNX model faster-whisper ships, state kept across calls), and ``VadMachine`` is a pure
state machine over frame probabilities that counts samples. ``bleed_gate`` turns a
frame into silence when it is far quieter than the same moment on the other channel:
the partner's voice leaking into the coachee's mic through speakers. ``NearGate`` does
the same for voices far quieter than the channel's own talker: people across the room.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass

import numpy as np

RATE = 16_000
FRAME = 512  # samples per Silero frame at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous frame Silero v6 expects in front of each frame


def _model_path() -> str:
    import faster_whisper

    return os.path.join(os.path.dirname(faster_whisper.__file__), "assets", "silero_vad_v6.onnx")


_SESSION = None


def _session():
    global _SESSION
    if _SESSION is None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        opts.log_severity_level = 4
        _SESSION = onnxruntime.InferenceSession(
            _model_path(), providers=["CPUExecutionProvider"], sess_options=opts
        )
    return _SESSION


class SileroScorer:
    """Speech probability per 512-sample frame of one continuous stream."""

    def __init__(self) -> None:
        self._session = _session()
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def score(self, frames: np.ndarray) -> np.ndarray:
        """``frames``: shape (n, 512) float32. Returns n probabilities."""
        if len(frames) == 0:
            return np.zeros(0, dtype=np.float32)
        ctx = np.concatenate([self._context[None, :], frames[:-1, -CONTEXT:]], axis=0)
        batch = np.ascontiguousarray(np.concatenate([ctx, frames], axis=1), dtype=np.float32)
        probs, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = frames[-1, -CONTEXT:].copy()
        return np.asarray(probs, dtype=np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class VadConfig:
    threshold: float = 0.5  # Silero's own default onset threshold
    neg_threshold: float = 0.35  # hysteresis: stay in speech above this (Silero: threshold - 0.15)
    min_speech: int = 4_000  # 250 ms: Silero's min_speech_duration_ms default
    end_silence: int = 4_000  # 250 ms of silence ends *speech* (turn-taking)
    # a burst shorter than 1 s ends after 150 ms: backchannels ("ja", "hm") must be seen
    # to end before the interruption rule's 0.7 s threshold passes
    short_burst: int = 16_000
    short_end_silence: int = 2_400
    # 400 ms ends the *utterance* sent to ASR: the 500 ms of ASR_MEASUREMENTS cut no turn
    # differently on our fixtures and cost 0.1 s of every final's latency
    min_silence: int = 6_400
    # an utterance already this long ends at its next speech pause: decode time grows with
    # length, and a cut at a pause after 4 s costs Whisper little context
    split_after: int = 64_000
    pad: int = 0  # samples added before onsets and after offsets
    bleed_margin_db: float = 6.0  # quieter than the other channel by this and correlated: bleed
    bleed_corr: float = 0.4  # normalised cross-correlation that marks a copy of the other voice
    bleed_far_db: float = 24.0  # this far below the other channel: bleed, correlated or not
    bleed_lag: int = 160  # samples (10 ms) of acoustic delay searched
    # this share of a frame's energy explained by the other channel through an adaptive
    # filter (echo_cancel: speakers and room): bleed, however loud the other is now
    echo_share: float | None = 0.75
    floor_db: float = -55.0  # frames quieter than this (dBFS RMS) are silence whatever Silero says
    # a voice across the room: sound whose recent mean power is this far below the
    # channel's own speech level is silence (NearGate). None turns the gate off.
    near_margin_db: float | None = 15.0
    near_hold: int = 8  # frames (256 ms) whose mean power decides an onset
    near_keep: int = 16  # frames (512 ms) whose mean power keeps speech going: a soft stretch stays
    near_chunk: int = 32  # frames (~1 s) per level sample
    near_min_voiced: int = 8  # voiced frames a level sample needs
    near_window: int = 60  # level samples remembered (voiced seconds, not wall time)
    # the channels it judges: not a call's output (a loopback has no room behind it, and a
    # remote voice 12-18 dB quieter than the first would be cut: measured, docs/devices.md)
    near_speakers: tuple[str, ...] = ("coachee", "partner")


@dataclass(frozen=True, slots=True)
class Boundary:
    kind: str  # "start" | "resume" | "pause" | "end"
    sample: int  # on the session clock


class VadMachine:
    """Pure: frame probabilities in, boundaries out (sample indices).

    ``start``: speech began and opens an utterance (reported once ``min_speech`` samples
    are confirmed, at the onset sample). ``pause``: speech stopped (after ``end_silence``),
    at the last voiced sample. ``resume``: speech began again inside the open utterance.
    ``end``: ``min_silence`` passed since speech stopped: the utterance is complete.
    """

    def __init__(self, config: VadConfig = VadConfig()) -> None:
        self.config = config
        self.voiced = False  # confirmed speech right now
        self.in_utterance = False
        self._run_start: int | None = None  # candidate onset
        self._last_voiced_end = 0
        self._seg_start = 0  # onset of the current speech segment
        self._utt_start = 0  # onset of the current utterance

    @property
    def speaking(self) -> bool:
        return self.voiced

    def push(self, start: int, probs: np.ndarray, frame: int = FRAME,
             keep: np.ndarray | None = None) -> list[Boundary]:
        """``keep``: the probabilities that decide whether confirmed speech goes on
        (default ``probs``)."""
        cfg = self.config
        out: list[Boundary] = []
        for i, p in enumerate(probs):
            s0 = start + i * frame
            s1 = s0 + frame
            if self.voiced:
                short = self._last_voiced_end - self._seg_start < cfg.short_burst
                if (p if keep is None else keep[i]) >= cfg.neg_threshold:
                    self._last_voiced_end = s1
                elif s1 - self._last_voiced_end >= (cfg.short_end_silence if short else cfg.end_silence):
                    self.voiced = False
                    self._run_start = None
                    out.append(Boundary("pause", self._last_voiced_end + cfg.pad))
                continue
            if p >= cfg.threshold:
                if self._run_start is None:
                    self._run_start = s0
                self._last_voiced_end = s1
                if s1 - self._run_start >= cfg.min_speech:
                    self.voiced = True
                    self._seg_start = self._run_start
                    if not self.in_utterance:
                        self._utt_start = self._run_start
                    out.append(Boundary("resume" if self.in_utterance else "start",
                                        max(0, self._run_start - cfg.pad)))
                    self.in_utterance = True
            elif self._run_start is not None and p < cfg.neg_threshold:
                # a blip that never reached min_speech; brief dips inside a run are allowed
                if s1 - self._last_voiced_end > 2 * frame:
                    self._run_start = None
            long = self._last_voiced_end - self._utt_start >= cfg.split_after
            if (self.in_utterance and not self.voiced and self._run_start is None
                    and s1 - self._last_voiced_end >= (cfg.end_silence if long else cfg.min_silence)):
                self.in_utterance = False
                out.append(Boundary("end", self._last_voiced_end + cfg.pad))
        return out

    def flush(self) -> list[Boundary]:
        """End of stream: close open speech and the open utterance."""
        out = []
        if self.voiced:
            self.voiced = False
            out.append(Boundary("pause", self._last_voiced_end + self.config.pad))
        if self.in_utterance:
            self.in_utterance = False
            out.append(Boundary("end", self._last_voiced_end + self.config.pad))
        return out


def frame_db(frames: np.ndarray) -> np.ndarray:
    """RMS level of each frame in dBFS."""
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1) + 1e-12)
    return 20.0 * np.log10(rms)


def correlation(own: np.ndarray, other: np.ndarray, max_lag: int) -> np.ndarray:
    """Per frame, the largest normalised cross-correlation of ``own`` with ``other`` over
    lags 0..max_lag (own later than other: sound travels from speaker to mic)."""
    n = own.shape[1]
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(own, size, axis=1) * np.conj(np.fft.rfft(other, size, axis=1))
    xc = np.fft.irfft(spec, size, axis=1)[:, : max_lag + 1]
    norm = np.sqrt(np.sum(own * own, axis=1) * np.sum(other * other, axis=1)) + 1e-12
    return np.max(np.abs(xc), axis=1) / norm


def bleed_gate(probs: np.ndarray, own_db: np.ndarray, other_db: np.ndarray | None,
               config: VadConfig = VadConfig(), corr: np.ndarray | None = None,
               echo: np.ndarray | None = None) -> np.ndarray:
    """Zero the probability of frames that are silence or bleed from the other channel.

    Bleed is the other voice, delayed and quieter: a frame is bleed when it is far below
    the other channel, or below it and correlated with it. A soft onset of one's own
    voice over the other (an interruption) is quieter but not correlated, so it stays.
    """
    gated = probs.copy()
    gated[own_db < config.floor_db] = 0.0
    if other_db is not None:
        below = own_db < other_db - config.bleed_margin_db
        if corr is not None:
            below &= corr >= config.bleed_corr
        gated[below | (own_db < other_db - config.bleed_far_db)] = 0.0
    if echo is not None and config.echo_share is not None:
        gated[echo >= config.echo_share] = 0.0   # mostly the other, come back late
    return gated


class NearGate:
    """Silence for voices far quieter than the channel's own talker.

    A talker at the mic is 15-30 dB louder there than colleagues across the room, whom
    Silero hears as speech just the same (a second voice on the coachee's channel makes
    interruptions out of nothing). The channel's level is the second-loudest median of
    its voiced frames per ~1 s over its last ``near_window`` voiced seconds. Two gated
    copies of the probabilities come out: for onsets, a frame is silence when the mean
    power of the last ``near_hold`` frames is more than ``near_margin_db`` below the level;
    for keeping speech going, the same over ``near_keep`` frames (a soft stretch inside a
    sentence survives). No gate until two level samples exist. Frame by frame, so how the
    audio was split into blocks does not change the result.
    """

    def __init__(self, config: VadConfig = VadConfig()) -> None:
        self.config = config
        self._levels: deque[float] = deque(maxlen=config.near_window)
        self._chunk: list[float] = []
        self._frames = 0
        self._hold, self._keep = max(1, config.near_hold), max(1, config.near_keep)
        self._recent: deque[float] = deque(maxlen=max(self._hold, self._keep))
        self._floor: float | None = None  # power under which sound is far: level - margin
        self.level: float | None = None

    def __call__(self, probs: np.ndarray, own_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities for onsets, probabilities for keeping speech going)."""
        cfg = self.config
        if cfg.near_margin_db is None:
            return probs, probs
        onset, keep = probs.copy(), probs.copy()
        for i, (p, db) in enumerate(zip(probs, own_db)):
            self._recent.append(10.0 ** (float(db) / 10.0))
            if self._floor is not None:
                tail = list(self._recent)
                if sum(tail[-self._hold:]) < self._floor * min(self._hold, len(tail)):
                    onset[i] = 0.0
                if sum(tail[-self._keep:]) < self._floor * min(self._keep, len(tail)):
                    keep[i] = 0.0
            self._frames += 1
            if p >= cfg.threshold:
                self._chunk.append(float(db))
            if self._frames == cfg.near_chunk:
                if len(self._chunk) >= cfg.near_min_voiced:
                    self._levels.append(float(np.median(self._chunk)))
                    if len(self._levels) >= 2:
                        self.level = sorted(self._levels)[-2]
                        self._floor = 10.0 ** ((self.level - cfg.near_margin_db) / 10.0)
                self._chunk, self._frames = [], 0
        return onset, keep
