"""The one exception tree. Every message tells the user what to do next.

    PullcoachError
    ├── ConfigError        bad flags, settings or rule packs
    ├── AudioError         unreadable files, wrong channel counts, bad sample rates
    │   └── AudioDeviceError   unknown or unusable capture devices
    ├── ModelError         no Whisper model, or one that fails its hash check
    ├── ProtocolError      a websocket message that is not protocol v1
    └── StoreError         the session database
"""


class PullcoachError(Exception):
    """Base class; ``str(err)`` is a one-line message for the user."""

    exit_code = 1


class ConfigError(PullcoachError):
    exit_code = 2


class AudioError(PullcoachError):
    exit_code = 3


class AudioDeviceError(AudioError):
    exit_code = 3


class ModelError(PullcoachError):
    exit_code = 4


class ProtocolError(PullcoachError):
    exit_code = 5


class StoreError(PullcoachError):
    exit_code = 6


def cannot_write(path, exc: OSError, flag: str = "-o") -> "ConfigError":
    """The one line for an output file that cannot be written, with what to do about it."""
    import errno
    from pathlib import Path
    where = Path(path)
    if exc.errno == errno.ENOENT and not where.parent.exists():
        why = f"there is no folder {where.parent}"
    elif exc.errno == errno.EISDIR or where.is_dir():
        why = "that is a folder; give a file name in it"
    else:
        why = exc.strerror or str(exc)
    return ConfigError(f"cannot write {path}: {why}; choose another {flag}")
