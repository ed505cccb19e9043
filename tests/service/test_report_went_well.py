"""A good pull conversation says so on its first screen. The project's pull role-plays
(43-47% talk share, all questions open, the whole pull route) got a red talk-share card and
nothing that went well; "het meest vooruit" named one of three figures that moved equally."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build, most_better

OPEN = {"question": "open"}
SUM = {"reflection": True}
TURN = {"question": "open", "draaivraag": True}
PROPOSAL = {"question": "closed", "proposal": True}
PUSH = {"push": 1, "question": None}
CLOSED = {"question": "closed"}


def pull(wall: float = 1_760_000_000.0, lang: str = "nl") -> list:
    """A minute of pull: open questions, a summary, a turning question, a proposal; the
    coachee talks 45% of the time."""
    said = [("Hoe gaat het thuiswerken?", OPEN), ("Wat helpt je daarbij?", OPEN),
            ("Dus rust is voor jou het belangrijkst.", SUM), ("Wat zou kantoor je kunnen brengen?", TURN),
            ("Zullen we de stille ruimte voor je reserveren?", PROPOSAL)]
    lines = []
    for i, (text, labels) in enumerate(said):
        t = 1.0 + 12.0 * i
        lines.append(("coachee", t, t + 4.5, text, labels))
        lines.append(("partner", t + 5.0, t + 10.5, "Thuis kan ik me veel beter concentreren.", {}))
    return scripted(lines, end=61.0, wall=wall, lang=lang)


def test_a_pull_talk_share_in_the_forties_is_fair_not_poor():
    f = build(pull())["figures"]["talk_share"]
    assert round(f["value"] * 100) == 45
    assert f["rating"] == "fair"
    assert f["yardstick"]["fair"] == 50
    # talking more than the partner is poor
    lines = [("coachee", 1.0 + 10 * i, 7.0 + 10 * i, "Het is beter voor het team.", {}) for i in range(5)]
    lines += [("partner", 7.5 + 10 * i, 10.5 + 10 * i, "Hm, misschien.", {}) for i in range(5)]
    assert build(scripted(lines, end=61.0))["figures"]["talk_share"]["rating"] == "poor"


def test_what_went_well_leads_the_first_screen():
    md = render(pull(), "md")
    top = md.split("## Kerncijfers")[0]
    assert ("**Ging goed:** De hele pull-route (verkennen → draaivraag → voorstel), 100% open vragen, "
            "niemand onderbroken.") in top
    assert top.index("Ging goed") < top.index("Oefen volgende keer")
    en = render(pull(lang="en"), "md").split("## Headline figures")[0]
    assert "**Went well:** The whole pull route (explore → turning question → proposal), 100% open questions" in en
    html = render(pull(), "html")
    assert "<p><b>Ging goed:</b> De hele pull-route" in html
    # a push call gets no praise for what it left out (no interruptions) alone
    lines = [("coachee", 1.0 + 10 * i, 4.0 + 10 * i, "Je moet terugkomen.", PUSH) for i in range(5)]
    lines += [("partner", 5.0 + 10 * i, 10.0 + 10 * i, "Dat wil ik niet, ik werk thuis beter.", {}) for i in range(5)]
    assert "Ging goed" not in render(scripted(lines, end=61.0), "md")


def test_figures_that_got_better_equally_are_all_named():
    before = {"righting_reflexes": {"value": 2, "rating": "poor"}, "push_words": {"value": 4, "rating": "poor"},
              "open_questions": {"value": 0.0, "rating": "poor"}, "interruptions": {"value": 3, "rating": "poor"}}
    now = {"righting_reflexes": {"value": 0, "rating": "good"}, "push_words": {"value": 0, "rating": "good"},
           "open_questions": {"value": 1.0, "rating": "good"}, "interruptions": {"value": 1, "rating": "fair"}}
    trends = dict.fromkeys(now, "better")
    assert most_better(now, trends, before, tied=True) == ["righting_reflexes", "push_words", "open_questions"]
    assert most_better(now, trends, before) == "righting_reflexes"


def test_the_report_names_the_tied_ones():
    push = []
    for i in range(4):
        t = 1.0 + 14.0 * i
        push.append(("coachee", t, t + 4.0, "Je moet echt terugkomen.", PUSH if i < 3 else CLOSED))
        push.append(("partner", t + 5.0, t + 12.0, "Thuis kan ik me veel beter concentreren.", {}))
    md = render(pull(wall=1_760_100_000.0), "md", previous=scripted(push, end=61.0))
    line = next(x for x in md.splitlines() if x.startswith("**Het meest vooruit"))
    assert "Pushwoorden (moeten) 3 → 0" in line and "Open vragen 0% → 100%" in line
