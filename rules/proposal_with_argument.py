"""``proposal-with-argument``: "Zullen we X, want Y". Seed 000: the voorstel comes
*without* an argument; the argument undoes the pull."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["ProposalWithArgumentConfig", "ProposalWithArgument"]


@dataclass(frozen=True)
class ProposalWithArgumentConfig:
    pass  # the proposal and argument forms live in the rule pack


class ProposalWithArgument:
    name = "proposal-with-argument"
    kind = "negative"

    def __init__(self, config: ProposalWithArgumentConfig = ProposalWithArgumentConfig()) -> None:
        self.config = config

    def feed(self, event, ctx) -> list[Candidate]:
        if isinstance(event, TranscriptFinal) and event.speaker == COACHEE:
            if ctx.utterances[-1].labels.proposal_argued:
                return [Candidate(self.name, event.t, event.t0)]
        return []
