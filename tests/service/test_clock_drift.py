"""Clock drift: DriftTracker on synthetic arrivals, and LiveSource keeping two devices
(one 150 ppm fast) on one clock, driven by fake streams on simulated time."""

import asyncio
import random
import threading
import time

import numpy as np
import pytest

from pullcoach.audio import RATE
from pullcoach.audio_live import LiveSource
from pullcoach.clock_drift import DriftTracker

RATE_IN, BLOCK, LATENCY = 48000, 2400, 0.010   # 50 ms blocks at 48 kHz


def arrivals(ppm, seconds, *, seed=1, first_late=0.0, lose=None, hold=None, latency=None):
    """(t, frames delivered, frames captured) per block of a device whose true rate is
    ppm off its nominal 48 kHz. Each block arrives LATENCY after its last sample plus
    one-sided jitter (exponential, mean 3 ms; 0.2 % spikes of 30-80 ms), never before
    the block before it. lose=(at_s, lost_s): the stream stalls at at_s and loses lost_s
    of audio, unreported. hold=(at_s, for_s): no callbacks for for_s, then every held
    block arrives at once (nothing lost). latency(t): extra delivery delay at time t (a
    sound server's buffering), which moves arrivals but not the audio."""
    rng = random.Random(seed)
    true_rate = RATE_IN * (1 + ppm * 1e-6)
    captured = delivered = 0
    t_prev = 0.0
    while captured < seconds * true_rate:
        if lose and captured < lose[0] * true_rate <= captured + BLOCK:
            captured += round(lose[1] * true_rate)
        captured += BLOCK
        delivered += BLOCK
        ideal = captured / true_rate + LATENCY
        jitter = rng.expovariate(1 / 0.003)
        if rng.random() < 0.002:
            jitter += rng.uniform(0.03, 0.08)
        if delivered == BLOCK:
            jitter = first_late
        if latency:
            jitter += latency(ideal)
        t = ideal + jitter
        if hold and hold[0] <= ideal < hold[0] + hold[1]:
            t = max(t, hold[0] + hold[1])
        t = t_prev = max(t, t_prev)
        yield t, delivered, captured, true_rate


def simulate(gen, limit=2, correct=True):
    """Run a tracker as LiveSource does (observe, slew at most `limit` per block);
    returns (tracker, [(time, placement error s)], per-block corrections)."""
    tracker = DriftTracker(RATE_IN)
    errors, steps = [], []
    for t, delivered, captured, true_rate in gen:
        tracker.observe(t, delivered)
        if correct:
            steps.append((t, tracker.step(limit)))
        applied = tracker.applied if correct else 0
        # where the last sample is placed (origin + nominal count + correction) less where
        # it belongs (its capture time + LATENCY, which the origin includes)
        placed = tracker.origin + delivered / RATE_IN + applied / 16000
        errors.append((t, placed - (captured / true_rate + LATENCY)))
    return tracker, errors, steps


def worst(errors, after=0.0):
    return max(abs(e) for t, e in errors if t >= after)


@pytest.mark.parametrize("ppm", [150, -150])
def test_a_drifting_device_stays_on_the_wall_clock(ppm):
    tracker, errors, steps = simulate(arrivals(ppm, 600))
    _, raw, _ = simulate(arrivals(ppm, 600), correct=False)
    assert abs(raw[-1][1]) == pytest.approx(0.090, abs=0.001)   # 150 ppm of 10 minutes
    # once the rate is learnt (a minute, then slewed in): the 2 ms hysteresis band, plus a hair
    assert worst(errors, after=75) < 0.0025
    assert worst(errors) < 0.012                                # 150 ppm of the first minute
    assert tracker.ppm == pytest.approx(ppm, abs=3)
    # slewed one way only, single samples: a fast device loses samples
    assert tracker.slewed == abs(tracker.applied) == pytest.approx(0.090 * 16000, abs=40)
    assert all(s * ppm <= 0 for _, s in steps)


def test_a_device_at_its_nominal_rate_gets_no_corrections():
    tracker, errors, steps = simulate(arrivals(0, 600, seed=7))
    assert tracker.slewed == tracker.applied == 0
    assert tracker.trusted and abs(tracker.ppm) < 1
    assert worst(errors) < 0.0005


def test_a_late_first_block_is_corrected_once():
    """The stream is placed where its first block arrived: 8 ms late. The envelope shows
    it, and the placement is slewed back once; nothing after."""
    tracker, errors, steps = simulate(arrivals(0, 300, seed=3, first_late=0.008))
    assert -128 <= tracker.applied <= -120          # 8 ms, to within the 0.5 ms stop band
    assert tracker.slewed == -tracker.applied
    assert max(t for t, s in steps if s) < 20      # all in the seconds after the first window
    assert worst(errors, after=20) < 0.0006


def test_latency_steps_and_unreported_loss_are_not_drift():
    """A sound server that buffers 25 ms more from 40 s on, or 0.5 s of audio lost without
    a word: the arrivals step, the clock does not run differently. Left alone."""
    later = simulate(arrivals(0, 300, latency=lambda t: 0.025 if t > 40 else 0.0))[0]
    lost = simulate(arrivals(0, 300, lose=(40.0, 0.5)))[0]
    assert later.applied == later.slewed == 0 and lost.applied == lost.slewed == 0
    assert later.trusted and abs(later.ppm) < 1


def test_a_drifting_device_behind_a_server_that_changes_its_latency_is_still_followed():
    tracker, errors, _ = simulate(arrivals(-150, 600, latency=lambda t: 0.025 if t > 200 else 0.0))
    assert tracker.ppm == pytest.approx(-150, abs=3)
    assert worst(errors, after=75) < 0.0025


def test_a_pulseaudio_monitor_that_saws_while_playing_gets_no_corrections():
    """Measured on PulseAudio 16, a null sink's monitor read through PortAudio while paplay
    plays into it: the arrivals' envelope climbs ~2000 ppm for 15 s, falls back 40 ms,
    climbs again, and rests 25 ms higher once playback ends. The samples themselves come
    at the exact rate: nothing to correct."""
    def saw(t):
        if t < 10:
            return 0.0
        if t < 64:
            return 0.002 * ((t - 10) % 18)
        return 0.025
    tracker, errors, steps = simulate(arrivals(0, 400, seed=5, latency=saw))
    assert abs(tracker.applied) <= 8 and tracker.slewed <= 16
    assert worst(errors) < 0.001


def test_a_burst_of_late_blocks_is_no_drift():
    """No callbacks for 3 s, then every held block at once: late, nothing lost."""
    tracker, errors, steps = simulate(arrivals(0, 120, hold=(30.0, 3.0)))
    assert tracker.applied == tracker.slewed == 0


def test_corrections_wait_for_a_full_window():
    tracker = DriftTracker(RATE_IN, window=10.0)
    for k in range(1, 150):  # 7.5 s of blocks, each 100 ms late after the first
        tracker.observe(k * 0.05 + (0.1 if k > 1 else 0), k * BLOCK)
    assert not tracker.ready and tracker.wanted() == 0 and tracker.step(5) == 0


# -- LiveSource: two devices on one clock ------------------------------------------------

DEVICES = [
    {"index": 0, "name": "Built-in Mic", "max_input_channels": 2, "default_samplerate": 44100.0},
    {"index": 1, "name": "USB Headset Mic", "max_input_channels": 1, "default_samplerate": 48000.0},
    {"index": 2, "name": "USB Audio Interface", "max_input_channels": 4,
     "default_samplerate": 44100.0},
]
local = threading.local()


def sim_clock():
    """The simulated wall clock: what the calling fake stream's thread says it is."""
    return getattr(local, "now", 0.0)


class SimStream:
    """Like sounddevice.InputStream on simulated time: a thread sends `seconds` of a click
    train (a 1.0 impulse at every whole second of true time, on every channel) in blocks,
    as fast as it can (or `pace` real seconds apart). Before each callback it sets its
    thread's `local.now` to when the block arrives: frames sent / the device's true rate
    (`true_rate`; the device claims `samplerate`) + LATENCY + one-sided jitter
    (exponential, mean 3 ms). `first_late`: the first block's jitter, which the stream's
    placement on the session clock takes in."""

    true_rate: dict = {}
    seconds = 0.0
    pace = 0.0
    streams: list = []

    def __init__(self, *, device, channels, samplerate, blocksize, dtype, callback,
                 finished_callback=None):
        self.true = self.true_rate.get(device, samplerate)
        self.channels, self.blocksize = channels, blocksize
        self.callback, self.finished_callback = callback, finished_callback
        self.rng = random.Random(device)
        self.device, self.first_late = device, None
        self.sent, self.stopped = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.streams.append(self)

    def start(self):
        self.thread.start()

    def _run(self):
        total, n, now, k = int(self.seconds * self.true), 0, 0.0, 1
        while n < total and not self.stopped.is_set():
            m = min(self.blocksize, total - n)
            block = np.zeros((m, self.channels), np.float32)
            while round(k * self.true) < n + m:
                block[round(k * self.true) - n] = 1.0
                k += 1
            n += m
            jitter = self.rng.expovariate(1 / 0.003)
            if self.first_late is None:
                self.first_late = jitter
            now = local.now = max(now, n / self.true + LATENCY + jitter)
            self.callback(block, m, None, None)
            if self.pace:
                time.sleep(self.pace)
        self.sent.set()
        self.stopped.wait()
        if self.finished_callback:
            self.finished_callback()

    def stop(self):
        self.stopped.set()
        self.thread.join(5)

    def close(self):
        pass


@pytest.fixture
def sim():
    SimStream.true_rate, SimStream.seconds, SimStream.pace, SimStream.streams = {}, 0.0, 0.0, []
    return SimStream


def capture(seconds, true_rate, stall_at=None, **kw):
    """Run a LiveSource over SimStreams; returns (whole signal per speaker, stats,
    {device: its first block's jitter}). stall_at: at that point of the session clock
    (seconds) the consumer blocks the loop for 0.3 s, so the source's queue drops."""
    SimStream.seconds, SimStream.true_rate = seconds, true_rate
    kw.setdefault("queue_blocks", 10**6)
    src = LiveSource(stream_factory=SimStream, query_devices=lambda: DEVICES, clock=sim_clock,
                     **kw)

    async def run():
        got = []

        async def consume():
            nonlocal stall_at
            async for b in src.blocks():
                got.append(b)
                if stall_at is not None and b.start >= stall_at * RATE:
                    time.sleep(0.3)
                    stall_at = None

        task = asyncio.create_task(consume())
        while len(SimStream.streams) < len(src.describe()):
            await asyncio.sleep(0.01)
        await asyncio.to_thread(lambda: [s.sent.wait(60) for s in SimStream.streams])
        src.close()
        await asyncio.wait_for(task, 60)
        return got

    blocks = asyncio.run(run())
    out = {}
    for speaker in ("coachee", "partner"):
        mine = [b for b in blocks if b.speaker == speaker]
        assert all(b2.start == b1.end if not src.stats()["dropped"] else b2.start >= b1.end
                   for b1, b2 in zip(mine, mine[1:]))  # no gaps but for drops, no overlaps
        x = np.zeros(mine[-1].end, np.float32)
        for b in mine:
            x[b.start:b.end] = b.samples
        out[speaker] = x
    return out, src.stats(), {s.device: s.first_late for s in SimStream.streams}


def clicks(x, seconds):
    """Where each second's click peaks, in 16 kHz samples (None where it was dropped)."""
    found = []
    for k in range(1, int(seconds)):
        near = np.abs(x[k * RATE - RATE // 5:k * RATE + RATE // 5])
        found.append(k * RATE - RATE // 5 + int(np.argmax(near)) if near.max() > 0.1 else None)
    return found


FAST = 48000 * (1 + 150e-6)   # the USB headset (device 1): claims 48 kHz, runs 150 ppm fast


@pytest.mark.parametrize("correct", [True, False])
def test_two_devices_stay_on_one_clock(sim, correct):
    seconds = 300
    out, stats, late = capture(seconds, {1: FAST, 0: 44100.0}, coachee=1, partner=0,
                               drift_correction=correct)
    ms = [(c - p) / RATE * 1000 for c, p in zip(clicks(out["coachee"], seconds),
                                                  clicks(out["partner"], seconds))]
    co, pa = stats["speakers"]["coachee"], stats["speakers"]["partner"]
    print(f"correct={correct}: coachee-partner at 60 s {ms[59]:+.2f} ms, at {seconds - 1} s "
          f"{ms[-1]:+.2f} ms, worst from 80 s {max(map(abs, ms[79:])):.2f} ms; "
          f"corrected {co['drift_corrected']} / {pa['drift_corrected']} samples; first blocks "
          f"{late[1] * 1000:.1f} / {late[0] * 1000:.1f} ms late")
    assert co["drift_ppm"] == pytest.approx(150, abs=3)   # + = fast
    assert abs(pa["drift_ppm"]) < 3
    assert stats["dropped"] == 0
    if correct:
        assert max(map(abs, ms[79:])) < 2.5   # the rate is learnt in a minute
        # 150 ppm of 5 minutes dropped, and each first block's lateness (its placement)
        assert co["drift_corrected"] == pytest.approx(-(0.045 + late[1]) * RATE, abs=40)
        assert pa["drift_corrected"] == pytest.approx(-late[0] * RATE, abs=40)
    else:
        assert ms[-1] - ms[0] == pytest.approx(298 * 0.15, abs=1)   # the clicks slide apart
        assert ms[-1] > 35
        assert co["drift_corrected"] == pa["drift_corrected"] == 0


def test_a_stereo_device_has_one_clock_for_both_speakers(sim):
    seconds = 120
    slow = 44100 * (1 - 150e-6)
    out, stats, late = capture(seconds, {2: slow}, stereo=2, channels=(3, 1))
    assert np.array_equal(out["coachee"], out["partner"])  # same places, same corrections
    co, pa = stats["speakers"]["coachee"], stats["speakers"]["partner"]
    assert co == pa
    assert co["drift_ppm"] == pytest.approx(-150, abs=3)
    assert co["drift_corrected"] == pytest.approx((0.018 - late[2]) * RATE, abs=40)  # added
    off = [(c - k * RATE) / RATE - LATENCY
           for k, c in enumerate(clicks(out["coachee"], seconds), 1)]
    assert max(map(abs, off[79:])) < 0.0025   # each click at its true time, once the rate is learnt


def test_after_dropped_blocks_a_drifting_device_resumes_on_the_wall_clock(sim):
    """The consumer stalls at 100 s, the queue drops: the blocks after the gap go where
    the correction so far (and what fell due in the gap) puts them, not at the nominal
    count (150 ppm of 100 s is 15 ms off)."""
    seconds = 160
    sim.pace = 0.001
    out, stats, late = capture(seconds, {1: FAST, 0: 44100.0}, coachee=1, partner=0,
                               stall_at=100, queue_blocks=64)
    assert stats["speakers"]["coachee"]["dropped"] > 10
    for speaker in ("coachee", "partner"):
        found = [(k, c) for k, c in enumerate(clicks(out[speaker], seconds), 1) if c is not None]
        assert any(k > 102 for k, _ in found)
        off = [(c - k * RATE) / RATE - LATENCY for k, c in found if k > 80]
        assert max(map(abs, off)) < 0.0025, speaker
