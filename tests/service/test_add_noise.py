"""scripts/add_noise.py: a fixture with steady noise at a chosen SNR, for `pullcoach bench`."""

import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox (make system)")

FIXTURE = Path(__file__).parents[1] / "fixtures" / "audio" / "en_pull.flac"


def _db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt((x.astype(np.float64) ** 2).mean()))


def test_noise_sits_snr_below_each_channels_speech_and_the_truth_comes_along(script, tmp_path):
    mod = script("add_noise")
    out = tmp_path / "noisy" / "en_pull.flac"
    assert mod.main([str(FIXTURE), "10", str(out)]) == 0
    assert out.with_suffix(".json").read_bytes() == FIXTURE.with_suffix(".json").read_bytes()
    x, sr = mod.read(FIXTURE)
    y, sr2 = mod.read(out)
    assert sr2 == sr and y.shape == x.shape
    for c in range(x.shape[1]):
        noise = (y[:, c] - x[:, c]).astype(np.float64)
        level = 20 * np.log10(mod.speech_level(x[:, c]))
        assert abs(_db(noise) - (level - 10)) < 0.5  # 10 dB under that channel's speech
        assert np.corrcoef(noise[:-1], noise[1:])[0, 1] > 0.5  # pink, not white: neighbours alike
    silent = (np.abs(x) < 1e-4).all(axis=1)
    assert silent.sum() > sr and (np.abs(y[silent]) > 1e-3).mean() > 0.5  # the pauses are no longer silent


def test_same_input_same_file_and_a_quieter_noise_for_a_higher_snr(script, tmp_path):
    mod = script("add_noise")
    a, b, quiet = tmp_path / "a.flac", tmp_path / "b.flac", tmp_path / "q.flac"
    for path, snr in ((a, "20"), (b, "20"), (quiet, "30")):
        assert mod.main([str(FIXTURE), snr, str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()
    x, _ = mod.read(FIXTURE)
    assert _db(mod.read(quiet)[0] - x) == pytest.approx(_db(mod.read(a)[0] - x) - 10, abs=0.5)


def test_a_missing_input_says_so(script, tmp_path, capsys):
    assert script("add_noise").main([str(tmp_path / "nope.flac"), "10", str(tmp_path / "o.flac")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_recording_as_noise_on_one_channel_only(script, tmp_path):
    """Other people talking (another fixture) on the coachee's mic; the partner's channel untouched."""
    mod = script("add_noise")
    other = FIXTURE.parent / "nl_pull_mb.flac"
    out = tmp_path / "room.flac"
    assert mod.main([str(FIXTURE), "20", str(out), "--noise", str(other), "--channels", "coachee"]) == 0
    x, _ = mod.read(FIXTURE)
    y, _ = mod.read(out)
    bg = mod.read(other)[0].mean(axis=1)
    added = (y[:, 0] - x[:, 0]).astype(np.float64)
    assert np.abs(y[:, 1] - x[:, 1]).max() < 1e-4  # 16-bit rounding only
    n = min(len(bg), len(added))
    assert np.corrcoef(added[:n], bg[:n])[0, 1] > 0.99  # it is that recording
    level = 20 * np.log10(mod.speech_level(x[:, 0]))
    assert abs(20 * np.log10(mod.speech_level(added)) - (level - 20)) < 0.5
