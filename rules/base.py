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

from bisect import bisect_right
from dataclasses import dataclass, field

from pullcoach.rules.events import COACHEE, PARTNER
from pullcoach.rules.labels import Labels

# the interruption rule's default overlap: less is a smooth hand-over
CUT_IN_S = 0.5
# one speaker's fragments this close, the other silent between, are one turn (the report's
# TURN_GAP is this): the pipeline cuts a turn over 4 s at its next pause, Whisper hears each piece
TURN_GAP_S = 2.0
TURN_BACKCHANNEL_S = 1.0  # the other's speech between them shorter than this: a backchannel

__all__ = ["CUT_IN_S", "Candidate", "Withdrawal", "Utterance", "Context", "COACHEE", "PARTNER"]


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

    def __init__(self, cut_in_s: float = CUT_IN_S) -> None:
        self.cut_in_s = cut_in_s  # what ``cut_in`` counts: the interruption rule's overlap
        self.t = 0.0
        self.start: float | None = None          # first speech or transcript
        self.speaking: dict[str, float | None] = {COACHEE: None, PARTNER: None}
        self.spans: dict[str, list[tuple[float, float]]] = {COACHEE: [], PARTNER: []}
        self.utterances: list[Utterance] = []
        # per speaker, kept up with ``spans`` as ``talk`` is asked: the spans' ends and the
        # running total before each (``talk`` costs the same an hour in as at the start)
        self._ends: dict[str, list[float]] = {COACHEE: [], PARTNER: []}
        self._sums: dict[str, list[float]] = {COACHEE: [0.0], PARTNER: [0.0]}

    def talk(self, speaker: str, since: float, until: float) -> float:
        """Seconds ``speaker`` spoke within [since, until] (open speech counts to until)."""
        spans, ends, sums = self.spans[speaker], self._ends[speaker], self._sums[speaker]
        for a, b in spans[len(ends):]:  # spans closed since the last ask (they only grow)
            ends.append(b)
            sums.append(sums[-1] + (b - a))
        k = bisect_right(ends, since)  # the first span that ends after ``since``
        total = sums[-1] - sums[k]
        if k < len(spans) and spans[k][0] < since:
            total -= since - spans[k][0]
        j = len(spans) - 1
        while j >= k and spans[j][1] > until:  # spans past ``until`` (rare: asked of the past)
            a = max(spans[j][0], since)
            total -= (spans[j][1] - a) - max(0.0, until - a)
            j -= 1
        s = self.speaking[speaker]
        if s is not None and until > s:
            total += until - max(s, since)
        return total

    def cut_in(self, u: Utterance, overlap_s: float | None = None) -> bool:
        """``u`` began while the other was speaking, and they went on ``overlap_s`` more
        (default ``cut_in_s``): it cut them off (or tried to). Such a reflection earns no praise."""
        overlap_s = self.cut_in_s if overlap_s is None else overlap_s
        other = PARTNER if u.speaker == COACHEE else COACHEE
        since = self.speaking[other]
        if since is not None and since < u.t0:
            return True
        for a, b in reversed(self.spans[other]):
            if b < u.t0:
                return False
            if a < u.t0 and b >= u.t0 + overlap_s:
                return True
        return False

    def turn_before(self, speaker: str, t0: float, max_parts: int = 4) -> list[Utterance]:
        """``speaker``'s fragments of the turn that goes on at ``t0`` (oldest first, at most
        ``max_parts``): each under ``TURN_GAP_S`` before the next, the other silent between."""
        other = PARTNER if speaker == COACHEE else COACHEE
        parts: list[Utterance] = []
        start = t0
        for u in reversed(self.utterances):
            if u.speaker != speaker or u.t0 >= start:
                continue
            if start - u.t1 > TURN_GAP_S or self.talk(other, u.t1, start) >= TURN_BACKCHANNEL_S:
                break
            parts.insert(0, u)
            start = u.t0
            if len(parts) == max_parts:
                break
        return parts

    def last(self, speaker: str, *, skip_backchannels: bool = True) -> Utterance | None:
        for u in reversed(self.utterances):
            if u.speaker == speaker and not (skip_backchannels and u.labels.backchannel):
                return u
        return None
