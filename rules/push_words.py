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
    # but an open question evokes: "What do you think you need to do?", "Wat moet er volgens
    # jou gebeuren?" (MI: the partner names the change). AnnoMI dev 5-fold CV: 4 of the 6
    # push-word nudges in high-quality sessions were open questions, none of the 5 in low
    in_open_questions: bool = False


class PushWords:
    name = "push-words"
    kind = "negative"

    def __init__(self, config: PushWordsConfig = PushWordsConfig()) -> None:
        self.config = config

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal) or event.speaker != COACHEE:
            return []
        lab = ctx.utterances[-1].labels
        c = self.config
        if lab.question == "open" and not c.in_open_questions:
            return []
        if lab.push and not lab.reflection and (c.in_questions or lab.question is None):
            return [Candidate(self.name, event.t, event.t0)]
        return []
