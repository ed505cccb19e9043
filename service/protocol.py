"""Protocol v1 on ``/ws``: a pure codec. ``encode(msg) -> str``, ``decode(text) -> msg``.

Every message is a JSON object with ``"v": 1`` and ``"type"``. Control messages are the
dataclasses below; a pipeline event travels as ``SessionEvent(session, event)``, i.e. the
event's own JSON form (``rules/events.py``) with a ``"session"`` field added. Any bad
input to ``decode`` raises ``ProtocolError`` whose ``code`` attribute is one of ``CODES``.
No I/O, no clocks: the spec is docs/protocol.md and a test round-trips its examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Union

from pullcoach.errors import ProtocolError
from pullcoach.rules import events as ev

__all__ = [
    "VERSION", "ROLES", "CODES", "CLOSE_CODES", "Hello", "SessionInfo", "Welcome", "Status",
    "SendNudge", "SetFocus", "AddBookmark", "EndSession", "Watch", "Error", "SessionEvent", "Message",
    "SessionDeleted",
    "CaptureWarning", "WARNING_KINDS", "file_names_ok",
    "encode", "decode", "error_code", "error_detail", "protocol_error",
]

VERSION = 1
ROLES = ("overlay", "trainer", "capture")
CODES = ("bad-token", "bad-version", "bad-origin", "malformed", "unknown-type", "too-big",
         "no-session", "bad-block")
# close codes for errors during the handshake (1009 comes from websockets' max_size;
# bad-block, an audio frame on /ingest, comes only after it)
CLOSE_CODES = {"bad-token": 4401, "malformed": 4400, "unknown-type": 4400,
               "bad-version": 4426, "bad-origin": 4403, "too-big": 1009, "no-session": 4404,
               "bad-block": 4400}

MAX_FOCUS = 20  # rule names in one set-focus
# what a capture may tell the server about its audio (type "warning"): a fixed set
WARNING_KINDS = ("file-broken",)
MAX_FILE_NAME, MAX_WARNING_ERROR = 200, 500  # characters
MAX_FILES = 2  # a capture hello's replayed files: one stereo, or the coachee's and the partner's
LANGS = ("nl", "en")  # a capture hello's conversation language: the rule packs there are
MAX_NAME = 80  # characters of a hello's coachee or partner name (a card, a report's heading)
_frozen = dict(frozen=True, slots=True, kw_only=True)


@dataclass(**_frozen)
class Hello:
    role: str  # overlay | trainer | capture (capture: only on /ingest)
    token: str
    session: str | None = None
    client: str = ""
    # capture only: the session to create
    lang: str | None = None
    coachee: str | None = None
    partner: str | None = None
    partner_source: str | None = None  # "loopback" (a call's output) | "mic" | None (unknown)
    resume: str | None = None  # capture resuming ``session``: the secret from its welcome
    # capture --replay: the replayed files' names (no folders), so set-up warnings say the file
    files: tuple[str, ...] = ()


@dataclass(**_frozen)
class SessionInfo:
    session: str
    lang: str
    started_wall: float | None
    live: bool
    coachee: str
    partner: str


@dataclass(**_frozen)
class Welcome:
    role: str
    server: str
    sessions: tuple[SessionInfo, ...] = ()
    token: str | None = None  # capture only: the new session's overlay token
    debrief: str | None = None  # trainer only: the debrief's path with a read-only token
    report: str | None = None  # capture only: the session's coachee report path (read-only token)
    resume: str | None = None  # capture only: the secret that resumes this session
    # the server's --lang: a capture that says none is coached in it; a page speaks it
    # while it has no session to go by
    lang: str | None = None
    # the server keeps both channels' audio (serve/run --keep-audio): the pair is told so
    audio_kept: bool = False


@dataclass(**_frozen)
class Status:
    session: str
    t: float
    listening: bool
    trainer_watching: bool
    report: str | None = None  # the report's path with a token that opens only it
    # trainer only: the rules a focus may name, each with the nudge its coachee reads
    focus_rules: tuple[tuple[str, str], ...] = ()
    capture_away: bool = False  # its capture's connection dropped; the session waits for it
    overlays: int | None = None  # trainer only: overlays connected to the session (0: none)
    # trainer only: an end was asked (end-session accepted); it ends once its pipeline caught up
    ending: bool = False


@dataclass(**_frozen)
class SessionDeleted:
    """server -> trainer: ``pullcoach sessions delete`` took this ended session out of the
    store; a page drops its card, transcript and report link."""
    session: str


@dataclass(**_frozen)
class SendNudge:
    session: str
    message: str


@dataclass(**_frozen)
class SetFocus:
    session: str
    rules: tuple[str, ...] = ()  # empty: every rule is delivered again


@dataclass(**_frozen)
class AddBookmark:
    session: str
    note: str = ""


@dataclass(**_frozen)
class EndSession:
    session: str


@dataclass(**_frozen)
class Watch:
    session: str


@dataclass(**_frozen)
class CaptureWarning:
    """capture -> server on /ingest: what the server cannot hear in the audio itself (a
    replayed partner's file broke off at ``t``: the rest of that side is silence)."""
    session: str
    t: float  # on the session's audio clock
    kind: str  # one of WARNING_KINDS
    speaker: str  # coachee | partner
    file: str = ""  # the file's name, without its folder
    error: str = ""  # what broke, as the capture's decoder said it


@dataclass(**_frozen)
class Error:
    code: str
    message: str  # English, for logs and other clients
    # what a client words the refusal by, with ``code``: e.g. {"reason": "rule-off", ...}
    detail: dict = field(default_factory=dict)


@dataclass(**_frozen)
class SessionEvent:
    session: str
    event: ev.Event


Message = Union[Hello, Welcome, Status, SendNudge, SetFocus, AddBookmark, EndSession, Watch, Error,
                CaptureWarning, SessionDeleted, SessionEvent]

_TYPES = {Hello: "hello", Welcome: "welcome", Status: "status", SendNudge: "send-nudge",
          SetFocus: "set-focus",
          AddBookmark: "bookmark", EndSession: "end-session", Watch: "watch", Error: "error",
          CaptureWarning: "warning", SessionDeleted: "session-deleted"}


def protocol_error(code: str, message: str, detail: dict | None = None) -> ProtocolError:
    """``detail``: the refusal's specifics as fields (a rule's name, since when), so a page
    words it in its own language instead of showing the English ``message``."""
    err = ProtocolError(message)
    err.code = code  # type: ignore[attr-defined]
    err.detail = dict(detail or {})  # type: ignore[attr-defined]
    return err


def error_code(err: ProtocolError) -> str:
    return getattr(err, "code", "malformed")


def error_detail(err: ProtocolError) -> dict:
    return dict(getattr(err, "detail", None) or {})


# --- encode -----------------------------------------------------------------------------

def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode(msg: Message) -> str:
    if isinstance(msg, SessionEvent):
        data = ev.to_dict(msg.event)
        data["session"] = msg.session
        return _dump(data)
    head: dict[str, Any] = {"v": VERSION, "type": _TYPES[type(msg)]}
    match msg:
        case Hello():
            head.update(role=msg.role, token=msg.token)
            for name in ("session", "resume", "lang", "coachee", "partner", "partner_source"):
                if getattr(msg, name) is not None:
                    head[name] = getattr(msg, name)
            if msg.files:
                head["files"] = list(msg.files)
            head["client"] = msg.client
        case Welcome():
            head.update(role=msg.role, server=msg.server,
                        sessions=[_info_dict(s) for s in msg.sessions])
            if msg.token is not None:
                head["token"] = msg.token
            if msg.debrief is not None:
                head["debrief"] = msg.debrief
            if msg.report is not None:
                head["report"] = msg.report
            if msg.resume is not None:
                head["resume"] = msg.resume
            if msg.lang is not None:
                head["lang"] = msg.lang
            if msg.audio_kept:
                head["audio_kept"] = True
        case Status():
            head.update(session=msg.session, t=msg.t, listening=msg.listening,
                        trainer_watching=msg.trainer_watching)
            if msg.report is not None:
                head["report"] = msg.report
            if msg.focus_rules:
                head["focus_rules"] = [list(pair) for pair in msg.focus_rules]
            if msg.capture_away:
                head["capture_away"] = True
            if msg.overlays is not None:
                head["overlays"] = msg.overlays
            if msg.ending:
                head["ending"] = True
        case SendNudge():
            head.update(session=msg.session, message=msg.message)
        case SetFocus():
            head.update(session=msg.session, rules=list(msg.rules))
        case AddBookmark():
            head.update(session=msg.session, note=msg.note)
        case EndSession() | Watch() | SessionDeleted():
            head.update(session=msg.session)
        case Error():
            head.update(code=msg.code, message=msg.message)
            if msg.detail:
                head["detail"] = msg.detail
        case CaptureWarning():
            head.update(session=msg.session, t=msg.t, kind=msg.kind, speaker=msg.speaker,
                        file=msg.file, error=msg.error)
    return _dump(head)


def _info_dict(s: SessionInfo) -> dict[str, Any]:
    return {"session": s.session, "lang": s.lang, "started_wall": s.started_wall,
            "live": s.live, "coachee": s.coachee, "partner": s.partner}


# --- decode -----------------------------------------------------------------------------

def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text[:20]}")
    return value


def decode(text: str | bytes) -> Message:
    """Parse one message; raise ``ProtocolError`` (with ``.code``) for anything else."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise protocol_error("malformed", "messages must be UTF-8 JSON text") from None
    if not isinstance(text, str):
        raise protocol_error("malformed", "messages must be JSON text")
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError) as exc:
        raise protocol_error("malformed", f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise protocol_error("malformed", "a message must be a JSON object")
    v = data.get("v")
    if isinstance(v, bool) or not isinstance(v, int):
        raise protocol_error("malformed", '"v" must be the integer protocol version, e.g. 1')
    if v != VERSION:
        raise protocol_error("bad-version", f"this server speaks protocol v{VERSION}, not v{v}")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise protocol_error("malformed", '"type" must be a string')
    try:
        return _decode(kind, data)
    except ProtocolError:
        raise
    except (ev.EventError, TypeError, ValueError, KeyError, OverflowError, AttributeError) as exc:
        raise protocol_error("malformed", f"bad {kind} message: {exc}") from None


def _str(data: dict, name: str, *, optional: bool = False, empty: bool = True) -> Any:
    value = data.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not empty and not value):
        raise protocol_error("malformed", f'"{name}" must be a {"non-empty " if not empty else ""}string')
    return value


def _pairs(data: dict, name: str) -> tuple[tuple[str, str], ...]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(
            isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) and y for y in x) for x in value):
        raise protocol_error("malformed", f'"{name}" must be a list of [name, text] pairs')
    return tuple((a, b) for a, b in value)


def _bool(data: dict, name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise protocol_error("malformed", f'"{name}" must be true or false')
    return value


def _num(value: Any, name: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise protocol_error("malformed", f'"{name}" must be a number')
    return value


def _count(value: Any, name: str) -> int | None:
    """An optional count: absent (None) or a whole number from 0 up."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise protocol_error("malformed", f'"{name}" must be a whole number from 0 up')
    return value


def file_names_ok(names: Any) -> bool:
    """Fit for a hello's ``files``: at most 2 names, each without a folder, bounded."""
    return (isinstance(names, (list, tuple)) and len(names) <= MAX_FILES
            and all(isinstance(n, str) and 0 < len(n) <= MAX_FILE_NAME and n not in (".", "..")
                    and not any(c in n for c in "/\\\0") for n in names))


def _files(data: dict) -> tuple[str, ...]:
    value = data.get("files", [])
    if not isinstance(value, list) or not file_names_ok(value):
        raise protocol_error("malformed", f'"files" must be a list of at most {MAX_FILES} file names '
                                          f'(no folders, at most {MAX_FILE_NAME} characters each)')
    return tuple(value)


def _welcome_lang(data: dict) -> str | None:
    """A welcome's ``lang``: one a client knows, else none (a newer server's language is
    no reason to refuse its welcome)."""
    lang = data.get("lang")
    return lang if lang in LANGS else None


def _lang(data: dict) -> str | None:
    """A hello's ``lang``: absent, or one of ``LANGS`` (a pack the server has)."""
    lang = _str(data, "lang", optional=True)
    if lang is not None and lang not in LANGS:
        raise protocol_error("malformed", f'"lang" must be {" or ".join(LANGS)}, not {lang[:20]!r}',
                             {"reason": "bad-lang", "lang": lang[:20], "allowed": list(LANGS)})
    return lang


def _name(data: dict, name: str) -> str | None:
    """A hello's coachee or partner name: absent, or at most ``MAX_NAME`` characters."""
    value = _str(data, name, optional=True)
    if value is not None and len(value) > MAX_NAME:
        raise protocol_error("malformed", f'"{name}" may be at most {MAX_NAME} characters '
                                          f"(a name, as the trainer's card and the report show it), "
                                          f"not {len(value)}",
                             {"reason": "too-long", "field": name, "max": MAX_NAME, "length": len(value)})
    return value


def _warning(data: dict, session: str) -> CaptureWarning:
    kind = data.get("kind")
    if kind not in WARNING_KINDS:
        raise protocol_error("malformed", f"unknown warning kind {str(kind)[:40]!r}: a capture may "
                                          f"only say {', '.join(WARNING_KINDS)}")
    speaker = data.get("speaker")
    if speaker not in ev.SPEAKERS:
        raise protocol_error("malformed", f'"speaker" must be one of {", ".join(ev.SPEAKERS)}')
    t = _num(data.get("t"), "t")
    if t < 0:
        raise protocol_error("malformed", '"t" must be 0 or more (seconds of session audio)')
    texts = {}
    for name, limit in (("file", MAX_FILE_NAME), ("error", MAX_WARNING_ERROR)):
        texts[name] = _str(data, name, optional=True) or ""
        if len(texts[name]) > limit:
            raise protocol_error("malformed", f'"{name}" may be at most {limit} characters')
    return CaptureWarning(session=session, t=t, kind=kind, speaker=speaker, **texts)


def _decode(kind: str, data: dict) -> Message:
    session = lambda: _str(data, "session", empty=False)  # noqa: E731
    match kind:
        case "hello":
            role = data.get("role")
            if role not in ROLES:
                raise protocol_error("malformed", f'"role" must be one of {", ".join(ROLES)}')
            return Hello(role=role, token=_str(data, "token"),
                         session=_str(data, "session", optional=True, empty=False),
                         client=_str(data, "client", optional=True) or "",
                         lang=_lang(data),
                         coachee=_name(data, "coachee"),
                         partner=_name(data, "partner"),
                         partner_source=_str(data, "partner_source", optional=True),
                         resume=_str(data, "resume", optional=True),
                         files=_files(data))
        case "welcome":
            raw = data.get("sessions", [])
            if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
                raise protocol_error("malformed", '"sessions" must be a list of objects')
            infos = tuple(SessionInfo(session=_str(s, "session"), lang=_str(s, "lang"),
                                      started_wall=_num(s.get("started_wall"), "started_wall",
                                                        optional=True),
                                      live=_bool(s, "live"), coachee=_str(s, "coachee"),
                                      partner=_str(s, "partner")) for s in raw)
            return Welcome(role=_str(data, "role"), server=_str(data, "server"), sessions=infos,
                           token=_str(data, "token", optional=True),
                           debrief=_str(data, "debrief", optional=True),
                           report=_str(data, "report", optional=True),
                           resume=_str(data, "resume", optional=True),
                           lang=_welcome_lang(data),
                           audio_kept="audio_kept" in data and _bool(data, "audio_kept"))
        case "status":
            return Status(session=session(), t=_num(data.get("t"), "t"),
                          listening=_bool(data, "listening"),
                          trainer_watching=_bool(data, "trainer_watching"),
                          report=_str(data, "report", optional=True),
                          focus_rules=_pairs(data, "focus_rules"),
                          capture_away="capture_away" in data and _bool(data, "capture_away"),
                          overlays=_count(data.get("overlays"), "overlays"),
                          ending="ending" in data and _bool(data, "ending"))
        case "send-nudge":
            return SendNudge(session=session(), message=_str(data, "message", empty=False))
        case "set-focus":
            rules = data.get("rules")
            if (not isinstance(rules, list) or len(rules) > MAX_FOCUS
                    or not all(isinstance(r, str) and r for r in rules)):
                raise protocol_error("malformed", f'"rules" must be a list of at most {MAX_FOCUS} '
                                                  'rule names ([] delivers every rule)')
            return SetFocus(session=session(), rules=tuple(dict.fromkeys(rules)))
        case "bookmark":
            return AddBookmark(session=session(), note=_str(data, "note", optional=True) or "")
        case "end-session":
            return EndSession(session=session())
        case "watch":
            return Watch(session=session())
        case "session-deleted":
            return SessionDeleted(session=session())
        case "error":
            detail = data.get("detail", {})
            if not isinstance(detail, dict):
                raise protocol_error("malformed", '"detail" must be an object')
            return Error(code=_str(data, "code"), message=_str(data, "message"), detail=detail)
        case "warning":
            return _warning(data, session())
    if kind in ev.EVENT_TYPES:
        sid = session()
        event = ev.from_dict(data)
        if isinstance(event, ev.SessionStarted) and event.session != sid:
            raise protocol_error("malformed", "session-started names two different sessions")
        return SessionEvent(session=sid, event=event)
    raise protocol_error("unknown-type", f"unknown message type {kind!r}")
