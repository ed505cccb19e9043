"""`pullcoach devices` with nothing to capture: one line saying what to do, and exit 3 (an
audio problem, as `run` without devices), so a script can tell it from a list (exit 0)."""

import json
import sys

import pytest

from pullcoach import cli

HOSTAPIS = [{"name": "ALSA", "default_input_device": -1}]
DEVICES = [{"name": "HDMI 0 (hw:1,3)", "index": 0, "hostapi": 0, "max_input_channels": 0,
            "max_output_channels": 8, "default_samplerate": 48000.0}]  # an output, no input


@pytest.fixture
def fake_sd(monkeypatch):
    sd = pytest.importorskip("sounddevice")
    state = {"devices": DEVICES}
    monkeypatch.setattr(sd, "query_devices", lambda: state["devices"])
    monkeypatch.setattr(sd, "query_hostapis", lambda: HOSTAPIS)
    return state


def test_no_input_device_is_one_line_on_stderr_and_exit_3(fake_sd, capsys):
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
