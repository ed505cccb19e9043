"""``push-words``: "moeten", "je moet", "must", "have to" from the coachee.

Seed 002: "bij het woord 'moeten' gaan mijn haren overeind staan"; push creates resistance."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["PushWordsConfig", "PushWords"]


@dataclass(frozen=True)
class PushWordsConfig:
    in_questions: bool = True  # "Moet je dat niet eens proberen?" pushes too (seed 002)


class PushWords:
    name = "push-words"
    kind = "negative"

    def __init__(self, config: PushWordsConfig = PushWordsConfig()) -> None:
        self.config = config

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal) or event.speaker != COACHEE:
            return []
        lab = ctx.utterances[-1].labels
        if lab.push and not lab.reflection and (self.config.in_questions or lab.question is None):
            return [Candidate(self.name, event.t, event.t0)]
        return []
