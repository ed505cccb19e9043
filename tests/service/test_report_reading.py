"""The report as a coachee reads it: numbers that add up, one excerpt per moment, words
that say what was measured (findings from reading the reports of four role-plays)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import session_events  # noqa: E402

from pullcoach.report import build, render
from pullcoach.report_text import pct, ratio
from pullcoach.rules.events import (
    NudgeIssued, SessionEnded, SessionStarted, SpeechEnded, SpeechStarted, TranscriptFinal,
    UtteranceLabeled,
)


def scripted(lines, nudges=(), *, end=60.0, lang="nl", wall=1_760_000_000.0):
    """A session from (speaker, t0, t1, text, labels) lines and nudges."""
    events: list = [SessionStarted(session=f"s{wall:.0f}", lang=lang, wall_clock=wall,
                                   coachee="Anna", partner="Bert")]
    timed: list = []
    for speaker, t0, t1, text, labels in lines:
        timed += [SpeechStarted(t=t0, speaker=speaker), SpeechEnded(t=t1, speaker=speaker),
                  TranscriptFinal(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text),
                  UtteranceLabeled(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text,
                                   labels=labels)]
    events += sorted([*timed, *nudges], key=lambda e: e.t)
    return [*events, SessionEnded(t=end, reason="ended")]


def test_shown_numbers_round_half_up_everywhere():
    assert ratio(0.25, ",") == "0,3 : 1" and ratio(0.35) == "0.4 : 1" and ratio(1.0) == "1 : 1"
    assert pct(0.125) == "13%" and pct(0.005) == "1%" and pct(0.5749) == "57%"
    # one reflection to four questions: 0.25 shows as 0,3 (Python's round gave "0,2 : 1")
    lines = [("coachee", 1.0 + 4 * i, 3.0 + 4 * i, "Wat vind jij?", {"question": "open"})
             for i in range(4)]
    lines.append(("coachee", 20.0, 23.0, "Dus je wilt rust.", {"reflection": True}))
    events = scripted(lines)
    assert build(events)["figures"]["reflections_questions"]["value"] == 0.25
    assert "0,3 : 1" in render(events, "html") and "**0,3 : 1 (" in render(events, "md")
