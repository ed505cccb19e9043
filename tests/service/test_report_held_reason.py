"""A moment's nudge that was not shown live says why, as the engine's detail does: a repeat
inside its rule's cooldown, held by the budget, the trainer's nudge, the other language.
A repeated interruption said just "(report only)" while the others gave a reason."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pullcoach.report_text import not_delivered, words

sys.path.insert(0, str(Path(__file__).parent))


@pytest.mark.parametrize("detail, en, nl", [
    ({"repeat": True}, "report only: a repeat, soon after the last nudge about it",
     "alleen voor het verslag: herhaling, kort na het vorige seintje hierover"),
    ({"held": "budget"}, "report only: another nudge had just been shown",
     "alleen voor het verslag: er was net een ander seintje getoond"),
    ({"held": "trainer"}, "report only: the trainer's nudge had just been sent",  # (no overlay may be open)
     "alleen voor het verslag: het seintje van de trainer was net gestuurd"),
    ({"held": "language"}, "report only: the words were in the other language",
     "alleen voor het verslag: de woorden waren in de andere taal"),
    ({"held": "focus"}, "report only: outside the focus", "alleen voor het verslag: buiten de focus"),
    ({"late_s": 12.1, "repeat": True}, "report only: transcription was 12 s behind",
     "alleen voor het verslag: de transcriptie liep 12 s achter"),
    ({}, "report only", "alleen voor het verslag"),  # an older log that kept no reason
])
def test_a_nudge_held_from_the_overlay_says_why(detail, en, nl):
    n = {"delivered": False, "detail": detail}
    assert not_delivered(n, words("en")) == en
    assert not_delivered(n, words("nl")) == nl


def test_the_timeline_legend_says_a_hollow_mark_was_not_on_screen():
    # a delivered nudge with no overlay open is hollow too: "report only" did not cover it
    from pullcoach.report import render
    from test_report_script import session_events  # noqa: E402
    html = render(session_events(), "html")
    assert "niet in beeld: alleen voor het verslag, of geen overlay open" in html


def test_timeline_marks_differ_by_shape_not_colour_alone():
    # a warning and a good move were both red/green ▼: alike to a red-green colour-blind coachee
    import re

    from pullcoach.report import render
    from test_report_script import session_events  # noqa: E402
    html = render(session_events(), "html")
    svg = html.split('<svg', 1)[1].split('</svg>', 1)[0]
    ups = re.findall(r'<path d="M[\d.]+,(\d+) L[\d.]+,\1 L[\d.]+,(\d+) Z"[^>]*><title>[^<]*Goede', svg)
    downs = re.findall(r'<path d="M[\d.]+,(\d+) L[\d.]+,\1 L[\d.]+,(\d+) Z"[^>]*><title>[^<]*Pushwoord', svg)
    assert ups and downs and int(ups[0][0]) > int(ups[0][1]) and int(downs[0][0]) < int(downs[0][1])
    legend = html.split('class="legend"', 1)[1].split("</div>", 1)[0]
    assert "▲</b>goede zet" in legend and "●</b>signaal van de ander" in legend
