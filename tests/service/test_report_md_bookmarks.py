"""The Markdown report puts the trainer's bookmarks in time order among the moments, as the
HTML does (an 18-minute call listed all seven after the last moment, at 15:06)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.rules.events import Bookmarked, NudgeIssued


def test_bookmarks_sit_between_the_moments_by_time():
    lines = [("coachee", 1.0, 5.0, "Je moet echt naar kantoor komen.", {"push": True}),
             ("partner", 6.0, 9.0, "Waarom dan?", {"question": "open"}),
             ("coachee", 40.0, 44.0, "Je moet er op dinsdag zijn.", {"push": True})]
    nudges = [NudgeIssued(t=5.5, rule="push-words", message="Moeten?", kind="negative", evidence_t=1.0),
              NudgeIssued(t=44.5, rule="push-words", message="Moeten?", kind="negative", evidence_t=40.0),
              Bookmarked(t=20.0, note="hier vraagt ze door", by="trainer")]
    md = render(scripted(lines, nudges, end=61.0), "md")
    at = [md.index(s) for s in ("**0:01 ", "**0:20 ", "**0:40 ")]
    assert at == sorted(at) and "hier vraagt ze door" in md
