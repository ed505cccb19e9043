"""``open-question-after-resistance`` (positive): after "ja maar" or being cut off, the
coachee asks an open question or reflects instead of arguing. Seed 003: "reflectief
luisteren", "open vragen stellen" as the remedy for weerstand."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import PARTNER, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["OpenQuestionAfterResistanceConfig", "OpenQuestionAfterResistance"]


@dataclass(frozen=True)
class OpenQuestionAfterResistanceConfig:
    within_turns: int = 2  # the coachee's next two real turns


class OpenQuestionAfterResistance:
    name = "open-question-after-resistance"
    kind = "positive"

    def __init__(self, config: OpenQuestionAfterResistanceConfig = OpenQuestionAfterResistanceConfig()) -> None:
        self.config = config
        self.armed = 0
        self.since: float | None = None

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal):
            return []
        u = ctx.utterances[-1]
        if u.speaker == PARTNER:
            if u.labels.resistance:
                self.armed, self.since = self.config.within_turns, u.t0
            return []
        if self.armed <= 0 or u.labels.backchannel:
            return []
        self.armed -= 1
        if (u.labels.question == "open" or u.labels.reflection) and not ctx.cut_in(u):
            # not when it cuts them off again: "That's exactly the trap though." over "so—"
            self.armed = 0
            return [Candidate(self.name, event.t, self.since, kind="positive")]
        return []
