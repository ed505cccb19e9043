"""A two-file replay whose partner's file breaks off part-way goes on: the coachee's side
is coached to its end, the partner's is silence from the break, and a dated warning
(which file, from when, that the rest of that side is missing) is in the session's events
and its report; the exit is 3 (broken audio), as for any broken file. The coachee's file
(or a stereo file) breaking ends the replay there, with what came before kept."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from pullcoach.asr import AsrConfig, Transcript
from pullcoach.audio import RATE
from pullcoach.audio_file import FileSource, decode
from pullcoach.cli import main
from pullcoach.errors import AudioError

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
CUT_BYTES = 20_000  # nl_push.flac cut here breaks 2.3 s in


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("DISPLAY", raising=False)


class NoWords:
    """A transcriber that hears nothing: the audio path is what is tested, not Whisper."""

    config = AsrConfig(lang="nl")

    def transcribe(self, audio, *, final=True, offset=0.0, lang=None):
        return Transcript(text="", words=(), decode_s=0.0)


@pytest.fixture
def no_model(monkeypatch):
    import pullcoach.asr
    monkeypatch.setattr(pullcoach.asr, "load_transcriber", lambda *a, **k: NoWords())


def cut_flac(tmp_path, name="cut.flac", nbytes=CUT_BYTES) -> Path:
    path = tmp_path / name
    path.write_bytes((AUDIO / "nl_push.flac").read_bytes()[:nbytes])
    return path


def head_wav(tmp_path, seconds, name="head.wav") -> Path:
    """The first ``seconds`` of nl_push (stereo, 16 kHz) as a WAV."""
    with av.open(str(AUDIO / "nl_push.flac")) as c:
        pcm = np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1).reshape(-1, 2)
    path = tmp_path / name
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(pcm[: int(seconds * 16000)].astype("<i2").tobytes())
    return path


def there_before_break(path: Path) -> int:
    """Samples (16 kHz) a file's decoder gives before it raises."""
    n = 0
    with pytest.raises(AudioError):
        for chunk in decode(path, mixdown=True):
            n += len(chunk)
    return n


def collect(source, told=None):
    """All blocks; ``told`` gets (warning, samples delivered when it came)."""
    got = []
    if told is not None:
        source.on_warning = lambda w: told.append((w, sum(len(b.samples) for b in got
                                                         if b.speaker == "coachee")))

    async def run():
        async for b in source.blocks():
            got.append(b)
    try:
        asyncio.run(run())
    except AudioError as err:
        return got, err
    return got, None


def side(blocks, speaker):
    return np.concatenate([b.samples for b in blocks if b.speaker == speaker])


def test_partner_file_breaking_leaves_the_coachee_coached_to_its_end(tmp_path):
    coachee, partner = head_wav(tmp_path, 8.0), cut_flac(tmp_path)
    broke_at = there_before_break(partner)
    told: list = []
    blocks, err = collect(FileSource(coachee, partner), told)
    assert err is None
    assert len(side(blocks, "coachee")) == 8 * RATE  # all of the coachee's file
    partner_audio = side(blocks, "partner")
    assert np.abs(partner_audio[:broke_at]).max() > 0.01
    assert not partner_audio[broke_at:].any()  # silence from the break
    ((warning, delivered),) = told
    assert warning.kind == "channel-stalled" and warning.t == round(broke_at / RATE, 3)
    assert warning.detail == {"speaker": "partner", "cause": "file-broken", "file": str(partner),
                              "error": f"{partner}: broken audio data after 2.3 s (Invalid data found "
                                       "when processing input); re-export or repair the file"}
    assert "cut.flac" in warning.message and "0:02.3" in warning.message
    assert "rest of the partner's side is missing" in warning.message
    assert broke_at <= delivered < broke_at + 2 * 800  # told once the audio up to it is handed over


def test_partner_wav_shorter_than_its_header_says_is_a_break_too(tmp_path, caplog):
    full = head_wav(tmp_path, 8.0, "full.wav").read_bytes()
    partner = tmp_path / "cut.wav"
    partner.write_bytes(full[: len(full) // 4])  # the header still says 8 s
    source = FileSource(head_wav(tmp_path, 8.0), partner)
    with caplog.at_level("WARNING", logger="pullcoach.audio_file"):
        blocks, err = collect(source)  # no on_warning: the log has it
    assert err is None and len(side(blocks, "coachee")) == 8 * RATE
    (warning,) = source.broken
    assert warning.t == pytest.approx(2.0, abs=0.01) and "says it runs 8.0 s" in warning.message
    assert [r.getMessage() for r in caplog.records] == [warning.message]  # not also "uneven lengths"


@pytest.mark.parametrize("two_files", [True, False])
def test_coachee_or_stereo_file_breaking_ends_there_with_all_before_it(tmp_path, two_files):
    cut = cut_flac(tmp_path)
    broke_at = there_before_break(cut)
    source = FileSource(cut, head_wav(tmp_path, 8.0)) if two_files else FileSource(cut)
    blocks, err = collect(source)
    assert "broken audio data after 2.3 s" in str(err)
    assert len(side(blocks, "coachee")) == broke_at  # every sample before the break, none after
    assert len(side(blocks, "partner")) == broke_at


def test_replay_with_a_broken_partner_file_runs_to_the_end_and_exits_3(tmp_path, capsys, no_model):
    events = tmp_path / "ev.jsonl"
    code = main(["replay", str(head_wav(tmp_path, 6.0)), str(cut_flac(tmp_path)), "--events", str(events)])
    err = capsys.readouterr().err
    assert code == AudioError.exit_code
    (line,) = [ln for ln in err.splitlines() if ln.startswith("pullcoach:")]
    assert "cut.flac: broken audio data after 2.3 s" in line
    assert "It is the partner's side: the coachee's was replayed to its end, the partner's is " \
           "silence from 2.3 s" in line
    assert "warning:" not in err  # the warning is that line
    assert "replayed 6.0 s of audio" in err
    logged = [json.loads(ln) for ln in events.read_text().splitlines()]
    (warning,) = [e for e in logged if e["type"] == "pipeline-warning" and e["kind"] == "channel-stalled"]
    assert warning["t"] == pytest.approx(2.3, abs=0.05) and warning["detail"]["cause"] == "file-broken"
    (ended,) = [e for e in logged if e["type"] == "session-ended"]
    assert ended["reason"] == "ended" and ended["t"] == pytest.approx(6.0, abs=0.05)
    at = logged.index(warning)  # where the audio reached the break: not earlier, not later
    assert max(e["t"] for e in logged[:at]) <= warning["t"] + 0.1
    assert min(e["t"] for e in logged[at + 1:]) >= warning["t"] - 0.1


def test_replay_with_a_broken_coachee_file_says_where_its_events_stop(tmp_path, capsys, no_model):
    events = tmp_path / "ev.jsonl"
    code = main(["replay", str(cut_flac(tmp_path)), str(head_wav(tmp_path, 6.0)), "--events", str(events)])
    err = capsys.readouterr().err
    assert code == AudioError.exit_code
    (line,) = [ln for ln in err.splitlines() if ln.startswith("pullcoach:")]
    assert "broken audio data after 2.3 s" in line
    assert ("It is the coachee's side (the one coached), so the replay stops there; its events up "
            f"to 2.3 s are in {events}") in line
    assert err.count("broken audio data after 2.3 s") == 1, err  # said once, on that line
    (ended,) = [json.loads(ln) for ln in events.read_text().splitlines() if '"session-ended"' in ln]
    assert ended["reason"] == "error"


def test_run_replay_with_a_broken_partner_file_keeps_the_whole_session(tmp_path, capsys, no_model):
    data = tmp_path / "d"
    code = main(["run", "--replay", str(head_wav(tmp_path, 5.0)), str(cut_flac(tmp_path)),
                 "--no-overlay", "--port", "0", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == AudioError.exit_code
    (line,) = [ln for ln in err.splitlines() if ln.startswith("pullcoach:")]
    assert "cut.flac: broken audio data after 2.3 s" in line and "It is the partner's side" in line
    assert "the session is kept and its report says so: pullcoach report " in line
    sid = line.split("pullcoach report ")[1].split()[0]
    assert main(["report", sid, "--format", "json", "--data-dir", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["session"]["duration"] == pytest.approx(5.0, abs=0.1)
    assert report["session"]["reason"] == "ended"
    (warning,) = [w for w in report["warnings"] if w["kind"] == "channel-stalled"]
    assert warning["detail"]["cause"] == "file-broken" and warning["t"] == pytest.approx(2.3, abs=0.05)


def test_capture_replay_with_a_broken_partner_file_streams_on_and_exits_3(tmp_path, capsys, monkeypatch):
    from pullcoach import capture

    streamed = []

    async def stream(server, token, source, **kw):  # the server's side is not what is tested
        async for block in source.blocks():
            streamed.append(block)
        return "20261207-100000-abcd"
    monkeypatch.setattr(capture, "stream", stream)
    code = main(["capture", "--server", "ws://127.0.0.1:1", "--token", "t", "--replay",
                 str(head_wav(tmp_path, 5.0)), str(cut_flac(tmp_path))])
    err = capsys.readouterr().err
    assert code == AudioError.exit_code
    assert len(side(streamed, "coachee")) == 5 * RATE  # streamed to the coachee's end
    (line,) = [ln for ln in err.splitlines() if ln.startswith("pullcoach:")]
    assert "cut.flac: broken audio data after 2.3 s" in line
    assert "the coachee's was streamed to its end, the partner's is silence from 2.3 s" in line
    assert "the server was told: its report says the file broke off there" in line


def capture_replay_last_line(monkeypatch, capsys, *files) -> str:
    """``capture --replay FILES`` against a server that welcomes it (the stream only reads the
    files): its exit code must be 3; returns its last line."""
    from types import SimpleNamespace

    from pullcoach import capture

    async def stream(server, token, source, *, on_welcome, **kw):
        on_welcome(SimpleNamespace(sessions=[SimpleNamespace(session="20261207-100000-abcd", lang="nl")],
                                   token="ov", report="/report/20261207-100000-abcd?t=x"))
        async for _ in source.blocks():
            pass
        return "20261207-100000-abcd"
    monkeypatch.setattr(capture, "stream", stream)
    code = main(["capture", "--server", "ws://127.0.0.1:1", "--token", "t", "--replay", *map(str, files)])
    assert code == AudioError.exit_code
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("pullcoach:")]
    return line


def test_capture_replay_with_a_broken_coachee_file_names_the_side_and_the_report(tmp_path, capsys, monkeypatch):
    """The coachee's file breaking ends the capture (exit 3); its last line says it was the
    coachee's side, that the server was told, and where the report is (it said only the
    decoder's error, without the report link the partner's case gives)."""
    line = capture_replay_last_line(monkeypatch, capsys, cut_flac(tmp_path), head_wav(tmp_path, 5.0))
    assert "cut.flac: broken audio data after 2.3 s" in line
    assert "It is the coachee's side: the session ended there (the server was told" in line
    assert line.endswith("your report: http://127.0.0.1:1/report/20261207-100000-abcd?t=x")


def test_capture_replay_of_a_broken_stereo_file_says_the_recording_both_sides(tmp_path, capsys, monkeypatch):
    """One stereo file holds both sides: its break is not said as the coachee's side."""
    line = capture_replay_last_line(monkeypatch, capsys, cut_flac(tmp_path))
    assert "It holds both sides (one stereo file): the session ended there" in line
    assert "its report says the recording broke off there" in line and "coachee's side" not in line
