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


def _card(html: str, label: str) -> str:
    """The card with ``label``: its rating class, value (with small) and yardstick."""
    m = re.search(r'<div class="card (\w+)"><div class="label">' + re.escape(label)
                  + r'</div><div class="value">(.*?)</div>(?:<div class="status">.*?</div>)?'
                  r'<div class="yard">(.*?)</div></div>', html)
    assert m, label
    return f"{m.group(1)} | {m.group(2)} | {m.group(3)}"


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
