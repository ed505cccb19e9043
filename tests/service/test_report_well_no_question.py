"""A call of reflections without one question: "Went well" read "∞ reflections per question"."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render


def test_reflections_without_a_question_are_counted_not_infinite():
    lines = []
    for i in range(4):
        lines.append(("partner", 1.0 + 15 * i, 10.0 + 15 * i, "Thuis werk ik rustiger en haal ik meer af.", {}))
        lines.append(("coachee", 11.0 + 15 * i, 14.0 + 15 * i, "Thuis kun je je beter concentreren.",
                      {"reflection": True}))
    for lang, said in (("nl", "4 reflecties (geen vraag nodig)"), ("en", "4 reflections (no question needed)")):
        md = render(scripted(lines, end=70.0, lang=lang), "md")
        assert "∞" not in md
        assert said in md
