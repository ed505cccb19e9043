"""A long call's transcript index, "3:00 ▼4": the number counts moments, as its hint says
("▼3: drie momenten in die minuut"), not the lines or groups of them that were marked."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_long import _section, long_call  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build
from pullcoach.rules.events import NudgeIssued


def _with(events, *nudges):
    end = events.pop()
    return sorted([*events, *nudges], key=lambda e: e.t) + [end]


def test_a_line_that_set_off_three_moments_counts_three():
    """The push at 3:01 also set off an interruption and a righting reflex: one line, one ▼
    on it naming all three, and with the push at 3:31 four moments in its minute (was ▼2:
    the marked lines). The parts and Markdown's headings count the same way,
    and all the minutes add up to the moments the report lists. A stack marks the lines it was
    built of (2:01, 2:31) and is one moment, counted once."""
    events = _with(long_call(),
                   NudgeIssued(t=181.7, rule="interruption", message="Laat uitpraten", evidence_t=181.0),
                   NudgeIssued(t=189.6, rule="righting-reflex", message="Eerst vragen", evidence_t=181.0),
                   NudgeIssued(t=150.0, rule="argument-stacking", message="Stel een vraag", evidence_t=121.0))
    html = render(events, "html")
    transcript = _section(html, "Transcript")
    index = re.search(r'<nav class="tx-index">(.*?)</nav>', transcript).group(1)
    assert '<a href="#min-3">3:00 <span class="mark kind-negative">▼4</span></a>' in index
    assert '<a href="#min-2">2:00 <span class="mark kind-negative">▼3</span></a>' in index  # two pushes, the stack
    row = re.search(r'<div class="line" id="line-\d+"><span class="time">3:01</span>.*?</div>', transcript).group(0)
    assert row.count('class="mark') == 1 and "Onderbreking" in row and "Herstelreflex" in row
    counts = [int(n) for n in re.findall(r"▼(\d+)</span></a>", index)]
    assert sum(counts) == len(build(events)["moments"]) == 33
    parts = re.findall(r'<details class="tx-part" open><summary>(.*?)</summary>', transcript)
    assert parts == ["0:00–10:00 · 40 regels · ▼ 23 momenten", "10:00–20:00 · 40 regels · ▼ 10 momenten"]
    assert "\n### 0:00–10:00 · ▼ 23 momenten\n" in render(events, "md")

