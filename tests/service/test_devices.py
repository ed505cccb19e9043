"""`pullcoach devices`: table, loopback marks, JSON, and the no-device / no-PortAudio line."""

import json
import sys

import pytest

from pullcoach import cli, cmd_devices

HOSTAPIS = [{"name": "ALSA", "default_input_device": 0}, {"name": "Core Audio", "default_input_device": -1}]
DEVICES = [
    {"name": "HDA Intel PCH: ALC257 Analog (hw:0,0)", "index": 0, "hostapi": 0,
     "max_input_channels": 2, "max_output_channels": 2, "default_samplerate": 44100.0},
    {"name": "HDMI 0 (hw:1,3)", "index": 1, "hostapi": 0,
     "max_input_channels": 0, "max_output_channels": 8, "default_samplerate": 48000.0},
    {"name": "Monitor of Built-in Audio Analog Stereo", "index": 2, "hostapi": 0,
     "max_input_channels": 2, "max_output_channels": 0, "default_samplerate": 48000.0},
    {"name": "BlackHole 2ch", "index": 3, "hostapi": 1,
     "max_input_channels": 2, "max_output_channels": 2, "default_samplerate": 48000.0},
    {"name": "CABLE Output (VB-Audio Virtual Cable)", "index": 4, "hostapi": 1,
     "max_input_channels": 2, "max_output_channels": 0, "default_samplerate": 44100.0},
    {"name": "USB PnP Sound Device: Audio (hw:2,0)", "index": 5, "hostapi": 0,
     "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 48000.0},
]


@pytest.fixture
def fake_sd(monkeypatch):
    sd = pytest.importorskip("sounddevice")
    state = {"devices": DEVICES}
    monkeypatch.setattr(sd, "query_devices", lambda: state["devices"])
    monkeypatch.setattr(sd, "query_hostapis", lambda: HOSTAPIS)
    return state


def test_table_lists_inputs_and_marks_loopbacks(fake_sd, capsys):
    assert cli.main(["devices"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[1] if line.startswith("*") else line.split()[0]: line
             for line in out.splitlines() if line[:6].strip().lstrip("*").strip().isdigit()}
    assert set(lines) == {"0", "2", "3", "4", "5"}  # the HDMI output is not an input
    for idx in ("2", "3", "4"):
        assert "loopback/monitor" in lines[idx]
    for idx in ("0", "5"):
        assert "loopback" not in lines[idx]
    assert lines["0"].startswith("*")  # default input
    assert "44100" in lines["0"] and "ALSA" in lines["0"]
    assert "pactl list short sources" in out and "BlackHole" in out and "Stereo Mix" in out


def test_json_for_scripts(fake_sd, capsys):
    assert cli.main(["devices", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["problem"] is None
    by_index = {d["index"]: d for d in data["inputs"]}
    assert by_index[5] == {"index": 5, "name": "USB PnP Sound Device: Audio (hw:2,0)",
                           "channels": 1, "rate": 48000.0, "hostapi": "ALSA",
                           "loopback": False, "default": False}
    assert by_index[3]["loopback"] and by_index[3]["hostapi"] == "Core Audio"


@pytest.mark.parametrize("name,loop", [
    ("Monitor of Built-in Audio", True), ("Stereo Mix (Realtek(R) Audio)", True),
    ("Loopback Audio", True), ("MacBook Pro Microphone", False), ("pulse", False),
])
def test_is_loopback(name, loop):
    assert cmd_devices.is_loopback(name) is loop


def test_run_without_devices_takes_the_default_mic_and_the_calls_output(fake_sd):
    mic, loop = cmd_devices.pick_pair(cmd_devices.list_inputs())
    assert (mic["index"], loop["index"]) == (0, 2)   # the default input; the first monitor
    fake_sd["devices"] = [DEVICES[5], DEVICES[3]]     # no default among them: the first mic
    mic, loop = cmd_devices.pick_pair(cmd_devices.list_inputs())
    assert (mic["name"], loop["name"]) == ("USB PnP Sound Device: Audio (hw:2,0)", "BlackHole 2ch")


def test_run_without_devices_and_no_loopback_says_what_to_give(fake_sd, capsys):
    fake_sd["devices"] = [DEVICES[0], DEVICES[5]]
    # any free port: 8765 may be held by a pullcoach (or another test) running beside this one
    assert cli.main(["run", "--no-overlay", "--port", "0"]) != 0
    err = capsys.readouterr().err
    assert "--coachee MIC --partner DEVICE" in err and "USB PnP Sound Device" in err
    assert "pavucontrol" in err and "BlackHole" in err   # how to get the partner's audio


# an output, no input
NO_INPUT = [{"name": "HDMI 0 (hw:1,3)", "index": 0, "hostapi": 0, "max_input_channels": 0,
             "max_output_channels": 8, "default_samplerate": 48000.0}]


def test_no_input_device_is_one_line_on_stderr_and_exit_3(fake_sd, capsys):
    """Nothing to capture: one line saying what to do, and exit 3 (an audio problem, as `run`
    without devices), so a script can tell it from a list (exit 0)."""
    fake_sd["devices"] = NO_INPUT
    assert cli.main(["devices"]) == 3
    cap = capsys.readouterr()
    assert cap.out == ""  # nothing a script would take for a device list
    assert cap.err.count("\n") == 1 and "no audio input devices found" in cap.err
    assert "pullcoach demo" in cap.err and "run --replay" in cap.err  # what to do without one
    assert cli.main(["devices", "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["inputs"] == [] and "no audio input devices" in data["problem"]


class _NoPortAudio:
    """Import hook that fails like sounddevice does when libportaudio is missing."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_no_portaudio_is_one_line_and_exit_3(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])
    assert cli.main(["devices"]) == 3
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err.count("\n") == 1 and "libportaudio2" in cap.err
    assert cli.main(["devices", "--json"]) == 3
    assert "PortAudio" in json.loads(capsys.readouterr().out)["problem"]
