"""A session coached in the other language than was spoken (its ``language`` warning) rates
nothing that rests on what its words were labelled: those figures are the wrong rules'. The
report showed "🔴 Reflecties : vragen 0 : 4 ✗ onder de maat" and "Oefen volgende keer:
Reflecties : vragen" under its own banner saying the labels were wrong, and the debrief shaded
the row red and green. The figures about the sound (talk share, interruptions, monologues)
stay rated."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pullcoach.debrief import build_debrief
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.report import render
from pullcoach.report_data import GOOD, NONE, WORD_FIGURES, build, focus
from pullcoach.rules.events import SessionEnded

sys.path.insert(0, str(Path(__file__).parent))
from test_debrief import DAY, coached  # noqa: E402
from test_report_language_mismatch import misheard  # noqa: E402

SOUND = ("talk_share", "interruptions", "monologues")


def test_the_figures_about_words_are_unrated_and_those_about_sound_are_not():
    right = build(coached("push_kantoor.jsonl", "Manager", "m-1", DAY))
    wrong = build(misheard("push_kantoor.jsonl", "Manager", "m-2", DAY))
    # the same call coached in its own language rates its words, some of them poor
    assert any(right["figures"][k]["rating"] == "poor" for k in WORD_FIGURES)
    for k in WORD_FIGURES:
        assert wrong["figures"][k]["rating"] == NONE and wrong["figures"][k]["unrated"] == "language"
        assert wrong["figures"][k]["value"] == right["figures"][k]["value"]  # still shown
    assert "capped" not in wrong["figures"]["summaries"]
    for k in SOUND:
        assert wrong["figures"][k]["rating"] == right["figures"][k]["rating"]
        assert "unrated" not in wrong["figures"][k]


def test_practise_next_is_not_a_figure_about_words():
    right = build(coached("push_kantoor.jsonl", "Manager", "m-1", DAY))
    wrong = build(misheard("push_kantoor.jsonl", "Manager", "m-2", DAY))
    assert focus(right)["figure"] in WORD_FIGURES  # what the old report sent the coachee to
    assert focus(wrong)["figure"] not in WORD_FIGURES
    assert wrong["figures"][focus(wrong)["figure"]]["rating"] in ("poor", "fair")
    # only the figures about words fell short: nothing to practise
    for k in wrong["figures"]:
        if k not in WORD_FIGURES:
            wrong["figures"][k]["rating"] = GOOD
    assert focus(wrong) is None


def test_a_long_call_rates_no_word_figure_in_either_half():
    log = misheard("push_kantoor.jsonl", "Manager", "m-2", DAY)
    log = [e for e in log if not isinstance(e, SessionEnded)] + [SessionEnded(t=700.0, reason="ended")]
    report = build(log)
    assert report["halves"]
    for half in report["halves"]:
        assert all(half["figures"][k]["rating"] == NONE for k in WORD_FIGURES)
    pick = focus(report)
    assert pick is None or pick["figure"] not in WORD_FIGURES


def test_the_report_shows_them_unrated_in_md_and_html():
    log = misheard("push_kantoor.jsonl", "Manager", "m-2", DAY)
    md = render(log, "md")
    practise = next(line for line in md.splitlines() if line.startswith("**Oefen volgende keer:**"))
    for name in ("Reflecties", "Open vragen", "Samenvattingen", "Herstelreflex", "Pushwoorden", "Argument"):
        assert name not in practise
    assert "Spreektijd coachee" in practise
    rq = next(line for line in md.splitlines() if "Reflecties : vragen" in line and line.startswith("|"))
    assert rq.startswith("| ⚪") and "niet beoordeeld: de woorden waren in de andere taal" in rq
    assert "onder de maat" not in rq
    talk = next(line for line in md.splitlines() if "Spreektijd coachee" in line and line.startswith("|"))
    assert talk.startswith("| 🔴") and "onder de maat" in talk
    html = render(log, "html")
    cards = re.findall(r'<div class="card (\w+)"><div class="label">([^<]+)</div>.*?</div></div>', html)
    rated = dict((label, rating) for rating, label in cards)
    assert rated["Reflecties : vragen"] == rated["Herstelreflex"] == NONE
    assert rated["Spreektijd coachee"] == "poor"
    assert html.count("niet beoordeeld: de woorden waren in de andere taal") == len(WORD_FIGURES)


def test_the_debrief_draws_the_word_cells_unrated_and_counts_the_sound():
    pull = build(coached("pull_kantoor.jsonl", "Manager", "m-1", DAY))
    wrong = build(misheard("push_kantoor.jsonl", "Manager", "m-2", DAY + 600))
    d = build_debrief([pull, wrong], "en")
    html = render_debrief_html(d)
    row = next(r for r in html.split("<tr>") if "coached in Dutch, but it sounded English" in r)
    cells = re.findall(r'<td class="(\w+)"( title="[^"]*")?>', row)
    # the columns: talk share, reflections, open, summaries, interruptions, stacks, push, righting
    assert [c for c, _ in cells] == ["poor", NONE, NONE, NONE, "fair", NONE, NONE, NONE]
    assert cells[1][1] == ' title="not rated: the words were in the other language"'
    assert "figures about the words not counted" in row
    # the sound counts, the words do not
    assert d["tally"]["talk_share"]["rated"] == 2
    assert all(d["tally"][k]["rated"] <= 1 for k in WORD_FIGURES)
    md = render_debrief_md(d)
    line = next(x for x in md.splitlines() if "sounded English" in x)
    assert line.count("🔴") == 1 and line.count("⚪") == 6
