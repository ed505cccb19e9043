""""Oefen volgende keer" quotes a place in the call for a figure with no line of its own
(it said only "→ Vat samen" for too few reflections), a figure getting worse is picked
before one getting better at the same rating, and a minute's ▼n in the transcript index
matches the ▼s on its lines."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_focus_trend import OPEN as ASK, PUSH as PUSHING, REFLECT as REFLECTING, call  # noqa: E402
from test_report_long import _section, long_call  # noqa: E402
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build, focus
from pullcoach.report_progress import halves
from pullcoach.report_spot import spot
from pullcoach.rules.events import NudgeIssued

OPEN = {"question": "open"}
REFLECT = {"question": None, "reflection": True}


def _top(events) -> str:
    return next(x for x in render(events, "md").splitlines() if x.startswith(("**Oefen", "**Practise")))


def _praise(t: float, t0: float) -> NudgeIssued:
    return NudgeIssued(t=t, rule="good-summary", message="✓ Samenvatting", kind="positive", evidence_t=t0)


def few_reflections(lang: str = "nl"):
    """Six open questions, two reflections (0,3 per question: poor, the pick). Bert's
    longest turn (40 s, 1:05) was reflected; his next longest (30 s, 2:00) was answered
    with another question: there a reflection fitted."""
    lines = [
        ("coachee", 0.0, 3.0, "Wat speelt er bij jou?", OPEN),
        ("partner", 4.0, 14.0, "Het werk is druk.", {}),
        ("coachee", 15.0, 18.0, "Wat maakt het druk?", OPEN),
        ("partner", 19.0, 29.0, "De planning.", {}),
        ("coachee", 30.0, 33.0, "Hoe merk je dat?", OPEN),
        ("partner", 34.0, 44.0, "Ik slaap slecht.", {}),
        ("coachee", 45.0, 48.0, "Wat doe je dan?", OPEN),
        ("partner", 50.0, 90.0, "Ik lig wakker en denk aan alles wat nog moet.", {}),
        ("coachee", 91.0, 95.0, "Dus het werk neemt je nachten over.", REFLECT),
        ("partner", 96.0, 100.0, "Ja.", {}),
        ("coachee", 101.0, 104.0, "Wat zou helpen?", OPEN),
        ("partner", 105.0, 120.0, "Minder vergaderingen, en", {}),
        ("coachee", 120.5, 121.0, "Hm.", {"backchannel": True}),
        ("partner", 121.5, 135.0, "meer tijd voor echt werk.", {}),
        ("coachee", 136.0, 139.0, "Wat heb je al geprobeerd?", OPEN),
        ("partner", 140.0, 150.0, "Nog niets.", {}),
        ("coachee", 151.0, 155.0, "Je bent er dus nog niet aan toegekomen.", REFLECT),
        ("partner", 156.0, 170.0, "Nee.", {}),
    ]
    nudges = [_praise(95.5, 91.0), _praise(155.5, 151.0)]
    return scripted(lines, nudges, end=175.0, lang=lang)


def test_too_few_reflections_quotes_the_longest_turn_not_reflected_after():
    events = few_reflections()
    r = build(events)
    assert focus(r)["figure"] == "reflections_questions" and focus(r)["moment"] is None
    # a backchannel ("Hm.") does not end Bert's turn: 1:45 to 2:15, its last line quoted
    assert _top(events) == ("**Oefen volgende keer:** Reflecties : vragen. Om 2:01 sloot Bert een "
                            "beurt van 30 s af: “meer tijd voor echt werk.” → Vat samen: ‘Als ik je goed begrijp…’")
    assert _top(few_reflections("en")) == (
        "**Practise next time:** Reflections : questions. At 2:01 Bert finished speaking after 30 s: "
        "“meer tijd voor echt werk.” → Reflect or summarise: ‘So what I'm hearing is…’")
    # in HTML its time links to the line quoted, as a quote of the coachee's does
    html = render(events, "html")
    i = [u["text"] for u in r["utterances"]].index("meer tijd voor echt werk.")
    assert f'Om <a href="#line-{i}">2:01</a> sloot Bert' in html


def test_an_opening_before_the_coachee_spoke_is_no_place_for_a_summary():
    """The partner's "Goedemorgen, kom binnen" was quoted as where to reflect (a replayed
    sales call): a turn before the coachee said anything is left out, however long."""
    lines = [("partner", 0.0, 12.0, "Goedemorgen, kom binnen, ga zitten. Wil je koffie of thee?", {}),
             ("coachee", 13.0, 16.0, "Wat speelt er?", OPEN),
             ("partner", 17.0, 27.0, "De planning.", {}),
             ("coachee", 28.0, 31.0, "Hoe merk je dat?", OPEN),
             ("partner", 32.0, 41.0, "Ik slaap slecht.", {})]
    sp = spot(build(scripted(lines, end=50.0)), "reflections_questions")
    assert (sp["kind"], sp["line"], sp["seconds"]) == ("partner_turn", 2, 10.0)


def test_too_few_summaries_quotes_the_longest_turn_in_the_longest_stretch_without_one():
    """Reflections early (2 per question, good), then five minutes without: the longest
    partner turn in that stretch (25 s at 4:33), not Bert's longer one (50 s) before it."""
    lines = [("coachee", 0.0, 3.0, "Wat speelt er?", OPEN),
             ("partner", 4.0, 54.0, "Een lang verhaal over de verhuizing.", {}),
             ("coachee", 55.0, 58.0, "Dus de verhuizing weegt zwaar.", REFLECT),
             ("partner", 59.0, 62.0, "Ja.", {}),
             ("coachee", 63.0, 66.0, "En je bent moe.", REFLECT)]
    t = 70.0
    for k in range(6):
        n = 25.0 if k == 4 else 15.0
        lines += [("coachee", t, t + 2.0, "Oké.", {}), ("partner", t + 3.0, t + 3.0 + n, f"Verder, deel {k}.", {})]
        t += 5.0 + n + 30.0
    events = scripted(lines, [_praise(58.5, 55.0), _praise(66.5, 63.0)], end=t)
    r = build(events)
    assert r["figures"]["summaries"]["rating"] == "poor" and focus(r)["figure"] == "summaries"
    top = _top(events)
    assert "Samenvattingen. Om 4:33 sloot Bert een beurt van 25 s af: “Verder, deel 4.” → Vat samen" in top


def test_a_closed_question_share_quotes_the_latest_closed_question():
    """No closed-questions nudge: the latest closed question is quoted (a permission asked
    after it is a pull move, not counted, not quoted)."""
    lines, t = [], 0.0
    for k in range(4):
        q = ("Wat speelt er?", OPEN) if k == 0 else (f"Is dat lastig, punt {k}?", {"question": "closed"})
        lines += [("coachee", t, t + 2.0, *q), ("partner", t + 3.0, t + 10.0, "Ja, best wel.", {}),
                  ("coachee", t + 11.0, t + 13.0, "Dus het is zwaar.", REFLECT),
                  ("partner", t + 14.0, t + 20.0, "Ja.", {}),
                  ("coachee", t + 21.0, t + 23.0, "En je wilt verandering.", REFLECT),
                  ("partner", t + 24.0, t + 30.0, "Zeker.", {})]
        t += 31.0
    lines.append(("coachee", t, t + 2.0, "Mag ik een tip geven?", {"question": "closed", "permission": True}))
    lines.append(("partner", t + 3.0, t + 6.0, "Ja hoor.", {}))
    events = scripted(lines, [_praise(u[2] + 0.5, u[1]) for u in lines if u[4] is REFLECT], end=t + 8.0)
    assert focus(build(events))["figure"] == "open_questions"
    assert _top(events).endswith("Het laatst, om 1:33, zei je: “Is dat lastig, punt 3?” → Maak er een open "
                                 "vraag van: ‘Wat…?’, ‘Hoe…?’")


def test_a_talk_share_quotes_the_longest_turn_where_it_got_long():
    """Talking most of the call in turns under a minute: its longest turn (two lines, 70 s)
    and what was said at its end."""
    lines, t = [], 0.0
    for k in range(3):
        long = k == 1
        lines += [("coachee", t, t + 3.0, f"Wat vind jij, punt {k}?", OPEN),
                  ("partner", t + 4.0, t + 10.0, "Weet ik niet.", {}),
                  ("coachee", t + 11.0, t + 46.0, f"Dus jij twijfelt, en ik leg het uit, punt {k}.", REFLECT)]
        if long:
            lines.append(("coachee", t + 46.5, t + 81.0, "En dan nog dit, en dat.", {"input": True}))
        lines += [("partner", t + 82.0, t + 86.0, "Hm, ja.", {}),
                  ("coachee", t + 87.0, t + 110.0, f"Dus jij wil het ook, punt {k}.", REFLECT),
                  ("partner", t + 111.0, t + 115.0, "Ja.", {})]
        t += 116.0
    events = scripted(lines, [_praise(u[2] + 0.5, u[1]) for u in lines if u[4] is REFLECT], end=t)
    r = build(events)
    assert r["figures"]["talk_share"]["rating"] == "poor" and focus(r)["figure"] == "talk_share"
    assert "Spreektijd coachee. Je langste beurt duurde 70 s; om 2:42 zei je: “En dan nog dit, en dat.” → Luister" in _top(events)


def test_the_speaking_rate_spot_is_the_fastest_line():
    lines = [("coachee", 0.0, 3.0, "een twee drie vier vijf zes zeven acht", {}),  # 160 a minute
             ("partner", 4.0, 10.0, "ja", {}),
             ("coachee", 11.0, 13.0, "een twee drie vier vijf zes zeven acht negen", {}),  # 270
             ("coachee", 20.0, 21.0, "een twee drie vier vijf zes", {})]  # too short to tell
    sp = spot(build(scripted(lines)), "speaking_rate")
    assert (sp["kind"], sp["line"], sp["wpm"]) == ("fast", 2, 270)


def test_a_figure_getting_worse_is_picked_before_one_getting_better():
    """Interruptions 20 → 5 and push words 3 → 8, both poor in either half: it was the
    interruptions (first in a fixed order), the one getting better; now the push words."""
    def line(k, t):
        pushes = k % 4 == 1 and k < 12 if t < 600 else k % 4 in (1, 2) and k < 36
        return PUSHING if pushes else ASK if k % 4 == 0 else REFLECTING
    events = call(line, interrupts=lambda k, t: t < 600 or k % 4 == 0)
    r = build(events)
    trends = halves(r)["trends"]
    assert (trends["interruptions"], trends["push_words"]) == ("better", "worse")
    assert [h["figures"]["push_words"]["value"] for h in r["halves"]] == [3, 8]
    assert all(h["figures"][k]["rating"] == "poor" for h in r["halves"] for k in ("interruptions", "push_words"))
    assert focus(r, within=trends)["figure"] == "push_words"
    assert _top(events).startswith("**Oefen volgende keer:** Pushwoorden (moeten)")
    # the same both ways: deterministic, whichever comes first in the fixed order
    assert focus(r, within={"interruptions": "worse", "push_words": "better"})["figure"] == "interruptions"
    # since last time, where the halves say nothing
    assert focus(r, trends={"interruptions": "better", "push_words": "worse"})["figure"] == "push_words"


def test_a_minutes_count_matches_the_marks_on_its_lines():
    """One line set off three rules: it showed one ▼ under the minute's ▼4; now a ▼ per
    moment, in HTML and Markdown, so the ▼s of a minute add up to its count."""
    events = long_call()
    end = events.pop()
    events = sorted([*events, NudgeIssued(t=181.7, rule="interruption", message="Laat uitpraten", evidence_t=181.0),
                     NudgeIssued(t=189.6, rule="righting-reflex", message="Eerst vragen", evidence_t=181.0)],
                    key=lambda e: e.t) + [end]
    transcript = _section(render(events, "html"), "Transcript")
    index = re.search(r'<nav class="tx-index">(.*?)</nav>', transcript).group(1)
    counts = {m: int(n) for m, n in re.findall(r'href="#min-(\d+)">[\d:]+ <span[^>]*>▼(\d+)<', index)}
    body = transcript.split("</nav>", 1)[1]
    for minute, n in counts.items():
        part = body.split(f'id="min-{minute}"', 1)[1].split('class="minute"', 1)[0]
        marks = "".join(re.findall(r'<a class="mark[^"]*" href="#moment-\d+">(.*?)</a>', part))
        assert marks.count("▼") == n, (minute, marks)
    assert counts["3"] == 4
    md = render(events, "md")
    row = next(x for x in md.splitlines() if x.startswith("- `3:01`"))
    assert row.endswith("▼ Onderbreking ▼ Pushwoord ▼ Herstelreflex")


def test_praise_after_resistance_shows_and_marks_the_coachees_reply():
    """"✓ Goed doorgevraagd" (evidence: the partner's "laat me met rust") showed only that
    line, marked it, at 0:00; now the coachee's reply is the line, at its time, and a
    reflection is not called an open question."""
    lines = [("partner", 0.0, 5.0, "Laat me toch met rust.", {}),
             ("coachee", 6.5, 9.5, "Je hebt er genoeg van.", REFLECT),
             ("partner", 10.0, 14.0, "Ja, iedereen wil iets van me.", {})]
    nudges = [NudgeIssued(t=11.0, rule="open-question-after-resistance", message="✓ Goed doorgevraagd",
                          kind="positive", speaker="coachee", evidence_t=0.0)]
    events = scripted(lines, nudges, end=20.0)
    (m,) = build(events)["moments"]
    assert m["t"] == 6.5 and [u["text"] for u in m["around"] if u.get("hit")] == ["Je hebt er genoeg van."]
    md = render(events, "md")
    assert "- **0:06 Nieuwsgierig bij weerstand · «✓ Goed doorgevraagd»** · seintje om 0:11" in md
    assert "  > → **Anna:** Je hebt er genoeg van.  " in md
    assert "**Anna:** Je hebt er genoeg van. _[reflectie]_ ▼ Nieuwsgierig bij weerstand" in md
    assert "Laat me toch met rust. ▼" not in md


def test_a_talk_share_whose_longest_turn_was_all_summary_says_so_and_never_quotes_a_summary_as_talk():
    """In a pull call the longest turn is often a summary: "Luister" beside "Als ik je goed
    begrijp…" read wrong. A turn with something told quotes that; one all summary says so."""
    def call(long_label):
        lines, t = [], 0.0
        for k in range(3):
            lines += [("coachee", t, t + 3.0, f"Wat vind jij, punt {k}?", OPEN),
                      ("partner", t + 4.0, t + 10.0, "Weet ik niet.", {})]
            said = [("coachee", t + 11.0, t + 40.0, f"Dus jij twijfelt, punt {k}.", REFLECT)]
            if k == 1:
                said = [("coachee", t + 11.0, t + 50.0, "Als ik je goed begrijp, twijfel je.", REFLECT),
                        ("coachee", t + 50.5, t + 81.0, "En dan nog dit, en dat.", long_label)]
            lines += said + [("partner", t + 82.0, t + 86.0, "Hm, ja.", {})]
            t += 87.0
        return scripted(lines, [_praise(u[2] + 0.5, u[1]) for u in lines if u[4] is REFLECT], end=t)
    told = call({"input": True})
    assert focus(build(told))["figure"] == "talk_share"
    assert "Je langste beurt duurde 70 s; om 2:17 zei je: “En dan nog dit, en dat.” → Luister" in _top(told)
    summary = call(REFLECT)
    assert focus(build(summary))["figure"] == "talk_share"
    assert ("Je langste beurt duurde 70 s en was een samenvatting: houd die kort. "
            "Om 2:17 zei je: “En dan nog dit, en dat.”") in _top(summary)


def test_a_talk_share_with_only_short_turns_quotes_none_of_them():
    """A pull role-play's 47% in turns of at most 7 s quoted its longest, a summary, beside
    "Luister": no turn under 15 s is a place to point at; the sentence says where it is."""
    lines, t = [], 0.0
    for k in range(8):
        said = REFLECT if k % 2 else OPEN
        lines += [("coachee", t, t + 7.0, f"Als ik je goed begrijp, punt {k}.", said),
                  ("partner", t + 7.5, t + 13.0, "Ja, dat klopt wel.", {})]
        t += 14.0
    events = scripted(lines, [_praise(u[2] + 0.5, u[1]) for u in lines if u[4] is REFLECT], end=t)
    r = build(events)
    assert r["figures"]["talk_share"]["rating"] == "poor" and focus(r)["figure"] == "talk_share"
    top = _top(events)
    assert "Spreektijd coachee. Geen lange beurten (de langste 7 s): het zit in hoe vaak je het woord nam." in top
    assert "zei je" not in top and "→ Luister" in top
