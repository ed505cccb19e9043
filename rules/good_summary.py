"""``good-summary`` (positive): the coachee reflects or summarises what the partner said.
Seed 000: "tussendoor vat je de antwoorden samen"; MITI counts summaries as reflections."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import PARTNER, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["GoodSummaryConfig", "GoodSummary"]


@dataclass(frozen=True)
class GoodSummaryConfig:
    min_partner_words: int = 15  # something to summarise: a sentence or two from the partner
    min_words: int = 5  # a summary says something back; a bare echo ("Vijf uur.") only reflects


class GoodSummary:
    name = "good-summary"
    kind = "positive"

    def __init__(self, config: GoodSummaryConfig = GoodSummaryConfig()) -> None:
        self.config = config
        self.words = 0

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal):
            return []
        u = ctx.utterances[-1]
        if u.speaker == PARTNER:
            self.words += u.labels.words
        elif u.labels.reflection and not (u.labels.push or u.labels.advice or u.labels.input
                                          or u.labels.arguments or ctx.cut_in(u)):
            # only a reflection on its own is praised: not one that goes on to push, advise or
            # argue ("..., so you really must be here"; "U slaapt nauwelijks. En bovendien ..."),
            # nor one that cut the other off ("Dan wordt hij maar boos." over "... dan—")
            enough = self.words >= self.config.min_partner_words and u.labels.words >= self.config.min_words
            self.words = 0
            if enough:
                return [Candidate(self.name, event.t, event.t0, kind="positive")]
        return []
