""""Houd dat vast" (a habit dropped in a long call's second half) quoted the last slip of
the first half ("Het laatst, om 8:01, zei je: “Vind je dat lastig?” → Maak er een open vraag
van"): praise beside the line it praises the coachee for no longer saying. Now it quotes a
line of the second half that shows the habit kept, or nothing where there is no such line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_focus_trend import CLOSED, OPEN, PUSH, REFLECT, call, pulling  # noqa: E402

from pullcoach.report import render


def _top(events) -> str:
    return next(x for x in render(events, "md").splitlines() if x.startswith(("**Oefen", "**Practise")))


def test_open_questions_kept_quote_an_open_question_of_the_second_half():
    events = call(pulling(lambda k: CLOSED if k * 30 < 600 else OPEN))
    top = _top(events)
    assert top.startswith("**Oefen volgende keer:** Open vragen. Eerste → tweede helft: 0% → 100% (beter): houd dat vast.")
    assert CLOSED[0] not in top and "Het laatst" not in top
    # the latest open question (18:01), and no "make it open" beside an open question
    assert top.endswith(f"Om 18:01 bijvoorbeeld zei je: “{OPEN[0]}”")
    html = render(events, "html")
    assert 'Om <a href="#line-' in html.split("Oefen volgende keer")[1].split("</p>")[0]
    en = _top(call(pulling(lambda k: CLOSED if k * 30 < 600 else OPEN), lang="en"))
    assert en.endswith(f"keep that up. At 18:01, for example, you said: “{OPEN[0]}”")


def test_summaries_kept_quote_a_reflection_not_a_turn_left_unsummarised():
    """Ten minutes of questions only, then a reflection after nearly every answer."""
    def line(k, t):
        if t < 600:
            return OPEN if k % 2 else CLOSED
        return REFLECT if k % 4 else OPEN
    top = _top(call(line))
    assert "Samenvattingen." in top and "houd dat vast." in top
    assert top.endswith(f"Om 19:31 bijvoorbeeld zei je: “{REFLECT[0]}”")
    assert "sloot Bert een beurt" not in top


def test_push_words_kept_quote_no_push_line():
    """Nothing in the second half shows "no push words": no line quoted, only what to keep doing."""
    top = _top(call(pulling(push_until=600)))
    assert PUSH[0] not in top and "“" not in top
    assert top.endswith("houd dat vast. → Laat ‘moeten’ weg; geef informatie vrijblijvend.")
