"""How much of a mic's sound is the call coming back through the speakers.

``echo_delay`` finds the direct sound of a call played on speakers; the room adds a tail
(reflections for a few hundred ms) that outlasts the partner's last word, when the call's
channel is already quiet, so a level-and-likeness test cannot call it bleed and it started
"coachee speech". ``EchoCanceller`` models the whole path, delay and tail, with
partitioned-block frequency-domain adaptive filters (overlap-save, constrained; the
structure of Speex's and WebRTC's echo cancellers) and reports per frame the share of the
mic's energy that the filtered call explains. It only measures: the audio Whisper hears is
left as it is.

Two filters, as echo cancellers keep a cautious and a quick one: the cautious one adapts
only where the call is loud and the mic far quieter (the call alone), the quick one also on
the tail after the call's last word, and so also now and then on a soft word of the
coachee's. The share is the larger of the two: no filter of the call can explain the
coachee's own voice, so a wrong filter only explains less. Pure and frame by frame: the
same frames give the same shares however they are batched.
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["EchoCanceller", "PARTITIONS"]

N = 512              # samples per block: one VAD frame (32 ms)
PARTITIONS = 15      # blocks of impulse response modelled: 480 ms (250 ms delay + tail)
CAUTIOUS, QUICK = 0.6, 1.0   # normalised step sizes
SMOOTH = 0.7         # power estimate: this much of the last one stays
FLOOR = 1e-6         # regularisation of the per-bin power (about -70 dBFS)


class _Filter:
    """One partitioned-block frequency-domain adaptive filter (NLMS per bin)."""

    def __init__(self, step: float, partitions: int) -> None:
        self.step = step
        self.w = np.zeros((partitions, N + 1), np.complex128)
        self.power = np.zeros(N + 1)

    def error(self, x: np.ndarray, mic: np.ndarray) -> np.ndarray:
        return mic - np.fft.irfft(np.sum(self.w * x, axis=0))[N:]

    def adapt(self, x: np.ndarray, err: np.ndarray) -> None:
        span = np.sum(x.real ** 2 + x.imag ** 2, axis=0)  # the call within the filter
        self.power = SMOOTH * self.power + (1 - SMOOTH) * span
        big = np.fft.rfft(np.concatenate([np.zeros(N), err]))
        self.w += np.conj(x) * (self.step * big / (self.power + FLOOR * 2 * N * len(x)))
        taps = np.fft.irfft(self.w, axis=1)
        taps[:, N:] = 0.0                                  # keep it a linear convolution
        self.w = np.fft.rfft(taps, axis=1)


class EchoCanceller:
    def __init__(self, floor_db: float = -55.0, margin_db: float = 6.0,
                 partitions: int = PARTITIONS) -> None:
        self.floor_db, self.margin_db = floor_db, margin_db
        self.ref = np.zeros(N)                                # the call's last block
        self.x = np.zeros((partitions, N + 1), np.complex128)  # its spectra, newest first
        self.levels: deque[float] = deque(maxlen=partitions)   # and their levels (dB)
        self.filters = (_Filter(CAUTIOUS, partitions), _Filter(QUICK, partitions))

    def frame(self, mic: np.ndarray, call: np.ndarray, mic_db: float, call_db: float) -> float:
        """One block of each (N samples, the same instant) and their levels. Returns the
        share (0-1) of the mic block's energy the echo explains, before this block's update."""
        call = np.asarray(call, np.float64)
        mic = np.asarray(mic, np.float64)
        spec = np.fft.rfft(np.concatenate([self.ref, call]))
        self.ref = call
        self.x = np.roll(self.x, 1, axis=0)
        self.x[0] = spec
        self.levels.append(call_db)
        loud = max(self.levels)
        if loud < self.floor_db:
            return 0.0  # no call within the filter's span: nothing can come back, nothing to learn
        e_mic = float(mic @ mic)
        alone = (call_db >= self.floor_db and mic_db <= call_db - self.margin_db,
                 loud >= self.floor_db and mic_db <= loud - self.margin_db)
        share = 0.0
        for f, adapt in zip(self.filters, alone):
            err = f.error(self.x, mic)
            if e_mic > 0.0:
                share = max(share, 1.0 - float(err @ err) / e_mic)
            if adapt:
                f.adapt(self.x, err)
        return share
