"""``--keep-audio``: each speaker's channel as a FLAC file beside the session database.

``AudioKeeper(dir, session_id)`` writes ``dir/<session_id>/<speaker>.flac`` (16 kHz mono,
16-bit). ``write(block)`` only queues a copy of the samples; a worker thread encodes, so
it is safe to call on the event loop. Gaps in a channel's clock are filled with silence,
so sample n of every file is audio time n / 16000, like the events. A session revived
after a server restart goes on in ``<speaker>.2.flac`` (silent up to the first audio the
capture sent again, a few seconds before the crash): the first file, cut off by the crash,
stays as it is.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from pathlib import Path

import av
import numpy as np

__all__ = ["AudioKeeper", "RATE"]

log = logging.getLogger(__name__)
RATE = 16000
_STOP = None


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)  # a voice: this user's only, wherever it is kept


class _Channel:
    def __init__(self, path: Path) -> None:
        self.path = path
        # unbuffered file, small muxer buffer: a crash loses at most ~4 KB (< 1 s of speech)
        self.file = open(path, "wb", buffering=0, opener=_private)
        self.container = av.open(self.file, mode="w", format="flac", buffer_size=4096)
        self.stream = self.container.add_stream("flac", rate=RATE, layout="mono")
        self.stream.format = "s16"  # type: ignore[attr-defined]
        self.next = 0  # the next sample index this file expects

    def write(self, start: int, samples: np.ndarray) -> None:
        if start < self.next:  # overlap with what is written: drop the repeat
            samples = samples[self.next - start:]
        while start > self.next:  # a gap: silence keeps the file on the session clock
            self._encode(np.zeros(min(start - self.next, 10 * RATE), dtype=np.float32))
        if len(samples):
            self._encode(samples)

    def _encode(self, samples: np.ndarray) -> None:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self.next
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.next += pcm.shape[1]

    def close(self) -> None:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()
        self.file.close()


class AudioKeeper:
    def __init__(self, directory: str | Path, session_id: str) -> None:
        self.dir = Path(directory) / session_id
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # voices: this user's only
        self._channels: dict[str, _Channel] = {}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="pullcoach-audio-keep",
                                        daemon=True)
        self._thread.start()
        self._closed = False

    def paths(self) -> dict[str, Path]:
        return {s: ch.path for s, ch in self._channels.items()}

    def write(self, block) -> None:
        """Queue one AudioBlock(speaker, start, samples); returns at once."""
        if not self._closed:
            self._queue.put((block.speaker, int(block.start),
                             np.array(block.samples, dtype=np.float32, copy=True)))

    def close(self) -> None:
        """Finish the files (waits for the queue to drain)."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout=30.0)

    def __enter__(self) -> "AudioKeeper":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _free(self, speaker: str) -> Path:
        """``<speaker>.flac``, or ``<speaker>.N.flac`` when a crashed run left that file."""
        path, n = self.dir / f"{speaker}.flac", 1
        while path.exists():
            n += 1
            path = self.dir / f"{speaker}.{n}.flac"
        return path

    def _run(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            speaker, start, samples = item
            try:
                ch = self._channels.get(speaker)
                if ch is None:
                    ch = self._channels[speaker] = _Channel(self._free(speaker))
                ch.write(start, samples)
            except (av.FFmpegError, OSError, ValueError) as exc:
                log.error("keeping %s audio failed: %s", speaker, exc)
        for speaker, ch in self._channels.items():
            try:
                ch.close()
            except (av.FFmpegError, OSError) as exc:
                log.error("finishing %s audio failed: %s", speaker, exc)
