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
        return []
