"""Canonical order for the text lane: events sorted by audio time, however they arrived.

Transcripts arrive after later speech events (ASR lags the audio). The gate holds speech
events and ticks back while a finished speech segment still awaits its final transcript,
then releases everything sorted by ``(t, rank, arrival-within-stream)``. The same events
therefore reach the rules in the same order whether transcripts came early or late, as
long as a transcript is no later than ``max_text_lag_s`` (after that the segment is given
up on: ASR may return nothing for a cough).

A final covers the speech segments that started before its ``t1`` and ended by
``t1 + slack_s``; a segment that started later awaits a final of its own. The pipeline's
utterances are 0.4 s apart (the VAD's min_silence) unless one was cut for length: then
the next segment follows within a pause. Once the speaker goes on within 0.4 s, that
segment (if shorter than 4 s, so not itself cut) holds nothing back: its utterance is not
over, and the final that ends it will hold the order. So a partial can fire mid-turn
(argument-stacking waited 1.5 s for the text in the en_push bench). If the speaker stops
there, the segment awaits its own final.

A final is ordered by its ``t1`` (where its words end), every other event by ``t``; at
equal times: session start, speech events, transcripts, ticks, the rest.
"""

from __future__ import annotations

import heapq

from pullcoach.rules.events import (
    SessionStarted, SpeechEnded, SpeechStarted, Tick, TranscriptFinal, TranscriptPartial,
)

__all__ = ["Gate"]

SAME_UTTERANCE_S = 0.4  # the VAD's min_silence: speech resumed this soon is the same utterance
SPLIT_AFTER_S = 4.0     # the VAD's split_after: only an utterance this long is cut at a pause


def _rank(event) -> int:
    match event:
        case SessionStarted():
            return 0
        case SpeechStarted() | SpeechEnded():
            return 1
        case TranscriptPartial() | TranscriptFinal():
            return 2
        case Tick():
            return 3
    return 4


class Gate:
    def __init__(self, *, max_text_lag_s: float = 10.0, slack_s: float = 1.0) -> None:
        self.max_lag = max_text_lag_s
        self.slack = slack_s
        self.heap: list[tuple[float, int, int, int, object]] = []
        self.seq = [0, 0]                      # per stream: audio events, transcripts
        self.pending: dict[str, list[tuple[float, float]]] = {}  # speaker -> (start, end) awaiting text
        self.opened: dict[str, float] = {}     # speaker -> start of the segment in progress
        self.final_t1: dict[str, float] = {}
        self.starts: dict[str, list[float]] = {}  # speaker -> recent segment starts
        self.now = float("-inf")               # latest audio-event time seen
        self.late = 0                          # events that arrived behind the released order
        self.released: tuple[float, int] | None = None

    def push(self, event) -> list:
        text = isinstance(event, (TranscriptFinal, TranscriptPartial))
        stream = 1 if text else 0
        self.seq[stream] += 1
        if isinstance(event, SpeechStarted):
            self.opened[event.speaker] = event.t
            self.starts.setdefault(event.speaker, []).append(event.t)
        elif isinstance(event, SpeechEnded):
            seg = (self.opened.pop(event.speaker, event.t), event.t)
            if not self._covers(self.final_t1.get(event.speaker, float("-inf")), seg):
                self.pending.setdefault(event.speaker, []).append(seg)
        elif isinstance(event, TranscriptFinal):
            self.final_t1[event.speaker] = max(self.final_t1.get(event.speaker, event.t1), event.t1)
            segs = self.pending.get(event.speaker, [])
            self.pending[event.speaker] = [g for g in segs if not self._covers(event.t1, g)]
        if not text:
            self.now = max(self.now, event.t)
            for s, segs in self.pending.items():
                self.pending[s] = [g for g in segs if g[1] + self.max_lag > self.now]
            for s, ts in self.starts.items():
                self.starts[s] = [x for x in ts if x + 2 * self.max_lag > self.now]
        # a final sits where its words ended, not where it arrived: the coachee's text is not
        # held back behind the partner's reply that began while it was being decoded
        at = event.t1 if isinstance(event, TranscriptFinal) else event.t
        key = (at, _rank(event))
        if self.released is not None and key < self.released:
            self.late += 1
            return [event]
        heapq.heappush(self.heap, (at, _rank(event), stream, self.seq[stream], event))
        return self._release()

    def _covers(self, t1: float, seg: tuple[float, float]) -> bool:
        """Does a final ending at ``t1`` hold the speech segment ``seg``?"""
        return seg[0] <= t1 and seg[1] <= t1 + self.slack

    def _holds(self, speaker: str, seg: tuple[float, float]) -> bool:
        """Must ``seg`` (awaiting text) hold the order back? Not if it follows the speaker's
        last final within a pause (an utterance cut for length) and the speaker went on."""
        t1 = self.final_t1.get(speaker, float("-inf"))
        if not t1 < seg[0] <= t1 + SAME_UTTERANCE_S or seg[1] - seg[0] >= SPLIT_AFTER_S:
            return True  # (a piece this long may itself have been cut at its end)
        return not any(seg[1] < s <= seg[1] + SAME_UTTERANCE_S for s in self.starts.get(speaker, ()))

    def _release(self) -> list:
        ends = [g[1] for s, v in self.pending.items() for g in v if self._holds(s, g)]
        limit = (min(ends), 2) if ends else None
        out = []
        while self.heap and (limit is None or self.heap[0][:2] < limit):
            item = heapq.heappop(self.heap)
            self.released = item[:2]
            out.append(item[4])
        return out

    def flush(self) -> list:
        self.pending.clear()
        return self._release()
