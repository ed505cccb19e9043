"""Clock drift: DriftTracker on synthetic arrivals, and LiveSource keeping two devices
(one 150 ppm fast) on one clock, driven by fake streams on simulated time."""

import random

import pytest

from pullcoach.clock_drift import DriftTracker

RATE_IN, BLOCK, LATENCY = 48000, 2400, 0.010   # 50 ms blocks at 48 kHz


def arrivals(ppm, seconds, *, seed=1, first_late=0.0, lose=None, hold=None):
    """(t, frames delivered, frames captured) per block of a device whose true rate is
    ppm off its nominal 48 kHz. Each block arrives LATENCY after its last sample plus
    one-sided jitter (exponential, mean 3 ms; 0.2 % spikes of 30-80 ms), never before
    the block before it. lose=(at_s, lost_s): the stream stalls at at_s and loses lost_s
    of audio, unreported. hold=(at_s, for_s): no callbacks for for_s, then every held
    block arrives at once (nothing lost)."""
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
        t = ideal + jitter
        if hold and hold[0] <= ideal < hold[0] + hold[1]:
            t = max(t, hold[0] + hold[1])
        t = t_prev = max(t, t_prev)
        yield t, delivered, captured, true_rate


def simulate(gen, limit=2, correct=True):
    """Run a tracker as LiveSource does (observe, take the jump, slew at most `limit` per
    block); returns (tracker, [(time, placement error s)], per-block corrections)."""
    tracker = DriftTracker(RATE_IN)
    errors, steps = [], []
    for t, delivered, captured, true_rate in gen:
        tracker.observe(t, delivered)
        if correct:
            steps.append((t, tracker.take_jump(), tracker.step(limit)))
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
    # from the second window on (the slope is known): the 2 ms hysteresis band, plus a hair
    assert worst(errors, after=20) < 0.0025
    assert tracker.ppm == pytest.approx(ppm, abs=3)
    # slewed one way only, single samples, no jumps: a fast device loses samples
    assert tracker.jumps == 0
    assert tracker.slewed == abs(tracker.applied) == pytest.approx(0.090 * 16000, abs=40)
    assert all(s * ppm <= 0 for _, _, s in steps)


def test_a_device_at_its_nominal_rate_gets_no_corrections():
    tracker, errors, steps = simulate(arrivals(0, 600, seed=7))
    assert tracker.slewed == tracker.jumps == tracker.applied == 0
    assert abs(tracker.ppm) < 1
    assert worst(errors) < 0.0005


def test_a_late_first_block_is_corrected_once():
    """The stream is placed where its first block arrived: 8 ms late. The envelope shows
    it, and the placement is slewed back once; nothing after."""
    tracker, errors, steps = simulate(arrivals(0, 300, seed=3, first_late=0.008))
    assert -128 <= tracker.applied <= -120          # 8 ms, to within the 0.5 ms stop band
    assert tracker.slewed == -tracker.applied and tracker.jumps == 0
    assert max(t for t, _, s in steps if s) < 20   # all in the seconds after the first window
    assert worst(errors, after=20) < 0.0006


def test_a_stall_that_loses_audio_is_one_jump():
    tracker, errors, steps = simulate(arrivals(0, 120, lose=(40.0, 0.5)))
    jumps = [(t, j) for t, j, _ in steps if j]
    assert len(jumps) == 1
    t, j = jumps[0]
    assert j == pytest.approx(8000, abs=3)            # 0.5 s at 16 kHz: a gap
    assert 40 + tracker.window - 0.2 < t < 40 + tracker.window + 0.2  # once the window passed
    assert tracker.slewed < 5
    assert worst(errors, after=t + 0.1) < 0.0005


def test_a_burst_of_late_blocks_is_no_drift():
    """No callbacks for 3 s, then every held block at once: late, nothing lost."""
    tracker, errors, steps = simulate(arrivals(0, 120, hold=(30.0, 3.0)))
    assert tracker.applied == tracker.slewed == tracker.jumps == 0


def test_corrections_wait_for_a_full_window():
    tracker = DriftTracker(RATE_IN, window=10.0)
    for k in range(1, 150):  # 7.5 s of blocks, each 100 ms late after the first
        tracker.observe(k * 0.05 + (0.1 if k > 1 else 0), k * BLOCK)
    assert not tracker.ready and tracker.wanted() == 0 and tracker.step(5) == 0
