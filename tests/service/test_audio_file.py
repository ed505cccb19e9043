"""FileSource: stereo and two-mono files, resampling, pacing, drops, bad input."""

import asyncio
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from pullcoach.audio import RATE, Resampler
from pullcoach.audio_file import FileSource
from pullcoach.errors import AudioError, ConfigError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


def tone(freq, seconds, rate, amp=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_wav(path, rate, *channels):
    pcm = np.stack(channels, axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((pcm * 32767).astype("<i2").tobytes())
    return path


def peak_hz(x):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spec) * RATE / len(x)


def collect(source):
    async def run():
        return [b async for b in source.blocks()]
    return asyncio.run(run())


def per_speaker(blocks):
    out = {}
    for b in blocks:
        out.setdefault(b.speaker, []).append(b)
    return out


def assert_contiguous(blocks):
    pos = 0
    for b in blocks:
        assert b.start == pos
        assert b.samples.dtype == np.float32 and b.samples.ndim == 1
        assert 0 < len(b.samples) <= 800
        pos = b.end
    return pos


def test_stereo_44k1_is_split_and_resampled(tmp_path):
    path = write_wav(tmp_path / "s.wav", 44100, tone(440, 1.5, 44100), tone(1000, 1.5, 44100))
    blocks = per_speaker(collect(FileSource(path)))
    assert set(blocks) == {"coachee", "partner"}
    for speaker, freq in (("coachee", 440), ("partner", 1000)):
        n = assert_contiguous(blocks[speaker])
        assert abs(n - 24000) <= 1
        x = np.concatenate([b.samples for b in blocks[speaker]])
        assert abs(peak_hz(x) - freq) < 3
        assert abs(np.abs(x[2000:-2000]).max() - 0.5) < 0.01  # level kept


def test_two_mono_files_48k_shorter_one_padded(tmp_path):
    a = write_wav(tmp_path / "a.wav", 48000, tone(300, 1.0, 48000))
    b = write_wav(tmp_path / "b.wav", 48000, tone(700, 0.5, 48000))
    src = FileSource(a, b)
    blocks = per_speaker(collect(src))
    assert assert_contiguous(blocks["coachee"]) == assert_contiguous(blocks["partner"]) == 16000
    p = np.concatenate([x.samples for x in blocks["partner"]])
    assert abs(peak_hz(p[:8000]) - 700) < 3
    assert np.abs(p[8100:]).max() < 1e-3  # padding after the shorter file
    st = src.stats()
    assert st["speakers"]["coachee"]["native_rate"] == 48000
    assert st["speakers"]["partner"]["samples"] == 16000 and st["dropped"] == 0


def test_blocks_alternate_in_time_order():
    blocks = collect(FileSource(FIXTURES / "nl_push.flac"))
    starts = [(b.start, b.speaker) for b in blocks[:6]]
    assert starts == [(0, "coachee"), (0, "partner"), (800, "coachee"), (800, "partner"),
                      (1600, "coachee"), (1600, "partner")]


def test_resampler_streams_the_right_length():
    r = Resampler(44100)
    x = tone(200, 2.0, 44100)
    out = [r.feed(x[i:i + 1000]) for i in range(0, len(x), 1000)] + [r.flush()]
    assert abs(sum(len(o) for o in out) - 32000) <= 1


def test_realtime_paces_to_the_clock(tmp_path):
    path = write_wav(tmp_path / "s.wav", 16000, tone(300, 1.0, 16000), tone(500, 1.0, 16000))
    src = FileSource(path, speed="realtime")

    async def run():
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        late = []
        async for b in src.blocks():
            late.append(loop.time() - t0 - b.end / RATE)
        return loop.time() - t0, late

    took, late = asyncio.run(run())
    assert 0.95 <= took < 1.4
    assert min(late) > -0.01           # never ahead of the audio clock
    assert max(late[-10:]) < 0.2       # and no accumulated drift
    assert src.stats()["dropped"] == 0


def test_realtime_drops_when_the_consumer_stalls(tmp_path):
    path = write_wav(tmp_path / "s.wav", 16000, tone(300, 2.0, 16000), tone(500, 2.0, 16000))
    src = FileSource(path, speed="realtime", queue_blocks=4)

    async def run():
        got = []
        async for b in src.blocks():
            got.append(b)
            if len(got) == 1:
                time.sleep(0.2)  # a consumer that blocks the loop...
                await asyncio.sleep(0.5)  # ...then falls behind
        return got

    got = asyncio.run(run())
    st = src.stats()
    assert st["dropped"] > 10
    for speaker in ("coachee", "partner"):
        mine = [b for b in got if b.speaker == speaker]
        assert len(mine) + st["speakers"][speaker]["dropped"] == 40  # 2 s in 50 ms blocks
        assert any(b2.start > b1.end for b1, b2 in zip(mine, mine[1:]))  # gap on the clock
        assert mine[-1].end == 32000
    assert st["max_queue"] == 4


@pytest.mark.parametrize("channels,needle", [(1, "is mono"), (3, "has 3 channels")])
def test_wrong_channel_count(tmp_path, channels, needle):
    path = write_wav(tmp_path / "x.wav", 16000, *[tone(300, 0.2, 16000)] * channels)
    with pytest.raises(AudioError) as err:
        FileSource(path)
    assert needle in str(err.value)
    assert "stereo file" in str(err.value) and "two mono files" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        FileSource(tmp_path / "nope.flac")


def test_garbage_file(tmp_path):
    for name, data in (("x.wav", np.random.default_rng(1).bytes(20000)), ("y.flac", b"garbage\n")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(AudioError, match="cannot read .* as audio"):
            FileSource(tmp_path / name)


def test_truncated_flac_fails_while_decoding(tmp_path):
    cut = tmp_path / "cut.flac"
    cut.write_bytes((FIXTURES / "nl_push.flac").read_bytes()[:100_000])
    src = FileSource(cut)
    with pytest.raises(AudioError, match="broken audio data after") as err:
        collect(src)
    assert "\n" not in str(err.value)


def test_bad_speed():
    with pytest.raises(ConfigError):
        FileSource(FIXTURES / "nl_push.flac", speed="fast")


def test_a_recording_under_16_khz_is_said_at_the_start_and_in_the_report(tmp_path):
    import wave

    from pullcoach.report import render
    from pullcoach.rules.events import SessionStarted
    from pullcoach.session import narrowband

    path = tmp_path / "phone.wav"
    with wave.open(str(path), "wb") as w:  # a telephone recording: 8 kHz stereo
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 2 * 8000)
    (coachee, partner) = narrowband(FileSource(path))
    assert (coachee.kind, coachee.detail) == ("narrowband", {"speaker": "coachee", "rate": 8000.0, "band": 4000.0})
    assert "below 4 kHz (recorded at 8 kHz)" in coachee.message and partner.detail["speaker"] == "partner"
    md = render([SessionStarted(session="s", lang="nl", coachee="Anna", partner="Bram"), coachee], "md")
    assert "> De audio van Anna bevatte alleen geluid onder 4 kHz (opgenomen op 8 kHz)" in md
    assert "telefoonkwaliteit" not in md
    assert narrowband(FileSource(FIXTURES / "nl_push.flac")) == []  # 16 kHz or more: nothing


def test_a_cut_wav_and_two_uneven_files_are_said(tmp_path, caplog):
    """A WAV cut to a quarter replayed 4.7 s of its 20 s, and two sides of 20 and 62 s
    replayed, both without a word."""
    full = write_wav(tmp_path / "full.wav", 16000, tone(300, 8.0, 16000), tone(500, 8.0, 16000))
    data = full.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[:len(data) // 4])
    with caplog.at_level("WARNING", logger="pullcoach.audio_file"):
        collect(FileSource(full))
        assert not caplog.records
    got = []  # cut: broken off there, as a cut FLAC is (the session ends with what it had)

    async def run():
        async for b in FileSource(cut).blocks():
            got.append(b)
    with pytest.raises(AudioError, match="ends at 2.0 s but the file says it runs 8.0 s: it is cut short"):
        asyncio.run(run())
    assert sum(len(b.samples) for b in got if b.speaker == "coachee") == len(data) // 4 // 4 - 11
    a = write_wav(tmp_path / "a.wav", 16000, tone(300, 8.0, 16000))
    b = write_wav(tmp_path / "b.wav", 16000, tone(700, 2.0, 16000))
    with caplog.at_level("WARNING", logger="pullcoach.audio_file"):
        collect(FileSource(a, b))
        collect(FileSource(a, write_wav(tmp_path / "c.wav", 16000, tone(700, 7.0, 16000))))  # 1 s: fine
    (said,) = [r.getMessage() for r in caplog.records]
    assert "b.wav ends at 2.0 s" in said and "a.wav runs on to 8.0 s" in said


def test_a_band_measured_at_44_1_khz_is_written_with_a_decimal_comma_in_dutch():
    from pullcoach.report import render
    from pullcoach.rules.events import PipelineWarning, SessionStarted
    told = PipelineWarning(t=16.9, kind="narrowband", message="…",
                           detail={"speaker": "coachee", "rate": 44100.0, "band": 3950.0})
    md = render([SessionStarted(session="s", lang="nl", coachee="Anna", partner="Bram"), told], "md")
    assert "onder 3,95 kHz (opgenomen op 44,1 kHz)" in md
    en = render([SessionStarted(session="s", lang="en", coachee="Ann", partner="Bo"), told], "md")
    assert "below 3.95 kHz (recorded at 44.1 kHz)" in en
