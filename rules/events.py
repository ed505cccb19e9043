"""Timed events on the session audio clock, and their one JSON form.

Every event carries ``t``: seconds on the session audio clock (samples / rate), never
wall-clock time. Speakers are ``"coachee"`` and ``"partner"``. The JSON form is
``{"v": 1, "type": "<kebab-name>", ...fields}`` and is the same on the websocket, in
the store and in ``--events`` files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Union

__all__ = [
    "VERSION", "SPEAKERS", "COACHEE", "PARTNER", "ALERT_KINDS", "PROBLEM_OPENS", "PROBLEM_CLOSES",
    "RULE_OFF", "TRAINER_WARNINGS",
    "Word",
    "SessionStarted", "SessionEnded", "SpeechStarted", "SpeechEnded",
    "TranscriptPartial", "TranscriptFinal", "Tick", "UtteranceLabeled",
    "NudgeIssued", "NudgeWithdrawn", "MetricsUpdated", "Bookmarked", "FocusChanged",
    "PipelineWarning", "Event", "EVENT_TYPES", "type_name", "to_dict", "from_dict", "to_json", "from_json",
    "EventError", "kept_nudges",
]

VERSION = 1
COACHEE = "coachee"
PARTNER = "partner"
SPEAKERS = (COACHEE, PARTNER)
# nudge kinds that alert the coachee: they share the live budget and carry a pull alternative
ALERT_KINDS = frozenset({"negative", "cue"})
# pipeline warnings that hold until put right: the kind that opens a problem, and the one
# that closes it, name it alike (per speaker where the detail names one)
PROBLEM_OPENS = {"channel-silent": "channel", "channel-stalled": "channel", "channels-same": "same",
                 "channel-clipped": "clip", "asr-behind": "asr"}
PROBLEM_CLOSES = {"channel-ok": "channel", "channels-apart": "same", "channel-clean": "clip",
                  "asr-caught-up": "asr"}
# a plugin rule left out or switched off for the session (rules/plugins.py); it holds to the
# session's end, and is for the trainer and the report, not the coachee's overlay
RULE_OFF = "rule-off"
TRAINER_WARNINGS = frozenset({RULE_OFF})
GAP_SKEW_S = 2.0  # the pipeline fills one channel's gap before the other's, up to this apart


def in_capture_gap(kind: str, reason: str | None, began: float, gap: tuple[float, float]) -> bool:
    """A channel stalled or silenced from ``began`` inside the gap ``(t0, t1)`` a capture that
    went on with its session left (``capture-resumed``): the gap, not a device."""
    return (kind in ("channel-stalled", "channel-silent") and reason != "no-speech"
            and gap[0] - GAP_SKEW_S - 1e-6 <= began <= gap[1])

_frozen = dict(frozen=True, slots=True, kw_only=True)


class EventError(ValueError):
    """A dict or JSON text that is not a valid event."""


@dataclass(**_frozen)
class Word:
    text: str
    start: float
    end: float
    p: float = 1.0  # the recogniser's probability for this word


@dataclass(**_frozen)
class SessionStarted:
    t: float = 0.0
    session: str
    lang: str = "nl"
    wall_clock: float = 0.0  # epoch seconds of audio time 0, so clients can measure delay
    coachee: str = "coachee"  # display names
    partner: str = "partner"
    via: str = ""  # "capture": the audio came over the network from a `pullcoach capture`
    # the numbers of a trainer's rule pack the engine ran with ({"too-few-summaries.seconds": 180}),
    # so a report written later rates the figures by them
    settings: dict = field(default_factory=dict)


@dataclass(**_frozen)
class SessionEnded:
    t: float
    reason: str = "ended"  # ended | stopped | trainer | server-stopped | interrupted | error


@dataclass(**_frozen)
class SpeechStarted:
    t: float
    speaker: str


@dataclass(**_frozen)
class SpeechEnded:
    t: float
    speaker: str


@dataclass(**_frozen)
class TranscriptPartial:
    """The open utterance so far. ``t`` is when the text became available (audio clock)."""
    t: float
    speaker: str
    t0: float
    t1: float
    text: str
    words: tuple[Word, ...] = ()
    language: str = "nl"


@dataclass(**_frozen)
class TranscriptFinal:
    """One finished utterance. ``t`` is when the text became available (audio clock)."""
    t: float
    speaker: str
    t0: float
    t1: float
    text: str
    words: tuple[Word, ...] = ()
    language: str = "nl"


@dataclass(**_frozen)
class Tick:
    t: float


@dataclass(**_frozen)
class UtteranceLabeled:
    """The rule engine's labels for one final transcript."""
    t: float
    speaker: str
    t0: float
    t1: float
    text: str
    labels: dict = field(default_factory=dict)


@dataclass(**_frozen)
class NudgeIssued:
    """A nudge. ``t`` is when it fired (audio clock); ``evidence_t`` when its evidence began
    or was complete. ``delivered`` is False for nudges kept for the report only."""
    t: float
    rule: str
    message: str
    kind: str = "negative"  # negative | positive | cue (the partner's signal) | trainer
    speaker: str = COACHEE
    evidence_t: float | None = None
    delivered: bool = True
    detail: dict = field(default_factory=dict)


@dataclass(**_frozen)
class NudgeWithdrawn:
    """A nudge the text showed to be wrong (an interruption that was a long backchannel).
    ``rule`` and ``evidence_t`` name the nudge; ``t`` is when the text said so."""
    t: float
    rule: str
    evidence_t: float
    reason: str
    message: str = ""
    speaker: str = COACHEE
    delivered: bool = True


@dataclass(**_frozen)
class MetricsUpdated:
    t: float
    metrics: dict = field(default_factory=dict)


@dataclass(**_frozen)
class Bookmarked:
    t: float
    note: str = ""
    by: str = "trainer"


@dataclass(**_frozen)
class FocusChanged:
    """The rules delivered live from ``t`` on (empty: all); the rest go to the report only.
    ``by`` is "trainer" (from the dashboard) or "start" (the session's ``--focus``);
    ``messages`` are those rules' nudges as the coachee reads them (for the overlays)."""
    t: float
    rules: tuple[str, ...] = ()
    by: str = "trainer"
    messages: tuple[str, ...] = ()


@dataclass(**_frozen)
class PipelineWarning:
    """Something the user should know: ASR behind real time, dropped audio blocks, ..."""
    t: float
    kind: str
    message: str
    detail: dict = field(default_factory=dict)


Event = Union[
    SessionStarted, SessionEnded, SpeechStarted, SpeechEnded, TranscriptPartial,
    TranscriptFinal, Tick, UtteranceLabeled, NudgeIssued, NudgeWithdrawn, MetricsUpdated, Bookmarked,
    FocusChanged, PipelineWarning,
]


def _kebab(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("-")
        out.append(ch.lower())
    return "".join(out)


_CLASSES = (
    SessionStarted, SessionEnded, SpeechStarted, SpeechEnded, TranscriptPartial,
    TranscriptFinal, Tick, UtteranceLabeled, NudgeIssued, NudgeWithdrawn, MetricsUpdated, Bookmarked,
    FocusChanged, PipelineWarning,
)
# "transcript-final" -> TranscriptFinal, ...
EVENT_TYPES: dict[str, type] = {_kebab(c.__name__): c for c in _CLASSES}
_NAMES = {c: n for n, c in EVENT_TYPES.items()}


def type_name(event: Event) -> str:
    return _NAMES[type(event)]


def to_dict(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"v": VERSION, "type": type_name(event)}
    for f in fields(event):
        value = getattr(event, f.name)
        if f.name == "words":
            value = [{"text": w.text, "start": w.start, "end": w.end, "p": w.p} for w in value]
        if f.name in ("via", "settings") and not value:
            continue  # a local session, the built-in numbers: nothing to say
        out[f.name] = value
    return out


def from_dict(data: Any) -> Event:
    if not isinstance(data, dict):
        raise EventError("an event must be a JSON object")
    if data.get("v") != VERSION:
        raise EventError(f"unsupported event version {data.get('v')!r}; this is v{VERSION}")
    cls = EVENT_TYPES.get(data.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise EventError(f"unknown event type {data.get('type')!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "words":
            try:
                value = tuple(Word(text=str(w["text"]), start=float(w["start"]),
                                   end=float(w["end"]), p=float(w.get("p", 1.0))) for w in value)
            except (TypeError, KeyError, ValueError) as exc:
                raise EventError(f"bad words in {data['type']}: {exc}") from None
        if f.name in ("rules", "messages"):
            if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
                raise EventError(f"{f.name} must be a list of strings")
            value = tuple(value)
        kwargs[f.name] = value
    try:
        event = cls(**kwargs)
    except TypeError as exc:
        raise EventError(f"bad {data['type']} event: {exc}") from None
    _check(event)
    return event


def _check(event: Event) -> None:
    for f in fields(event):
        value = getattr(event, f.name)
        if f.name in ("t", "t0", "t1", "wall_clock") or (f.name == "evidence_t" and value is not None):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise EventError(f"{f.name} must be a number of seconds")
        elif f.name == "speaker" and value not in SPEAKERS:
            raise EventError(f"speaker must be one of {SPEAKERS}, not {value!r}")
        elif f.name in ("text", "rule", "message", "kind", "session", "note", "reason", "by") and not isinstance(value, str):
            raise EventError(f"{f.name} must be a string")
        elif f.name in ("labels", "detail", "metrics", "settings") and not isinstance(value, dict):
            raise EventError(f"{f.name} must be an object")


def kept_nudges(events) -> list[NudgeIssued]:
    """The nudges in ``events`` that no later ``NudgeWithdrawn`` took back."""
    gone = {(e.rule, e.evidence_t) for e in events if isinstance(e, NudgeWithdrawn)}
    return [e for e in events if isinstance(e, NudgeIssued) and (e.rule, e.evidence_t) not in gone]


def to_json(event: Event) -> str:
    return json.dumps(to_dict(event), ensure_ascii=False, separators=(",", ":"))


def from_json(text: str) -> Event:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EventError(f"not JSON: {exc}") from None
    return from_dict(data)
