""""Oefen volgende keer: Onderbrekingen door coachee" quoted the coachee's cut-in as "Het
laatst, om 3:35, zei je: “…”": the line alone does not show the fault, and a long one
(37 words) filled the top of the report. Now the lead says who was cut off, and the quote
is the line's first words (the cut-in is at its start; the time links to all of it)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.rules.events import NudgeIssued

LONG = ("Ja, maar moe zijn is geen reden om chips te eten, hè. Ga dan meteen naar bed. Slaap is heel "
        "belangrijk voor je gewicht, want als je slecht slaapt maak je meer hongerhormonen aan.")


def cut_in(times: int, lang: str = "nl"):
    """The coachee cuts Bert off ``times`` times, the last with ``LONG``; then Bert talks
    40 s and is reflected (the talk share stays good)."""
    lines, nudges, t = [], [], 0.0
    for k in range(times):
        text = LONG if k == times - 1 else f"Nee, luister, punt {k}."
        lines += [("partner", t, t + 10.0, "Ik heb het echt geprobeerd, maar het lukt me niet met die diensten.", {}),
                  ("coachee", t + 9.0, t + (21.0 if text == LONG else 12.0), text, {})]
        nudges.append(NudgeIssued(t=t + 9.7, rule="interruption", message="Laat uitpraten", evidence_t=t + 9.0))
        t += 25.0
    lines += [("partner", t, t + 40.0, "Het is gewoon te veel, met die diensten en de kinderen.", {}),
              ("coachee", t + 41.0, t + 44.0, "Dus het wordt je te veel.", {"question": None, "reflection": True})]
    return scripted(lines, nudges, end=t + 46.0, lang=lang)


def _top(events) -> str:
    return next(x for x in render(events, "md").splitlines() if x.startswith(("**Oefen", "**Practise")))


def test_the_latest_cut_in_is_named_as_one_and_quoted_short():
    top = _top(cut_in(3))
    assert top == ("**Oefen volgende keer:** Onderbrekingen door coachee · «Laat uitpraten». Het laatst onderbrak "
                   "je Bert om 0:59: “Ja, maar moe zijn is geen reden om chips te eten, hè. Ga dan meteen naar "
                   "bed. Slaap is …” → Laat uitpraten; vat daarna samen.")
    en = _top(cut_in(3, "en"))
    assert "Most recently, at 0:59, you cut Bert off: “Ja, maar moe zijn" in en
    # the time still links to the whole line in the transcript
    html = render(cut_in(3), "html")
    assert 'Het laatst onderbrak je Bert om <a href="#line-5">0:59</a>:' in html


def test_a_single_cut_in():
    assert "Om 0:09 onderbrak je Bert: “" in _top(cut_in(1))
    assert "At 0:09 you cut Bert off: “" in _top(cut_in(1, "en"))
