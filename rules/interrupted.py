"""``interrupted``: the partner cuts the coachee off, or opens with "ja maar".

Not the coachee's fault, but a resistance signal (seed 003: interrumperen, tegenwerpingen):
the cue is to ask, not to push on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate
from pullcoach.rules.events import TranscriptFinal
from pullcoach.rules.interruption import InterruptionConfig, OverlapTracker

__all__ = ["InterruptedConfig", "Interrupted"]


@dataclass(frozen=True)
class InterruptedConfig:
    overlap: InterruptionConfig = InterruptionConfig()  # same thresholds as interruption
    by_text: bool = True  # "ja maar" / "yes but" openers count (seed 003: tegenwerpingen)


class Interrupted:
    name = "interrupted"
    kind = "negative"

    def __init__(self, config: InterruptedConfig = InterruptedConfig()) -> None:
        self.config = config
        self.tracker = OverlapTracker(PARTNER, config.overlap)

    def feed(self, event, ctx) -> list[Candidate]:
        hit = self.tracker.feed(event)
        if hit is not None:
            return [Candidate(self.name, event.t, hit.start, speaker=PARTNER,
                              detail={"by": "overlap"})]
        if isinstance(event, TranscriptFinal) and event.speaker == PARTNER and self.config.by_text:
            u = ctx.utterances[-1]
            self.tracker.refine(u)
            prev = ctx.last(COACHEE)
            if u.labels.resistance and prev is not None:
                return [Candidate(self.name, event.t, u.t0, speaker=PARTNER,
                                  detail={"by": "text"})]
        return []

    def metrics(self) -> dict:
        return {"overlaps_by_partner": self.tracker.counts()}
