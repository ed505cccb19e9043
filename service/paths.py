"""Where pullcoach keeps things: user cache (models), config (tokens), data (sessions) and
state (what a running capture must remember if it is started again)."""

from __future__ import annotations

import shlex
from pathlib import Path

import platformdirs

from pullcoach.errors import ConfigError

APP = "pullcoach"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP))


def data_dir(override: str | Path | None = None) -> Path:
    if override and Path(override).exists() and not Path(override).is_dir():
        raise ConfigError(f"--data-dir {override} is a file; give a folder (pullcoach makes it "
                          "when it does not exist yet)")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP))


def dir_flag(path: str | Path | None) -> str:
    """" --data-dir DIR" when ``path`` is not the default data directory, so a printed
    command can be pasted as it is; else ""."""
    if not path or Path(path).resolve() == data_dir().resolve():
        return ""
    return f" --data-dir {shlex.quote(str(path))}"
