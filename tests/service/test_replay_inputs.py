"""Wrong inputs to replay, run --replay and bench: one line saying what the command takes and
what to do, before anything slow starts (the model, the replay, the bench's busy load)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.errors import AudioError, ConfigError

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("DISPLAY", raising=False)


@pytest.fixture
def no_model(monkeypatch):
    """The model must not be reached: a test that gets there fails."""
    import pullcoach.asr

    def refuse(*a, **k):
        raise AssertionError("the model was loaded before the input was checked")
    monkeypatch.setattr(pullcoach.asr, "load_transcriber", refuse)


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("pullcoach:")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("argv", [["replay"], ["run", "--no-overlay", "--port", "0", "--replay"]])
def test_three_recordings_say_what_replay_takes(argv, tmp_path, capsys, no_model):
    code = main([*argv, "a.wav", "b.wav", "c.wav"])
    line = one_line(capsys.readouterr().err)
    assert code == ConfigError.exit_code
    assert "one stereo file (left = coachee, right = partner) or two files" in line
    assert "not 3 (a.wav, b.wav, c.wav)" in line and "a path with spaces needs quotes" in line


def test_bench_checks_its_files_before_it_says_it_replays(tmp_path, capsys, no_model):
    assert main(["bench", str(AUDIO / "nl_push.flac"), str(tmp_path / "nope.flac")]) == AudioError.exit_code
    err = capsys.readouterr().err
    assert "no such file" in one_line(err) and "replaying" not in err
    mono = tmp_path / "mono.wav"
    import wave
    with wave.open(str(mono), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\0\0" * 16000)
    assert main(["bench", str(mono)]) == AudioError.exit_code
    line = one_line(capsys.readouterr().err)
    assert "is mono: the bench replays stereo recordings" in line and "two mono files" not in line


def test_bench_says_a_truth_file_that_does_not_read(tmp_path, capsys, no_model):
    fixture = tmp_path / "role.flac"
    fixture.write_bytes((AUDIO / "nl_push.flac").read_bytes())
    (tmp_path / "role.json").write_text("{", encoding="utf-8")
    assert main(["bench", str(fixture)]) == ConfigError.exit_code
    err = capsys.readouterr().err
    assert "role.json beside role.flac is not a fixture's truth" in one_line(err)
    assert "replaying" not in err


def test_replay_does_not_care_that_port_8765_is_taken(tmp_path, capsys, no_model):
    """replay serves nothing; it crashed with a traceback when a `run` had the default port."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            taken.bind(("127.0.0.1", 8765))
        except OSError:
            pass  # someone has it already: as good
        else:
            taken.listen()
        with pytest.raises(AssertionError, match="the model was loaded"):
            main(["replay", str(AUDIO / "nl_push.flac")])  # got past the checks, to the model
    assert "port" not in capsys.readouterr().err


def _wav(path, frames=16000, channels=2):
    import wave
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\1\0" * channels * frames)
    return path


@pytest.mark.parametrize("which", ["stereo", "coachee", "partner"])
def test_a_recording_with_no_audio_is_said_before_the_model(which, tmp_path, capsys, no_model):
    """A WAV header with no samples replayed '0.0 s of audio' and exited 0; as the partner's
    file it was silence without a word."""
    empty = _wav(tmp_path / "empty.wav", frames=0, channels=1 if which != "stereo" else 2)
    other = _wav(tmp_path / "other.wav", channels=1)
    files = {"stereo": [empty], "coachee": [empty, other], "partner": [other, empty]}[which]
    assert main(["replay", *map(str, files)]) == AudioError.exit_code
    line = one_line(capsys.readouterr().err)
    assert "empty.wav holds no audio (0 s)" in line


def test_an_empty_file_and_a_text_file_are_called_what_they_are(tmp_path, capsys, no_model):
    (tmp_path / "zero.wav").write_bytes(b"")
    assert main(["replay", str(tmp_path / "zero.wav")]) == AudioError.exit_code
    assert "zero.wav is empty (0 bytes)" in one_line(capsys.readouterr().err)
    (tmp_path / "notes.wav").write_text("Anna: hoe gaat het?\n" * 40, encoding="utf-8")
    assert main(["replay", str(tmp_path / "notes.wav")]) == AudioError.exit_code
    line = one_line(capsys.readouterr().err)
    assert "cannot read" in line and "(it is a text file)" in line


def test_the_same_file_as_both_sides_is_refused(tmp_path, capsys, no_model):
    mono = _wav(tmp_path / "anna.wav", channels=1)
    assert main(["replay", str(mono), str(tmp_path / "." / "anna.wav")]) == AudioError.exit_code
    line = one_line(capsys.readouterr().err)
    assert "anna.wav is given twice, as the coachee's and as the partner's file" in line


def test_a_quoted_tilde_is_said(tmp_path, monkeypatch, capsys, no_model):
    monkeypatch.setenv("HOME", str(tmp_path))
    _wav(tmp_path / "rec.wav")
    assert main(["replay", "~/rec.wav"]) == AudioError.exit_code  # as after `replay "~/rec.wav"`
    line = one_line(capsys.readouterr().err)
    assert "~/rec.wav: no such file" in line and "a ~ in quotes is not your home folder" in line
    assert main(["replay", str(tmp_path / "nope.wav")]) == AudioError.exit_code
    assert "home folder" not in one_line(capsys.readouterr().err)  # only where it would have been found


def test_bench_json_into_a_missing_folder_is_said_before_the_bench(tmp_path, capsys, no_model):
    """It was written at the end: minutes of benching, then a traceback."""
    out = tmp_path / "no" / "bench.json"
    assert main(["bench", str(AUDIO / "nl_push.flac"), "--json", str(out)]) == ConfigError.exit_code
    err = capsys.readouterr().err
    assert f"cannot write {out}: there is no folder" in one_line(err) and "replaying" not in err


def test_samples_that_are_not_numbers_are_silence_not_a_lost_utterance(tmp_path, caplog):
    """A damaged float WAV: 6 ms of NaN 3 s in lost the coachee's whole utterance around it
    (2.4-4.8 s of nl_push_mb) and printed numpy's RuntimeWarning."""
    import asyncio

    import av
    import numpy as np

    from pullcoach.audio_file import FileSource

    rate = 16000
    x = np.zeros((rate * 4, 2), np.float32)
    x[:, 0] = 0.25
    x[3 * rate: 3 * rate + 100] = np.nan
    x[3 * rate + 200: 3 * rate + 210, 1] = np.inf
    path = tmp_path / "float.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_f32le", rate=rate, layout="stereo")
        stream.format = "flt"
        frame = av.AudioFrame.from_ndarray(x.reshape(1, -1).copy(), format="flt", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)

    async def run():
        return [b async for b in FileSource(path).blocks()]
    with caplog.at_level("WARNING", logger="pullcoach.audio_file"):
        blocks = asyncio.run(run())
    coachee = np.concatenate([b.samples for b in blocks if b.speaker == "coachee"])
    partner = np.concatenate([b.samples for b in blocks if b.speaker == "partner"])
    assert np.isfinite(coachee).all() and np.isfinite(partner).all()
    assert not coachee[3 * rate: 3 * rate + 100].any()  # silence where the damage was
    assert np.allclose(coachee[: 3 * rate], 0.25) and np.allclose(coachee[3 * rate + 100:], 0.25)
    (said,) = [r.getMessage() for r in caplog.records]
    assert "float.wav: 210 samples from 3.0 s on are not numbers (damaged float audio)" in said


def test_writing_over_the_recording_or_its_truth_is_refused(tmp_path, capsys, no_model):
    """`replay rec.wav --events rec.wav` emptied the recording before replaying it; `bench
    --json` onto a fixture's truth overwrote it with the results."""
    rec = _wav(tmp_path / "rec.wav")
    before = rec.read_bytes()
    assert main(["replay", str(rec), "--events", str(tmp_path / "." / "rec.wav")]) == ConfigError.exit_code
    assert "is the recording being replayed" in one_line(capsys.readouterr().err)
    assert rec.read_bytes() == before
    fixture = tmp_path / "role.flac"
    fixture.write_bytes((AUDIO / "nl_push.flac").read_bytes())
    truth = tmp_path / "role.json"
    truth.write_text((AUDIO / "nl_push.json").read_text(encoding="utf-8"), encoding="utf-8")
    kept = truth.read_bytes()
    assert main(["bench", str(fixture), "--json", str(truth)]) == ConfigError.exit_code
    assert "is the truth of a fixture being benched" in one_line(capsys.readouterr().err)
    assert truth.read_bytes() == kept


def test_replay_without_a_file_names_only_what_is_missing(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["replay"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("the following arguments are required: AUDIO"), err


def test_a_missing_transcript_names_every_kind_analyze_reads(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "gone.txt")]) != 0
    assert "give the path of a .jsonl, .vtt, .srt or .txt transcript" in capsys.readouterr().err


def test_a_capture_that_cannot_reach_its_server_exits_5_not_as_a_wrong_flag(tmp_path, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["capture", "--server", f"ws://127.0.0.1:{port}", "--token", "t" * 20,
                 "--replay", str(AUDIO / "nl_push.flac")])
    assert code == 5
    assert "is `pullcoach serve` running there?" in capsys.readouterr().err


def test_flags_that_exclude_each_other_are_said_before_a_busy_port(no_model, capsys):
    with socket.socket() as s:  # the port is taken
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        for flags in (["--stereo", "x", "--coachee", "y"],
                      ["--replay", str(AUDIO / "nl_push.flac"), "--partner", "y"]):
            assert main(["run", *flags, "--port", str(port), "--no-overlay"]) == 2
            err = capsys.readouterr().err
            assert "not both" in err and "in use" not in err, err
