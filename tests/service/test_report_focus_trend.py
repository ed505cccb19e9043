""""Oefen volgende keer" follows where the coachee is at the end of a long call: a habit
dropped in the second half gives way to one still short, and the line says honestly how
the pick moved. "Het meest vooruit" names the figure that moved most, not the first."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build, focus
from pullcoach.report_progress import halves
from pullcoach.rules.events import NudgeIssued

OPEN = ("Wat is voor jou belangrijk?", {"question": "open"})
CLOSED = ("Vind je dat lastig?", {"question": "closed"})
REFLECT = ("Dus voor jou telt vooral rust.", {"question": None, "reflection": True})
PUSH = ("Je moet echt terugkomen.", {"question": None, "push": True})


def call(line, *, interrupts=lambda k, t: False, share=lambda t: 8.0, minutes: int = 20, lang: str = "nl"):
    """A call of ``minutes``: every 30 s the coachee says ``line(k, t)`` (text, labels) for
    ``share(t)`` seconds, the partner answers; where ``interrupts(k, t)`` the coachee cut in
    (an interruption nudge); a reflection is praised as a summary, a push nudged."""
    lines, nudges = [], []
    for k, t in enumerate(range(0, minutes * 60, 30)):
        text, labels = line(k, t)
        end = t + 1.0 + share(t)
        lines.append(("coachee", t + 1.0, end, text, labels))
        lines.append(("partner", end + 1.0, t + 28.0, "Daar moet ik over nadenken, dat is lastig voor mij.", {}))
        if interrupts(k, t):
            nudges.append(NudgeIssued(t=t + 1.7, rule="interruption", message="Laat uitpraten", evidence_t=t + 1.0))
        if labels.get("reflection"):
            nudges.append(NudgeIssued(t=end + 0.5, rule="good-summary", message="✓ Samenvatting",
                                      kind="positive", evidence_t=t + 1.0))
        if labels.get("push"):
            nudges.append(NudgeIssued(t=end + 0.5, rule="push-words", message="Moeten?", evidence_t=t + 1.0))
    return scripted(lines, nudges, end=minutes * 60.0, lang=lang)


def pulling(question=OPEN, *, push_until: float = 0.0):
    """Every two minutes a question and three reflections (good ratios in either half, a
    summary at least every minute); the question's turn pushes until ``push_until``."""
    def line(k, t):
        if k % 4:
            return REFLECT
        return PUSH if t < push_until else question(k) if callable(question) else question
    return line


def _top(events) -> str:
    return next(x for x in render(events, "md").splitlines() if x.startswith(("**Oefen", "**Practise")))


def _ratings(events, key: str) -> tuple[str, str, str]:
    r = build(events)
    return (r["figures"][key]["rating"],) + tuple(h["figures"][key]["rating"] for h in r["halves"])


def test_a_habit_dropped_in_the_second_half_gives_way_to_one_still_short():
    """20 → 0 interruptions, closed questions throughout: the coachee was told to practise
    interruptions (naming the improvement); now the closed questions, which are still poor
    at the end."""
    events = call(pulling(CLOSED), interrupts=lambda k, t: t < 600)
    assert _ratings(events, "interruptions") == ("poor", "poor", "good")
    assert _ratings(events, "open_questions") == ("poor", "poor", "poor")
    fo = focus(build(events), within=halves(build(events))["trends"])
    assert fo["figure"] == "open_questions" and fo["end"] == "poor" and not fo["kept"]
    top = _top(events)
    assert top.startswith("**Oefen volgende keer:** Open vragen") and "Onderbreking" not in top
    # the drop is still told, under the figures
    assert "- Onderbrekingen door coachee: 20 → 0 (beter)" in render(events, "md")


def test_better_but_only_fair_gives_way_to_another_fair_one():
    """Interruptions 20 → 2 (fair at the end) and open questions fair in both halves: the
    one that did not move is the one to practise."""
    def half_open(k):  # three of each half's five questions open: 60%
        return CLOSED if k // 4 in (1, 3, 6, 8) else OPEN
    events = call(pulling(half_open), interrupts=lambda k, t: t < 600 or k in (21, 25))
    assert _ratings(events, "interruptions") == ("poor", "poor", "fair")
    assert _ratings(events, "open_questions") == ("fair", "fair", "fair")
    assert focus(build(events), within=halves(build(events))["trends"])["figure"] == "open_questions"
    assert _top(events).startswith("**Oefen volgende keer:** Open vragen")


def test_a_habit_better_but_still_poor_at_the_end_stays_the_pick_and_says_so():
    """20 → 5 interruptions is better and still poor: it stays the pick (first in what the
    other feels most), and the line says why: better, still below par."""
    events = call(pulling(CLOSED), interrupts=lambda k, t: t < 600 or k % 4 == 0)
    assert _ratings(events, "interruptions") == ("poor", "poor", "poor")
    top = _top(events)
    assert top.startswith("**Oefen volgende keer:** Onderbrekingen door coachee")
    assert "Eerste → tweede helft: 20 → 5 (beter, nog onder de maat)." in top


def test_the_only_habit_short_and_dropped_is_the_one_to_keep():
    """Push words 5 → 0 and nothing else short: the pick, worded as what to keep doing, not
    as what went wrong; in English too."""
    events = call(pulling(push_until=600))
    assert _ratings(events, "push_words") == ("poor", "poor", "good")
    r = build(events)
    assert [k for k, f in r["figures"].items() if f["rating"] in ("poor", "fair")] == ["push_words"]
    top = _top(events)
    assert top.startswith("**Oefen volgende keer:** Pushwoorden (moeten)")
    assert "Eerste → tweede helft: 5 → 0 (beter): houd dat vast." in top
    en = _top(call(pulling(push_until=600), lang="en"))
    assert "First → second half: 5 → 0 (better): keep that up." in en


def test_a_figure_good_over_the_call_but_poor_at_the_end_is_picked():
    """Talking 8% of the first half and 58% of the second reads 33%, good, over the call:
    nothing was to be practised. At the end it falls short: that is the pick, getting worse."""
    events = call(pulling(), share=lambda t: 2.0 if t < 600 else 15.0)
    assert _ratings(events, "talk_share") == ("good", "good", "poor")
    top = _top(events)
    assert top.startswith("**Oefen volgende keer:** Spreektijd coachee")
    assert "Eerste → tweede helft: 8% → 58% (slechter)." in top


def test_most_progress_is_the_figure_that_moved_most():
    """44 → 30 interruptions was "het meest vooruit" beside push words 20 → 0, because
    interruptions come first in what to practise: now the push words, poor to good."""
    def short(n_interruptions: int, n_push: int, wall: float):
        lines, nudges = [], []
        for k in range(50):
            t = k * 6.0
            text, labels = PUSH if k < n_push else CLOSED
            lines.append(("coachee", t, t + 2.0, text, labels))
            lines.append(("partner", t + 3.0, t + 5.5, "Dat weet ik niet.", {}))
            if k < n_interruptions:
                nudges.append(NudgeIssued(t=t + 0.7, rule="interruption", message="Laat uitpraten", evidence_t=t))
        return scripted(lines, nudges, end=300.0, wall=wall)
    before, now = short(44, 20, 1_760_000_000.0), short(30, 0, 1_760_100_000.0)
    md = render(now, "md", previous=before)
    assert "**Het meest vooruit sinds vorige keer:** Pushwoorden (moeten) 20 → 0" in md
    assert "- Onderbrekingen door coachee: 44 → 30 (beter)" in md  # still told, below
    # a step that small beside 44 is no news: 44 → 42 is "gelijk" (was "beter", and the most)
    md = render(short(42, 20, 1_760_100_000.0), "md", previous=before)
    assert "- Onderbrekingen door coachee: 44 → 42 (gelijk)" in md and "Het meest vooruit" not in md


def test_a_count_that_hardly_moved_between_the_halves_is_no_news():
    """Interruptions 20 → 19 from half to half read "(beter)", in the list under the figures
    and on the top line ("42 → 41 (beter, nog onder de maat)" in a replayed call); 20 → 15
    still is better."""
    events = call(pulling(CLOSED), interrupts=lambda k, t: t < 600 or k != 39)
    top, md = _top(events), render(events, "md")
    assert top.startswith("**Oefen volgende keer:** Onderbrekingen door coachee")
    assert "helft" not in top and "Onderbrekingen door coachee: 20 → 19" not in md
    events = call(pulling(CLOSED), interrupts=lambda k, t: t < 600 or k % 4)
    assert "Eerste → tweede helft: 20 → 15 (beter, nog onder de maat)." in _top(events)
