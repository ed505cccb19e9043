"""A card's big number, its rating and the "since last time" row about it say the same
thing (findings from a review: "Samenvattingen 4 → 4 (slechter)"; "Spreektempo 166 → 145
(beter)" with both good; a green "3" summaries beside another session's amber "4")."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import _words, scripted  # noqa: E402

from pullcoach.report import build, render
from pullcoach.rules.events import NudgeIssued


def _summaries(ends, *, praised=True):
    """A coachee summary ending at each of ``ends`` (5 s long, after 20 words of the partner),
    praised by the good-summary rule unless ``praised`` is False."""
    lines, nudges = [], []
    for t1 in ends:
        lines.append(("partner", t1 - 12.0, t1 - 6.0, _words(20), {}))
        lines.append(("coachee", t1 - 5.0, t1, "Dus jij zegt dat rust voor jou telt.", {"reflection": True}))
        if praised:
            nudges.append(NudgeIssued(t=t1 + 0.5, rule="good-summary", message="✓ Samenvatting",
                                      kind="positive", evidence_t=t1 - 5.0))
    return lines, nudges


def _card(html: str, label: str) -> str:
    """The card with ``label``: its rating class, value (with small) and yardstick."""
    m = re.search(r'<div class="card (\w+)"><div class="label">' + re.escape(label)
                  + r'</div><div class="value">(.*?)</div>(?:<div class="status">.*?</div>)?'
                  r'<div class="yard">(.*?)</div></div>', html)
    assert m, label
    return f"{m.group(1)} | {m.group(2)} | {m.group(3)}"


def test_a_green_3_beside_an_amber_4_shows_why():
    green = render(scripted(*_summaries([100.0, 200.0, 300.0]), end=340.0), "html")
    amber = render(scripted(*_summaries([200.0, 260.0, 320.0, 380.0]), end=400.0), "html")
    assert _card(green, "Samenvattingen").startswith("good | 3 <small>langste stuk zonder:\u00a01:40</small>")
    assert _card(amber, "Samenvattingen").startswith("fair | 4 <small>langste stuk zonder:\u00a03:20</small>")


def test_reflections_without_a_summary_say_why_they_are_only_fair():
    lines, _ = _summaries([60.0, 120.0, 180.0], praised=False)
    html = render(scripted(lines, end=200.0), "html")
    card = _card(html, "Samenvattingen")
    assert card.startswith("fair | 0 <small>langste stuk zonder:\u00a01:00</small>")
    assert card.endswith("· zonder samenvatting hooguit redelijk")
    # where the cap does not apply, the card does not mention it
    assert "hooguit" not in render(scripted(*_summaries([60.0, 120.0]), end=150.0), "html")


def test_monologues_card_shows_the_longest_turn_it_is_rated_on():
    # no monologue nudge, a turn of 1:40: "0", fair, and why
    html = render(scripted([("coachee", 0.0, 100.0, _words(250), {}),
                            ("partner", 100.5, 130.0, _words(70), {})], end=130.0), "html")
    assert _card(html, "Monologen") == (
        "fair | 0 <small>langste beurt\u00a01:40</small> | beurt goed tot 1:16 · redelijk tot 2:00 · monoloog: vanaf 1:30")


def test_a_hm_does_not_end_a_turn_and_a_monologue_is_at_least_as_long_as_when_it_fired():
    # 100 s of the coachee with the partner's "hm" in a breath at 50 s: one turn, as the rules
    # read turns; the monologue rule fired at 90 s
    mono = NudgeIssued(t=90.0, rule="monologue", message="Luister", evidence_t=0.0,
                       detail={"length_s": 90.0})
    events = scripted([("coachee", 0.0, 50.0, _words(120), {}), ("partner", 50.3, 50.8, "Hm.", {}),
                       ("coachee", 51.0, 100.0, _words(120), {}),
                       ("partner", 101.0, 130.0, _words(70), {})], [mono], end=130.0)
    f = build(events)["figures"]["monologues"]
    assert (f["value"], round(f["longest_turn"]), f["rating"]) == (1, 100, "fair")  # was 50 s, "good"
    # pauses of 3 s split the report's turns, not the rule's monologue: still at least 1:30
    paused = scripted([("coachee", 0.0, 45.0, _words(110), {}), ("coachee", 48.0, 95.0, _words(110), {}),
                       ("partner", 96.0, 130.0, _words(70), {})], [mono], end=130.0)
    f = build(paused)["figures"]["monologues"]
    assert (f["value"], f["longest_turn"], f["rating"]) == (1, 90.0, "fair")
    # a partner who says more than a "hm" takes the floor: two turns
    talk = scripted([("coachee", 0.0, 50.0, _words(120), {}), ("partner", 50.1, 51.9, _words(5), {}),
                     ("coachee", 52.0, 100.0, _words(120), {})], end=110.0)
    assert build(talk)["figures"]["monologues"]["longest_turn"] == 50.0


def test_ratings_follow_the_value_the_card_shows():
    # 19 reflections to 20 questions shows "1 : 1", which the yardstick calls fair (was poor)
    lines = [("coachee", i * 4.0, i * 4.0 + 3.0, "Wat bedoel je?", {"question": "open"}) for i in range(20)]
    lines += [("coachee", 100.0 + i * 4.0, 100.0 + i * 4.0 + 3.0, "Dus je wilt rust.", {"reflection": True})
              for i in range(19)]
    f = build(scripted(lines, end=200.0))["figures"]
    assert f["reflections_questions"]["rating"] == "fair"
    assert _card(render(scripted(lines, end=200.0), "html"), "Reflecties : vragen").startswith("fair | 1 : 1 ")
    # 16 open of 23 questions shows 70%: good, as "70% goed" says (was fair)
    qs = [("coachee", i * 4.0, i * 4.0 + 3.0, "Wat bedoel je?" if i < 16 else "Klopt dat?",
           {"question": "open" if i < 16 else "closed"}) for i in range(23)]
    f = build(scripted(qs, end=120.0))["figures"]["open_questions"]
    assert (round(f["value"], 4), f["rating"]) == (0.6957, "good")
    # a talk share of 35.4% shows 35%: good, as "goed ≤ 35%" says (was fair)
    share = build(scripted([("coachee", 0.0, 35.4, _words(80), {}),
                            ("partner", 35.4, 100.0, _words(160), {})], end=100.0))["figures"]["talk_share"]
    assert (round(share["value"], 3), share["rating"]) == (0.354, "good")
    # a longest turn of 76.6 s shows 1:16: good, as "goed tot 1:16" says (was fair)
    mono = build(scripted([("coachee", 0.0, 76.6, _words(190), {}),
                           ("partner", 77.0, 120.0, _words(100), {})], end=120.0))["figures"]["monologues"]
    assert mono["rating"] == "good"
