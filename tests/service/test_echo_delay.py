"""A call played on speakers, heard by the coachee's mic a playback latency later: the
delay is learnt from real fixture speech, the echo canceller models the room, and the leak
no longer starts "coachee speech"."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from pullcoach import echo_delay
from pullcoach.echo_delay import EchoDelay, lag_correlation
from pullcoach.pipeline import PipelineConfig, Segmenter
from pullcoach.rules.events import SpeechStarted
from pullcoach.vad import VadConfig

sys.path.insert(0, str(Path(__file__).parent))
from test_channel_check import _rms, _room, _stereo  # noqa: E402


def speakers(name: str, delay_ms: float, level_db: float):
    """The fixture with the call (partner channel) leaking into the coachee's mic through
    speakers and a room, ``delay_ms`` late, ``level_db`` under the call's own level."""
    x = _stereo(name)
    coachee, call = x[:, 0], x[:, 1]
    heard = _room(call, delay_ms=delay_ms, lo=150, hi=6000, rt60=0.3, drr_db=15)
    heard *= 10 ** (level_db / 20) * _rms(call) / _rms(heard)
    floor = np.random.default_rng(1).standard_normal(len(call)) * 10 ** (-70 / 20)
    return (coachee + heard + floor).astype(np.float32), call


def segment(coachee, partner, batch=800, config=PipelineConfig()):
    seg, starts = Segmenter(config), []
    for i in range(0, len(coachee), batch):
        for sp, x in (("coachee", coachee), ("partner", partner)):
            events, _ = seg.feed(sp, i, x[i:i + batch])
            starts += [e.t for e in events if isinstance(e, SpeechStarted) and e.speaker == "coachee"]
    return starts, seg.channels["coachee"].echo.delay


def test_lag_correlation_finds_a_delayed_copy_of_real_speech():
    x = _stereo("nl_push_mb")[:, 1]
    own = np.concatenate([np.zeros(640, np.float32), x[:-640]]) * 0.25
    s = 16_000 * 7                                  # the partner is talking here
    rows = np.stack([x[s + k * 512 - 4_000: s + (k + 1) * 512] for k in range(16)])
    frames = np.stack([own[s + k * 512: s + (k + 1) * 512] for k in range(16)])
    corr = lag_correlation(frames, rows)
    assert corr.shape == (16, 4_001)
    voiced = np.sqrt(np.mean(frames ** 2, axis=1)) > 1e-3   # MBROLA's silence between words
    assert voiced.sum() >= 8
    assert list(np.argmax(corr[voiced], axis=1)) == [640] * int(voiced.sum())
    assert corr[voiced].max(axis=1).min() > 0.99


def test_scattered_votes_decide_nothing():
    est = EchoDelay()
    corr = np.zeros(4_001)
    for lag in range(100, 4_000, 150):              # no lag comes back: a voice's own periods
        corr[:] = 0.0
        corr[lag] = 0.9
        est.observe(corr, True)
    assert est.delay is None
    for _ in range(6):                              # then one lag, again and again
        corr[:] = 0.0
        corr[1_920] = 0.9
        est.observe(corr, True)
    assert est.delay == 1_920
    corr[:] = 0.0
    corr[1_930] = 0.7
    assert est.observe(corr, False) == pytest.approx(0.7)   # likeness 2 ms around it


def extra(starts, clean):
    """Coachee speech starts after the first partner turn (the learning) that the clean
    conversation does not have within 0.5 s."""
    return [t for t in starts if t > 12.0 and min(abs(t - c) for c in clean) > 0.5]


@pytest.fixture(scope="module")
def clean():
    """The coachee's speech starts in the fixture as recorded (the same for every delay)."""
    starts, delay = segment(*(_stereo("nl_push_mb")[:, k] for k in (0, 1)))
    assert delay is None                            # two independent voices: nothing learnt
    return starts


@pytest.mark.parametrize("delay_ms", [40, 120, 200])
def test_the_delay_is_learnt_and_the_leak_mostly_starts_no_coachee_speech(delay_ms, clean, monkeypatch):
    mic, call = speakers("nl_push_mb", delay_ms, -12)
    leaky, delay = segment(mic.copy(), call.copy())
    assert delay == pytest.approx(delay_ms * 16, abs=8)
    with monkeypatch.context() as m:                # the same without the learnt delay ...
        m.setattr(EchoDelay, "observe", lambda self, corr, candidate: 0.0)
        blind, _ = segment(mic.copy(), call.copy(),   # ... nor the canceller
                           config=PipelineConfig(vad=VadConfig(echo_share=None)))
    # measured: 40 / 120 / 200 ms: 1 / 2 / 2 extra starts; without both 8 / 6 / 8 (the
    # delay alone left 2 / 3 / 4: the room's tail, which the canceller models)
    assert len(extra(leaky, clean)) <= 2
    assert len(extra(blind, clean)) >= len(extra(leaky, clean)) + 4


def test_batching_does_not_change_what_is_learnt():
    coachee, call = speakers("nl_push_mb", 40, -12)
    n = 16_000 * 25
    assert segment(coachee[:n], call[:n], 800) == segment(coachee[:n], call[:n], 3_333)
    assert echo_delay.MAX_LAG == 4_000
