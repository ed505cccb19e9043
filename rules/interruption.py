"""``interruption``: the coachee starts while the partner speaks and keeps going.

Decided from speech events and ticks alone, live, so the nudge can land within 0.8 s of
the overlap's start: it fires once the coachee has spoken for ``max(overlap_s,
backchannel_max_s)`` while the partner still speaks (pauses of up to ``bridge_s`` keep
one overlap: a cut-in split by the VAD at its commas). Support tokens ("ja", "hm",
"precies") are short, so duration keeps them out. In the text lane a second tracker sees
the same speech with the text: it classifies each overlap (backchannel / smooth /
competitive / failed) and withdraws a nudge whose overlap the text shows was a
backchannel.
"""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import COACHEE, PARTNER, Candidate, Utterance, Withdrawal
from pullcoach.rules.events import SpeechEnded, SpeechStarted, Tick, TranscriptFinal

__all__ = ["InterruptionConfig", "Interruption", "OverlapTracker"]

SAME_UTTERANCE_S = 0.1  # speech resuming later than this after a text's end is beyond it


@dataclass(frozen=True)
class InterruptionConfig:
    overlap_s: float = 0.5          # COACHING.md / issue 3: overlap >= ~0.5 s
    # backchannels ("ja", "hm", "oke") last 0.3-0.6 s, and the VAD reports the end of a
    # burst under 1 s after 150 ms of silence: by 0.65 s a backchannel is seen to be over
    backchannel_max_s: float = 0.65
    lead_s: float = 0.3             # the other must have been talking first, not a joint start
    # "Nee, | maar ik ...": that 150 ms end splits a cut-in at its commas (0.19-0.22 s
    # pauses in the espeak replay). A pause up to this long keeps one overlap, and the
    # threshold counts its voiced time only.
    bridge_s: float = 0.3
    # a resumed burst is reported once confirmed (the VAD's min_speech, 250 ms): an
    # overlap whose starter paused is closed only after bridge_s + this
    confirm_s: float = 0.3


@dataclass
class Overlap:
    start: float          # when the overlapping speaker started
    by: str               # who started while the other spoke
    kind: str = "open"    # backchannel | smooth | competitive | failed | open
    overlap: float = 0.0
    fired: bool = False
    voiced: float = 0.0           # the starter's speech in it so far, pauses left out
    seg: float | None = None      # start of the starter's current burst
    paused: float | None = None   # the starter stopped here (and may resume within bridge_s)
    said_until: float | None = None  # its text so far is a backchannel, up to here


class OverlapTracker:
    """Speech-only state machine for overlaps started by ``by``."""

    def __init__(self, by: str, config: InterruptionConfig) -> None:
        self.by, self.other = by, (PARTNER if by == COACHEE else COACHEE)
        self.config = config
        self.since: dict[str, float | None] = {COACHEE: None, PARTNER: None}
        self.current: Overlap | None = None
        self.done: list[Overlap] = []
        self.taken_back: list[Overlap] = []  # fired, then shown by text to be backchannels

    def feed(self, event) -> Overlap | None:
        """The overlap that just passed the threshold, if any."""
        c = self.config
        cur = self.current
        resumes = (isinstance(event, SpeechStarted) and event.speaker == self.by and cur is not None
                   and cur.paused is not None and event.t - cur.paused <= c.bridge_s
                   and self.since[self.other] is not None)
        if cur is not None and cur.paused is not None and not resumes and (
                event.t > cur.paused + c.bridge_s + c.confirm_s or isinstance(event, SpeechStarted)):
            self._close(cur)  # the starter stopped for good, the other still talking
        match event:
            case SpeechStarted(t=t, speaker=s):
                self.since[s] = t
                o = self.since[self.other]
                if resumes:
                    cur.paused, cur.seg = None, t
                    if cur.said_until is not None and t > cur.said_until + SAME_UTTERANCE_S:
                        cur.said_until = None  # more speech than the backchannel's text
                elif s == self.by and o is not None and t - o >= c.lead_s:
                    self.current = Overlap(start=t, by=s, seg=t)
            case SpeechEnded(t=t, speaker=s):
                cur = self.current
                if cur is not None and s == self.by and cur.seg is not None:
                    cur.voiced += t - cur.seg
                    cur.seg, cur.paused = None, t
                elif cur is not None and s == self.other:
                    if cur.paused is not None:  # the starter had stopped first
                        self._close(cur)
                    else:  # the floor changed hands
                        cur.overlap = t - cur.start
                        cur.kind = "competitive" if cur.overlap >= c.overlap_s else "smooth"
                        self._settle(cur)
                self.since[s] = None
            case Tick():
                pass
            case _:
                return None
        cur = self.current
        if cur is None or cur.fired or cur.seg is None or self.since[self.other] is None:
            return None
        if cur.voiced + event.t - cur.seg >= max(c.overlap_s, c.backchannel_max_s) - 1e-9:
            cur.fired = True
            return cur
        return None

    def _close(self, cur: Overlap) -> None:
        """The starter stopped first: a backchannel if short, else a failed interruption."""
        cur.overlap = cur.paused - cur.start
        cur.kind = "backchannel" if cur.overlap <= self.config.backchannel_max_s else "failed"
        self._settle(cur)

    def _settle(self, o: Overlap) -> None:
        if o.said_until is not None:
            self._backchannel(o)
        self.done.append(o)
        self.current = None

    def _backchannel(self, o: Overlap) -> None:
        if o.kind != "backchannel" and o.fired:
            self.taken_back.append(o)
        o.kind = "backchannel"

    def refine(self, u: Utterance) -> None:
        """A backchannel by text: reclassify the overlap it belongs to. Feed texts in
        canonical order (the text lane). An overlap still open keeps the verdict until it
        closes, unless the speaker goes on past the text; one that had fired goes to
        ``taken_back`` (its nudge is to be withdrawn)."""
        if u.speaker != self.by or not u.labels.backchannel:
            return
        o = next(self._near(u.t0), None)
        if o is not None and o is self.current:
            o.said_until = u.t1
        elif o is not None:
            self._backchannel(o)

    def fired_near(self, t0: float) -> bool:
        """Did the overlap an utterance starting at ``t0`` belongs to fire?"""
        return any(o.fired for o in self._near(t0))

    def _near(self, t0: float):
        """Overlaps an utterance starting at ``t0`` may belong to: the open one, then the latest."""
        for o in ([self.current] if self.current else []) + self.done[::-1]:
            if abs(o.start - t0) <= 0.6:
                yield o

    def withdrawals(self, rule: str) -> list[Withdrawal]:
        out = [Withdrawal(rule, o.start, "backchannel") for o in self.taken_back]
        self.taken_back.clear()
        return out

    def counts(self) -> dict[str, int]:
        out = {"backchannel": 0, "smooth": 0, "competitive": 0, "failed": 0}
        for o in self.done:
            out[o.kind] = out.get(o.kind, 0) + 1
        return out


class Interruption:
    name = "interruption"
    kind = "negative"
    live = True  # fed in arrival order, before the canonical (text) lane

    def __init__(self, config: InterruptionConfig = InterruptionConfig()) -> None:
        self.tracker = OverlapTracker(COACHEE, config)  # live: speech in arrival order
        # the same speech in canonical order, with the text: classification, withdrawals
        self.settled = OverlapTracker(COACHEE, config)

    def feed_live(self, event) -> list[Candidate]:
        hit = self.tracker.feed(event)
        if hit is None:
            return []
        return [Candidate(self.name, event.t, hit.start,
                          detail={"overlap_s": round(event.t - hit.start, 2)})]

    def feed(self, event, ctx) -> list[Withdrawal]:
        self.settled.feed(event)
        if isinstance(event, TranscriptFinal) and event.speaker == COACHEE:
            self.settled.refine(ctx.utterances[-1])
        return self.settled.withdrawals(self.name)

    def metrics(self) -> dict:
        return {"overlaps_by_coachee": self.settled.counts()}
