"""LiveSource driven by a fake PortAudio stream: resampling, queue drops, overflows, devices."""

import asyncio
import threading

import numpy as np
import pytest

from pullcoach.audio import RATE
from pullcoach.audio_live import LiveSource, resolve_device
from pullcoach.errors import AudioDeviceError, ConfigError

DEVICES = [
    {"index": 0, "name": "HDA Intel PCH: ALC257 Analog (hw:0,0)", "max_input_channels": 2,
     "max_output_channels": 2, "default_samplerate": 44100.0, "hostapi": 0},
    {"index": 1, "name": "USB Headset Mic", "max_input_channels": 1,
     "max_output_channels": 0, "default_samplerate": 48000.0, "hostapi": 0},
    {"index": 2, "name": "Speakers", "max_input_channels": 0,
     "max_output_channels": 2, "default_samplerate": 48000.0, "hostapi": 0},
    {"index": 3, "name": "Monitor of Built-in Audio", "max_input_channels": 2,
     "max_output_channels": 0, "default_samplerate": 48000.0, "hostapi": 0},
    {"index": 4, "name": "USB Audio Interface", "max_input_channels": 4,
     "max_output_channels": 2, "default_samplerate": 44100.0, "hostapi": 0},
]


class Flags:
    """Stands in for sounddevice.CallbackFlags."""

    def __init__(self, input_overflow=False):
        self.input_overflow = input_overflow


class FakeInputStream:
    """Behaves like sounddevice.InputStream: a thread calls `callback` with blocks of
    `signals[device]` (frames x channels) at the stream's rate, then idles until stop();
    finished_callback runs after stop(), as PortAudio does. With `hold_at`, it sets
    `held` after that many blocks and waits for `release` before sending the rest."""

    signals: dict = {}
    overflow_blocks: dict = {}
    pace = 0.0
    hold_at = None
    dies: set = set()  # devices whose stream ends by itself after sending (unplugged, a server gone)
    done: list = []
    held: list = []
    release = threading.Event()

    def __init__(self, *, device, channels, samplerate, blocksize, dtype, callback,
                 finished_callback=None):
        assert dtype == "float32"
        sig = self.signals[device]
        assert sig.shape[1] == channels
        self.samplerate, self.blocksize = samplerate, blocksize
        self.callback, self.finished_callback = callback, finished_callback
        self.sig, self.device = sig, device
        self.over = self.overflow_blocks.get(device, ())
        self.stopped = threading.Event()
        self.sent = threading.Event()
        self.done.append(self.sent)
        self.paused = threading.Event()
        self.held.append(self.paused)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        for k, i in enumerate(range(0, len(self.sig), self.blocksize)):
            if self.stopped.is_set():
                break
            if k == self.hold_at:
                self.paused.set()
                self.release.wait(5)
            block = np.ascontiguousarray(self.sig[i:i + self.blocksize], dtype=np.float32)
            self.callback(block, len(block), None, Flags(k in self.over))
            if self.pace:
                self.stopped.wait(self.pace)
        self.sent.set()
        if self.device not in self.dies:
            self.stopped.wait()
        if self.finished_callback:
            self.finished_callback()

    def stop(self):
        self.stopped.set()
        self.thread.join(5)

    def close(self):
        pass


@pytest.fixture
def fake():
    FakeInputStream.signals = {}
    FakeInputStream.overflow_blocks = {}
    FakeInputStream.pace = 0.0
    FakeInputStream.hold_at = None
    FakeInputStream.dies = set()
    FakeInputStream.done = []
    FakeInputStream.held = []
    FakeInputStream.release = threading.Event()
    return FakeInputStream


def tone(freq, seconds, rate, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    return np.repeat((0.5 * np.sin(2 * np.pi * freq * t))[:, None], channels, axis=1).astype(np.float32)


def source(**kw):
    return LiveSource(stream_factory=FakeInputStream, query_devices=lambda: DEVICES, **kw)


async def drain(src, stall=False):
    """Collect blocks until every fake stream has sent everything, then close.
    stall: after the first block, wait (loop still running) until the fakes hold."""
    got = []

    async def consume():
        async for b in src.blocks():
            got.append(b)
            if stall and len(got) == 1:
                await asyncio.to_thread(lambda: [e.wait(5) for e in FakeInputStream.held])
                FakeInputStream.release.set()

    task = asyncio.create_task(consume())
    while len(FakeInputStream.done) < len(src.describe()):
        await asyncio.sleep(0.01)
    await asyncio.to_thread(lambda: [e.wait(5) for e in FakeInputStream.done])
    src.close()
    await asyncio.wait_for(task, 5)
    return got


def split(blocks):
    out = {"coachee": [], "partner": []}
    for b in blocks:
        out[b.speaker].append(b)
    return out


def peak_hz(x):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spec) * RATE / len(x)


def test_two_devices_at_native_rates_are_resampled(fake):
    fake.signals = {1: tone(440, 1.0, 48000), 3: tone(1000, 1.0, 48000)}
    src = source(coachee="Headset", partner=3)
    blocks = split(asyncio.run(drain(src)))
    for speaker, freq in (("coachee", 440), ("partner", 1000)):
        mine = blocks[speaker]
        for b1, b2 in zip(mine, mine[1:]):
            assert b2.start == b1.end  # contiguous on the session clock
        n = sum(len(b.samples) for b in mine)
        assert abs(n - 16000) <= 1
        assert all(b.samples.dtype == np.float32 and 0 < len(b.samples) <= 1600 for b in mine)
        assert abs(peak_hz(np.concatenate([b.samples for b in mine])) - freq) < 3
    st = src.stats()
    assert st["dropped"] == 0 and st["overflows"] == 0
    assert st["speakers"]["coachee"]["native_rate"] == 48000
    assert not st["speakers"]["coachee"]["drift_known"]   # a second is too short to learn the clock


def test_a_monitor_partner_is_known_to_be_a_calls_output(fake):
    assert source(coachee="Headset", partner=3).partner_loopback  # "Monitor of Built-in Audio"
    assert not source(coachee="Headset", partner=0).partner_loopback  # a second mic
    assert not source(stereo=4).partner_loopback  # a stereo recorder: face to face


def test_stereo_device_split_per_channel_at_44k1(fake):
    sig = np.concatenate([tone(300, 1.0, 44100), tone(1200, 1.0, 44100),
                          tone(50, 1.0, 44100), tone(2000, 1.0, 44100)], axis=1)
    fake.signals = {4: sig}
    src = source(stereo="USB Audio Interface", channels=(3, 1))
    blocks = split(asyncio.run(drain(src)))
    for speaker, freq in (("coachee", 2000), ("partner", 1200)):
        x = np.concatenate([b.samples for b in blocks[speaker]])
        assert abs(len(x) - 16000) <= 1
        assert abs(peak_hz(x) - freq) < 3
    assert src.describe() == [{"device": 4, "name": "USB Audio Interface", "rate": 44100.0,
                               "speakers": {"coachee": 3, "partner": 1}}]


def test_stalled_consumer_drops_are_counted_and_leave_a_gap(fake):
    fake.signals = {1: tone(440, 2.0, 48000), 3: tone(1000, 2.0, 48000)}
    fake.hold_at = 30  # 1.5 s sent while the consumer stalls, then the rest
    fake.pace = 0.01
    src = source(coachee=1, partner=3, queue_blocks=6)
    blocks = split(asyncio.run(drain(src, stall=True)))
    st = src.stats()
    assert st["dropped"] >= 20
    assert st["max_queue"] == 6
    for speaker in ("coachee", "partner"):
        mine = blocks[speaker]
        kept = sum(len(b.samples) for b in mine)
        lost = st["speakers"][speaker]["dropped"] * 800  # 50 ms blocks at 16 kHz
        assert abs(kept + lost - 32000) <= 2
        assert any(b2.start > b1.end for b1, b2 in zip(mine, mine[1:]))
        assert abs(mine[-1].end - mine[0].start - 32000) <= 2  # the clock kept wall time


def test_input_overflows_are_counted(fake):
    fake.signals = {1: tone(440, 1.0, 48000), 3: tone(1000, 1.0, 48000)}
    fake.overflow_blocks = {3: (2, 7, 11)}
    src = source(coachee=1, partner=3)
    asyncio.run(drain(src))
    st = src.stats()
    assert st["speakers"]["partner"]["overflows"] == 3
    assert st["speakers"]["coachee"]["overflows"] == 0
    assert st["overflows"] == 3


def test_realtime_fake_stream_keeps_both_speakers_aligned(fake):
    fake.signals = {1: tone(440, 0.5, 48000), 0: tone(1000, 0.5, 44100, channels=1)}
    fake.pace = 0.05
    src = source(coachee=1, partner=0)
    blocks = split(asyncio.run(drain(src)))
    first = {s: b[0].start for s, b in blocks.items()}
    assert abs(first["coachee"] - first["partner"]) < 0.1 * RATE
    assert all(abs(sum(len(b.samples) for b in bl) - 8000) <= 1 for bl in blocks.values())


@pytest.mark.parametrize("kw,needle", [
    ({"coachee": 9, "partner": 1}, "no input device with index 9"),
    ({"coachee": 2, "partner": 1}, "no input device with index 2"),   # output only
    ({"coachee": "Bluetooth", "partner": 1}, "no input device named like 'Bluetooth'"),
    # a person's name where a device goes: say where names go
    ({"coachee": "Jordan Ellis", "partner": 1}, "a person's name goes in --coachee-name"),
    ({"coachee": "USB", "partner": 3}, "matches 2 inputs"),
    ({"coachee": 1}, "give a device for each speaker"),
    ({"stereo": 1}, "has 1 input channel"),
    ({"stereo": 4, "channels": (0, 0)}, "need 1 distinct"),
])
def test_bad_devices_name_the_devices_command(fake, kw, needle):
    with pytest.raises(AudioDeviceError) as err:
        source(**kw)
    assert needle in str(err.value)
    assert "pullcoach devices" in str(err.value)


def test_stereo_and_per_speaker_devices_exclude_each_other(fake):
    with pytest.raises(ConfigError):
        source(stereo=4, coachee=1)


def test_a_flag_conflict_is_said_before_the_devices_are_looked_at():
    # with no input devices the user still hears what is wrong with the command line
    with pytest.raises(ConfigError, match="not both"):
        LiveSource(stereo="X", coachee="Y", stream_factory=FakeInputStream,
                   query_devices=lambda: [DEVICES[2]])


def test_no_input_devices_at_all():
    with pytest.raises(AudioDeviceError, match="no audio input devices"):
        LiveSource(coachee=0, partner=1, stream_factory=FakeInputStream,
                   query_devices=lambda: [DEVICES[2]])


def test_a_device_that_fails_to_open(fake):
    def broken(**kw):
        raise RuntimeError("Error opening InputStream: Invalid sample rate [PaErrorCode -9997]")

    src = LiveSource(coachee=1, partner=3, stream_factory=broken, query_devices=lambda: DEVICES)

    async def run():
        async for _ in src.blocks():
            pass

    with pytest.raises(AudioDeviceError, match=r"cannot open device 1 \(USB Headset Mic\) at 48000 Hz"):
        asyncio.run(run())


def test_resolve_device_exact_name_wins_over_substring():
    devs = DEVICES + [{"index": 5, "name": "USB Headset Mic 2", "max_input_channels": 1,
                       "default_samplerate": 48000.0}]
    assert resolve_device("usb headset mic", devs) == 1
    assert resolve_device("3", devs) == 3
    assert resolve_device("monitor", devs) == 3


def test_a_stream_that_ends_by_itself_is_an_error_and_what_came_is_delivered(fake):
    """The sound server quit mid-run: the session ended as if by Ctrl-C ('ended', no
    audio-error) and the report read like a normal short talk."""
    fake.signals = {1: tone(440, 0.5, 48000), 3: tone(880, 0.5, 48000)}
    fake.dies = {1}  # the coachee's headset
    src = source(coachee=1, partner=3)
    got = []

    async def consume():
        async for b in src.blocks():
            got.append(b)

    with pytest.raises(AudioDeviceError, match="stopped while recording .* what was recorded is kept"):
        asyncio.run(asyncio.wait_for(consume(), 5))
    assert sum(len(b.samples) for b in got if b.speaker == "coachee") >= 7000  # what came is kept
