"""What a capture remembers of its session, so that a capture started again goes on with it.

Once the server welcomes it, ``pullcoach capture`` writes one small JSON file per server
address and coachee under the user state directory (``~/.local/state/pullcoach/captures``
on Linux): the session id, its resume secret (a credential: the file is 0600 and written
whole or not at all) and the wall time of the session's sample 0 on this laptop. While it
streams it touches the file every few seconds (the mtime says when it last sent audio) and
holds a lock on a sibling ``.lock`` file, which the system lets go when the process dies.

A ``--replay`` also remembers its files (path, size and mtime) and the wall time its
files' sample 0 would have played (``files_zero``); it sets the file's mtime to the time
the audio it sent last would have played, at every frame, so that ``mtime - files_zero`` is
where in the files the audio it sent ends: a capture started again with the same files goes
on from there (``Remembered.sent_s``) instead of replaying them from the start.

A session that ends (the user's Ctrl-C, the recording's end, the trainer, the server)
removes the file; a capture that crashed, was killed or lost its terminal leaves it, and
the next capture for the same server and coachee resumes that session if the server still
has it (capture.py). A second capture started while the first still runs finds the lock
taken and starts a session of its own. A file that cannot be read is said and removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pullcoach.paths import state_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    try:
        import msvcrt
    except ImportError:
        msvcrt = None  # type: ignore[assignment]

__all__ = ["Remembered", "StateFile", "replay_ids"]

log = logging.getLogger(__name__)
VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Remembered:
    """A session a capture on this laptop started and did not end."""
    session: str
    secret: str
    zero_wall: float  # time.time() at the session's audio sample 0
    alive_wall: float  # time.time() when that capture last sent audio (the file's mtime)
    files: tuple[str, ...] = ()  # a replay's files (replay_ids), else ()
    sent_s: float = 0.0  # a replay: where in its files the audio sent ends (seconds)


def replay_ids(paths) -> tuple[str, ...]:
    """A replay's files as a capture started again can tell them: path, size, mtime
    (another recording saved under the same name is another file). () when one is gone."""
    try:
        return tuple(f"{Path(p).resolve()}|{Path(p).stat().st_size}|{Path(p).stat().st_mtime_ns}"
                     for p in paths)
    except OSError:
        return ()


class StateFile:
    """The memory of one server address (``url``, as capture.ingest_url gives it) and
    coachee. Never raises for a file or directory it cannot use: it says so and forgets."""

    def __init__(self, url: str, coachee: str, directory: Path | None = None) -> None:
        self.url, self.coachee = url, coachee
        key = hashlib.sha256(f"{url}\n{coachee}".encode()).hexdigest()[:16]
        self.dir = Path(directory) if directory is not None else state_dir() / "captures"
        self.path = self.dir / f"capture-{key}.json"
        self.lock_path = self.dir / f"capture-{key}.lock"
        self._lock: int | None = None

    def claim(self) -> bool:
        """Hold the lock for as long as this capture runs; False when another holds it.
        (True as well when there is nowhere to keep it: then nothing is remembered.)"""
        try:
            self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("cannot keep this capture's session in %s (%s): a capture started again "
                        "will not resume it", self.dir, exc)
            return True
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            elif msvcrt is not None:  # pragma: no cover - Windows
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            return False
        self._lock = fd
        return True

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor lets go of the lock
            self._lock = None

    @property
    def usable(self) -> bool:
        return self._lock is not None

    def load(self) -> Remembered | None:
        """The session left unfinished, or None (no file; a file that is not one of ours,
        which is said and removed)."""
        if not self.usable:
            return None
        try:
            text = self.path.read_text(encoding="utf-8")
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            return self._bad(exc)
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("v") != VERSION:
                raise ValueError("not a version-1 capture record")
            if data.get("server") != self.url or data.get("coachee") != self.coachee:
                raise ValueError("it is another server's or coachee's")
            session, secret, zero = data.get("session"), data.get("secret"), data.get("zero_wall")
            if not (isinstance(session, str) and 0 < len(session) <= 200
                    and isinstance(secret, str) and 0 < len(secret) <= 200):
                raise ValueError("no session id and resume secret in it")
            if isinstance(zero, bool) or not isinstance(zero, (int, float)) or not math.isfinite(zero):
                raise ValueError("no start time in it")
            files, files_zero = data.get("files", []), data.get("files_zero")
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise ValueError("its files are not a list of names")
            if files and (isinstance(files_zero, bool) or not isinstance(files_zero, (int, float))
                          or not math.isfinite(files_zero)):
                raise ValueError("no start time for its files in it")
        except ValueError as exc:  # json.JSONDecodeError is one
            return self._bad(exc)
        return Remembered(session=session, secret=secret, zero_wall=float(zero),
                          alive_wall=max(float(zero), mtime), files=tuple(files),
                          sent_s=max(0.0, mtime - files_zero) if files else 0.0)

    def _bad(self, why: Exception) -> None:
        log.warning("ignoring %s, which should say what the capture before this one was streaming "
                    "(%s); starting a new session", self.path, why)
        self.forget()
        return None

    def save(self, session: str, secret: str, zero_wall: float, files: tuple[str, ...] = (),
             files_zero: float | None = None) -> None:
        """Written whole (a temporary file renamed over it), readable by this user only.
        ``files`` (replay_ids) and ``files_zero``: a replay's (then ``touch`` says where in
        them the audio sent ends)."""
        if not self.usable:
            return
        data = {"v": VERSION, "server": self.url, "coachee": self.coachee, "session": session,
                "secret": secret, "zero_wall": zero_wall}
        if files and files_zero is not None:
            data.update(files=list(files), files_zero=files_zero)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".capture-", suffix=".tmp")  # 0600
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not write %s (%s): a capture started again will not resume session %s",
                        self.path, exc, session)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def touch(self, at: float | None = None) -> None:
        """This capture is still sending audio (the mtime a capture started again reads);
        a replay gives ``at``: the wall time the audio it sent last would have played."""
        if self.usable:
            try:
                os.utime(self.path, None if at is None else (at, at))
            except OSError:
                pass

    def forget(self) -> None:
        if not self.usable:
            return
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not remove %s (%s)", self.path, exc)
