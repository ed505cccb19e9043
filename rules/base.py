"""What rules share: the candidate nudge they return and the context the engine keeps.

A rule is a plain object with ``name``, ``kind`` ("negative" | "positive" |
"cue": a signal from the partner to act on, not the coachee's fault) and
``feed(event, ctx) -> list[Candidate | Withdrawal]``. The engine feeds every rule (built-in or from
the ``pullcoach.rules`` entry-point group) the events in one canonical order, after it
has updated ``ctx``; cooldowns, priority, focus and the nudge budget are the engine's.
A :class:`Withdrawal` takes back a nudge the rule issued earlier, once text shows it was
wrong (a long backchannel taken for an interruption).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pullcoach.rules.events import COACHEE, PARTNER
from pullcoach.rules.labels import Labels

__all__ = ["Candidate", "Withdrawal", "Utterance", "Context", "COACHEE", "PARTNER"]


@dataclass(frozen=True, slots=True)
class Candidate:
    rule: str
    t: float                  # when it fires (audio clock)
    evidence_t: float         # when its evidence began
    kind: str = "negative"
    speaker: str = COACHEE
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    rule: str
    evidence_t: float         # names the nudge: the evidence_t it was issued with
    reason: str               # e.g. "backchannel"


@dataclass(frozen=True, slots=True)
class Utterance:
    speaker: str
    t: float   # when the text became available
    t0: float
    t1: float
    text: str
    labels: Labels


class Context:
    """The session so far, as of the event being fed (canonical order)."""

    def __init__(self) -> None:
        self.t = 0.0
        self.start: float | None = None          # first speech or transcript
        self.speaking: dict[str, float | None] = {COACHEE: None, PARTNER: None}
        self.spans: dict[str, list[tuple[float, float]]] = {COACHEE: [], PARTNER: []}
        self.utterances: list[Utterance] = []

    def talk(self, speaker: str, since: float, until: float) -> float:
        """Seconds ``speaker`` spoke within [since, until] (open speech counts to until)."""
        total = 0.0
        for a, b in reversed(self.spans[speaker]):
            if b <= since:
                break
            total += max(0.0, min(b, until) - max(a, since))
        s = self.speaking[speaker]
        if s is not None and until > s:
            total += until - max(s, since)
        return total

    def last(self, speaker: str, *, skip_backchannels: bool = True) -> Utterance | None:
        for u in reversed(self.utterances):
            if u.speaker == speaker and not (skip_backchannels and u.labels.backchannel):
                return u
        return None
