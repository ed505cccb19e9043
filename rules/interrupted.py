"""``interrupted``: the partner cuts the coachee off, opens with "ja maar", or voices discord
("daar heb ik geen zin in", "I don't like being told what to do"; pack list ``discord``).

Not the coachee's fault, but a resistance signal (seed 003: interrumperen, tegenwerpingen):
the cue is to ask, not to push on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate, Withdrawal
from pullcoach.rules.events import TranscriptFinal
from pullcoach.rules.interruption import InterruptionConfig, OverlapTracker
from pullcoach.rules.text import PhraseSet, tokens

__all__ = ["InterruptedConfig", "Interrupted"]


@dataclass(frozen=True)
class InterruptedConfig:
    overlap: InterruptionConfig = InterruptionConfig()  # same thresholds as interruption
    by_text: bool = True  # "ja maar" / "yes but" openers count (seed 003: tegenwerpingen)
    openers: tuple[str, ...] = ("ja maar", "nee maar", "yes but", "yeah but", "no but")  # issue 3


class Interrupted:
    name = "interrupted"
    # a cue, not a fault: the partner's resistance tells the coachee to explore it; it does
    # not count among the coachee's negative nudges
    kind = "cue"
    # the overlap is decided live, like interruption: in the text lane it waited for the
    # coachee's final (4 s in the nl_push replay), when the moment to ask had passed
    live = True

    def __init__(self, config: InterruptedConfig = InterruptedConfig()) -> None:
        self.config = config
        self.tracker = OverlapTracker(PARTNER, config.overlap)   # live: fires
        self.settled = OverlapTracker(PARTNER, config.overlap)   # text lane: classes, withdrawals

    def feed_live(self, event) -> list[Candidate]:
        hit = self.tracker.feed(event)
        if hit is None:
            return []
        return [Candidate(self.name, event.t, hit.start, speaker=PARTNER, kind=self.kind,
                          detail={"by": "overlap"})]

    def feed(self, event, ctx) -> list[Candidate | Withdrawal]:
        self.settled.feed(event)
        out: list[Candidate | Withdrawal] = self.settled.withdrawals(self.name)
        if isinstance(event, TranscriptFinal) and event.speaker == PARTNER:
            u = ctx.utterances[-1]
            self.settled.refine(u)  # a "cut-off" that was a long backchannel is withdrawn
            out += self.settled.withdrawals(self.name)
            prev = ctx.last(COACHEE)
            # "Ja maar ik snap ook ..." concedes: the labels' resistance leaves it out
            # discord said anywhere ("I don't like being told what to do") is resistance too
            said = (_opens_with(u.text, self.config.openers) and u.labels.resistance) or u.labels.discord
            if (self.config.by_text and prev is not None and said
                    and not self.settled.fired_near(u.t0)):  # its overlap was cued already
                out.append(Candidate(self.name, event.t, u.t0, speaker=PARTNER, kind=self.kind,
                                     detail={"by": "text"}))
        return out

    def metrics(self) -> dict:
        return {"overlaps_by_partner": self.settled.counts()}


def _opens_with(text: str, openers: tuple[str, ...]) -> bool:
    """The utterance's first words are a "ja maar" opener (tolerant match)."""
    toks = tokens(text)[:4]
    return any(m.start == 0 for m in PhraseSet(list(openers)).find(toks))
