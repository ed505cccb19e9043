"""The partner turn "Oefen volgende keer" quotes as where a summary or reflection fitted is
one worth pointing at: 8 s or more (the audio fixtures' role-plays quoted a 4 s "Ja, dat
zou fijn zijn."), not one the coachee did reflect right after; where the partner never
spoke that long, a sentence says so instead of a quote. A partner without a name is "de
gesprekspartner" there, not "Gesprekspartner"."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_focus_spot import few_reflections  # noqa: E402
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build, focus
from pullcoach.report_spot import spot
from pullcoach.rules.events import SessionStarted

OPEN = {"question": "open"}
REFLECT = {"question": None, "reflection": True}


def _top(events) -> str:
    return next(x for x in render(events, "md").splitlines() if x.startswith(("**Oefen", "**Practise")))


def _qa(t: float, answer_s: float, k: int) -> list:
    """An open question (3 s) and the partner's answer of ``answer_s``; the next at t + 5 + answer_s."""
    return [("coachee", t, t + 3.0, f"Wat bedoel je met punt {k}?", OPEN),
            ("partner", t + 4.0, t + 4.0 + answer_s, f"Antwoord {k}.", {})]


def short_answers(lang: str = "nl", reflected_s: float = 4.0):
    """Nine questions answered in 4 s each (the fourth in ``reflected_s``), one reflection
    after the fourth: reflections : questions poor, summaries good (never 2 minutes without)."""
    lines, t = [], 0.0
    for k in range(9):
        n = reflected_s if k == 3 else 4.0
        lines += _qa(t, n, k)
        t += 5.0 + n
        if k == 3:
            lines.append(("coachee", t, t + 3.0, "Dus het zit je dwars.", REFLECT))
            t += 4.0
    return scripted(lines, end=t + 2.0, lang=lang)


def test_only_short_answers_get_a_sentence_not_a_quote():
    events = short_answers()
    r = build(events)
    assert focus(r)["figure"] == "reflections_questions" and focus(r)["moment"] is None
    top = _top(events)
    assert top == ("**Oefen volgende keer:** Reflecties : vragen. Waar je niet reflecteerde, sprak Bert steeds "
                   "korter dan 8 s: "
                   "reflecteer ook op een kort antwoord, vóór je volgende vraag. → Vat samen: ‘Als ik je goed begrijp…’")
    assert _top(short_answers("en")) == (
        "**Practise next time:** Reflections : questions. Where you did not reflect, Bert spoke for less than 8 s each time: "
        "reflect on a short answer too, before your next question. → Reflect or summarise: ‘So what I'm hearing is…’")
    # nothing quoted: nothing to link in the HTML either
    focus_html = render(events, "html").split('<div class="focus">')[1].split("</div>")[0]
    assert "#line-" not in focus_html


def test_a_long_answer_reflected_is_no_long_answer_left():
    """A 30 s answer the coachee reflected does not make the answers left without one long:
    the sentence, not a quote of the one reflected, nor "all turns were short"."""
    top = _top(short_answers(reflected_s=30.0))
    assert "Waar je niet reflecteerde, sprak Bert steeds korter dan 8 s" in top and "“" not in top


def test_a_long_answer_elsewhere_is_quoted_before_a_short_one_in_the_longest_stretch():
    """Summaries: the longest stretch without one (after the reflection) has only 4 s answers;
    the 12 s answer before the reflection, answered with another question, is the place."""
    lines = _qa(0.0, 4.0, 0) + _qa(9.0, 12.0, 1) + _qa(26.0, 4.0, 2)
    lines.append(("coachee", 35.0, 38.0, "Dus het zit je dwars.", REFLECT))
    t = 39.0
    for k in range(3, 12):
        lines += _qa(t, 4.0, k)
        t += 9.0
    r = build(scripted(lines, end=t))
    sp = spot(r, "summaries")
    assert sp["kind"] == "partner_turn" and r["utterances"][sp["line"]]["text"] == "Antwoord 1."
    assert sp["seconds"] == 12.0


def test_a_turn_summarised_right_after_is_not_where_a_summary_was_missing():
    """The stretch's longest answer (20 s) is the one the coachee then reflected: the 9 s
    one before it, answered with a question, is where a summary fitted."""
    lines = _qa(0.0, 9.0, 0) + _qa(14.0, 20.0, 1)
    lines.append(("coachee", 39.0, 42.0, "Dus het zit je dwars.", REFLECT))
    lines += _qa(43.0, 3.0, 2)
    r = build(scripted(lines, end=60.0))
    sp = spot(r, "summaries")
    assert r["utterances"][sp["line"]]["text"] == "Antwoord 0." and sp["seconds"] == 9.0


def test_a_partner_without_a_name_is_the_partner():
    def unnamed(lang):
        return [dataclasses.replace(e, coachee="coachee", partner="partner") if isinstance(e, SessionStarted) else e
                for e in few_reflections(lang)]
    assert "Om 2:01 sloot de gesprekspartner een beurt van 30 s af: “meer tijd voor echt werk.”" in _top(unnamed("nl"))
    assert "At 2:01 the partner finished speaking after 30 s: “meer tijd voor echt werk.”" in _top(unnamed("en"))


def test_a_line_heard_with_doubt_is_quoted_with_its_question_mark():
    """The transcript marks a line Whisper doubted "(?)"; the focus quoted the same garble
    ("de creërs of de hart, reen, ween") as if it was said so."""
    from pullcoach.rules.events import TranscriptFinal, Word
    doubted = "meer tijd voor echt werk."
    events = [dataclasses.replace(e, words=(Word(text=doubted, start=e.t0, end=e.t1, p=0.3),))
              if isinstance(e, TranscriptFinal) and e.text == doubted else e for e in few_reflections()]
    assert "een beurt van 30 s af: “meer tijd voor echt werk.” (?) → Vat samen" in _top(events)
