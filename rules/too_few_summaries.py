"""``too-few-summaries``: too long since the coachee last summarised or reflected.

Seed 003: resistance grows when one "te weinig samenvat"; seed 000: "tussendoor vat je de
antwoorden samen". Evaluated on ticks (time) and on the partner's transcripts (words).
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate
from pullcoach.rules.events import Tick, TranscriptFinal

__all__ = ["TooFewSummariesConfig", "TooFewSummaries"]


@dataclass(frozen=True)
class TooFewSummariesConfig:
    max_gap_s: float = 120.0       # AnnoMI dev: good practitioners reflect within 120 s in 97% of gaps
    max_partner_words: int = 300   # issue 3: the word-based alternative
    min_partner_words: int = 60    # only when the partner actually said something to summarise


class TooFewSummaries:
    name = "too-few-summaries"
    kind = "negative"

    def __init__(self, config: TooFewSummariesConfig = TooFewSummariesConfig()) -> None:
        self.config = config
        self.anchor: float | None = None  # last reflection (or nudge)
        self.words = 0                    # partner words since the anchor

    def feed(self, event, ctx) -> list[Candidate]:
        c = self.config
        if ctx.start is None:
            return []
        if self.anchor is None:
            self.anchor = ctx.start
        if isinstance(event, TranscriptFinal):
            u = ctx.utterances[-1]
            if u.speaker == COACHEE and u.labels.reflection and not ctx.cut_in(u):
                # a "reflection" that cut the other off summarised nothing they got to say
                self.anchor, self.words = u.t1, 0
            elif u.speaker == PARTNER and not u.labels.backchannel:
                self.words += u.labels.words
                if self.words >= c.max_partner_words:
                    return self._fire(event.t, "words")
        elif isinstance(event, Tick):
            if event.t - self.anchor >= c.max_gap_s and self.words >= c.min_partner_words:
                return self._fire(event.t, "time")
        return []

    def _fire(self, t: float, why: str) -> list[Candidate]:
        out = [Candidate(self.name, t, self.anchor, detail={"since_s": round(t - self.anchor, 1),
                                                            "partner_words": self.words, "by": why})]
        self.anchor, self.words = t, 0
        return out
