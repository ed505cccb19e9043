"""``argument-stacking``: reason after reason, with no question or summary between.

Counted within a turn (fires mid-turn from partial transcripts) and across consecutive
coachee turns. Seed 000: a "stortvloed aan goede argumenten" creates resistance; 002:
"hoe meer argumenten jij bedenkt, hoe meer de ander bedenkt waarom het niet moet".
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, Candidate
from pullcoach.rules.events import TranscriptFinal, TranscriptPartial

__all__ = ["ArgumentStackingConfig", "ArgumentStacking"]


@dataclass(frozen=True)
class ArgumentStackingConfig:
    max_arguments: int = 3  # "several" (COACHING.md): the third stacked argument fires
    count_input_units: bool = True  # an informing/persuading utterance counts as one
    # ... but not a Dutch statement that is input for no marker word: often an answer, and
    # a nudge must not hang on what Whisper heard as content words
    count_plain_input: bool = False


class ArgumentStacking:
    name = "argument-stacking"
    kind = "negative"

    def __init__(self, config: ArgumentStackingConfig = ArgumentStackingConfig()) -> None:
        self.config = config
        self.count = 0
        self.first_t: float | None = None
        self.fired_t0: set[float] = set()

    def _units(self, labels) -> int:
        if labels.greeting:  # "Morning Sam. I want to talk to you about ...": the scene set, no case made
            return 0
        n = labels.arguments
        if (self.config.count_input_units and labels.input and n == 0
                and (self.config.count_plain_input or not labels.plain_input)):
            n = 1
        return n

    def feed(self, event, ctx) -> list[Candidate]:
        if getattr(event, "speaker", None) != COACHEE:
            return []
        if isinstance(event, TranscriptPartial):
            if event.t0 in self.fired_t0:
                return []
            labels = ctx.label(event.text, event.words)
            if _asks(labels) or labels.reflection or labels.greeting:
                return []
            if self.count + labels.arguments >= self.config.max_arguments:
                self.fired_t0.add(event.t0)
                first = self.first_t if self.first_t is not None else event.t0
                return [self._fire(event.t, first, self.count + labels.arguments)]
            return []
        if not isinstance(event, TranscriptFinal):
            return []
        u = ctx.utterances[-1]
        if _asks(u.labels) or u.labels.reflection:
            self.count, self.first_t = 0, None
            return []
        n = self._units(u.labels)
        if n == 0:
            return []
        if self.first_t is None:
            self.first_t = u.t0
        self.count += n
        if u.t0 in self.fired_t0:  # fired mid-turn already
            self.count, self.first_t = 0, None
            return []
        if self.count >= self.config.max_arguments:
            out = [self._fire(event.t, self.first_t, self.count)]
            self.count, self.first_t = 0, None
            return out
        return []

    def _fire(self, t: float, evidence: float | None, n: int) -> Candidate:
        return Candidate(self.name, t, evidence if evidence is not None else t,
                         detail={"arguments": n})


def _asks(labels) -> bool:
    """A question, but not a suggestion dressed as one ("Kun je dan niet gewoon ...?", "Why
    don't you just ...?"): that argues on, it does not stop to listen."""
    suggests = labels.advice and labels.advice_p >= 1.0 and not labels.advice_asked  # a pack phrase
    return bool(labels.question) and not suggests
