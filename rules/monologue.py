"""``monologue``: the coachee keeps the floor too long (short support tokens from the
partner do not end it). Sales analytics: monologues over ~76-120 s hurt."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate
from pullcoach.rules.events import SpeechEnded, SpeechStarted, Tick

__all__ = ["MonologueConfig", "Monologue"]


@dataclass(frozen=True)
class MonologueConfig:
    max_s: float = 90.0          # between the 76 s and 120 s of the sales yardstick
    partner_turn_s: float = 1.0  # partner speech shorter than this is support, not a turn
    pause_s: float = 5.0         # a silence this long ends the monologue


class Monologue:
    name = "monologue"
    kind = "negative"

    def __init__(self, config: MonologueConfig = MonologueConfig()) -> None:
        self.config = config
        self.start: float | None = None
        self.last_end: float | None = None
        self.partner_start: float | None = None
        self.fired = False

    def feed(self, event, ctx) -> list[Candidate]:
        c = self.config
        match event:
            case SpeechStarted(t=t, speaker=s) if s == COACHEE:
                if self.start is None or (self.last_end is not None and t - self.last_end >= c.pause_s):
                    self.start, self.fired = t, False
            case SpeechEnded(t=t, speaker=s) if s == COACHEE:
                self.last_end = t
            case SpeechStarted(t=t, speaker=s) if s == PARTNER:
                self.partner_start = t
            case SpeechEnded(t=t, speaker=s) if s == PARTNER:
                if self.partner_start is not None and t - self.partner_start >= c.partner_turn_s:
                    self.start = t if ctx.speaking[COACHEE] is not None else None
                    self.fired = False
            case Tick(t=t):
                if (self.start is not None and not self.fired and ctx.speaking[COACHEE] is not None
                        and t - self.start >= c.max_s):
                    self.fired = True
                    return [Candidate(self.name, t, self.start, detail={"length_s": round(t - self.start, 1)})]
        return []
