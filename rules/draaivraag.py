"""``draaivraag`` (positive): the turning question ("Wat zouden de voordelen kunnen zijn
van...?") after the partner's view was explored. Seed 000: "dit kan alleen als je het
standpunt van de ander eerst oordeelvrij hebt onderzocht"; before that it is premature."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["DraaivraagConfig", "Draaivraag"]


@dataclass(frozen=True)
class DraaivraagConfig:
    min_reflections: int = 1      # COACHING.md: summarised at least once before
    min_open_questions: int = 1   # and explored with an open question


class Draaivraag:
    name = "draaivraag"
    kind = "positive"

    def __init__(self, config: DraaivraagConfig = DraaivraagConfig()) -> None:
        self.config = config
        self.reflections = 0
        self.opens = 0
        self.premature = 0

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal) or event.speaker != COACHEE:
            return []
        lab = ctx.utterances[-1].labels
        out: list[Candidate] = []
        if lab.draaivraag:
            if self.reflections >= self.config.min_reflections and self.opens >= self.config.min_open_questions:
                out.append(Candidate(self.name, event.t, event.t0, kind="positive"))
            else:
                self.premature += 1
        elif lab.question == "open":
            self.opens += 1
        if lab.reflection:
            self.reflections += 1
        return out

    def metrics(self) -> dict:
        return {"premature_draaivraag": self.premature}
