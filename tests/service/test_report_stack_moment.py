"""An argument stack that fired mid-line (from a partial transcript): its moment holds the line
it fired in. The demo's "een stapel: 3 argumenten op rij" showed two bold lines: the third,
said 19.4-22.8 s, was left out because the rule fired at 21.8 s, before that line ended."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build
from pullcoach.rules.events import NudgeIssued

ARG = {"question": None, "input": True, "arguments": 1}
STACK = NudgeIssued(t=21.8, rule="argument-stacking", message="Stop: stel een vraag", evidence_t=9.0,
                    detail={"arguments": 3})


def lines(third: dict) -> list:
    return [("partner", 5.0, 8.5, "Ik zie dat thuiswerken niet zo.", {}),
            ("coachee", 9.0, 13.0, "Op kantoor werk je beter samen.", ARG),
            ("coachee", 14.0, 18.5, "Bovendien zie je de collega's.", ARG),
            ("coachee", 19.4, 22.8, "En het scheelt je een hoop gedoe thuis.", third),
            ("partner", 23.5, 25.0, "Hm.", {}),
            ("coachee", 25.5, 28.0, "Wat denk jij ervan?", {"question": "open"})]


def test_the_line_a_stack_fired_in_is_its_last_argument():
    events = scripted(lines(ARG), [STACK])
    (m,) = build(events)["moments"]
    assert [(u["text"], bool(u.get("hit"))) for u in m["around"]] == [
        ("Ik zie dat thuiswerken niet zo.", False), ("Op kantoor werk je beter samen.", True),
        ("Bovendien zie je de collega's.", True), ("En het scheelt je een hoop gedoe thuis.", True),
        ("Hm.", False)]  # the reply after; the question after it is later: not pulled in
    md = render(events, "md")
    assert "  > → **Anna:** En het scheelt je een hoop gedoe thuis.  \n" in md
    assert md.count("→ **Anna:**") == 3  # three arguments, three marked lines
    assert "Wat denk jij ervan" not in md.split("▼ Argumentstapel")[0]


def test_a_line_without_a_reason_it_fired_in_is_shown_but_not_marked():
    # the stack was full from a final that came late, during a line that gives no reason
    events = scripted(lines({}), [STACK])
    (m,) = build(events)["moments"]
    marks = [(u["text"], bool(u.get("hit"))) for u in m["around"]]
    assert ("En het scheelt je een hoop gedoe thuis.", False) in marks
    assert sum(hit for _, hit in marks) == 2
