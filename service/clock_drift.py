"""DriftTracker: how far a sound device's sample clock has slid from the wall clock.

A device that claims 48 kHz runs on its own crystal, 10-200 ppm off, so its samples
counted at the nominal rate slide against wall time (and against a second device): at
100 ppm, 0.18 s in 30 minutes. The tracker watches when blocks arrive. For each block,

    r = t - frames / nominal_rate

is its arrival time ``t`` less the nominal duration of all ``frames`` delivered so far.
A block can arrive late (scheduling), never early, so the *lower envelope* of r (its
minimum over a sliding window, 10 s) follows the device's clock: flat at the nominal
rate, falling for a fast device, rising for a slow one; its slope gives ``ppm``. The
error ``e = envelope - origin`` (origin: r where the stream was placed on the session
clock, by default its first block) says how far the samples now lie from wall time:
positive, the device delivered fewer samples than nominal and samples must be added;
negative, samples must be dropped.

Pure: numbers in (``observe``), corrections out, in output samples: ``step`` for single
samples to slew, ``take_jump`` for an error over 100 ms to apply at once. Both may be
asked for a block that arrived before the last one observed (a queue between them). No
clock reads, no threads; ``audio_live.LiveSource`` applies them.
"""

from __future__ import annotations

from collections import deque

__all__ = ["DriftTracker"]


class DriftTracker:
    """Lower envelope of arrival residuals -> corrections in ``out_rate`` samples.

    origin: r (seconds) where the stream was placed; default: its first block's.
    window: seconds of the sliding minimum; a burst of late blocks shorter than it is
    ignored, and audio lost unreported shows as a step once it has passed.
    start/stop: hysteresis in output samples (2 ms / 0.5 ms at 16 kHz): slewing starts
    when the correction is off by more than ``start`` and stops within ``stop``.
    jump: a correction off by more than this (seconds) is returned whole by ``take_jump``.
    history: seconds of envelope minima the slope (``ppm``) is fitted over.
    """

    def __init__(self, nominal_rate: float, *, origin: float | None = None,
                 window: float = 10.0, out_rate: int = 16000, start: int = 32, stop: int = 8,
                 jump: float = 0.1, history: float = 300.0):
        self.nominal_rate = float(nominal_rate)
        self.window = window
        self.out_rate = out_rate
        self.start, self.stop = start, stop
        self.jump = jump
        self.history = history
        self.origin = origin
        self.applied = 0        # output samples added (+) or dropped (-) so far, jumps too
        self.slewed = 0         # samples added or dropped by step()
        self.jumps = 0          # jumps found (handed out by take_jump())
        self.ready = False      # a full window has been seen
        self._t0: float | None = None
        self._low: deque[tuple[float, float]] = deque()     # (t, r), r rising: [0] is the min
        self._last_low: float | None = None
        self._stepped = 0.0     # envelope steps (> jump) so far, kept out of the slope
        self._points: deque[tuple[float, float]] = deque()  # envelope minima for the slope
        self._next_point = 0.0
        self._slope = 0.0       # d(envelope)/dt
        self._t = 0.0           # the last arrival
        self._slewing = False
        self._pending = 0

    @property
    def ppm(self) -> float:
        """How fast the device runs against the wall clock, in ppm (+ = fast: samples
        get dropped; - = slow: samples get added)."""
        return -self._slope * 1e6

    def observe(self, t: float, frames: int) -> None:
        """A block arrived at time ``t``; ``frames`` counts native frames handed over so
        far, this block included."""
        r = t - frames / self.nominal_rate
        if self._t0 is None:
            self._t0 = t
            self._next_point = t + self.window
            if self.origin is None:
                self.origin = r
        self._t = t
        low = self._low
        while low and low[-1][1] >= r:
            low.pop()
        low.append((t, r))
        while low[0][0] < t - self.window:
            low.popleft()
        low_t, low_r = low[0]
        if self._last_low is not None and abs(low_r - self._last_low) > self.jump:
            self._stepped += low_r - self._last_low
        self._last_low = low_r
        if t >= self._next_point:  # a fresh minimum for the slope, every half window
            self.ready = True
            self._next_point = t + self.window / 2
            if not self._points or self._points[-1][0] != low_t:
                self._points.append((low_t, low_r - self._stepped))
            while len(self._points) > 1 and self._points[0][0] < t - self.history:
                self._points.popleft()
            self._slope = _slope(self._points)

    def error(self, t: float | None = None) -> float:
        """``e`` in seconds for audio that arrived at ``t`` (default: the last block): the
        envelope, brought from its minimum's time to ``t`` along the slope, less the
        origin. (On a rising envelope the window's minimum sits a window ago.)"""
        if not self.ready:
            return 0.0
        low_t, low_r = self._low[0]
        return low_r + self._slope * ((self._t if t is None else t) - low_t) - self.origin

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
        the audio hides it). A correction off by more than ``jump`` becomes a jump."""
        if not self.ready:
            return 0
        target = round(self.error(t) * self.out_rate)
        if abs(target - self.applied) > self.jump * self.out_rate:
            self._pending += target - self.applied
            self.applied = target
            self.jumps += 1
            self._slewing = False
            return 0
        want = target if force else self.wanted(t)
        self._slewing = want != self.applied
        n = max(-limit, min(limit, want - self.applied))
        self.applied += n
        self.slewed += abs(n)
        return n

    def take_jump(self) -> int:
        """Output samples to apply at once (+: leave a gap; -: drop), 0 mostly."""
        n, self._pending = self._pending, 0
        return n


def _slope(points) -> float:
    """Least-squares slope of (t, r) points; 0 with fewer than two."""
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    mr = sum(r for _, r in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if var <= 0:
        return 0.0
    return sum((t - mt) * (r - mr) for t, r in points) / var
