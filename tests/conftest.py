"""Shared fixtures: the real packaged Whisper model, the project's scripts."""

from __future__ import annotations

import importlib.util
import wave
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
AUDIO = Path(__file__).resolve().parent / "fixtures" / "audio"

@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path_factory, monkeypatch):
    """Each test's captures (in-process or subprocesses inheriting the environment) remember
    their sessions in a directory of its own, never in the user's state directory."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def model_dir() -> str:
    from pullcoach import model

    return model.resolve()


@pytest.fixture(scope="session")
def script():
    """``script("label_accuracy")``: a module of scripts/ loaded from its file."""
    def load(name: str):
        spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    return load


@pytest.fixture(scope="session")
def excerpt():
    """``excerpt(path, seconds, name="nl_push")``: the first seconds of a real two-speaker
    fixture, written to ``path`` as a stereo 16 kHz WAV (left coachee, right partner)."""
    def cut(path, seconds: float, name: str = "nl_push"):
        from pullcoach.audio import FileSource
        chans = {"coachee": [], "partner": []}
        for block in FileSource(AUDIO / f"{name}.flac", speed="max").produce():
            if block.start >= seconds * 16000:
                break
            chans[block.speaker].append(block.samples)
        pcm = np.stack([np.concatenate(chans["coachee"]), np.concatenate(chans["partner"])], axis=1)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2), w.setsampwidth(2), w.setframerate(16000)
            w.writeframes((np.clip(pcm, -1, 1) * 32767).astype("<i2").tobytes())
        return path
    return cut
