"""DriftTracker: how far a sound device's sample clock has slid from the wall clock.

A device that claims 48 kHz runs on its own crystal, 10-200 ppm off, so its samples
counted at the nominal rate slide against wall time (and against a second device): at
100 ppm, 0.18 s in 30 minutes. The tracker watches when blocks arrive. For each block,

    r = t - frames / nominal_rate

is its arrival time ``t`` less the nominal duration of all ``frames`` delivered so far.
A block can arrive late (scheduling), never early, so the *lower envelope* of r (its
minimum over a sliding window, 10 s) follows the device's clock: flat at the nominal
rate, falling for a fast device, rising for a slow one.

The envelope also moves for reasons that are no clock: a sound server that changes its
latency steps it (PulseAudio: +25 ms once playback started), and a monitor of a null
sink saws at 2000 ppm while something plays (measured). So only a *rate* is followed:
the median of the envelope's slopes over 30 s (a point every 5 s, over the last 5
minutes), trusted once they span a minute, stays within a crystal's
range (500 ppm) and the slopes agree (their median deviation under 50 ppm). The
correction is that rate integrated over time; a step is left alone. Once, when the
first window is full, the stream's placement (from its first block, which may itself
have come late) is moved to the envelope.

Pure: numbers in (``observe``), corrections in output samples out (``step``; positive:
add samples, the device is slow). No clock reads, no threads; ``audio_live.LiveSource``
applies them.
"""

from __future__ import annotations

import statistics
from collections import deque

__all__ = ["DriftTracker"]


class DriftTracker:
    """Lower envelope of arrival residuals -> corrections in ``out_rate`` samples.

    origin: r (seconds) where the stream was placed; default: its first block's.
    window: seconds of the sliding minimum (a burst of late blocks shorter than it is
    ignored). start/stop: hysteresis in output samples (2 ms / 0.5 ms at 16 kHz).
    history/trust: seconds of envelope points the rate is taken over / must span.
    max_ppm/max_spread_ppm: a rate beyond a crystal's, or slopes that disagree, are no
    clock: the correction holds still.
    """

    def __init__(self, nominal_rate: float, *, origin: float | None = None,
                 window: float = 10.0, out_rate: int = 16000, start: int = 32, stop: int = 8,
                 history: float = 300.0, trust: float = 60.0, max_ppm: float = 500.0,
                 max_spread_ppm: float = 50.0):
        self.nominal_rate = float(nominal_rate)
        self.window = window
        self.out_rate = out_rate
        self.start, self.stop = start, stop
        self.history, self.trust = history, trust
        self.span = max(1, round(30.0 / (window / 2)))  # slopes over 30 s
        self.max_ppm, self.max_spread_ppm = max_ppm, max_spread_ppm
        self.origin = origin
        self.applied = 0        # output samples added (+) or dropped (-) so far
        self.slewed = 0         # |samples| added or dropped
        self.ready = False      # a full window has been seen
        self.trusted = False    # the rate is believed (and followed)
        self._low: deque[tuple[float, float]] = deque()     # (t, r), r rising: [0] is the min
        self._recent: deque[tuple[float, float]] = deque()  # every (t, r) of the window
        self._first: list[tuple[float, float]] = []         # ... of the first window
        self._points: deque[tuple[float, float]] = deque()  # (t, envelope) every half window
        self._next_point = 0.0
        self._rate = 0.0        # d(envelope)/dt believed now (0 while not trusted)
        self._e = 0.0           # the correction due (seconds) at _te
        self._te = 0.0
        self._ever_trusted = False
        self._slewing = False

    @property
    def ppm(self) -> float:
        """How fast the device runs against the wall clock, in ppm (+ = fast: samples get
        dropped; - = slow: samples get added); 0 until the rate is trusted."""
        return -self._rate * 1e6

    def observe(self, t: float, frames: int) -> None:
        """A block arrived at time ``t``; ``frames`` counts native frames handed over so
        far, this block included."""
        r = t - frames / self.nominal_rate
        if not self._recent:  # the first block
            self._next_point = t + self.window
            if self.origin is None:
                self.origin = r
        self._recent.append((t, r))
        while self._recent[0][0] < t - self.window:
            self._recent.popleft()
        low = self._low
        while low and low[-1][1] >= r:
            low.pop()
        low.append((t, r))
        while low[0][0] < t - self.window:
            low.popleft()
        if self.ready:
            self._e += self._rate * (t - self._te)
            self._te = t
        if t >= self._next_point:
            self._point(t, low[0][1])

    def _point(self, t: float, envelope: float) -> None:
        self._next_point = t + self.window / 2
        if not self.ready:  # the first full window: place the stream on its envelope
            self.ready = True
            self._e, self._te = envelope - self.origin, t
            self._first = list(self._recent)
        self._points.append((t, envelope))
        while self._points[0][0] < t - self.history:
            self._points.popleft()
        pts = list(self._points)
        k = self.span  # points apart: long enough to be precise, short enough that a step
        # in the envelope spoils few of the slopes
        slopes = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(pts, pts[k:])]
        rate = statistics.median(slopes) if slopes else 0.0
        spread = statistics.median(abs(s - rate) for s in slopes) if slopes else 0.0
        self.trusted = (pts[-1][0] - pts[0][0] >= self.trust and abs(rate) <= self.max_ppm * 1e-6
                        and spread <= self.max_spread_ppm * 1e-6)
        if self.trusted and not self._ever_trusted:
            # the rate is known: where the stream stands now is the lowest arrival of the
            # first window brought forward along it (a plain minimum lags a sloping
            # envelope; a later window may have stepped, and steps are no drift)
            self._ever_trusted = True
            self._e = min(r + rate * (t - tr) for tr, r in self._first) - self.origin
            self._first = []
        self._rate = rate if self.trusted else 0.0

    def error(self, t: float | None = None) -> float:
        """The correction due, in seconds, for audio that arrived at ``t`` (default: the
        last block; ``t`` may lie before it, when a queue stands between)."""
        if not self.ready:
            return 0.0
        return self._e + self._rate * ((self._te if t is None else t) - self._te)

    def wanted(self, t: float | None = None) -> int:
        """The total correction (output samples) due for audio that arrived at ``t``:
        ``round(e * out_rate)`` once it is off what is applied by more than ``start``
        (or, while slewing, by more than ``stop``); else what is applied."""
        target = round(self.error(t) * self.out_rate)
        off = abs(target - self.applied)
        if off > self.start or (self._slewing and off > self.stop):
            return target
        return self.applied

    def step(self, limit: int, t: float | None = None, *, force: bool = False) -> int:
        """Samples to add (+) or drop (-) now, for audio that arrived at ``t``, at most
        ``limit`` either way. force: all that is due, hysteresis or not (where a gap in
        the audio hides it)."""
        if not self.ready:
            return 0
        want = round(self.error(t) * self.out_rate) if force else self.wanted(t)
        self._slewing = want != self.applied
        n = max(-limit, min(limit, want - self.applied))
        self.applied += n
        self.slewed += abs(n)
        return n
