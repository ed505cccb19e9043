"""The echo canceller on real fixture speech: the call through a room into the mic is
explained once it has heard the call alone; the coachee's own voice never is."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from pullcoach.echo_cancel import EchoCanceller
from pullcoach.vad import frame_db

sys.path.insert(0, str(Path(__file__).parent))
from test_channel_check import _stereo  # noqa: E402
from test_echo_delay import speakers  # noqa: E402


def shares(mic, call):
    n = len(mic) // 512
    m, c = mic[: n * 512].reshape(n, 512), call[: n * 512].reshape(n, 512)
    aec = EchoCanceller()
    return np.array([aec.frame(a, b, da, db) for a, b, da, db in zip(m, c, frame_db(m), frame_db(c))])


def test_a_pure_delay_is_learnt_to_the_tap():
    call = _stereo("nl_push_mb")[:, 1].astype(np.float64)
    mic = np.concatenate([np.zeros(2_000), call[:-2_000]]) * 0.25
    aec = EchoCanceller()
    n = len(mic) // 512
    for i in range(n):
        s = slice(i * 512, (i + 1) * 512)
        aec.frame(mic[s], call[s], *frame_db(np.stack([mic[s], call[s]])))
    taps = np.fft.irfft(aec.filters[0].w, axis=1)[:, :512].ravel()
    assert int(np.argmax(np.abs(taps))) == 2_000
    assert taps[2_000] == pytest.approx(0.25, abs=0.01)


@pytest.mark.parametrize("delay_ms", [40, 200])
def test_the_room_is_explained_and_the_coachee_is_not(delay_ms):
    mic, call = speakers("nl_push_mb", delay_ms, -12)
    share = shares(mic, call)
    n = len(share)
    own = frame_db(_stereo("nl_push_mb")[: n * 512, 0].reshape(n, 512))
    heard = frame_db(mic[: n * 512].reshape(n, 512))
    late = np.arange(n) * 0.032 >= 20.0                 # after 15 s of conversation with the call
    echo_only = late & (own < -60) & (heard > -55)      # the mic hears only the call and room
    # measured: 40 ms 0.87, 200 ms 0.78 of such frames at or over 0.75
    assert np.mean(share[echo_only] >= 0.75) >= 0.7
    talk = own > -40                                    # the coachee talking (over the call too)
    assert talk.sum() > 300
    assert np.mean(share[talk] >= 0.5) < 0.01           # measured 0.003
    assert share[talk].max() < 0.75


def test_silence_and_no_call_explain_nothing():
    rng = np.random.default_rng(3)
    mic = (rng.standard_normal(16_000 * 5) * 0.01).astype(np.float32)
    assert shares(mic, np.zeros_like(mic)).max() == 0.0
    assert shares(np.zeros_like(mic), mic).max() == 0.0
