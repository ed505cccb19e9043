"""``interruption``: the coachee starts while the partner speaks and keeps going.

Decided from speech events and ticks alone, live, so the nudge can land within 0.8 s of
the overlap's start: it fires once the coachee has spoken for ``max(overlap_s,
backchannel_max_s)`` while the partner still speaks. Support tokens ("ja", "hm",
"precies") are short, so duration keeps them out; text arriving later refines the
classification of each overlap: backchannel / smooth / competitive / failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate, Utterance, Withdrawal
from pullcoach.rules.events import SpeechEnded, SpeechStarted, Tick

__all__ = ["InterruptionConfig", "Interruption", "OverlapTracker"]


@dataclass(frozen=True)
class InterruptionConfig:
    overlap_s: float = 0.5          # COACHING.md / issue 3: overlap >= ~0.5 s
    # backchannels ("ja", "hm", "oke") last 0.3-0.6 s, and the VAD reports the end of a
    # burst under 1 s after 150 ms of silence: by 0.65 s a backchannel is seen to be over
    backchannel_max_s: float = 0.65
    lead_s: float = 0.3             # the other must have been talking first, not a joint start


@dataclass
class Overlap:
    start: float          # when the overlapping speaker started
    by: str               # who started while the other spoke
    kind: str = "open"    # backchannel | smooth | competitive | failed | open
    overlap: float = 0.0
    fired: bool = False


class OverlapTracker:
    """Speech-only state machine for overlaps started by ``by``."""

    def __init__(self, by: str, config: InterruptionConfig) -> None:
        self.by, self.other = by, (PARTNER if by == COACHEE else COACHEE)
        self.config = config
        self.since: dict[str, float | None] = {COACHEE: None, PARTNER: None}
        self.current: Overlap | None = None
        self.done: list[Overlap] = []

    def feed(self, event) -> Overlap | None:
        """The overlap that just passed the threshold, if any."""
        c = self.config
        match event:
            case SpeechStarted(t=t, speaker=s):
                self.since[s] = t
                o = self.since[self.other]
                if s == self.by and o is not None and t - o >= c.lead_s:
                    self.current = Overlap(start=t, by=s)
            case SpeechEnded(t=t, speaker=s):
                cur = self.current
                if cur is not None:
                    cur.overlap = t - cur.start
                    if s == self.by:  # the overlapping speaker stopped first
                        dur = t - cur.start
                        cur.kind = "backchannel" if dur <= c.backchannel_max_s else "failed"
                    else:  # the other stopped: the floor changed hands
                        cur.kind = "competitive" if cur.overlap >= c.overlap_s else "smooth"
                    self.done.append(cur)
                    self.current = None
                self.since[s] = None
            case Tick():
                pass
            case _:
                return None
        cur = self.current
        if cur is None or cur.fired or self.since[self.other] is None:
            return None
        if event.t - cur.start >= max(c.overlap_s, c.backchannel_max_s) - 1e-9:
            cur.fired = True
            return cur
        return None

    def refine(self, u: Utterance) -> Overlap | None:
        """A backchannel by text: reclassify the overlap it belongs to; that overlap if it
        had already fired (its nudge is to be withdrawn)."""
        if u.speaker != self.by or not u.labels.backchannel:
            return None
        for o in reversed(self.done):
            if abs(o.start - u.t0) <= 0.6:
                was, o.kind = o.kind, "backchannel"
                return o if o.fired and was != "backchannel" else None
        return None

    def counts(self) -> dict[str, int]:
        out = {"backchannel": 0, "smooth": 0, "competitive": 0, "failed": 0}
        for o in self.done:
            out[o.kind] = out.get(o.kind, 0) + 1
        return out


class Interruption:
    name = "interruption"
    kind = "negative"
    live = True  # fed in arrival order, before the canonical (text) lane

    def __init__(self, config: InterruptionConfig = InterruptionConfig()) -> None:
        self.tracker = OverlapTracker(COACHEE, config)

    def feed_live(self, event) -> list[Candidate]:
        hit = self.tracker.feed(event)
        if hit is None:
            return []
        return [Candidate(self.name, event.t, hit.start,
                          detail={"overlap_s": round(event.t - hit.start, 2)})]

    def feed(self, event, ctx) -> list[Candidate]:
        return []

    def refine(self, u: Utterance) -> list[Withdrawal]:
        o = self.tracker.refine(u)
        return [Withdrawal(self.name, o.start, "backchannel")] if o is not None else []

    def metrics(self) -> dict:
        return {"overlaps_by_coachee": self.tracker.counts()}
