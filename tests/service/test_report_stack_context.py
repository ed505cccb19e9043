"""An argument stack over several turns: its moment shows what the other said between the
reasons. Without it, Anna's three reasons with Bert's answers left out read as one breath
(and the same sentence twice read as a stutter)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build
from pullcoach.rules.events import NudgeIssued

ARG = {"question": None, "input": True, "arguments": 1}


def test_a_stack_across_turns_shows_the_answers_between_its_reasons():
    lines = [("partner", 0.0, 3.0, "Ik werk liever thuis.", {}),
             ("coachee", 3.5, 6.0, "Op kantoor werk je beter samen.", ARG),
             ("partner", 6.5, 8.0, "Dat weet ik niet.", {}),
             ("coachee", 8.5, 11.0, "Bovendien zie je de collega's.", ARG),
             ("partner", 11.5, 13.0, "Hm, misschien.", {}),
             ("coachee", 13.5, 16.0, "En de koffie is er beter.", ARG),
             ("partner", 16.5, 19.0, "Daar gaat het mij niet om.", {})]
    events = scripted(lines, [NudgeIssued(t=16.2, rule="argument-stacking", message="Stop: stel een vraag",
                                          evidence_t=3.5)])
    (m,) = build(events)["moments"]
    assert [(u["text"], bool(u.get("hit"))) for u in m["around"]] == [
        ("Ik werk liever thuis.", False), ("Op kantoor werk je beter samen.", True),
        ("Dat weet ik niet.", False), ("Bovendien zie je de collega's.", True),
        ("Hm, misschien.", False), ("En de koffie is er beter.", True),
        ("Daar gaat het mij niet om.", False)]
    md = render(events, "md")
    assert ("  > → **Anna:** Op kantoor werk je beter samen.  \n  > **Bert:** Dat weet ik niet.  \n"
            "  > → **Anna:** Bovendien zie je de collega's.  \n") in md
    # still one moment about the first reason's line: one ▼ in the transcript
    assert md.count("▼ Argumentstapel") == 1
