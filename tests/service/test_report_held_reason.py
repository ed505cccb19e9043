"""A moment's nudge that was not shown live says why, as the engine's detail does: a repeat
inside its rule's cooldown, held by the budget, the trainer's nudge, the other language.
A repeated interruption said just "(report only)" while the others gave a reason."""

from __future__ import annotations

import pytest

from pullcoach.report_text import not_delivered, words


@pytest.mark.parametrize("detail, en, nl", [
    ({"repeat": True}, "report only: a repeat, soon after the last nudge about it",
     "alleen voor het verslag: herhaling, kort na het vorige seintje hierover"),
    ({"held": "budget"}, "report only: another nudge had just been shown",
     "alleen voor het verslag: er was net een ander seintje getoond"),
    ({"held": "trainer"}, "report only: the trainer's nudge had just been sent",  # (no overlay may be open)
     "alleen voor het verslag: het seintje van de trainer was net gestuurd"),
    ({"held": "language"}, "report only: the words were the other language",
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
