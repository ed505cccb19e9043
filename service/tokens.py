"""Access tokens: one for the trainer, one for capture clients, one per session (overlay).

Tokens are random (``secrets``), compared with ``hmac.compare_digest``, and kept in
``config_dir()/tokens.json`` with 0600 permissions so a local overlay can find them. The
environment (``PULLCOACH_TRAINER_TOKEN``, ``PULLCOACH_TOKEN``) overrides them; it is read
by the command (``from_env(os.environ)``), never at import.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from pullcoach.errors import ConfigError

log = logging.getLogger(__name__)

__all__ = ["new_token", "session_token", "resume_token", "view_token", "same", "Tokens", "from_env", "save", "load"]

FILE = "tokens.json"


def new_token() -> str:
    """A fresh token; never one that starts with "-", which a shell line would pass as a flag."""
    while (token := secrets.token_urlsafe(18)).startswith("-"):
        pass
    return token


def session_token(key: str, session: str) -> str:
    """A session's overlay token, derived from ``key`` (the trainer token): a restarted
    server gives a revived session the token its overlay already holds."""
    mac = hmac.new(key.encode("utf-8"), b"session:" + session.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode("ascii")


def resume_token(key: str, session: str) -> str:
    """The secret a capture presents to resume (or, after a restart, revive) its session,
    derived from ``key`` (the trainer token) like the overlay token, so a restarted server
    knows it without storing it. Only that session's capture gets it (in its ``welcome``):
    the capture token alone, which every pair holds, cannot take over another's session."""
    mac = hmac.new(key.encode("utf-8"), b"resume:" + session.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode("ascii")


def view_token(key: str, scope: str) -> str:
    """A read-only token for one page, derived from ``key`` (the trainer token): scope
    ``report:<session>`` opens that one report, ``debrief`` the debrief (and the reports it
    links). Links carry these, never the trainer token, so a link in browser history or a
    shared screenshot cannot watch live sessions, send nudges or end them."""
    mac = hmac.new(key.encode("utf-8"), b"view:" + scope.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode("ascii")


def same(given: object, expected: str) -> bool:
    """Constant-time comparison; an empty expected token never matches."""
    if not isinstance(given, str) or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Tokens:
    trainer: str
    session: str | None = None  # token for sessions this process starts (PULLCOACH_TOKEN)
    explicit: bool = False  # both came from the environment / flags, not generated
    capture: str = ""  # generated for capture clients when PULLCOACH_TOKEN is not set

    @property
    def ingest(self) -> str:
        """Capture clients present this to start a session: the session token if set, else
        a capture token of its own (never the trainer's: a role-play pair given it could
        read every session's transcript on the dashboard)."""
        return self.session or self.capture or self.trainer


def from_env(environ: Mapping[str, str], saved: Mapping[str, str] | None = None) -> Tokens:
    """Env beats the saved trainer token beats a fresh one."""
    trainer = environ.get("PULLCOACH_TRAINER_TOKEN") or ""
    session = environ.get("PULLCOACH_TOKEN") or None
    for name, value in (("PULLCOACH_TRAINER_TOKEN", trainer), ("PULLCOACH_TOKEN", session)):
        if value is not None and value != "" and len(value) < 12:
            raise ConfigError(f"{name} is too short: use at least 12 random characters "
                              "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
    explicit = bool(trainer and session)
    if not trainer:
        trainer = (saved or {}).get("trainer")
        if trainer in (None, ""):  # none saved yet: a first start
            trainer = new_token()
        elif not isinstance(trainer, str) or len(trainer) < 12:  # hand-edited: a number, too short
            log.warning("the saved trainer token is no token (%r): a new one is made; open the "
                        "new trainer link", str(trainer)[:20])
            trainer = new_token()
    capture = (saved or {}).get("capture") or ""
    if not isinstance(capture, str) or len(capture) < 12 or capture == trainer:
        capture = new_token()  # (files written before 2026-12-06 saved the trainer's here)
    return Tokens(trainer=trainer, session=session, explicit=explicit, capture=capture)


def load(directory: Path) -> dict:
    """The saved tokens; a file that does not read as them is kept aside as ``.bad`` and said
    (new tokens follow: the old trainer link and capture token stop working)."""
    path = directory / FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        data = exc
    if isinstance(data, dict):
        return data
    bad = path.with_name(FILE + ".bad")
    try:
        os.replace(path, bad)
        kept = f"the old file is kept as {bad}"
    except OSError:
        kept = "it could not be moved aside"
    log.warning("%s was unreadable (%s): new tokens are made, so the trainer link and the capture "
                "token change; %s", path, str(data)[:80] if isinstance(data, Exception) else "no JSON object", kept)
    return {}


def save(directory: Path, data: Mapping) -> Path:
    """Write the tokens file with 0600 permissions (created that way, never world-readable)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE
    tmp = directory / (FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps(dict(data), indent=1).encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path
