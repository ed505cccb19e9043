"""Shared fixtures: the real packaged Whisper model, the project's scripts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

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
