"""The band a channel's sound really has, measured once from its first speech.

A phone call recorded and then stored at 16 or 44.1 kHz passes the sample-rate check, but
holds next to nothing above 4 kHz, and Whisper hears it as the telephone audio it is. Per
speaker, frames louder than a floor are kept (at most ``SPEECH_S`` of them, looked for in the
first ``LOOK_S`` of audio); then, once, the share of their spectral energy above ``EDGE_HZ``
is measured in the frames within ``SPEECH_DB`` of the loudest. The live path pays a frame's
energy per block until then, nothing after.

Measured as the session feeds it (the first 8 s of loud frames): the share above 4 kHz is
0.67-4.3 % for every channel of the 16 kHz espeak-ng/MBROLA fixtures, about 1e-7 for the
same audio through 8 kHz (``sox ... rate 8000``, then ``rate 16000`` or ``rate 44100``),
4e-10 for a 16 kbit/s MP3, 0.37 % for an 11 kHz round trip (a 5.5 kHz band: not a phone's,
not flagged). ``NARROW_SHARE`` sits between: 7x under the lowest espeak channel.
"""

from __future__ import annotations

import numpy as np

RATE = 16000  # the session's audio
FRAME = 512  # 32 ms
EDGE_HZ = 4000  # a phone line carries nothing above this (its rate is 8 kHz)
NARROW_SHARE = 1e-3  # less of the speech energy above EDGE_HZ than this: telephone band
SPEECH_S = 8.0  # loud frames kept per speaker before it is judged
MIN_SPEECH_S = 2.0  # fewer frames within SPEECH_DB of the loudest: not judged
LOOK_S = 90.0  # audio per speaker looked at for them; judged with what there is then
FLOOR = 10 ** (-55 / 10)  # mean square of a frame to be kept (-55 dBFS)
SPEECH_DB = 30.0


class BandMeter:
    """Feed it a session's blocks; ``feed`` and ``finish`` return the speakers found narrow,
    as ``(speaker, share)``, each speaker judged once."""

    def __init__(self, skip=()) -> None:
        self.done = set(skip)  # speakers judged (or not to be)
        self._rest: dict[str, np.ndarray] = {}
        self._kept: dict[str, list[np.ndarray]] = {}
        self._seen: dict[str, int] = {}

    def feed(self, speaker: str, samples: np.ndarray) -> list[tuple[str, float]]:
        if speaker in self.done:
            return []
        x = np.concatenate([self._rest.get(speaker, np.zeros(0, np.float32)), samples])
        n = len(x) // FRAME
        self._rest[speaker] = x[n * FRAME:]
        self._seen[speaker] = self._seen.get(speaker, 0) + len(samples)
        if n:
            frames = x[: n * FRAME].reshape(n, FRAME)
            loud = frames[np.mean(frames * frames, axis=1) > FLOOR]
            if len(loud):
                self._kept.setdefault(speaker, []).append(loud)
        kept = sum(len(k) for k in self._kept.get(speaker, ()))
        if kept * FRAME >= SPEECH_S * RATE or self._seen[speaker] >= LOOK_S * RATE:
            return self._judge(speaker)
        return []

    def finish(self) -> list[tuple[str, float]]:
        """The speakers not judged yet, with what they have (a short session)."""
        out = []
        for speaker in list(self._kept):
            if speaker not in self.done:
                out += self._judge(speaker)
        return out

    def _judge(self, speaker: str) -> list[tuple[str, float]]:
        self.done.add(speaker)
        self._rest.pop(speaker, None)
        kept = self._kept.pop(speaker, [])
        share = share_above(np.concatenate(kept)) if kept else None
        return [(speaker, share)] if share is not None and share < NARROW_SHARE else []


def share_above(frames: np.ndarray, edge_hz: float = EDGE_HZ) -> float | None:
    """The share of the spectral energy above ``edge_hz`` in ``frames`` (n, FRAME) within
    ``SPEECH_DB`` of the loudest; None with under ``MIN_SPEECH_S`` of such frames."""
    energy = np.mean(frames * frames, axis=1)
    speech = frames[energy >= energy.max() * 10 ** (-SPEECH_DB / 10)]
    if len(speech) * FRAME < MIN_SPEECH_S * RATE:
        return None
    power = np.abs(np.fft.rfft(speech * np.hanning(FRAME), axis=1)) ** 2
    spectrum = power.sum(axis=0)
    total = float(spectrum.sum())
    if total <= 0:
        return None
    return float(spectrum[np.fft.rfftfreq(FRAME, 1 / RATE) >= edge_hz].sum()) / total
