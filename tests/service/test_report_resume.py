"""A capture started again after a crash or kill leaves a gap in the session; the report
says so, with its length, instead of blaming a device (the pipeline's "channel-stalled"
where the gap is filled with silence)."""

from __future__ import annotations

import asyncio
import re
import sys
from html import unescape
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_capture_resume import Live, Server, Ticking, crashed, run  # noqa: E402

from pullcoach import ingest
from pullcoach.report import build, render
from pullcoach.rules.events import PipelineWarning, SessionEnded, SessionStarted

RATE = ingest.RATE


def _block(speaker, t0, seconds, level=0.1):
    return ingest.AudioBlock(speaker=speaker, start=int(t0 * RATE),
                             samples=np.full(int(seconds * RATE), level, np.float32))


def _handed_over(feed):
    """What ``WebSocketSource.blocks`` hands the session for the blocks ``feed(source)``
    puts in, with the resume markers where they come: ("gap", t0, t1) or (speaker, start, silent)."""
    async def main():
        src = ingest.WebSocketSource(elapsed=100.0)
        src.on_resume_gap = lambda t0, t1: out.append(("gap", t0, t1))
        feed(src)
        src.close()
        async for b in src.blocks():
            out.append((b.speaker, b.start / RATE, not b.samples.any()))

    out: list = []
    asyncio.run(main())
    return out


def test_a_resumed_captures_gap_is_marked_once_before_its_silence():
    def feed(src):
        for t in (0.0, 0.5, 1.0, 1.5):
            src.feed(_block("coachee", t, 0.5))
            src.feed(_block("partner", t, 0.5))
        src.resumed()  # the capture came back: its audio goes on at 5 s
        for t in (5.0, 5.5):
            src.feed(_block("coachee", t, 0.5))
            src.feed(_block("partner", t, 0.5))

    out = _handed_over(feed)
    gaps = [x for x in out if x[0] == "gap"]
    assert gaps == [("gap", 2.0, 5.0)]  # once for both channels
    at = out.index(gaps[0])
    assert all(not silent for _, _, silent in out[:at])  # after the audio before the gap ...
    assert out[at + 1] == ("coachee", 2.0, True)  # ... and before its silence


def test_a_reconnect_that_lost_nothing_and_a_first_block_are_no_gap():
    def feed(src):
        src.resumed()  # a revived session's first capture: its first blocks start late
        src.feed(_block("coachee", 30.0, 0.5))
        src.feed(_block("partner", 30.0, 0.5))
        src.resumed()  # a network drop: the capture resends, nothing missing
        src.feed(_block("coachee", 30.5, 0.5))
        src.feed(_block("partner", 30.5, 0.5))

    assert not [x for x in _handed_over(feed) if x[0] == "gap"]


class Injectable(Ticking):
    """The stand-in session, taking events from outside the audio as LiveSession.inject does."""

    def inject(self, event):
        self.hub.publish(self.id, event)


class InjectServer(Server):
    session_cls = Injectable


def test_a_capture_killed_and_started_again_is_reported_as_a_restart_with_its_gap(tmp_path):
    async def main():
        server = await InjectServer().start()
        sid = await crashed(server, Live(10, 0.1), tmp_path, after_s=1.5)
        await asyncio.sleep(2.5)  # the user starts it again
        assert await asyncio.wait_for(run(server, Live(1.5, 0.2), tmp_path), 20) == sid
        await server.service.close()
        return server.of(sid)

    events = asyncio.run(asyncio.wait_for(main(), 60))
    (mark,) = [e for e in events if isinstance(e, PipelineWarning)]
    assert mark.kind == "capture-resumed"
    assert mark.t == pytest.approx(1.5, abs=0.2)  # where the first capture's audio stopped
    assert mark.detail["resumed_at"] - mark.t == pytest.approx(mark.detail["gap_s"], abs=0.002)
    assert 2.4 < mark.detail["gap_s"] < 4.5
    (p,) = build(events)["problems"]
    assert (p["kind"], p["t0"], p["t1"]) == ("capture-resumed", mark.t, mark.detail["resumed_at"])
    md = render(events, "md")
    assert re.search(r"> Van 0:01 tot 0:0\d ontbreekt de audio \(\d s\): de opname \(pullcoach capture\) "
                     r"stopte en werd opnieuw gestart\. Die tijd telt als stilte\.", md)


def _log(*warnings, lang="nl"):
    return [SessionStarted(session="s", lang=lang, wall_clock=1_760_000_000.0, coachee="Anna",
                           partner="Bram"), *warnings, SessionEnded(t=107.2)]


# what `pullcoach serve` stored for a capture killed after 19 s and started again 26 s later
RESUMED = PipelineWarning(t=19.2, kind="capture-resumed", message="…",
                          detail={"resumed_at": 44.918, "gap_s": 25.718})
STALLED = PipelineWarning(t=19.2, kind="channel-stalled", message="…", detail={"speaker": "partner"})
OK = PipelineWarning(t=44.2, kind="channel-ok", message="…", detail={"speaker": "partner", "after": "channel-stalled"})


def test_the_channel_the_gap_stalled_is_not_reported_as_a_device_gone():
    for lang, said, blamed in (
            ("nl", "> Van 0:19 tot 0:44 ontbreekt de audio (25 s): de opname (pullcoach capture) stopte en "
                   "werd opnieuw gestart. Die tijd telt als stilte.", "apparaat weg"),
            ("en", "> From 0:19 to 0:44 the audio is missing (25 s): the capture (pullcoach capture) stopped "
                   "and was started again. That time counts as silence.", "device gone")):
        md = render(_log(RESUMED, STALLED, OK, lang=lang), "md")
        assert said in md and blamed not in md
        assert said[2:] in render(_log(RESUMED, STALLED, OK, lang=lang), "html")
    # without the marker (a session from before it) the stall is all the log says
    assert "apparaat weg of gestopt" in render(_log(STALLED, OK), "md")


def test_a_channel_still_gone_after_the_capture_came_back_is_dated_from_then():
    problems = build(_log(RESUMED, STALLED))["problems"]  # never ok again
    assert [(p["kind"], p["t0"], p["t1"]) for p in problems] == [
        ("capture-resumed", 19.2, 44.918), ("channel-stalled", 44.918, None)]
    assert "Vanaf 0:44 kwam er geen audio van Bram binnen (apparaat weg of gestopt)." in render(
        _log(RESUMED, STALLED), "md")
    # a mic silent from before the capture stopped is the mic, gap or not
    silent = PipelineWarning(t=19.0, kind="channel-silent", message="…",
                             detail={"speaker": "coachee", "reason": "no-sound", "seconds": 20.0})
    assert [p["kind"] for p in build(_log(silent, RESUMED))["problems"]] == ["channel-silent", "capture-resumed"]


def _hatched(html):
    """(title, x, width, y, height) of each stretch the timeline marks as having no audio."""
    return [(unescape(t), float(x), float(w), int(y), int(h)) for x, y, w, h, t in re.findall(
        r'<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="(\d+)" fill="url\(#pc-no-audio\)" '
        r'class="no-audio"><title>([^<]*)</title>', html)]


def test_the_timeline_hatches_a_stretch_with_no_audio_and_the_legend_says_it_is_missing():
    """A capture's gap covers both rows, a channel still gone after it only its own, a lost
    stretch of a rescued store both: a blank row there would read as silence."""
    from pullcoach.timeline_svg import ROWS
    lost = PipelineWarning(t=80.0, kind="store-rescued", message="…",
                           detail={"t0": 80.0, "t1": 95.0, "events": 12})
    html = render(_log(RESUMED, STALLED, lost), "html")
    gap, stalled, rescued = _hatched(html)
    assert gap[0] == "0:19–0:44 geen audio: de opname was gestopt"
    assert (gap[3], gap[3] + gap[4]) == (ROWS["coachee"][0], ROWS["partner"][1])
    assert stalled[0] == "0:44–1:47 geen audio van Bram: het apparaat leverde niets"
    assert (stalled[3], stalled[3] + stalled[4]) == ROWS["partner"]
    assert stalled[1] + stalled[2] == pytest.approx(960 - 12, abs=0.2)   # to the end
    assert gap[1] < stalled[1] == pytest.approx(gap[1] + gap[2], abs=0.2)
    assert rescued[0] == "1:20–1:35 ontbreekt: bij het herstel van het sessiebestand verloren"
    assert "geen audio: ontbreekt, geen stilte</span>" in html   # the legend says what the hatch is
    en = render(_log(RESUMED, STALLED, OK, lang="en"), "html")
    assert [h[0] for h in _hatched(en)] == ["0:19–0:44 no audio: the capture had stopped"]  # the gap's stall: the gap
    assert "no audio: missing, not silence</span>" in en
    # a session with all its audio shows neither
    plain = render(_log(OK), "html")
    assert not _hatched(plain) and "pc-no-audio" not in plain and "geen stilte" not in plain
