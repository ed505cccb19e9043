"""Shared fixtures: the real packaged Whisper model."""

from __future__ import annotations

import pytest

@pytest.fixture(scope="session")
def model_dir() -> str:
    from pullcoach import model

    return model.resolve()
