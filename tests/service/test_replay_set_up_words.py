"""A replayed recording's set-up warnings speak of the file, not of a device: a mono
recording saved as stereo was told "Pick a different device for one of the speakers", a
silent side "is that device muted". And a narrowband channel says the band it carries
rather than "telephone quality" (said of a 2 kHz file too)."""

import asyncio
import wave
from pathlib import Path

import numpy as np

from pullcoach.audio_file import FileSource, decode
from pullcoach.channel_check import ChannelCheck
from pullcoach.rules.events import PipelineWarning
from pullcoach.session import LiveSession, narrowband

from tests.service.test_channel_check import SP, TALK, ZERO, run
from tests.service.test_scheduler import FakeTranscriber

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"


def write_wav(path: Path, *channels: np.ndarray, rate: int = 16_000) -> Path:
    x = np.stack(channels, axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def warnings_of(source) -> list[PipelineWarning]:
    session = LiveSession(source, transcriber=FakeTranscriber(), session_id="s", pace="max")
    out: list[PipelineWarning] = []
    session.add_sink(lambda sid, e: out.append(e) if isinstance(e, PipelineWarning) else None)
    asyncio.run(session.run())
    return out


def speech() -> np.ndarray:
    x = np.concatenate(list(decode(AUDIO / "nl_push_mb.flac", False)), axis=0)
    return x[: 40 * 16_000]


def test_a_mono_recording_saved_as_stereo_is_said_of_the_file(tmp_path):
    x = speech()
    mono = (x[:, 0] + x[:, 1]) / 2
    rec = write_wav(tmp_path / "rec.wav", mono, mono)
    (same,) = [w for w in warnings_of(FileSource(rec)) if w.kind == "channels-same"]
    assert same.message.startswith(f"Both channels of {rec} carry the same sound: a mono recording "
                                   "saved as stereo? Give the coachee's and the partner's recordings as two files")
    assert "device" not in same.message and same.detail["files"] == [str(rec)]


def test_a_silent_partners_file_is_said_of_that_file(tmp_path):
    x = speech()
    coachee = write_wav(tmp_path / "coachee.wav", x[:, 0])
    partner = write_wav(tmp_path / "partner.wav", np.zeros(len(x), np.float32))
    (silent,) = [w for w in warnings_of(FileSource(coachee, partner)) if w.kind == "channel-silent"]
    assert silent.message.startswith(f"No sound at all in {partner} (the partner's file) for 20 s: "
                                     "was that side recorded?")
    assert "muted" not in silent.message and "pullcoach devices" not in silent.message


def test_the_checks_words_for_a_stereo_file_and_for_devices():
    check = ChannelCheck(SP)
    check.from_files(["rec.wav"])
    out = run(check, [(25, {"coachee": TALK, "partner": ZERO}, 0.0)])
    assert [w.message for w in out] == [
        "No sound at all in the partner's side of rec.wav (its right channel) for 20 s: was that "
        "side recorded? A replay cannot coach what the recording lacks."]
    check = ChannelCheck(SP)
    check.from_files(["rec.wav"])
    (asked,) = run(check, [(31, {"coachee": TALK, "partner": (-40.0, 0.02)}, 0.0)])
    assert asked.message == ("No speech in the partner's side of rec.wav (its right channel) yet, while "
                             "the coachee spoke 30 s: is the partner on the right channel, the coachee "
                             "on the left?")
    # devices keep their words
    (muted,) = run(ChannelCheck(SP), [(25, {"coachee": TALK, "partner": ZERO}, 0.0)])
    assert "is that device muted" in muted.message and "files" not in muted.detail


def test_narrowband_says_the_band_a_channel_carries(tmp_path):
    silence = np.zeros(8000, np.float32)
    phone = write_wav(tmp_path / "phone.wav", silence, silence, rate=8000)
    (coachee, partner) = narrowband(FileSource(phone))
    assert coachee.detail == {"speaker": "coachee", "rate": 8000.0, "band": 4000.0}
    assert coachee.message.startswith(
        f"The coachee's side of {phone} carries only sound below 4 kHz (recorded at 8 kHz), as a "
        "phone line, a Bluetooth headset in call mode or a heavily compressed recording does. "
        "Whisper hears such audio worse")
    assert "telephone quality" not in coachee.message
    low = write_wav(tmp_path / "low.wav", silence[:2000], rate=2000)
    ok = write_wav(tmp_path / "ok.wav", np.zeros(16000, np.float32))
    (partner,) = narrowband(FileSource(ok, low))
    assert partner.message.startswith(f"{low} (the partner's file) carries only sound below 1 kHz "
                                      "(recorded at 2 kHz), less than even a phone line carries")
