"""LiveSource: capture from sound devices with sounddevice (PortAudio).

Either one input device per speaker (coachee mic; partner = a second mic or a
loopback/monitor source), or one stereo/multichannel device split per channel
(``stereo=DEVICE, channels=(coachee_ch, partner_ch)``). Both speakers may name the
same device: on PulseAudio/PipeWire ("pulse") each stream is routed separately in
pavucontrol (one to the mic, one to a ``.monitor``). Each device opens at its
native default rate; blocks are resampled to 16 kHz with a streaming soxr resampler
on the event loop.

The PortAudio callback only copies the block and hands it to the loop with
``call_soon_threadsafe``; on the loop it goes into a bounded queue that drops (and
counts) when the consumer falls behind. Input overflows reported by PortAudio are
counted too. A drop leaves a gap in ``start``: the clock keeps wall time.

The stream class is injected (``stream_factory``, default ``sounddevice.InputStream``)
so tests drive this same code with a fake stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pullcoach.audio import RATE, SPEAKERS, AudioBlock, DropQueue, Resampler, SourceStats
from pullcoach.errors import AudioDeviceError, ConfigError

log = logging.getLogger(__name__)

NO_PORTAUDIO = ("the PortAudio library is missing, so no live capture; install it "
                "(Debian/Ubuntu: sudo apt-get install libportaudio2) or use `pullcoach replay FILE`")
SEE_DEVICES = "run `pullcoach devices` to list inputs"


def load_sounddevice():
    """Import sounddevice, turning a missing PortAudio into AudioDeviceError."""
    try:
        import sounddevice
    except OSError:
        raise AudioDeviceError(NO_PORTAUDIO) from None
    return sounddevice


def resolve_device(spec: int | str, devices: Sequence[dict]) -> int:
    """Index of the input device given by index or (part of its) name."""
    inputs = [(d.get("index", i), d) for i, d in enumerate(devices)
              if d.get("max_input_channels", 0) > 0]
    if isinstance(spec, int) or str(spec).strip().isdigit():
        idx = int(spec)
        if any(i == idx for i, _ in inputs):
            return idx
        raise AudioDeviceError(f"no input device with index {idx}; {SEE_DEVICES}")
    want = str(spec).strip().lower()
    exact = [i for i, d in inputs if d["name"].lower() == want]
    if len(exact) == 1:
        return exact[0]
    found = [(i, d["name"]) for i, d in inputs if want in d["name"].lower()]
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise AudioDeviceError(f"no input device named like {spec!r}; {SEE_DEVICES}")
    names = ", ".join(f"{i}: {n}" for i, n in found[:4])
    raise AudioDeviceError(f"{spec!r} matches {len(found)} inputs ({names}); give the index "
                           "from `pullcoach devices`")


LOOPBACK_HINTS = ("monitor", "loopback", "blackhole", "stereo mix", "cable output",
                  "soundflower", "what u hear", "wave out mix", "vb-audio", "voicemeeter")


def is_loopback(name: str) -> bool:
    """Does a device name look like a call's output (a loopback/monitor source)?"""
    low = name.lower()
    return any(h in low for h in LOOPBACK_HINTS)


@dataclass(eq=False)
class _Stream:
    device: int
    name: str
    rate: float
    channels: int
    routes: list[tuple[str, int]]          # (speaker, channel column)
    frames: int = 0                         # native frames handed over so far
    offset: int | None = None               # where its frame 0 sits on the session clock
    handle: object = field(default=None, repr=False)


class LiveSource:
    """Two speakers from sound devices -> AudioBlocks (see module docstring)."""

    speakers = SPEAKERS
    rate = RATE

    def __init__(self, coachee: int | str | None = None, partner: int | str | None = None, *,
                 stereo: int | str | None = None, channels: tuple[int, int] = (0, 1),
                 block_ms: int = 50, queue_blocks: int = 64,
                 stream_factory: Callable | None = None,
                 query_devices: Callable[[], Sequence[dict]] | None = None):
        if stream_factory is None or query_devices is None:
            sd = load_sounddevice()
            stream_factory = stream_factory or sd.InputStream
            query_devices = query_devices or sd.query_devices
        self._factory = stream_factory
        self.block_ms = block_ms
        self.queue_blocks = queue_blocks
        devices = list(query_devices())
        if not any(d.get("max_input_channels", 0) > 0 for d in devices):
            raise AudioDeviceError("no audio input devices found; connect a microphone "
                                   "(`pullcoach devices` shows what PortAudio sees)")
        if stereo is not None:
            if coachee is not None or partner is not None:
                raise ConfigError("give either a stereo device or coachee/partner devices, not both")
            idx = resolve_device(stereo, devices)
            dev = devices[idx]
            need = max(channels) + 1
            if min(channels) < 0 or channels[0] == channels[1] or dev["max_input_channels"] < need:
                raise AudioDeviceError(
                    f"device {idx} ({dev['name']}) has {dev['max_input_channels']} input "
                    f"channel(s); channels {channels[0]},{channels[1]} need {need} distinct ones; "
                    f"{SEE_DEVICES}")
            self._streams = [_Stream(idx, dev["name"], float(dev["default_samplerate"]), need,
                                     [(SPEAKERS[0], channels[0]), (SPEAKERS[1], channels[1])])]
        else:
            if coachee is None or partner is None:
                raise AudioDeviceError(
                    "give a device for each speaker (coachee mic, partner = second mic or "
                    f"loopback/monitor), or one stereo device; {SEE_DEVICES}")
            ids = [resolve_device(coachee, devices), resolve_device(partner, devices)]
            self._streams = [_Stream(i, devices[i]["name"], float(devices[i]["default_samplerate"]),
                                     1, [(speaker, 0)]) for i, speaker in zip(ids, SPEAKERS)]
        # a call's output (by its name) for the partner: no near gate on that channel
        self.partner_loopback = stereo is None and is_loopback(self._streams[-1].name)
        self._stats = SourceStats()
        for st in self._streams:
            for speaker, _ in st.routes:
                self._stats.speakers[speaker].native_rate = st.rate
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: DropQueue | None = None
        self._closed = False
        self._t0 = 0.0

    def describe(self) -> list[dict]:
        """Which device feeds which speaker, at which native rate."""
        return [{"device": st.device, "name": st.name, "rate": st.rate,
                 "speakers": {s: c for s, c in st.routes}} for st in self._streams]

    def stats(self) -> dict:
        return self._stats.as_dict()

    # -- PortAudio side (callback threads) ---------------------------------------

    def _callbacks(self, st: _Stream, loop: asyncio.AbstractEventLoop):
        def callback(indata, frames, time_info, status):
            overflow = bool(getattr(status, "input_overflow", False))
            try:
                loop.call_soon_threadsafe(self._offer, st, indata.copy(), overflow)
            except RuntimeError:  # loop closed under us: nothing left to deliver to
                pass

        def finished():
            try:
                loop.call_soon_threadsafe(self._finished, st)
            except RuntimeError:
                pass
        return callback, finished

    # -- loop side ----------------------------------------------------------------

    def _offer(self, st: _Stream, data: np.ndarray, overflow: bool) -> None:
        if st.offset is None:  # first block: place the stream on the session clock
            started = self._loop.time() - self._t0 - len(data) / st.rate
            st.offset = max(0, round(started * RATE))
        idx = st.frames
        st.frames += len(data)
        for speaker, _ in st.routes:
            if overflow:
                self._stats.speakers[speaker].overflows += 1
        if not self._queue.offer((st, idx, data)):
            for speaker, _ in st.routes:
                self._stats.speakers[speaker].dropped += 1

    def _finished(self, st: _Stream) -> None:
        if not self._closed:
            log.warning("input stream from device %s (%s) ended", st.device, st.name)
            self._queue.end()

    def _open(self, st: _Stream) -> None:
        callback, finished = self._callbacks(st, self._loop)
        try:
            st.handle = self._factory(
                device=st.device, channels=st.channels, samplerate=st.rate,
                blocksize=max(1, int(st.rate * self.block_ms / 1000)), dtype="float32",
                callback=callback, finished_callback=finished)
            st.handle.start()
        except Exception as err:  # PortAudioError, or whatever a backend raises
            raise AudioDeviceError(f"cannot open device {st.device} ({st.name}) at "
                                   f"{st.rate:.0f} Hz: {err}; {SEE_DEVICES}") from None

    async def blocks(self):
        if self._closed:
            return
        self._loop = asyncio.get_running_loop()
        self._queue = DropQueue(self.queue_blocks, self._stats)
        self._t0 = self._loop.time()
        state: dict[tuple[int, str], list] = {}   # (stream id, speaker) -> [resampler, next, out]
        try:
            for st in self._streams:
                self._open(st)
            while (item := await self._queue.get()) is not None:
                st, idx, data = item
                for speaker, col in st.routes:
                    for block in self._convert(state, st, speaker, idx, data[:, col]):
                        yield block
            for (sid, speaker), (res, _, out) in state.items():
                tail = res.flush()
                if len(tail):
                    block = AudioBlock(speaker, out, tail)
                    self._stats.delivered(block)
                    yield block
        finally:
            self.close()

    def _convert(self, state, st: _Stream, speaker: str, idx: int, x: np.ndarray):
        key = (id(st), speaker)
        if key not in state:
            state[key] = [Resampler(st.rate), 0, st.offset]
        res, expect, out = state[key]
        if idx != expect:  # blocks were dropped: finish the old piece, restart at the gap
            tail = res.flush()
            if len(tail):
                yield self._deliver(AudioBlock(speaker, out, tail))
            res = Resampler(st.rate)
            out = st.offset + round(idx * RATE / st.rate)
        y = res.feed(x)
        if len(y):
            yield self._deliver(AudioBlock(speaker, out, y))
        state[key] = [res, idx + len(x), out + len(y)]

    def _deliver(self, block: AudioBlock) -> AudioBlock:
        self._stats.delivered(block)
        return block

    def close(self) -> None:
        """Stop capture; blocks already captured are still delivered, then blocks() ends."""
        if self._closed:
            return
        self._closed = True
        for st in self._streams:
            if st.handle is not None:
                try:
                    st.handle.stop()
                    st.handle.close()
                except Exception as err:  # closing must not mask the reason we stop
                    log.warning("closing device %s: %s", st.device, err)
        if self._queue is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._queue.end)
