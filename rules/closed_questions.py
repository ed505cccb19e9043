"""``closed-questions``: a run of yes/no questions with no open question or reflection.

MITI 3.1.1: open questions >= 50% fair, >= 70% good; seeds 000/001/004: ask open."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["ClosedQuestionsConfig", "ClosedQuestions"]


@dataclass(frozen=True)
class ClosedQuestionsConfig:
    max_run: int = 3  # three closed questions in a row: below MITI's 50% open at best
    # a closed question that the partner answers at length did open the talk: the run
    # restarts (the harm of "Heb je...? Kun je...?" is the short "ja"/"nee" it gets)
    long_answer_words: int = 15


class ClosedQuestions:
    name = "closed-questions"
    kind = "negative"

    def __init__(self, config: ClosedQuestionsConfig = ClosedQuestionsConfig()) -> None:
        self.config = config
        self.run = 0
        self.first: float | None = None

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal):
            return []
        lab = ctx.utterances[-1].labels
        if event.speaker != COACHEE:
            if lab.words >= self.config.long_answer_words:
                self.run, self.first = 0, None
            return []
        if lab.question == "open" or lab.reflection:
            self.run, self.first = 0, None
        elif lab.question == "closed" and not lab.permission:
            # "Mag ik een tip geven?" / "Is it okay if I share...?" asks leave, not a fact
            if self.run == 0:
                self.first = event.t0
            self.run += max(1, lab.closed_n)
            if self.run >= self.config.max_run:
                out = [Candidate(self.name, event.t, self.first, detail={"run": self.run})]
                self.run, self.first = 0, None
                return out
        return []
