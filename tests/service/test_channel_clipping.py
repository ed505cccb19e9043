"""Set-up check: a channel whose speech clips (a mic's gain far too high, a loopback driven
to full scale) is named with what to do, and put right; a recording normalised to 0 dBFS
once, and loud but clean speech, are not. Real fixture speech goes through the Segmenter
(Silero's voiced frames) as a live session's would."""

from pathlib import Path

import numpy as np
import pytest
import soxr

from pullcoach.audio_file import decode
from pullcoach.channel_check import clipped
from pullcoach.pipeline import Segmenter
from pullcoach.rules.events import PipelineWarning

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"


def _stereo(name):
    return np.concatenate(list(decode(AUDIO / f"{name}.flac", False)), axis=0)


def _segment(coachee, partner, files=()):
    seg, out = Segmenter(), []
    if files:
        seg.check.from_files(files)
    for i in range(0, len(coachee), 800):
        for sp, x in (("coachee", coachee), ("partner", partner)):
            out += [e for e in seg.feed(sp, i, x[i:i + 800])[0] if isinstance(e, PipelineWarning)]
    return out + [e for e in seg.finish()[0] if isinstance(e, PipelineWarning)]


def _hard(x, gain=8.0):
    """Driven ``gain`` times too hard, cut off at full scale as a converter does."""
    return np.clip(x * np.float32(gain), -1.0, 1.0).astype(np.float32)


def _hard_at_48k(x, gain=8.0):
    """A 48 kHz device clipped at 16 bits, then resampled to 16 kHz as audio_live does:
    the flat tops wobble and overshoot a little."""
    y = np.clip(soxr.resample(x, 16_000, 48_000) * gain, -1.0, 1.0)
    y = (np.round(y * 32767) / 32768).astype(np.float32)
    return soxr.resample(y, 48_000, 16_000)[:len(x)].astype(np.float32)


def _kinds(out):
    return [(w.kind, w.detail.get("speaker")) for w in out]


def test_a_flat_top_is_clipped_but_a_crest_that_touches_full_scale_is_not():
    # a 1 kHz tone's crest stays over 0.98 for a sample or two, as speech's sharp crests do
    # (the fixtures normalised to peak 1.0 never held 3); a flat top holds it for many
    t = np.arange(512) / 16_000
    crest = np.sin(2 * np.pi * 1000 * t + 0.3).astype(np.float32)
    flat = np.clip(3 * crest, -1, 1)
    assert clipped(np.stack([crest, 0.9 * flat, flat, -flat]), 0.98, 3).tolist() == [False, False, True, True]


def test_a_coachee_mic_driven_into_clipping_is_named_with_what_to_do():
    x = _stereo("en_pull")
    out = _segment(_hard(x[:, 0]), x[:, 1])
    assert _kinds(out) == [("channel-clipped", "coachee")]
    w = out[0]
    assert w.t < 30.0 and w.detail["share"] >= 0.08 and w.detail["seconds"] == 10
    assert w.message.startswith("The coachee's channel is clipped: its speech hits full scale")
    assert "Turn the input level of the coachee's channel down" in w.message


def test_a_partner_loopback_clipped_at_48_khz_is_found_through_the_resampler():
    x = _stereo("nl_push_mb")
    out = _segment(x[:, 0], _hard_at_48k(x[:, 1]))
    assert _kinds(out) == [("channel-clipped", "partner")]
    assert "Turn the input level of the partner's channel down" in out[0].message


def test_a_clipped_recording_is_spoken_of_as_the_file():
    x = _stereo("nl_push_mb")
    out = _segment(_hard(x[:, 0]), _hard(x[:, 1]), files=["rec.wav"])
    assert sorted(_kinds(out)) == [("channel-clipped", "coachee"), ("channel-clipped", "partner")]
    w = next(w for w in out if w.detail["speaker"] == "coachee")
    assert w.message.startswith("The coachee's side of rec.wav (its left channel) is clipped")
    assert "The recording itself is clipped" in w.message and "pavucontrol" not in w.message
    assert w.detail["files"] == ["rec.wav"]


def test_the_level_turned_down_puts_it_right():
    a, b = _stereo("en_pull"), _stereo("en_push")
    coachee = np.concatenate([_hard(a[:, 0]), b[:, 0]])      # the gain turned down after a minute
    partner = np.concatenate([a[:, 1], b[:, 1]])
    out = _segment(coachee, partner)
    assert _kinds(out) == [("channel-clipped", "coachee"), ("channel-clean", "coachee")]
    assert out[1].t > len(a) / 16_000 and out[1].message == "The coachee's channel is no longer clipped."


@pytest.mark.parametrize("name", ["en_pull", "nl_push_mb", "nl_pull_mb"])
def test_a_recording_normalised_to_full_scale_once_or_loud_and_clean_gives_no_warning(name):
    x = _stereo(name)
    peak = x / np.abs(x).max(axis=0)                            # each side touches 0 dBFS once
    assert _segment(peak[:, 0], peak[:, 1]) == []
    loud = x * np.float32(2.5)                                  # peaks at -1.2..-2.1 dBFS
    assert _segment(loud[:, 0], loud[:, 1]) == []
