"""``speaking-rate``: the coachee talks fast for a sustained stretch.

Seed 003: going "te snel" causes resistance; COACHING.md: 160+ wpm or far above the
partner's rate."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["SpeakingRateConfig", "SpeakingRate"]


@dataclass(frozen=True)
class SpeakingRateConfig:
    # COACHING.md: "160+ wpm" counts pauses; over speech time only (as here) ordinary
    # conversational speech already reaches ~180-200 wpm, so "far above" starts at 220
    max_wpm: float = 220.0
    partner_factor: float = 1.3  # and clearly faster than the partner, when known
    min_speech_s: float = 30.0   # judged over at least this much coachee speech
    window: int = 6              # the last N coachee utterances
    # an utterance "spoken" faster than this has wrong times (a clipped segment, a late
    # timestamp), not a fast speaker: even auctioneers stay near 250-400 wpm
    max_plausible_wpm: float = 400.0


class SpeakingRate:
    name = "speaking-rate"
    kind = "negative"

    def __init__(self, config: SpeakingRateConfig = SpeakingRateConfig()) -> None:
        self.config = config
        self.recent: dict[str, list[tuple[int, float, float]]] = {COACHEE: [], PARTNER: []}

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal):
            return []
        u = ctx.utterances[-1]
        if u.labels.backchannel:
            return []
        if event.words:
            dur = event.words[-1].end - event.words[0].start
        else:
            dur = event.t1 - event.t0
        if dur <= 0 or 60.0 * u.labels.words / dur > self.config.max_plausible_wpm:
            return []
        rec = self.recent[event.speaker]
        rec.append((u.labels.words, dur, event.t0))
        del rec[:-self.config.window]
        if event.speaker != COACHEE:
            return []
        c = self.config
        words, secs = sum(r[0] for r in rec), sum(r[1] for r in rec)
        if secs < c.min_speech_s:
            return []
        wpm = 60.0 * words / secs
        prec = self.recent[PARTNER]
        p_secs = sum(r[1] for r in prec)
        p_wpm = 60.0 * sum(r[0] for r in prec) / p_secs if p_secs >= 10 else None
        if wpm >= c.max_wpm and (p_wpm is None or wpm >= c.partner_factor * p_wpm):
            rec.clear()
            return [Candidate(self.name, event.t, rec_start(event, u), detail={"wpm": round(wpm)})]
        return []


def rec_start(event, u) -> float:
    return min(event.t0, u.t0)
