"""Where pullcoach keeps things: user cache (models), config (tokens), data (sessions) and
state (what a running capture must remember if it is started again)."""

from __future__ import annotations

import os
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


# What pullcoach keeps in a data dir: sessions.db holds every word said, audio/ the voices,
# reports/ the reports with the trainer's notes. Nobody else on the machine may read them.
PRIVATE_SUBDIRS = ("reports", "audio", "unsaved", "damaged", "locks")


def make_private(path: Path, mode: int = 0o700) -> None:
    """chmod ``path`` to ``mode`` when others may get at it and it is ours; quiet otherwise
    (not ours, or a file system without modes: nothing pullcoach can do there)."""
    try:
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o777 & ~mode:
            os.chmod(path, mode)
    except (OSError, AttributeError):  # (no getuid on Windows)
        pass


def protect_data_dir(directory: Path, made: bool) -> None:
    """The data dir and what pullcoach keeps in it, readable by this user only.

    The folder itself is made 0700 when pullcoach made it, and when it is pullcoach's own
    (``<XDG_DATA_HOME>/pullcoach``). A --data-dir the user named that was there already
    keeps its mode: it is the user's folder (maybe shared on purpose, maybe holding other
    things), so pullcoach tightens only its own folders in it (0700; reports/ is made now,
    so that no report writer makes it world-readable later). The Store makes its database
    0600 (its -wal/-shm get the database's mode from SQLite)."""
    directory = Path(directory)
    if made or directory.resolve() == data_dir().resolve():
        make_private(directory)
    (directory / "reports").mkdir(mode=0o700, exist_ok=True)
    for name in PRIVATE_SUBDIRS:
        make_private(directory / name)
