"""A new user's mistakes, command by command: each is told in one line that names what was
wrong and what to do, before anything slow starts, and what was recorded is kept."""

from __future__ import annotations

import asyncio
import datetime
import gc
import json
import os
import shutil
import signal
import subprocess
import threading
import wave

import numpy as np
import pytest

from pullcoach.cli import main
from pullcoach.errors import AudioError, ConfigError

AUDIO = __import__("pathlib").Path(__file__).resolve().parent.parent / "fixtures" / "audio"


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path_factory, monkeypatch):
    """Saved tokens and the model cache stay where they are; the config is this test's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("DISPLAY", raising=False)


def silence(path, seconds=1.0, channels=2):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\0\0" * channels * int(16000 * seconds))
    return path


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("pullcoach:")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


# --- audio and transcripts given as a folder or the wrong kind of file -------------------

def test_a_folder_given_as_audio_is_called_a_folder(tmp_path, capsys):
    assert main(["replay", str(tmp_path)]) == AudioError.exit_code
    line = one_line(capsys.readouterr().err)
    assert "is a folder" in line and "no such file" not in line


def test_analyze_says_a_folder_and_a_recording_for_what_they_are(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "is a folder; give a transcript file" in one_line(capsys.readouterr().err)
    assert main(["analyze", str(AUDIO / "nl_push.flac")]) == 2
    line = one_line(capsys.readouterr().err)
    assert "is a recording, not a transcript" in line and "pullcoach run --replay" in line
    assert "UTF-8" not in line


@pytest.mark.parametrize("line, said", [
    ('{"speaker": "Bram", "start": 2.5, "text": "Goed."}', "no 'end'"),
    ('{"speaker": "Bram", "begin": 2.5, "text": "Goed."}', "no 'start', 'end'"),
    ("not json", "not JSON"),
    ('{"speaker": "Bram", "start": "abc", "end": 3, "text": "Goed."}', "start 'abc' is not a number of seconds"),
    ('[{"speaker": "Bram", "start": 0, "end": 3, "text": "Goed."}]', "a JSON list, not an object"),
])
def test_a_jsonl_line_that_is_wrong_says_what_is_wrong_in_words(tmp_path, capsys, line, said):
    path = tmp_path / "t.jsonl"
    path.write_text('{"speaker": "Anna", "start": 0.0, "end": 2.4, "text": "Hoe gaat het?"}\n' + line + "\n")
    assert main(["analyze", str(path)]) == 2
    msg = one_line(capsys.readouterr().err)
    assert said in msg and ":2:" in msg and '"end": 2.4' in msg  # the line, and an example of one
    assert "Error" not in msg  # no Python exception names (KeyError, JSONDecodeError)


# --- --focus ------------------------------------------------------------------------------

def test_focus_takes_the_nudge_as_the_overlay_shows_it_and_says_a_slip(tmp_path, capsys):
    from pullcoach.cmd_analyze import parse_focus
    from pullcoach.rules.engine import RULES
    from pullcoach.rules.pack import load_pack
    words = dict(load_pack("nl").messages)
    assert parse_focus("vat samen, Laat uitpraten", RULES, words) == ("too-few-summaries", "interruption")
    assert parse_focus("Luister,TOO_FEW_SUMMARIES", RULES, words) == ("talk-ratio", "monologue", "too-few-summaries")
    with pytest.raises(ConfigError, match="did you mean too-few-summaries") as err:
        parse_focus("too-few-sumaries", RULES, words)
    assert "too-few-summaries (Vat samen)" in str(err.value)
    t = tmp_path / "t.jsonl"
    t.write_text('{"speaker": "Anna", "start": 0.0, "end": 2.4, "text": "Hoe gaat het?"}\n')
    assert main(["analyze", str(t), "--focus", "Vat samen", "--format", "json"]) == 0


@pytest.mark.parametrize("extra", [["--focus", ""], ["--focus", ","], ["--focus", "interruption", "--no-rules"]])
def test_a_focus_that_names_nothing_or_meets_no_rules_stops_before_the_model(tmp_path, capsys, monkeypatch, extra):
    import pullcoach.asr

    def no_model(*a, **k):
        raise AssertionError("the model was loaded for a command that cannot run")
    monkeypatch.setattr(pullcoach.asr, "load_transcriber", no_model)
    assert main(["replay", str(silence(tmp_path / "s.wav")), *extra]) == 2
    assert "--focus" in one_line(capsys.readouterr().err)


def test_run_with_an_empty_focus_stops_before_anything_starts(tmp_path, capsys):
    code = main(["run", "--replay", str(silence(tmp_path / "s.wav")), "--focus", "", "--no-overlay",
                 "--port", "0", "--data-dir", str(tmp_path / "d")])
    assert code == 2 and "names no rule" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("command", [["run", "--replay", "REC"], ["demo"]])
def test_run_and_demo_with_a_missing_rules_pack_stop_before_anything_starts(tmp_path, capsys, monkeypatch, command):
    import pullcoach.asr

    def no_model(*a, **k):
        raise AssertionError("the model was loaded for a session that cannot coach")
    monkeypatch.setattr(pullcoach.asr, "load_transcriber", no_model)
    argv = [str(silence(tmp_path / "s.wav")) if a == "REC" else a for a in command]
    code = main([*argv, "--rules", str(tmp_path / "nothere.toml"), "--no-overlay", "--port", "0",
                 "--data-dir", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert code == 2 and "no such file" in one_line(err) and "pullcoach on" not in err
    assert not (tmp_path / "d").exists()


# --- ports, folders, days, output files --------------------------------------------------

def test_a_port_out_of_range_is_said_before_the_model_loads(tmp_path, capsys):
    assert main(["serve", "--port", "70000", "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "a port is 1-65535" in one_line(err) and "loading the speech model" not in err


def test_a_data_dir_that_is_a_file_is_said_by_every_command(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("x")
    for argv in (["sessions", "list"], ["sessions"], ["report", "last"], ["debrief"]):
        assert main([*argv, "--data-dir", str(f)]) == 2, argv
        assert "--data-dir" in one_line(capsys.readouterr().err)


def test_debrief_day_today_and_a_day_the_other_way_round(tmp_path, capsys):
    from pullcoach.cmd_debrief import day_arg
    today = datetime.date(2026, 12, 7)
    assert day_arg("today", today) == "2026-12-07" and day_arg("Yesterday", today) == "2026-12-06"
    assert day_arg("2026-12-01", today) == "2026-12-01" and day_arg(None) is None
    assert main(["debrief", "--day", "07-12-2026", "--data-dir", str(tmp_path)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "YYYY-MM-DD" in line and "--day 2026-12-07?" in line


def test_an_output_in_a_folder_that_is_not_there_says_so(tmp_path, capsys, monkeypatch):
    from pullcoach.cmd_sessions import emit
    with pytest.raises(ConfigError, match=r"there is no folder .*nodir; choose another -o"):
        emit("x", str(tmp_path / "nodir" / "r.md"))
    with pytest.raises(ConfigError, match="that is a folder; give a file name in it"):
        emit("x", str(tmp_path))
    import pullcoach.asr

    def no_model(*a, **k):
        raise AssertionError("the model was loaded before the --events file was checked")
    monkeypatch.setattr(pullcoach.asr, "load_transcriber", no_model)
    assert main(["replay", str(silence(tmp_path / "s.wav")), "--events", str(tmp_path / "nodir" / "e.jsonl")]) == 2
    assert "there is no folder" in one_line(capsys.readouterr().err)


# --- capture and overlay: addresses and tokens --------------------------------------------

def test_capture_given_the_browser_address_says_the_one_to_use():
    from pullcoach.capture import ingest_url
    for given, meant in (("http://127.0.0.1:8765/", "ws://127.0.0.1:8765"),
                         ("https://coach.example.org/trainer#token=abc", "wss://coach.example.org"),
                         ("192.168.1.20:8765", "ws://192.168.1.20:8765")):
        with pytest.raises(ConfigError) as err:
            ingest_url(given)
        assert str(err.value).endswith(f"try --server {meant}")


def test_capture_with_a_wrong_token_says_which_token_to_give():
    from pullcoach import capture
    from pullcoach import protocol as p

    class Refusing:
        async def send(self, _):
            pass

        async def recv(self):
            return p.encode(p.Error(code="bad-token", message="wrong capture token"))

    with pytest.raises(p.ProtocolError) as err:
        asyncio.run(capture._hello(Refusing(), "nope", None, None, "nl", "Anna", "Bram"))
    assert "wrong capture token" in str(err.value) and "`capture:` line" in str(err.value)


@pytest.fixture
def refusing_service():
    """A websocket service that refuses every hello with bad-token, as `pullcoach serve` does."""
    from websockets.sync.server import serve

    def handler(ws):
        ws.recv()
        ws.send(json.dumps({"v": 1, "type": "error", "code": "bad-token", "message": "wrong token"}))
        ws.close(4401, "bad-token")

    server = serve(handler, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws"
    server.shutdown()


def test_overlay_with_a_wrong_token_says_so_on_the_console_at_once(refusing_service, capsys):
    assert main(["overlay", "--url", refusing_service, "--token", "nope"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "refused: wrong token" in line and "overlay token" in line


@pytest.fixture
def display(monkeypatch):
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        monkeypatch.setenv("DISPLAY", f":{f.readline().strip()}")
    yield
    proc.kill()
    proc.wait()


def test_ctrl_c_on_the_overlay_ends_it_even_inside_a_tk_callback(display, monkeypatch):
    """Tk swallowed a KeyboardInterrupt raised in one of its callbacks: a traceback, and the
    window stayed open."""
    import tkinter

    import pullcoach.clients.overlay as overlay
    import pullcoach.cmd_overlay as cmd_overlay
    monkeypatch.setattr(cmd_overlay, "check_token", lambda *a: None, raising=False)  # no service
    old = signal.getsignal(signal.SIGINT)

    def window(*a, **k):
        root = tkinter.Tk()

        def busy():  # Ctrl-C lands while a callback runs, as the overlay's poll does
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100_000):
                pass
        root.after(50, busy)
        root.after(3000, root.destroy)
        try:
            root.mainloop()
        finally:
            try:
                root.destroy()
            except tkinter.TclError:
                pass
        return 0

    monkeypatch.setattr(overlay, "run_overlay", window)
    try:
        with pytest.raises(SystemExit) as ended:
            main(["overlay", "--token", "t"])
        assert ended.value.code == 130
    finally:
        signal.signal(signal.SIGINT, old)
        gc.collect()  # the destroyed Tk here, not later from another thread (Tcl aborts)


# --- what was recorded is kept ---------------------------------------------------------------

def test_run_on_a_recording_that_breaks_keeps_the_session_and_says_how_to_see_it(tmp_path, capsys):
    cut = tmp_path / "cut.flac"
    cut.write_bytes((AUDIO / "nl_push.flac").read_bytes()[:20_000])  # breaks 2.3 s in
    data = tmp_path / "d"
    code = main(["run", "--replay", str(cut), "--no-overlay", "--port", "0", "--data-dir", str(data)])
    line = one_line(capsys.readouterr().err)
    assert code == AudioError.exit_code and "broken audio data" in line
    assert "The session up to there is kept: pullcoach report " in line
    sid = line.split("pullcoach report ")[1].split()[0]
    assert main(["report", sid, "--format", "md", "--data-dir", str(data)]) == 0
    assert "De opname brak op 0:02 af" in capsys.readouterr().out


def test_lang_in_capitals_is_taken(tmp_path, capsys):
    from pullcoach.cli import build_parser
    parser = build_parser()
    assert parser.parse_args(["replay", "x.wav", "--lang", "EN"]).lang == "en"
    assert parser.parse_args(["capture", "--server", "ws://h:1", "--lang", "NL"]).lang == "nl"
    assert parser.parse_args(["debrief", "--lang", "En"]).lang == "en"
    t = tmp_path / "t.jsonl"
    t.write_text('{"speaker": "Anna", "start": 0.0, "end": 2.4, "text": "Hoe gaat het met je?"}\n')
    assert main(["analyze", str(t), "--lang", "NL"]) == 0


def test_serve_on_a_port_in_use_says_so_before_the_model_loads(tmp_path, capsys):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is in use" in one_line(err) and "loading the speech model" not in err


def test_ctrl_c_while_the_commands_load_exits_130_without_a_traceback(monkeypatch):
    """Ctrl-C in the first second of `pullcoach serve` (its modules still importing)."""
    from pullcoach import cli

    def interrupted(name):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli.importlib, "import_module", interrupted)
    try:
        code = cli.main(["serve"])
    except KeyboardInterrupt:  # (uncaught, it would stop pytest itself)
        pytest.fail("Ctrl-C while loading escaped as a traceback")
    assert code == 130
