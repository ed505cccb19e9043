"""Where one channel hears the other late: a call played on speakers, heard by the mic.

The bleed test (``vad.correlation``) looks 0-10 ms back, the path between two mics in one
room. A call's voice played on speakers reaches the coachee's mic a playback latency later
(the sound server's buffer and the room: 10-250 ms), so there it found nothing, and a
partner 12 dB under the coachee's mic level, 40 ms late, started "coachee speech" and a
false interruption (measured on nl_push_mb). ``EchoDelay`` learns that delay from frames
where the other channel is loud and this one far quieter, and ``likeness`` measures each
frame's likeness to the other's voice around it.

Pure and frame by frame: the same frames give the same delays however they are batched.
"""

from __future__ import annotations

from collections import Counter, deque

import numpy as np

__all__ = ["EchoDelay", "lag_correlation", "MAX_LAG"]

MAX_LAG = 4_000      # samples (250 ms) searched back
BIN = 16             # votes are counted in 1 ms bins
VOTE_CORR = 0.6      # a frame this like the other's voice at its best lag votes for that lag
VOTES = 100          # the last this many votes count
MIN_VOTES = 6        # a delay needs this many votes in its bin and its neighbours ...
PEAK = 2.5           # ... and this many times those of any other 3 ms (votes off the delay
                     # scatter: a voice's pitch period and the room give lags of their own)
NEAR = 32            # samples (2 ms) searched either side of the learnt delay


def lag_correlation(own: np.ndarray, hist: np.ndarray) -> np.ndarray:
    """Per frame (rows of ``own``, n samples), the absolute normalised correlation with the
    other channel at each lag 0..L: ``hist`` rows hold the other's n + L samples that end
    where the frame ends, so lag k compares ``own`` with ``hist[L - k: L - k + n]``."""
    n, m = own.shape[1], hist.shape[1]
    lags = m - n
    size = 1 << (m + n - 1).bit_length()
    own64, hist64 = own.astype(np.float64), hist.astype(np.float64)
    xc = np.fft.irfft(np.fft.rfft(hist64, size) * np.conj(np.fft.rfft(own64, size)), size)
    xc = xc[:, : lags + 1]                      # xc[k]: own against hist[k: k + n]
    c = np.pad(np.cumsum(hist64 * hist64, axis=1), ((0, 0), (1, 0)))
    e_hist = c[:, n: n + lags + 1] - c[:, : lags + 1]
    e_own = np.sum(own64 * own64, axis=1, keepdims=True)
    corr = np.abs(xc) / np.sqrt(e_own * e_hist + 1e-12)
    return corr[:, ::-1]                        # index = lag (own later than the other)


class EchoDelay:
    """The delay (samples) at which this channel hears the other, once the votes agree."""

    def __init__(self) -> None:
        self.votes: deque[int] = deque(maxlen=VOTES)
        self.delay: int | None = None

    def observe(self, corr: np.ndarray, candidate: bool) -> float:
        """One frame's correlation by lag (``lag_correlation`` row). A ``candidate`` frame
        (the other loud, this one far quieter) votes; returns the frame's likeness to the
        other's voice around the delay learnt before it (0 while none is)."""
        like = 0.0
        if self.delay is not None:
            lo, hi = max(0, self.delay - NEAR), min(len(corr), self.delay + NEAR + 1)
            like = float(corr[lo:hi].max())
        if candidate:
            best = int(np.argmax(corr))
            if corr[best] >= VOTE_CORR:
                self.votes.append(best)
                self._decide()
        return like

    def _decide(self) -> None:
        bins = Counter(v // BIN for v in self.votes)
        near = {b: bins[b - 1] + bins[b] + bins[b + 1] for b in range(min(bins) - 1, max(bins) + 2)}
        top = max(near, key=lambda b: (near[b], -b))
        rest = max((c for b, c in near.items() if abs(b - top) > 2), default=0)
        if near[top] >= MIN_VOTES and near[top] >= PEAK * rest:
            self.delay = int(np.median([v for v in self.votes if abs(v // BIN - top) <= 1]))
