"""LiveSource: capture from sound devices with sounddevice (PortAudio).

Either one input device per speaker (coachee mic; partner = a second mic or a
loopback/monitor source), or one stereo/multichannel device split per channel
(``stereo=DEVICE, channels=(coachee_ch, partner_ch)``). Both speakers may name the
same device: on PulseAudio/PipeWire ("pulse") each stream is routed separately in
pavucontrol (one to the mic, one to a ``.monitor``). Each device opens at its
native default rate; blocks are resampled to 16 kHz with a streaming soxr resampler
on the event loop.

The PortAudio callback only reads the clock, copies the block and hands both to the loop
with ``call_soon_threadsafe``; on the loop it goes into a bounded queue that drops (and
counts) when the consumer falls behind. Input overflows reported by PortAudio are
counted too.

The clock keeps wall time. A stream is placed on the session clock where its first block
arrived; a dropped block leaves a gap in ``start``. A device's crystal is 10-200 ppm off
its nominal rate, so two devices would slide apart (0.18 s in 30 minutes at 100 ppm): a
``clock_drift.DriftTracker`` per device learns its rate from its block arrivals (in a
minute), and each resampled block gets up to 2 single samples dropped or repeated (at
most 2500 ppm; after dropped blocks, all that is due at once, in the gap). A sound
server's latency steps are not drift and are left alone. One stereo device has one clock:
its two speakers get the same corrections. ``stats()`` reports ``drift_ppm`` (+ = the
device runs fast) and ``drift_corrected`` (samples added, or dropped if negative).

The stream class and the clock are injected (``stream_factory``, default
``sounddevice.InputStream``; ``clock``, default ``time.monotonic``) so tests drive this
same code with a fake stream on simulated time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pullcoach.audio import RATE, SPEAKERS, AudioBlock, DropQueue, Resampler, SourceStats
from pullcoach.clock_drift import DriftTracker
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
        raise AudioDeviceError(f"no input device named like {spec!r}; {SEE_DEVICES} (--coachee and "
                               "--partner pick sound devices; a person's name goes in "
                               "--coachee-name / --partner-name)")
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
    drift: DriftTracker | None = None       # its clock against the wall clock
    handle: object = field(default=None, repr=False)


@dataclass(eq=False)
class _Lane:
    """One stream's way to the session clock: a resampler per route, and where next."""
    res: list[Resampler]
    next: int                               # native frame index expected next
    out: int                                # where the next output sample goes
    shift: int = 0                          # drift correction so far (samples added - dropped)
    drop: int = 0                           # samples still to drop (a gap placed back)


class LiveSource:
    """Two speakers from sound devices -> AudioBlocks (see module docstring)."""

    speakers = SPEAKERS
    rate = RATE
    slew_ppm = 2500  # most drift correction per block: 2 samples of a 50 ms block

    def __init__(self, coachee: int | str | None = None, partner: int | str | None = None, *,
                 stereo: int | str | None = None, channels: tuple[int, int] = (0, 1),
                 block_ms: int = 50, queue_blocks: int = 64,
                 stream_factory: Callable | None = None,
                 query_devices: Callable[[], Sequence[dict]] | None = None,
                 clock: Callable[[], float] = time.monotonic, drift_correction: bool = True):
        if stereo is not None and (coachee is not None or partner is not None):
            raise ConfigError("give either a stereo device or coachee/partner devices, not both")
        if stream_factory is None or query_devices is None:
            sd = load_sounddevice()
            stream_factory = stream_factory or sd.InputStream
            query_devices = query_devices or sd.query_devices
        self._factory = stream_factory
        self._clock = clock
        self.drift_correction = drift_correction
        self.block_ms = block_ms
        self.queue_blocks = queue_blocks
        devices = list(query_devices())
        if not any(d.get("max_input_channels", 0) > 0 for d in devices):
            raise AudioDeviceError("no audio input devices found; connect a microphone "
                                   "(`pullcoach devices` shows what PortAudio sees); without one, "
                                   "`pullcoach demo`, or `--replay RECORDING` on run or capture")
        if stereo is not None:
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
        self._died: str | None = None  # the device whose stream ended while we recorded
        self._t0 = 0.0

    def describe(self) -> list[dict]:
        """Which device feeds which speaker, at which native rate."""
        return [{"device": st.device, "name": st.name, "rate": st.rate,
                 "speakers": {s: c for s, c in st.routes}} for st in self._streams]

    def stats(self) -> dict:
        return self._stats.as_dict()

    # -- PortAudio side (callback threads) ---------------------------------------

    def _callbacks(self, st: _Stream, loop: asyncio.AbstractEventLoop):
        clock = self._clock

        def callback(indata, frames, time_info, status):
            t = clock()  # arrival, read here: the loop may run late
            overflow = bool(getattr(status, "input_overflow", False))
            try:
                loop.call_soon_threadsafe(self._offer, st, indata.copy(), overflow, t)
            except RuntimeError:  # loop closed under us: nothing left to deliver to
                pass

        def finished():
            try:
                loop.call_soon_threadsafe(self._finished, st)
            except RuntimeError:
                pass
        return callback, finished

    # -- loop side ----------------------------------------------------------------

    def _offer(self, st: _Stream, data: np.ndarray, overflow: bool, t: float) -> None:
        t -= self._t0
        if st.offset is None:  # first block: place the stream on the session clock
            st.offset = max(0, round((t - len(data) / st.rate) * RATE))
            st.drift = DriftTracker(st.rate, origin=st.offset / RATE, out_rate=RATE)
        idx = st.frames
        st.frames += len(data)
        st.drift.observe(t, st.frames)  # blocks the queue drops below count too
        for speaker, _ in st.routes:
            sp = self._stats.speakers[speaker]
            sp.drift_ppm = round(st.drift.ppm, 1)
            sp.drift_known = st.drift.trusted
            if overflow:
                sp.overflows += 1
        if not self._queue.offer((st, idx, data, t)):
            for speaker, _ in st.routes:
                self._stats.speakers[speaker].dropped += 1

    def _finished(self, st: _Stream) -> None:
        if not self._closed:
            log.warning("input stream from device %s (%s) ended", st.device, st.name)
            self._died = self._died or f"device {st.device} ({st.name})"
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
        self._t0 = self._clock()
        lanes: dict[int, _Lane] = {}   # id(stream) -> its lane
        try:
            for st in self._streams:
                self._open(st)
            while (item := await self._queue.get()) is not None:
                for block in self._convert(lanes, *item):
                    yield block
            for st in self._streams:
                if id(st) in lanes:
                    for block in self._flush(st, lanes[id(st)]):
                        yield block
            if self._died:  # not a normal end: the session ends as an error, its audio kept
                raise AudioDeviceError(f"the input from {self._died} stopped while recording (unplugged, "
                                       "or the sound server quit); what was recorded is kept. Check "
                                       f"it is back ({SEE_DEVICES}) and start a new session")
        finally:
            self.close()

    def _convert(self, lanes: dict[int, _Lane], st: _Stream, idx: int, data: np.ndarray,
                 t: float):
        lane = lanes.get(id(st))
        if lane is None:
            lane = lanes[id(st)] = _Lane([Resampler(st.rate) for _ in st.routes], 0, st.offset)
        if idx != lane.next:  # blocks were dropped: finish the old piece, restart at the gap
            yield from self._flush(st, lane)
            lane.res = [Resampler(st.rate) for _ in st.routes]
            at = st.offset + round(idx * RATE / st.rate) + lane.shift
            if self.drift_correction:  # the gap hides a correction: take what is due
                n = st.drift.step(max(0, at - lane.out), t, force=True)
                lane.shift += n
                at += n
            lane.drop = max(0, lane.out - at)  # never back over what was delivered
            lane.out = max(lane.out, at)
        lane.next = idx + len(data)
        # same rate, same input: every route's output has the same length
        ys = [res.feed(data[:, col]) for res, (_, col) in zip(lane.res, st.routes)]
        if self.drift_correction:
            ys = self._correct(st, lane, ys, t)
            for speaker, _ in st.routes:
                self._stats.speakers[speaker].drift_corrected = lane.shift
        for (speaker, _), y in zip(st.routes, ys):
            if len(y):
                yield self._deliver(AudioBlock(speaker, lane.out, y))
        lane.out += len(ys[0])

    def _correct(self, st: _Stream, lane: _Lane, ys: list[np.ndarray], t: float):
        """Apply the drift tracker's corrections for one block (arrived at ``t``, maybe
        before the last one the tracker saw) to every route alike."""
        if lane.drop:
            k = min(lane.drop, len(ys[0]))
            ys = [y[k:] for y in ys]
            lane.drop -= k
        # slew up to slew_ppm; none while a drop is under way
        n = st.drift.step(0 if lane.drop else len(ys[0]) * self.slew_ppm // 1_000_000, t)
        if n:
            lane.shift += n
            at = [(i + 1) * len(ys[0]) // (abs(n) + 1) for i in range(abs(n))]  # spread evenly
            ys = [np.insert(y, at, y[np.array(at) - 1]) if n > 0 else np.delete(y, at) for y in ys]
        return ys

    def _flush(self, st: _Stream, lane: _Lane):
        """The resamplers' tails, at the lane's place."""
        tails = [res.flush() for res in lane.res]
        for (speaker, _), tail in zip(st.routes, tails):
            if len(tail):
                yield self._deliver(AudioBlock(speaker, lane.out, tail))
        lane.out += len(tails[0])

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
