"""``talk-ratio``: the coachee's share of talk time over a rolling window.

Seed 001: a good negotiation is 70% listening, 30% talking; sales analytics: top
performers talk ~43%. Nudge only far above that.
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate
from pullcoach.rules.events import Tick

__all__ = ["TalkRatioConfig", "TalkRatio"]


@dataclass(frozen=True)
class TalkRatioConfig:
    window_s: float = 600.0      # rolling window: ten minutes (a short stretch of explaining is fine)
    # 30% target (seed 001), 43% top performers; nudge far above. AnnoMI dev (5-fold CV):
    # at 75% it fired 14 times in high-quality sessions (explaining, education) for 5 in
    # low-quality ones; at 80%, 2 for 3
    max_share: float = 0.80
    # far less above 30% when the talk is telling: most of the coachee's words inform, argue
    # or advise (not reflect or ask) and no permission was asked for it
    telling_share: float = 0.65
    telling_words: float = 0.7   # share of the coachee's words in the window that tell
    min_talk_s: float = 60.0     # enough speech in the window to judge
    min_elapsed_s: float = 120.0 # not in the opening minutes


class TalkRatio:
    name = "talk-ratio"
    kind = "negative"

    def __init__(self, config: TalkRatioConfig = TalkRatioConfig()) -> None:
        self.config = config

    def feed(self, event, ctx) -> list[Candidate]:
        c = self.config
        if not isinstance(event, Tick) or ctx.start is None or event.t - ctx.start < c.min_elapsed_s:
            return []
        since = max(ctx.start, event.t - c.window_s)
        me, other = ctx.talk(COACHEE, since, event.t), ctx.talk(PARTNER, since, event.t)
        if me + other < c.min_talk_s:
            return []
        share = me / (me + other)
        if share >= c.max_share:
            return [Candidate(self.name, event.t, since, detail={"share": round(share, 2)})]
        if share >= c.telling_share and self._telling(ctx, since) >= c.telling_words:
            return [Candidate(self.name, event.t, since, detail={"share": round(share, 2), "by": "telling"})]
        return []

    @staticmethod
    def _telling(ctx, since: float) -> float:
        """Share of the coachee's words since ``since`` that tell (input, no reflection or
        question); 0 once permission was asked or advice was asked for."""
        told = total = 0
        for u in reversed(ctx.utterances):
            if u.t1 < since:
                break
            lab = u.labels
            if lab.permission or lab.advice_request:
                return 0.0
            if u.speaker != COACHEE or lab.backchannel:
                continue
            total += lab.words
            told += lab.words if lab.input and not lab.reflection and lab.question is None else 0
        return told / total if total else 0.0
