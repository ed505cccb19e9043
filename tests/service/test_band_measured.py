"""A phone call stored at 16 or 44.1 kHz (recorded at 8 kHz, then converted up) passed the
sample-rate check; its band is now measured from its first speech and said as the rate-based
band warning is. The 16 kHz espeak fixtures (0.67-4.3 % of their speech energy above 4 kHz)
stay unflagged."""

import shutil
import subprocess
from pathlib import Path

import pytest

from pullcoach.audio_file import FileSource
from pullcoach.band import NARROW_SHARE, BandMeter
from pullcoach.session import narrowband

from tests.service.test_replay_set_up_words import warnings_of

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"
pytestmark = [pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox (make system)"),
              pytest.mark.skipif(not (AUDIO / "nl_push.flac").exists(), reason="fixtures missing")]


def sox(src: Path, dst: Path, *effects: str) -> Path:
    subprocess.run(["sox", str(src), str(dst), *effects], check=True)
    return dst


def phone_then_up(tmp_path: Path, name: str, rate: int, *, remix: str = "") -> Path:
    """The fixture's first 30 s through an 8 kHz phone line, stored at ``rate``."""
    part = sox(AUDIO / f"{name}.flac", tmp_path / f"{name}_{remix or 'st'}_30.wav", "trim", "0", "30",
               *(["remix", remix] if remix else []))
    phone = sox(part, tmp_path / f"{part.stem}_8k.wav", "rate", "8000")
    return sox(phone, tmp_path / f"{part.stem}_up{rate}.wav", "rate", str(rate))


def narrow(warnings) -> list:
    return [w for w in warnings if w.kind == "narrowband"]


def test_a_phone_call_stored_at_44k_is_flagged_from_its_sound(tmp_path):
    up = phone_then_up(tmp_path, "nl_push", 44100)
    assert narrowband(FileSource(up)) == []  # the rate says nothing
    coachee, partner = sorted(narrow(warnings_of(FileSource(up))), key=lambda w: w.detail["speaker"])
    assert coachee.detail["speaker"] == "coachee" and partner.detail["speaker"] == "partner"
    for w in (coachee, partner):
        assert w.detail["measured"] is True and w.detail["rate"] == 44100.0 and w.detail["band"] == 4000.0
        assert w.detail["share_above"] < NARROW_SHARE / 100  # a phone line: next to nothing up there
        assert 2.0 < w.t < 31.0  # dated when its first speech was measured, not at 0
    assert coachee.message.startswith(
        f"The coachee's side of {up} carries only sound below 4 kHz, though its rate is 44.1 kHz "
        "(measured in its first speech), as a phone line, a Bluetooth headset in call mode or a "
        "heavily compressed recording does. Whisper hears such audio worse")
    phone = up.with_name("nl_push_st_30_8k.wav")  # the 8 kHz file itself: told once, by its rate
    found = narrow(warnings_of(FileSource(phone)))
    assert sorted(w.detail["speaker"] for w in found) == ["coachee", "partner"]
    assert not any(w.detail.get("measured") for w in found)


def test_two_files_name_the_one_that_is_a_phone_line(tmp_path):
    coachee = sox(AUDIO / "nl_pull.flac", tmp_path / "anna.wav", "trim", "0", "30", "remix", "1")
    partner = phone_then_up(tmp_path, "nl_pull", 16000, remix="2")
    (w,) = narrow(warnings_of(FileSource(coachee, partner)))
    assert w.detail["speaker"] == "partner" and w.detail["rate"] == 16000.0
    assert w.message.startswith(f"{partner} (the partner's file) carries only sound below 4 kHz, "
                                "though its rate is 16 kHz")


def test_the_espeak_fixtures_are_wideband(tmp_path):
    """Every channel of every fixture, through the meter as the session feeds it."""
    for path in sorted(AUDIO.glob("*.flac")):
        meter, found = BandMeter(), []
        for block in FileSource(path).produce():
            found += meter.feed(block.speaker, block.samples)
            if len(meter.done) == 2:
                break
        assert found + meter.finish() == [], path.name
        assert meter.done == {"coachee", "partner"}, path.name  # both judged
    up = phone_then_up(tmp_path, "en_push", 16000)  # and the same voices through a phone are not
    meter = BandMeter()
    found = [s for b in FileSource(up).produce() for s, _ in meter.feed(b.speaker, b.samples)]
    assert sorted(found) == ["coachee", "partner"]
