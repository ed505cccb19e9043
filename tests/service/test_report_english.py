"""The English report, overlay words and pack as an English-speaking MI trainer reads them (QA
by a counsellor, 2026-12-07): no Dutch calques ("it is in how often you took the floor"), no
«…», a reflection not called a summary, one name for one praise, push words beyond "must"."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import _words, scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_text import ALTERNATIVES, RULE_TITLES, count_text, moment_title, nudge_words, words
from pullcoach.rules.events import NudgeIssued


def _strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, (tuple, list)):
        for v in x:
            yield from _strings(v)


def test_the_english_nudges_fit_what_they_praise_and_flag():
    said = nudge_words("en")
    # "Must?" flashed for "you have to", "you should", "you really need to"
    assert said["push-words"] == "Invite, don't insist"
    # "The shed for your grandson." is a reflection, not a summary
    assert said["good-summary"] == "✓ Reflection"
    assert RULE_TITLES["en"]["good-summary"] == "Good reflection"
    # one name for one praise, on the overlay and in the report
    assert said["open-question-after-resistance"] == "✓ " + RULE_TITLES["en"]["open-question-after-resistance"]
    # the Dutch stay as they were
    assert nudge_words("nl")["good-summary"] == "✓ Samenvatting"
    assert RULE_TITLES["nl"]["open-question-after-resistance"] == "Nieuwsgierig bij weerstand"


def test_english_quotes_a_nudge_as_english_does_and_dutch_as_dutch_does():
    n = {"rule": "interruption", "message": "Let them finish"}
    assert moment_title(n, "en") == "Interruption · “Let them finish”"
    assert moment_title({**n, "message": "Laat uitpraten"}, "nl") == "Onderbreking · «Laat uitpraten»"
    en = [s for s in _strings(words("en")) if "«" in s or "»" in s]
    assert en == []


def test_english_words_say_what_a_trainer_would():
    w = words("en")
    assert "must" not in w["push_words"] and "have to" in w["push_words"]
    assert "must" not in ALTERNATIVES["en"]["push-words"]
    # the pull alternative does not repeat the nudge's label ("Resistance: Resistance: ...")
    assert not ALTERNATIVES["en"]["interrupted"].startswith("Resistance")
    assert "it is in" not in w["spot_short_own"]
    assert w["summaries"] == "Good reflections" and w["summaries_p"] == "Longest stretch without reflecting"
    assert w["legend_cue"] == "partner's cue"
    assert w["timeline_aria"]["counts"]["cue"] == ("{n} cue from the partner", "{n} cues from the partner")
    assert w["well"]["summaries"] == ("{v} good reflection", "{v} good reflections")
    # "7 (7 advice)" on the righting-reflex card; "Words in this report" (Woorden in dit verslag)
    assert count_text(7, w["rr_by"]["advice"]) == "7 pieces of advice"
    assert w["glossary"] == "Terms used in this report"
    assert w["spot_turn"] == "At {t} {who} finished speaking after {s}:"


def test_an_english_report_calls_a_reflection_a_reflection():
    lines = [("partner", 0.0, 10.0, "I only came because she made me. " + _words(20), {}),
             ("coachee", 11.0, 15.0, "So you are here because someone else wanted you to be.",
              {"reflection": True}),
             ("partner", 16.0, 20.0, "Pretty much, yeah.", {})]
    said = nudge_words("en")
    nudges = [NudgeIssued(t=15.5, rule="good-summary", message=said["good-summary"], kind="positive",
                          evidence_t=11.0),
              NudgeIssued(t=15.5, rule="open-question-after-resistance", kind="positive",
                          message=said["open-question-after-resistance"], evidence_t=11.0)]
    events = scripted(lines, nudges, end=100.0, lang="en")
    md, html = render(events, "md"), render(events, "html")
    assert "Good reflection · “✓ Reflection”" in md
    assert "Rolling with resistance · “✓ Rolling with resistance”" in md
    assert " Good reflections | **1 (longest stretch without reflecting:\u00a0" in md
    assert "**Went well:** " in md and "1 good reflection" in md
    for text in (md, html):
        assert "«" not in text and "»" not in text
        assert "Summaries" not in text and "Good summary" not in text
        assert "Curious at" not in text and "the other's" not in text


def test_a_plugin_rules_moment_is_headed_by_its_nudge_not_its_id():
    n = {"rule": "eigenlijk", "message": "Eigenlijk?", "kind": "negative", "delivered": False}
    assert moment_title(n, "nl") == "Eigenlijk?"
    assert moment_title({**n, "delivered": True}, "nl") == "Eigenlijk?"


def test_a_praise_and_a_plugins_nudge_on_one_line_read_as_two_rules():
    """"Rolling with resistance · Actually?" read as the praise's nudge (rules of one line are
    joined with " +": test_report_reading); and the HTML repeated a plugin's nudge after its
    title ("✓ Nice … · “✓ Nice …”")."""
    lines = [("partner", 0.0, 10.0, "I only came because she made me. " + _words(20), {}),
             ("coachee", 11.0, 15.0, "So actually you are here because someone else wanted you to be.",
              {"reflection": True})]
    said = nudge_words("en")
    nudges = [NudgeIssued(t=15.5, rule="open-question-after-resistance", kind="positive",
                          message=said["open-question-after-resistance"], evidence_t=11.0),
              NudgeIssued(t=15.5, rule="actually", message="Actually?", kind="positive", evidence_t=11.0,
                          delivered=False, detail={"held": "budget"})]
    md, html = render(scripted(lines, nudges, end=100.0, lang="en"), "md"), render(
        scripted(lines, nudges[1:2] + [NudgeIssued(t=15.5, rule="so-praise", message="✓ So", kind="positive",
                                                   evidence_t=11.0)], end=100.0, lang="en"), "html")
    assert "Rolling with resistance · Actually?" not in md
    assert "✓ So · " not in html
