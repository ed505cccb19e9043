"""Audio sources: two speakers, 16 kHz mono float32 blocks on one session clock.

Every source has the same face::

    source.speakers == ("coachee", "partner"); source.rate == 16000
    async for block in source.blocks():   # AudioBlock(speaker, start, samples)
        ...
    source.stats()    # {"dropped", "overflows", "max_queue", "speakers": {...}}
    source.close()

``start`` is the index of the block's first sample on the session clock (samples at
16 kHz since the source started). A dropped block leaves a gap: the next block's
``start`` jumps, so the clock stays true to wall time.

The concrete sources live in ``audio_file`` (FileSource) and ``audio_live``
(LiveSource); both are re-exported here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np
import soxr

__all__ = ["RATE", "SPEAKERS", "AudioBlock", "Resampler", "DropQueue", "SourceStats",
           "FileSource", "LiveSource"]

RATE = 16000
SPEAKERS = ("coachee", "partner")


@dataclass(frozen=True, slots=True)
class AudioBlock:
    speaker: str
    start: int              # first sample's index on the session clock (16 kHz)
    samples: np.ndarray     # float32 mono, 16 kHz

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


class Resampler:
    """Streaming mono resampler to 16 kHz (soxr); a pass-through at 16 kHz."""

    def __init__(self, in_rate: float):
        self.in_rate = float(in_rate)
        self._stream = None if self.in_rate == RATE else soxr.ResampleStream(
            self.in_rate, RATE, 1, dtype="float32", quality="HQ")

    def feed(self, x: np.ndarray, last: bool = False) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        if self._stream is None:
            return x
        return self._stream.resample_chunk(x, last=last)

    def flush(self) -> np.ndarray:
        return self.feed(np.zeros(0, np.float32), last=True)


@dataclass
class SpeakerStats:
    blocks: int = 0
    samples: int = 0
    dropped: int = 0
    overflows: int = 0
    native_rate: float = 0.0
    drift_ppm: float = 0.0          # the device clock against wall time (+ = fast); live only
    drift_known: bool = False       # that rate was learnt (it takes about a minute); live only
    drift_corrected: int = 0        # samples added (-: dropped) to keep it on wall time


@dataclass
class SourceStats:
    speakers: dict[str, SpeakerStats] = field(
        default_factory=lambda: {s: SpeakerStats() for s in SPEAKERS})
    max_queue: int = 0

    def delivered(self, block: AudioBlock) -> None:
        st = self.speakers[block.speaker]
        st.blocks += 1
        st.samples += len(block.samples)

    def as_dict(self) -> dict:
        sp = {name: vars(st).copy() for name, st in self.speakers.items()}
        return {
            "dropped": sum(s["dropped"] for s in sp.values()),
            "overflows": sum(s["overflows"] for s in sp.values()),
            "max_queue": self.max_queue,
            "speakers": sp,
        }


_END = object()


class DropQueue:
    """Bounded asyncio queue, fed on the loop thread, that drops instead of blocking.

    ``offer`` returns False when ``maxsize`` items wait (the caller counts the drop);
    ``end`` enqueues the end marker behind what was already captured, and ``get``
    returns ``None`` once it reaches it.
    """

    def __init__(self, maxsize: int, stats: SourceStats):
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.maxsize = maxsize
        self._q: asyncio.Queue = asyncio.Queue()  # bound enforced in offer()
        self._stats = stats
        self._ended = False

    def offer(self, item) -> bool:
        if self._ended or self._q.qsize() >= self.maxsize:
            return False
        self._q.put_nowait(item)
        self._stats.max_queue = max(self._stats.max_queue, self._q.qsize())
        return True

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._q.put_nowait(_END)

    async def get(self):
        item = await self._q.get()
        return None if item is _END else item


def __getattr__(name: str):
    # lazy re-exports: importing audio must not import av or sounddevice
    if name == "FileSource":
        from pullcoach.audio_file import FileSource
        return FileSource
    if name == "LiveSource":
        from pullcoach.audio_live import LiveSource
        return LiveSource
    raise AttributeError(name)
