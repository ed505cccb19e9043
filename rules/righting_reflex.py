"""``righting-reflex``: advice or solutions nobody asked for.

Seed 004: the herstelreflex, "ongevraagd informeren en adviseren"; seed 003: "ongevraagd
oplossingen bedenkt". Asking "mag ik een tip geven?" (or the partner asking for advice)
unlocks advice for the next few coachee turns."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["RightingReflexConfig", "RightingReflex"]


@dataclass(frozen=True)
class RightingReflexConfig:
    unlock_turns: int = 3  # permission holds for this many coachee turns (MI: ask, then offer)


class RightingReflex:
    name = "righting-reflex"
    kind = "negative"

    def __init__(self, config: RightingReflexConfig = RightingReflexConfig()) -> None:
        self.config = config
        self.unlocked = 0

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal):
            return []
        lab = ctx.utterances[-1].labels
        if event.speaker == PARTNER:
            if lab.advice_request:
                self.unlocked = self.config.unlock_turns
            return []
        if lab.permission:
            self.unlocked = self.config.unlock_turns
            return []
        if lab.backchannel:
            return []
        unlocked = self.unlocked > 0
        self.unlocked = max(0, self.unlocked - 1)
        if lab.advice and not unlocked:
            return [Candidate(self.name, event.t, event.t0)]
        return []
