"""FileSource: a recorded conversation as if it were live.

One stereo file (left = coachee, right = partner) or two files (coachee, partner;
each mixed down to mono). Anything PyAV/FFmpeg decodes, at any rate: frames are
converted to float by PyAV and resampled to 16 kHz by a streaming soxr resampler.

``speed="realtime"`` paces blocks to the loop clock (block k is handed over when its
last sample would have been captured live; due times are computed from the start, so
no drift accumulates) through the same bounded, drop-counting queue a live source
uses: a consumer that falls behind loses blocks, as it would live. ``speed="max"``
yields blocks as fast as the consumer takes them, never dropping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import numpy as np

from pullcoach.audio import RATE, SPEAKERS, AudioBlock, DropQueue, Resampler, SourceStats
from pullcoach.errors import AudioError, ConfigError
from pullcoach.rules.events import PipelineWarning

log = logging.getLogger(__name__)

SPEEDS = ("realtime", "max")
UNEVEN_S = 5.0  # two files whose lengths differ more than this are worth a word
# formats whose header says their length exactly: shorter than that is a break
EXACT_LENGTH = ("wav", "flac")
CHANNEL_HINT = "give a stereo file (left = coachee, right = partner) or two mono files (coachee, partner)"


def probe(path: Path) -> tuple[int, int]:
    """(channels, sample rate) of the file's first audio stream, or AudioError."""
    if path.is_dir():
        raise AudioError(f"{path} is a folder; give an audio file in it (a stereo file, or the "
                         "coachee's and the partner's files)")
    if not path.is_file():
        home = (" (a ~ in quotes is not your home folder: leave the quotes out, or write the "
                "whole path)") if str(path).startswith("~") and path.expanduser().exists() else ""
        raise AudioError(f"{path}: no such file; check the path{home}")
    if path.stat().st_size == 0:
        raise AudioError(f"{path} is empty (0 bytes): the recording was not saved; give another file")
    if _is_text(path):  # (no audio file is: they all hold NUL bytes or non-UTF-8 in their header)
        raise AudioError(f"cannot read {path} as audio (it is a text file); give a WAV/FLAC/MP3/OGG "
                         "file FFmpeg can decode")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"{path} has no audio stream; give an audio file")
            stream = container.streams.audio[0]
            cc = stream.codec_context
            channels, rate = cc.layout.nb_channels, cc.sample_rate
            if next(container.decode(stream), None) is None:  # a header and nothing after it
                raise AudioError(f"{path} holds no audio (0 s): the recording stopped before it "
                                 "began, or this is not the file; give the recording itself")
    except av.FFmpegError as err:
        raise AudioError(f"cannot read {path} as audio ({err.strerror or err}); "
                         "give a WAV/FLAC/MP3/OGG file FFmpeg can decode") from None
    if channels < 1 or rate < 1:
        raise AudioError(f"cannot read {path} as audio (no channels or rate); "
                         "give a WAV/FLAC/MP3/OGG file FFmpeg can decode")
    return channels, rate


def _is_text(path: Path) -> bool:
    """The file starts as UTF-8 text (a transcript or notes renamed .wav)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:  # (a character cut at the 4096th byte is still text)
        text = head[:err.start].decode("utf-8") if err.start > len(head) - 4 else ""
    return bool(text) and "\0" not in text


def decode(path: Path, mixdown: bool) -> Iterator[np.ndarray]:
    """Yield float32 arrays (n, channels) at 16 kHz; mono (n, 1) when mixdown. A file that
    breaks off (damaged data, or shorter than its header says) yields all it has, then
    raises AudioError."""
    resamplers: list[Resampler] = []
    done = 0.0
    broke: AudioError | None = None
    nan = _NotNumbers()
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            to_float = None
            for frame in container.decode(stream):
                if to_float is None:
                    to_float = av.AudioResampler(format="fltp", layout=frame.layout,
                                                 rate=frame.sample_rate)
                for f in to_float.resample(frame):
                    if not resamplers:
                        n = 1 if mixdown else f.layout.nb_channels
                        resamplers = [Resampler(f.sample_rate) for _ in range(n)]
                    yield _convert(nan.clean(f.to_ndarray(), done, f.sample_rate), resamplers, mixdown)
                    done += f.samples / f.sample_rate
            if to_float is not None:
                for f in to_float.resample(None):
                    yield _convert(nan.clean(f.to_ndarray(), done, f.sample_rate), resamplers, mixdown)
            if nan.count:
                log.warning("%s: %d samples from %.1f s on are not numbers (damaged float audio); "
                            "they are replayed as silence", path, nan.count, nan.first)
            said = _declared_s(path, container, stream)
            if said and said - done > max(1.0, 0.02 * said):
                cut = (f"{path}: the audio ends at {done:.1f} s but the file says it runs {said:.1f} s: "
                       "it is cut short or damaged")
                if container.format.name in EXACT_LENGTH:
                    broke = AudioError(f"{cut}; re-export it to have all")
                else:  # a length guessed from the bit rate (a VBR MP3) may be wrong: a word only
                    log.warning("%s; only the %.1f s that are there are replayed (re-export it to have "
                                "all)", cut, done)
    except av.FFmpegError as err:
        broke = AudioError(f"{path}: broken audio data after {done:.1f} s "
                           f"({err.strerror or err}); re-export or repair the file")
    if resamplers:
        tail = [r.flush() for r in resamplers]
        n = min(len(t) for t in tail)
        if n:
            yield np.stack([t[:n] for t in tail], axis=1)
    if broke is not None:
        raise broke


def file_broken(t: float, speaker: str, file: str, error: str, *, said_by: str = "",
                files=()) -> PipelineWarning:
    """A replayed file that broke off at ``t`` s: the session's dated ``channel-stalled``
    warning (cause ``file-broken``), the same whether the replay is local or a capture's.
    ``files``: the replay's files, when known; one is a stereo file with both sides in it,
    so its break is the recording's (``detail["files"]`` says so), not the coachee's file."""
    t = round(t, 3)
    stereo = speaker == SPEAKERS[0] and len(files) == 1
    rest = ("The rest of the partner's side is missing (silence from there on); the coachee's "
            "side was coached to its end" if speaker == SPEAKERS[1] else
            "The capture stopped there: the session ends with the audio before it")
    what = f" ({error})" if error else ""
    whose = "The recording" if stereo else f"The {speaker}'s file"
    both = "; it holds both sides (one stereo file)" if stereo else ""
    return PipelineWarning(
        t=t, kind="channel-stalled",
        message=f"{whose} broke off at {int(t // 60)}:{t % 60:04.1f}{what}{both}. {rest}.{said_by}",
        detail={"speaker": speaker, "cause": "file-broken", "file": file, "error": error,
                **({"files": [file]} if stereo else {})})


def _declared_s(path: Path, container, stream) -> float | None:
    """How long the file says it is (its header), or None when it does not say. FFmpeg
    measures a WAV by its size, so a cut WAV is read by its own ``data`` chunk size."""
    if container.format.name == "wav":
        return _wav_data_s(path, stream)
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return container.duration / 1_000_000 if container.duration else None


def _wav_data_s(path: Path, stream) -> float | None:
    cc = stream.codec_context
    bytes_per_s = cc.sample_rate * cc.layout.nb_channels * (cc.format.bits if cc.format else 0) // 8
    with path.open("rb") as fh:
        head = fh.read(4096)
    at = head.find(b"data", 12)
    if at < 0 or not bytes_per_s:
        return None
    size = int.from_bytes(head[at + 4:at + 8], "little")
    return None if size in (0, 0xFFFFFFFF) else size / bytes_per_s  # streamed WAVs say nothing


class _NotNumbers:
    """NaN and infinite samples (a damaged float file) as silence: one of them through the
    VAD lost the whole utterance around it."""

    def __init__(self) -> None:
        self.count, self.first = 0, 0.0

    def clean(self, planar: np.ndarray, at: float, rate: int) -> np.ndarray:
        ok = np.isfinite(planar)
        if ok.all():
            return planar
        if not self.count:
            self.first = at + int(np.argmin(ok.all(axis=0))) / rate
        self.count += int(ok.size - ok.sum())
        return np.where(ok, planar, 0.0).astype(planar.dtype, copy=False)


def _convert(planar: np.ndarray, resamplers: list[Resampler], mixdown: bool) -> np.ndarray:
    x = planar.astype(np.float32, copy=False)
    if mixdown:
        x = x.mean(axis=0, keepdims=True)
    cols = [r.feed(x[i]) for i, r in enumerate(resamplers)]
    n = min(len(c) for c in cols)
    return np.stack([c[:n] for c in cols], axis=1)


class FileSource:
    """Stereo file or two mono files -> AudioBlocks (see module docstring)."""

    speakers = SPEAKERS
    rate = RATE

    def __init__(self, path: str | Path, path2: str | Path | None = None, *,
                 speed: str = "max", block_ms: int = 50, queue_blocks: int = 100):
        if speed not in SPEEDS:
            raise ConfigError(f"speed must be 'realtime' or 'max', not {speed!r}")
        self.paths = [Path(path)] + ([Path(path2)] if path2 is not None else [])
        self.speed = speed
        self.block = max(1, int(RATE * block_ms / 1000))
        self.queue_blocks = queue_blocks
        self._stats = SourceStats()
        info = [probe(p) for p in self.paths]
        if len(self.paths) == 2 and self.paths[0].samefile(self.paths[1]):
            raise AudioError(f"{self.paths[0]} is given twice, as the coachee's and as the partner's "
                             f"file: give the partner's own recording (or one stereo file)")
        if len(self.paths) == 1:
            channels, rate = info[0]
            if channels != 2:
                what = "is mono" if channels == 1 else f"has {channels} channels"
                raise AudioError(f"{self.paths[0]} {what}: {CHANNEL_HINT}")
            rates = [rate, rate]
        else:
            for p, (channels, _) in zip(self.paths, info):
                if channels > 1:
                    log.info("%s has %d channels; mixing down to mono", p, channels)
            rates = [info[0][1], info[1][1]]
        for name, r in zip(SPEAKERS, rates):
            self._stats.speakers[name].native_rate = float(r)
        # the partner's file broke off: its warning (channel-stalled, cause file-broken);
        # ``on_warning(event)`` (e.g. a session's inject) gets it in time order, else it is logged
        self.broken: list[PipelineWarning] = []
        self.on_warning: Callable[[PipelineWarning], None] | None = None
        self._untold: list[PipelineWarning] = []
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: DropQueue | None = None

    def stats(self) -> dict:
        return self._stats.as_dict()

    def close(self) -> None:
        """Stop delivering; call on the loop thread (or from any thread once running)."""
        self._closed = True
        if self._queue is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._queue.end)

    def produce(self) -> Iterator[AudioBlock]:
        """All blocks, in time order (coachee then partner per step), no pacing. The
        coachee's file (or the stereo file) breaking ends it there (AudioError, after the
        audio before the break); the partner's is silence from its break (see ``broken``)."""
        if len(self.paths) == 1:
            feeds = [decode(self.paths[0], mixdown=False)]
            routes = [(SPEAKERS[0], 0, 0), (SPEAKERS[1], 0, 1)]
        else:
            feeds = [decode(p, mixdown=True) for p in self.paths]
            routes = [(SPEAKERS[0], 0, 0), (SPEAKERS[1], 1, 0)]
        width = [2 if len(feeds) == 1 else 1] * len(feeds)
        bufs = [np.zeros((0, w), np.float32) for w in width]
        done = [False] * len(feeds)
        errors: list[AudioError | None] = [None] * len(feeds)
        ended: list[int | None] = [None] * len(feeds)  # sample where each feed ran out
        pos = 0
        while True:
            for i, feed in enumerate(feeds):
                while not done[i] and len(bufs[i]) < self.block:
                    try:
                        chunk = next(feed, None)
                    except AudioError as err:
                        chunk, errors[i] = None, err
                        if i == 1:  # the partner's file: the coachee's goes on
                            self._partner_broke(pos + len(bufs[i]), err)
                    if chunk is None:
                        done[i] = True
                    else:
                        bufs[i] = np.concatenate([bufs[i], chunk])
            if errors[0] is not None and not len(bufs[0]):
                raise errors[0]  # the coachee's audio broke: what came before is delivered
            n = min(self.block, max(len(b) for b in bufs))
            if errors[0] is not None:
                n = min(n, len(bufs[0]))
            for i, d in enumerate(done):
                if d and not len(bufs[i]) and ended[i] is None:
                    ended[i] = pos
            if n == 0:
                if len(feeds) == 2 and not self.broken and abs(ended[0] - ended[1]) > UNEVEN_S * RATE:
                    short = 0 if ended[0] < ended[1] else 1
                    log.warning("%s ends at %.1f s, %s runs on to %.1f s: are they the two sides of one "
                                "conversation? (the shorter one is silence after its end)",
                                self.paths[short], ended[short] / RATE, self.paths[1 - short],
                                ended[1 - short] / RATE)
                return
            for i, b in enumerate(bufs):
                if len(b) < n:  # this feed ended first: pad with silence
                    bufs[i] = np.concatenate([b, np.zeros((n - len(b), width[i]), np.float32)])
            for speaker, i, col in routes:
                yield AudioBlock(speaker, pos, np.ascontiguousarray(bufs[i][:n, col]))
            bufs = [b[n:] for b in bufs]
            pos += n

    def _partner_broke(self, at: int, err: AudioError) -> None:
        """The partner's file broke at sample ``at``: a warning for the session (handed to
        ``on_warning`` once the blocks up to there are delivered), or the log without one."""
        warning = file_broken(at / RATE, SPEAKERS[1], str(self.paths[1]), str(err))
        self.broken.append(warning)
        if self.on_warning is None:
            log.warning("%s", warning.message)
        else:
            self._untold.append(warning)

    def _tell(self, upto: float = float("inf")) -> None:
        """Hand the warnings dated up to ``upto`` (samples) to ``on_warning``."""
        while self._untold and self._untold[0].t * RATE <= upto:
            self.on_warning(self._untold.pop(0))

    async def blocks(self):
        try:
            async for block in self._blocks():
                yield block
                self._tell(block.end)  # the session has taken the audio before it
        finally:
            self._tell()

    async def _blocks(self):
        if self.speed == "max":
            for block in self.produce():
                if self._closed:
                    return
                self._stats.delivered(block)
                yield block
                await asyncio.sleep(0)
            return
        self._loop = asyncio.get_running_loop()
        self._queue = DropQueue(self.queue_blocks, self._stats)
        error: list[BaseException] = []
        pacer = asyncio.create_task(self._pace(self._queue, error))
        try:
            while (block := await self._queue.get()) is not None:
                self._stats.delivered(block)
                yield block
        finally:
            self._closed = True
            pacer.cancel()
        if error:
            raise error[0]

    async def _pace(self, queue: DropQueue, error: list) -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        try:
            for block in self.produce():
                delay = t0 + block.end / RATE - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if self._closed:
                    break
                if not queue.offer(block):
                    self._stats.speakers[block.speaker].dropped += 1
        except AudioError as err:
            error.append(err)
        finally:
            queue.end()
