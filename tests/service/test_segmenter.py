"""The Segmenter keeps both channels in lockstep; a channel that stalls is filled with
silence, and the user is told once."""

import numpy as np

from pullcoach.pipeline import PipelineConfig, Segmenter
from pullcoach.rules.events import PipelineWarning, Tick

BLOCK = 1600  # 0.1 s


def feed_coachee_only(seg, seconds, start=0):
    out = []
    for i in range(int(seconds * 10)):
        events, _ = seg.feed("coachee", start + i * BLOCK, np.zeros(BLOCK, np.float32))
        out += events
    return out


def test_a_stalled_partner_channel_is_padded_and_reported_once():
    seg = Segmenter(PipelineConfig())
    events = feed_coachee_only(seg, 5.0)
    warnings = [e for e in events if isinstance(e, PipelineWarning)]
    assert [w.kind for w in warnings] == ["channel-stalled"]
    assert warnings[0].detail == {"speaker": "partner"} and "partner" in warnings[0].message
    # the coachee goes on being processed: ticks keep coming up to 2 s behind the audio
    ticks = [e.t for e in events if isinstance(e, Tick)]
    assert ticks[-1] >= 5.0 - 2.0 - 0.1
    assert seg.channels["partner"].padded >= 2.9 * 16000


def test_a_channel_that_comes_back_and_stalls_again_is_reported_again():
    seg = Segmenter(PipelineConfig())
    feed_coachee_only(seg, 4.0)
    # the partner catches up: blocks up to where the coachee is
    end = seg.channels["coachee"].ring.end
    start = seg.channels["partner"].ring.end
    seg.feed("partner", start, np.zeros(end - start, np.float32))
    events = feed_coachee_only(seg, 4.0, start=end)
    assert [e.kind for e in events if isinstance(e, PipelineWarning)] == ["channel-stalled"]


def test_channels_in_step_give_no_warning():
    seg = Segmenter(PipelineConfig())
    events = []
    for i in range(50):
        for sp in ("coachee", "partner"):
            events += seg.feed(sp, i * BLOCK, np.zeros(BLOCK, np.float32))[0]
    assert not [e for e in events if isinstance(e, PipelineWarning)]


def test_devices_that_wake_late_together_are_not_a_stall():
    # PulseAudio wakes an idle monitor ~2 s in: the coachee's first block lands at 2.0 s,
    # the partner's 3 ms later; nothing stalled
    seg = Segmenter(PipelineConfig())
    events = []
    for i in range(30):
        for sp in ("coachee", "partner"):
            events += seg.feed(sp, 32048 + i * 800, np.zeros(800, np.float32))[0]
    assert not [e for e in events if isinstance(e, PipelineWarning)]
    assert seg.channels["partner"].padded == 0


def test_a_channel_that_never_starts_is_reported_from_where_the_other_began():
    seg = Segmenter(PipelineConfig())
    events = feed_coachee_only(seg, 1.9, start=32000)
    assert not [e for e in events if isinstance(e, PipelineWarning)]
    events = feed_coachee_only(seg, 0.3, start=32000 + 19 * BLOCK)
    (w,) = [e for e in events if isinstance(e, PipelineWarning)]
    assert w.kind == "channel-stalled" and w.t == 2.0 and "yet" in w.message
