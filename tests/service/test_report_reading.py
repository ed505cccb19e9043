"""The report as a coachee reads it: numbers that add up, one excerpt per moment, words
that say what was measured (findings from reading the reports of four role-plays)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import session_events  # noqa: E402

from pullcoach.report import build, render
from pullcoach.report_text import pct, per_question, words
from pullcoach.rules.events import (
    NudgeIssued, SessionEnded, SessionStarted, SpeechEnded, SpeechStarted, TranscriptFinal,
    UtteranceLabeled,
)


def scripted(lines, nudges=(), *, end=60.0, lang="nl", wall=1_760_000_000.0):
    """A session from (speaker, t0, t1, text, labels) lines and nudges."""
    events: list = [SessionStarted(session=f"s{wall:.0f}", lang=lang, wall_clock=wall,
                                   coachee="Anna", partner="Bert")]
    timed: list = []
    for speaker, t0, t1, text, labels in lines:
        timed += [SpeechStarted(t=t0, speaker=speaker), SpeechEnded(t=t1, speaker=speaker),
                  TranscriptFinal(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text),
                  UtteranceLabeled(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text,
                                   labels=labels)]
    events += sorted([*timed, *nudges], key=lambda e: e.t)
    return [*events, SessionEnded(t=end, reason="ended")]


def test_shown_numbers_round_half_up_everywhere():
    nl, en = words("nl"), words("en")
    assert per_question(0.25, nl) == "0,3 reflecties per vraag" and per_question(0.35, en) == "0.4 reflections per question"
    assert per_question(0.95, nl) == "1 reflectie per vraag"
    assert pct(0.125) == "13%" and pct(0.005) == "1%" and pct(0.5749) == "57%"
    # one reflection to four questions: 0.25 shows as 0,3 (Python's round gave 0,2)
    lines = [("coachee", 1.0 + 4 * i, 3.0 + 4 * i, "Wat vind jij?", {"question": "open"})
             for i in range(4)]
    lines.append(("coachee", 20.0, 23.0, "Dus je wilt rust.", {"reflection": True}))
    events = scripted(lines)
    assert build(events)["figures"]["reflections_questions"]["value"] == 0.25
    assert "0,3 reflecties per vraag" in render(events, "html")
    assert "**1 : 4 (0,3 reflecties per vraag)**" in render(events, "md")


def _words(n: int) -> str:
    return " ".join(["woord"] * n)


def test_progress_compares_what_is_shown_and_skips_nothing_that_moved():
    from pullcoach.report_progress import progress
    # before: 55 s (too short for the summaries' yardstick), talk share 57%, no summary
    before = build(scripted([("coachee", 0.0, 28.5, _words(57), {}),
                             ("partner", 28.5, 50.0, _words(40), {})], end=55.0))
    # now: 52%, one praised summary, faster
    now_lines = [("coachee", 0.0, 20.0, _words(60), {}), ("partner", 20.0, 44.0, _words(40), {}),
                 ("coachee", 44.0, 50.0, "Dus jij wilt vooral rust en minder reistijd.",
                  {"reflection": True})]
    summary = NudgeIssued(t=50.5, rule="good-summary", message="✓ Samenvatting", kind="positive",
                          evidence_t=44.0)
    now_events = scripted(now_lines, [summary], end=61.0, wall=1_760_000_900.0)
    now = build(now_events)
    assert before["figures"]["summaries"]["rating"] == "none"
    assert round(now["figures"]["talk_share"]["value"], 4) == 0.52
    trends = progress(now, before)["trends"]
    assert trends["talk_share"] == "better"  # 57% -> 52% is five points as shown, not 4.99
    # summaries are compared by what their card is rated on, the longest stretch without one
    # (0:55, the whole call, then 0:50), listed though the short call had no rating
    assert trends["summaries"] == "same"
    # 120 -> 157 words a minute: compared too, but both good (up to 200): no news
    assert trends["speaking_rate"] == "same"
    # a figure with no value on one side is listed, saying why it is not rated
    mute = build(scripted([("coachee", 0.0, 3.0, "Ja.", {}), ("partner", 3.0, 50.0, _words(90), {})],
                          end=55.0))
    assert progress(mute, before)["trends"]["speaking_rate"] == "short"
    from pullcoach.report_html import progress_rows
    from pullcoach.report_text import words
    _, rows = progress_rows(now, progress(now, before), words("nl"), "nl")
    shown = {label: (a, b, word) for label, a, b, _, word in rows}
    assert shown["Spreektijd coachee"] == ("57%", "52%", "beter")
    assert shown["Langste stuk zonder samenvatting"] == ("0:55", "0:50", "gelijk")
    assert shown["Spreektempo"] == ("120", "157", "beide goed")
    _, rows = progress_rows(mute, progress(mute, before), words("nl"), "nl")
    assert ("Spreektempo", "120", "—", "short", "te kort om te beoordelen") in rows


def test_cards_say_what_they_counted_and_what_they_left_out():
    events = session_events()
    end = events.pop()
    events += [NudgeIssued(t=40.0, rule="righting-reflex", message="Eerst vragen", evidence_t=31.5,
                           detail={"by": "input"}), end]
    html, md = render(events, "html"), render(events, "md")
    # the proposal "Is het een idee dat ...?" is tagged a question but left out of the share
    assert "2 van 3 · 1 voorstel niet meegeteld" in html and "(2 van 3 · 1 voorstel niet meegeteld)" in md
    # the righting reflex counts unasked information too, and says which it was
    assert "advies of informatie zonder toestemming" in html and "1 informatie" in html
    assert "Herstelreflex" in html and "Reparatiereflex" not in html + md
    en = render(session_events(lang="en"), "html")
    assert "1 proposal not counted" in en and "advice or information without permission" in en
    # the interruption's class in words, not "competitief 1"
    assert "1 keer ingebroken" in html and "competitief" not in html
    # one Dutch word for a nudge
    assert "nudge" not in html.lower().replace("pullcoach", "") and "seintje" in html


def test_one_line_that_set_off_three_rules_is_shown_once_with_each_alternative():
    said = "Kun je niet gewoon een koptelefoon opzetten, dat moet toch lukken."
    lines = [("coachee", 2.0, 6.0, "Wat speelt er voor jou?", {"question": "open"}),
             ("partner", 6.5, 20.0, "Het is zo druk op kantoor, ik kan me daar niet concentreren.", {}),
             ("coachee", 19.0, 24.0, said, {"push": True, "advice": True}),
             ("partner", 24.5, 27.0, "Hm.", {})]
    nudges = [NudgeIssued(t=19.7, rule="interruption", message="Laat uitpraten", evidence_t=19.0,
                          speaker="coachee"),
              NudgeIssued(t=25.0, rule="righting-reflex", message="Eerst vragen", evidence_t=19.0,
                          speaker="coachee", delivered=False, detail={"by": "advice"}),
              NudgeIssued(t=25.0, rule="push-words", message="Moeten?", evidence_t=19.0,
                          speaker="coachee", delivered=False)]
    events = scripted(lines, nudges)
    html, md = render(events, "html"), render(events, "md")
    moments = html.split("Momenten die ertoe doen</h2>")[1].split("<h2>")[0]
    assert moments.count(said) == 1 and moments.count('<div class="moment') == 1
    assert "<h3" in moments and "Onderbreking + Herstelreflex + Pushwoord" in moments
    for alt in ("Laat uitpraten; vat daarna samen.", "Vraag eerst: ‘Mag ik een tip geven?’",
                "Laat ‘moeten’ weg; geef informatie vrijblijvend."):
        assert moments.count(alt) == 1 and md.count(alt) == 1
    assert "Herstelreflex: advies zonder toestemming" in moments
    md_moments = md.split("## Momenten die ertoe doen")[1].split("## ")[0]
    assert md_moments.count(said) == 1
    # said at 0:19, the report-only nudges came at 0:25: both times are there
    assert "0:19" in moments and "seintje om 0:25" in moments and "seintje om 0:25" in md_moments


def test_timeline_tells_a_backchannel_from_a_cut_in_and_summarises_itself():
    from pullcoach.timeline_svg import COLOURS
    # "ja" said over the partner: an overlap, no interruption
    lines = [("partner", 1.0, 10.0, "Ik werk thuis veel geconcentreerder, echt waar.", {}),
             ("coachee", 5.0, 5.5, "Ja.", {"backchannel": True}),
             ("coachee", 11.0, 14.0, "Wat maakt het voor jou zo waardevol?", {"question": "open"})]
    html = render(scripted(lines), "html")
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert f'fill="{COLOURS["overlap"]}"' not in svg  # no orange: nobody cut in
    assert f'fill="{COLOURS["overlap_light"]}"' in svg
    assert "tegelijk gepraat, geen onderbreking" in html.split('class="legend"')[1]
    # the scripted push-then-pull role-play: its cut-in at 0:15 stays orange
    full = render(session_events(), "html")
    assert f'fill="{COLOURS["overlap"]}"><title>ingebroken (door elkaar) 0:15' in full
    aria = full.split('role="img" aria-label="')[1].split('"')[0]
    assert aria.startswith("Tijdlijn van 1:36: 3 seintjes over wat beter kan, 2 goede zetten")
    assert "1 samenvatting," in aria and "1 keer ingebroken" in aria and "1 bladwijzer" in aria
    # the rows and marks say what they are: the ◆ row is named, the ▼ is when the nudge came
    assert ">Samenvattingen</text>" in full and ">Seintjes</text>" in full
    assert "samenvatting, waar ze eindigde" in full and "seintje, toen het kwam" in full


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        r, g, b_ = (int(h.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
        f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4  # noqa: E731
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b_)
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_print_and_screen_readers_get_more_than_colour():
    import re

    from pullcoach.report_html import CSS
    html = render(session_events(), "html")
    # good and poor say so in words (greyscale print: "Monologen 0" and "Pushwoorden 4" alike)
    assert '<div class="status">✓ goed</div>' in html and '<div class="status">✗ onder de maat</div>' in html
    assert "@page { margin:" in CSS and re.search(r"\.moment[^{]*\{ break-inside: avoid", CSS)
    # small coloured text at WCAG AA (4.5:1) on its background
    var = dict(re.findall(r"--([\w-]+):(#[0-9a-f]{6})", CSS))
    for fg, bg in (("good", "good-bg"), ("poor", "poor-bg"), ("fair", "fair-bg"), ("good", "bg"),
                   ("soft", "bg")):
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg)
    cue = re.search(r"\.kind-cue \.what \{ color: (#[0-9a-f]{6})", CSS).group(1)
    assert _contrast(cue, var["bg"]) >= 4.5
    # a phone shows a part of the timeline: it says there is more
    assert '<p class="swipe">→ veeg voor de rest van de tijdlijn</p>' in html


def test_speaking_rate_is_rated_as_the_rule_judges_it():
    """Over speech time ordinary talk reaches 180-200 words a minute: a coachee at 234 beside a
    partner at 227 was rated poor ('onder de maat') though no rule would ever nudge it."""
    from pullcoach.report_data import _rate_speed

    assert _rate_speed(190, 180) == "good"
    assert _rate_speed(234, 227) == "fair"  # fast, but not far above the partner
    assert _rate_speed(250, 150) == "poor"
    assert _rate_speed(250, None) == "poor"
    assert _rate_speed(None, 200) == "none"


def test_the_report_opens_with_what_to_practise_next_and_what_got_better():
    """The first screen showed ten equal cards: now one line says what to practise, with a
    line the coachee said and its pull alternative, and what improved since last time."""
    told = "Je moet gewoon eerder beginnen, dat werkt echt."
    push = scripted([("partner", 0.0, 8.0, _words(20), {}),
                     ("coachee", 8.5, 12.0, told, {"advice": True, "input": True})],
                    [NudgeIssued(t=12.6, rule="righting-reflex", message="Eerst vragen", evidence_t=8.5)])
    html, md = render(push, "html"), render(push, "md")
    assert html.index("Oefen volgende keer") < html.index("Kerncijfers")
    assert f"Herstelreflex · «Eerst vragen». Om 0:08 zei je: “{told}” → Vraag eerst" in md
    calm = scripted([("partner", 0.0, 8.0, _words(20), {}),
                     ("coachee", 8.5, 12.0, "Wat zou jij willen?", {"question": "open"})],
                    wall=1_760_100_000.0)
    assert "**Het meest vooruit sinds vorige keer:** Herstelreflex 1 → 0" in render(calm, "md", previous=push)


def test_events_the_store_could_not_keep_are_said_in_the_report():
    from pullcoach.rules.events import PipelineWarning
    events = scripted([("partner", 0.0, 8.0, _words(20), {})])
    gap = PipelineWarning(t=2.6, kind="store-gap", message="23 event(s) ... not stored",
                          detail={"t0": 2.6, "t1": 5.65, "events": 23})
    events.insert(2, gap)
    assert "Van 0:02 tot 0:05 is niet alles bewaard (23 gebeurtenissen): de schijf was vol" in render(events, "html")
    assert "de schijf was vol" in render(events, "md")


def test_a_moment_is_headed_by_its_fault_and_the_nudge_the_coachee_saw_for_it():
    """The overlay said "Vat samen", the report "Te weinig samengevat": each moment now names
    the nudge shown with it, in the rule pack's words; one kept for the report only, none."""
    from pullcoach.report_text import nudge_words
    lines = [("partner", 0.0, 130.0, _words(300), {}),
             ("coachee", 131.0, 135.0, "Je moet gewoon eerder beginnen.", {"push": True}),
             ("partner", 136.0, 140.0, _words(10), {})]
    said = nudge_words("nl")  # the pack's words, as the overlay shows them
    nudges = [NudgeIssued(t=131.5, rule="too-few-summaries", message=said["too-few-summaries"], evidence_t=0.0),
              NudgeIssued(t=136.0, rule="push-words", message=said["push-words"], evidence_t=131.0,
                          delivered=False)]
    events = scripted(lines, nudges, end=150.0)
    html, md = render(events, "html"), render(events, "md")
    moments = html.split("Momenten die ertoe doen</h2>")[1].split("<h2>")[0]
    assert 'Te weinig samengevat · <span class="msg">«Vat samen»</span>' in moments
    assert "- **2:11 Te weinig samengevat · «Vat samen»**" in md
    # report only: the coachee saw no "Moeten?", so none is named
    assert "Pushwoord <span class=\"badge\">alleen voor het verslag</span>" in moments
    assert "- **2:11 Pushwoord** _(alleen voor het verslag)_" in md and "«Moeten?»" not in md
    assert "<title>2:11 Te weinig samengevat · «Vat samen»</title>" in html  # its ▼
    assert "<title>2:16 Pushwoord (alleen voor het verslag)</title>" in html
    # the top line names a nudge only where one was shown (see the righting reflex's above)
    assert "**Oefen volgende keer:** Pushwoorden (moeten). Om 2:11" in md
    en = render(scripted(lines, [dataclasses.replace(nudges[0], message=nudge_words("en")["too-few-summaries"])],
                         end=150.0, lang="en"), "md")
    assert "- **2:11 Too long without reflecting · “Summarise”**" in en
