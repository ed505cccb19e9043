"""A call under half a minute is too short to rate. A 9 s replay got "Oefen volgende keer:
Spreektijd coachee … 54%" and six green cards. And small things a coachee read beside each
other: "Geen lange beurten (de langste 4 s)" beside a card "langste beurt 0:03"; a meta line
ending "· Gesprekspartner" (a name missing?); the Markdown route "Verkennen 5× (0:03)" where
the HTML said "0:03–0:40"."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build
from pullcoach.rules.events import SessionStarted

OPEN = {"question": "open"}


def nine_seconds() -> list:
    return scripted([("coachee", 0.5, 4.0, "Hoi Sanne, fijn dat je er bent.", {}),
                     ("partner", 4.5, 7.0, "Ja, hoi.", {}),
                     ("coachee", 7.2, 8.8, "Zullen we beginnen?", {"question": "closed"})], end=9.0)


def test_a_nine_second_call_is_too_short_to_rate():
    f = build(nine_seconds())["figures"]
    assert {x["rating"] for x in f.values()} == {"none"}
    assert {x.get("unrated") for x in f.values()} == {"short"}
    md = render(nine_seconds(), "md")
    assert "**Te kort om te beoordelen:** dit gesprek duurde 0:09; de cijfers krijgen een oordeel vanaf 0:30." in md
    assert "Oefen volgende keer" not in md and "✓ goed" not in md
    assert "| ⚪ Spreektijd coachee | **" in md and "(te kort om te beoordelen) |" in md
    assert "Too short to rate" in render([e if not isinstance(e, SessionStarted) else
                                          SessionStarted(session=e.session, lang="en", wall_clock=e.wall_clock,
                                                         coachee="Anna", partner="Bert")
                                          for e in nine_seconds()], "md")


def test_the_longest_turn_is_said_as_its_card_shows_it():
    # 3.6 s turns: the card's clock says 0:03, the focus line said "de langste 4 s"
    lines = []
    for i in range(6):
        t = 1.0 + 10 * i
        lines.append(("coachee", t, t + 3.6, "Dat snap ik, maar het team heeft je nodig.", {}))
        lines.append(("partner", t + 4.0, t + 7.0, "Hm.", {}))
    md = render(scripted(lines, end=61.0), "md")
    assert "langste beurt\u00a00:03" in md
    assert "Geen lange beurten (de langste 3 s)" in md


def test_an_unnamed_partner_is_left_out_of_the_meta_line():
    events = nine_seconds()
    events[0] = SessionStarted(session="s", lang="nl", wall_clock=1_760_000_000.0, coachee="Robin")
    md = render(events, "md")
    assert "· Coachee: Robin\n" in md and "· Coachee: Robin · Gesprekspartner" not in md


def test_the_markdown_route_gives_its_span_as_the_html_does():
    lines = [("coachee", 3.0 + 9 * i, 6.0 + 9 * i, "Wat vind jij belangrijk?", OPEN) for i in range(5)]
    lines += [("partner", 7.0 + 9 * i, 11.0 + 9 * i, "Rust.", {}) for i in range(5)]
    events = scripted(lines, end=61.0)
    assert "Verkennen 5× (0:03–0:39)" in render(events, "md")
    assert "0:03–0:39" in render(events, "html")
