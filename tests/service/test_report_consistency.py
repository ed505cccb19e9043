"""A card's big number, its rating and the "since last time" row about it say the same
thing (findings from a review: "Samenvattingen 4 → 4 (slechter)"; "Spreektempo 166 → 145
(beter)" with both good; a green "3" summaries beside another session's amber "4")."""

from __future__ import annotations

import math
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import _words, scripted  # noqa: E402

from pullcoach.report import build, render
from pullcoach.report_html import progress_rows
from pullcoach.report_progress import COMPARED, NOISE, progress
from pullcoach.report_text import words
from pullcoach.rules.events import NudgeIssued

LATER = 1_760_000_900.0


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


def test_summaries_progress_shows_the_longest_stretch_its_rating_is_about():
    # four praised summaries both times; the longest stretch without one 3:10, then 4:20
    lines, nudges = _summaries([190.0, 250.0, 310.0, 370.0])
    before = scripted(lines, nudges, end=400.0)
    lines, nudges = _summaries([260.0, 320.0, 380.0, 440.0])
    now = scripted(lines, nudges, end=470.0, wall=LATER)
    f0, f1 = build(before)["figures"]["summaries"], build(now)["figures"]["summaries"]
    assert (f0["value"], f0["rating"], f1["value"], f1["rating"]) == (4, "fair", 4, "poor")
    md, html = render(now, "md", previous=before), render(now, "html", previous=before)
    # was "Samenvattingen: 4 → 4 (slechter)": a word no shown number backed
    assert "- Langste stuk zonder samenvatting: 3:10 → 4:20 (slechter)" in md
    assert "Samenvattingen: 4 → 4" not in md
    assert '<li class="worse">Langste stuk zonder samenvatting <b>3:10 → 4:20</b> <span>slechter</span></li>' in html
    # the card: the count, and beside it the stretch the rating is about, with the yardstick
    assert _card(html, "Samenvattingen") == (
        "poor | 4 <small>langste stuk zonder:\u00a04:20</small> | goed: minstens elke 2 min · redelijk: elke 4 min"
        " · een reflectie telt mee")
    assert "| 🔴 Samenvattingen | **4 (langste stuk zonder:\u00a04:20)** (✗ onder de maat) |" in md
    en = render(scripted(*_summaries([260.0, 320.0]), end=470.0, lang="en"), "html")
    assert _card(en, "Good reflections").startswith(
        "poor | 2 <small>longest stretch without reflecting:\u00a04:20</small> | good: a reflection at least every 2 min")


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
        "poor | 0 <small>langste beurt\u00a01:40</small> | beurt goed tot 1:16 · redelijk tot 1:30 · daarna een monoloog")


def test_a_hm_does_not_end_a_turn_and_a_monologue_is_at_least_as_long_as_when_it_fired():
    # 100 s of the coachee with the partner's "hm" in a breath at 50 s: one turn, as the rules
    # read turns; the monologue rule fired at 90 s
    mono = NudgeIssued(t=90.0, rule="monologue", message="Luister", evidence_t=0.0,
                       detail={"length_s": 90.0})
    events = scripted([("coachee", 0.0, 50.0, _words(120), {}), ("partner", 50.3, 50.8, "Hm.", {}),
                       ("coachee", 51.0, 100.0, _words(120), {}),
                       ("partner", 101.0, 130.0, _words(70), {})], [mono], end=130.0)
    f = build(events)["figures"]["monologues"]
    # was 50 s, "good"; over the rule's 1:30 a turn is a monologue, not fair
    assert (f["value"], round(f["longest_turn"]), f["rating"]) == (1, 100, "poor")
    # pauses of 3 s split the report's turns, not the rule's monologue: still at least 1:30
    paused = scripted([("coachee", 0.0, 45.0, _words(110), {}), ("coachee", 48.0, 95.0, _words(110), {}),
                       ("partner", 96.0, 130.0, _words(70), {})], [mono], end=130.0)
    f = build(paused)["figures"]["monologues"]
    assert (f["value"], f["longest_turn"], f["rating"]) == (1, 90.0, "fair")
    # a partner who says more than a "hm" takes the floor: two turns
    talk = scripted([("coachee", 0.0, 50.0, _words(120), {}), ("partner", 50.1, 51.9, _words(5), {}),
                     ("coachee", 52.0, 100.0, _words(120), {})], end=110.0)
    assert build(talk)["figures"]["monologues"]["longest_turn"] == 50.0


def test_monologues_progress_shows_the_longest_turn_it_is_rated_on():
    # no monologue nudge either time; the longest turn 0:20, then 1:40
    before = scripted([("coachee", 0.0, 20.0, _words(50), {}), ("partner", 20.5, 60.0, _words(90), {})])
    now = scripted([("coachee", 0.0, 100.0, _words(250), {}), ("partner", 100.5, 130.0, _words(70), {})],
                   end=130.0, wall=LATER)
    md = render(now, "md", previous=before)
    # was "Monologen: 0 → 0 (slechter)"
    assert "- Langste beurt: 0:20 → 1:40 (slechter)" in md and "Monologen: 0 → 0" not in md


def test_a_change_within_the_good_band_is_no_news():
    # speaking rate 166 -> 145 and talk share 30% -> 24%: good both times
    before = scripted([("coachee", 0.0, 30.0, _words(83), {}), ("partner", 30.0, 100.0, _words(190), {})],
                      end=100.0)
    now = scripted([("coachee", 0.0, 24.0, _words(58), {}), ("partner", 24.0, 100.0, _words(200), {})],
                   end=100.0, wall=LATER)
    md = render(now, "md", previous=before)
    assert "- Spreektempo: 166 → 145 (beide goed)" in md  # was "(beter)"
    assert "- Spreektijd coachee: 30% → 24% (beide goed)" in md
    assert "- Pushwoorden (moeten): 0 → 0 (beide goed)" in md
    en = render(scripted([("coachee", 0.0, 24.0, _words(58), {}),
                          ("partner", 24.0, 100.0, _words(200), {})], end=100.0, wall=LATER, lang="en"),
                "md", previous=scripted([("coachee", 0.0, 30.0, _words(83), {}),
                                         ("partner", 30.0, 100.0, _words(190), {})], end=100.0, lang="en"))
    assert "- Speaking rate: 166 → 145 (both good)" in en
    # nothing got better, so the top of the report does not say something did
    assert "Het meest vooruit" not in md


def test_counts_are_compared_as_the_cards_show_them():
    push = [("coachee", 0.0, 10.0, "Je moet dit echt doen, dat moet.", {"push": 2}),
            ("partner", 10.5, 50.0, _words(90), {})]
    before = scripted(push, end=60.0)
    now = scripted(push + [("partner", 60.0, 110.0, _words(100), {})], end=120.0, wall=LATER)
    # the same two push words in a call twice as long: "2 → 2", and so "gelijk" (was "beter")
    assert "- Pushwoorden (moeten): 2 → 2 (gelijk)" in render(now, "md", previous=before)


def test_ratings_follow_the_value_the_card_shows():
    # 19 reflections to 20 questions shows "1 : 1", which the yardstick calls fair (was poor)
    lines = [("coachee", i * 4.0, i * 4.0 + 3.0, "Wat bedoel je?", {"question": "open"}) for i in range(20)]
    lines += [("coachee", 100.0 + i * 4.0, 100.0 + i * 4.0 + 3.0, "Dus je wilt rust.", {"reflection": True})
              for i in range(19)]
    f = build(scripted(lines, end=200.0))["figures"]
    assert f["reflections_questions"]["rating"] == "fair"
    assert _card(render(scripted(lines, end=200.0), "html"), "Reflecties : vragen").startswith(
        "fair | 19 : 20 <small>1 reflectie per vraag</small>")
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


def _number(text: str) -> float:
    """A row's shown value as a number: 57%, 0,7 (reflections per question), ∞, 3:10, 166."""
    if text.endswith("%"):
        return float(text[:-1])
    if text == "∞":
        return math.inf
    if ":" in text:
        m, s = text.split(":")
        return int(m) * 60 + int(s)
    return float(text.replace(",", "."))


def _random_session(rng: random.Random, wall: float) -> list:
    """A coachee and a partner taking turns for 1-8 minutes, with reflections, questions,
    push words, praised summaries and nudges at random."""
    lines, nudges, t = [], [], 0.0
    end = rng.uniform(60.0, 480.0)
    while t < end - 10.0:
        n = rng.uniform(2.0, min(110.0, end - t - 1.0)) if rng.random() < 0.1 else rng.uniform(2.0, 15.0)
        n = min(n, end - t - 1.0)
        speaker = rng.choice(("coachee", "partner"))
        kind = rng.choice(("open", "closed", "reflection", "push", "plain", "plain"))
        labels = ({"question": kind} if kind in ("open", "closed") else {"reflection": True}
                  if kind == "reflection" else {"push": 1} if kind == "push" else {})
        text = _words(max(1, int(n * rng.uniform(1.8, 4.2))))
        lines.append((speaker, t, t + n, text, labels if speaker == "coachee" else {}))
        if speaker == "coachee" and kind == "reflection" and rng.random() < 0.6:
            nudges.append(NudgeIssued(t=t + n + 0.5, rule="good-summary", message="✓", kind="positive",
                                      evidence_t=t))
        if speaker == "coachee" and rng.random() < 0.1:
            rule = rng.choice(("interruption", "argument-stacking", "righting-reflex"))
            nudges.append(NudgeIssued(t=t + n, rule=rule, message="!", evidence_t=t))
        t += n + rng.uniform(0.2, 3.0)
    return scripted(lines, nudges, end=end, wall=wall)


def test_every_progress_row_says_what_its_two_values_say():
    """Over random pairs of sessions: "beter" and "slechter" only where the two values shown
    moved that way and were not both good; "beide goed" only where both cards said good;
    "gelijk" only where the values are equal or within the noise."""
    rng = random.Random(7)
    reports = [build(_random_session(rng, 1_760_000_000.0 + i)) for i in range(24)]
    w = words("nl")
    seen, wrong = set(), []
    for before in reports:
        for now in reports:
            if now is before or (p := progress(now, before)) is None:
                continue
            _, rows = progress_rows(now, p, w, "nl")
            for key, (label, a, b, trend, word) in zip(p["trends"], rows):
                seen.add(word)
                if trend in ("short", "unrated"):
                    continue
                va, vb = _number(a), _number(b)
                good = (p["before"][key]["rating"], now["figures"][key]["rating"]) == ("good", "good")
                higher = COMPARED[key]
                if word in ("beter", "slechter"):
                    ok = not good and vb != va and ((vb > va) == higher) == (word == "beter")
                elif word == "beide goed":
                    ok = good
                else:
                    ok = word == "gelijk" and not good and (va == vb or abs(vb - va) < NOISE.get(key, 0))
                if not ok:
                    wrong.append(f"{label} {a} → {b} ({word})")
    # the old rows said e.g. "Monologen 0 → 0 (slechter)", "Samenvattingen 1 → 1 (beter)",
    # "Spreektempo 168 → 196 (slechter)" with both good
    assert not wrong, sorted(set(wrong))[:12]
    assert {"beter", "slechter", "gelijk", "beide goed"} <= seen


def test_the_reflections_card_shows_the_counts_and_says_the_ratio_in_words():
    # no reflection, two questions: the card read "0 : 1" beside "0 reflecties, 2 vragen"
    qs = [("coachee", 1.0, 3.0, "Klopt dat?", {"question": "closed"}),
          ("coachee", 10.0, 12.0, "Ga je dat doen?", {"question": "closed"})]
    html, md = render(scripted(qs), "html"), render(scripted(qs), "md")
    assert _card(html, "Reflecties : vragen") == (
        "poor | 0 : 2 <small>0 reflecties per vraag</small> | 1 reflectie per vraag redelijk · 2 goed (MITI)")
    assert "| 🔴 Reflecties : vragen | **0 : 2 (0 reflecties per vraag)** (✗ onder de maat) |" in md
    # three reflections to two questions: rated on 1,5 per question, as the words say
    refl = qs + [("coachee", 20.0 + 4 * i, 22.0 + 4 * i, "Dus je wilt rust.", {"reflection": True})
                 for i in range(3)]
    assert _card(render(scripted(refl), "html"), "Reflecties : vragen").startswith(
        "fair | 3 : 2 <small>1,5 reflecties per vraag</small>")
    en = render(scripted(qs[:1] + refl[2:3], lang="en"), "html")
    assert _card(en, "Reflections : questions").startswith("fair | 1 : 1 <small>1 reflection per question</small>")
    only = render(scripted(refl[2:]), "html")  # reflections, no question: nothing per question
    assert _card(only, "Reflecties : vragen").startswith("good | 3 : 0 <small>geen vraag gesteld</small>")
    # since last time: the ratio it is rated on, not two pairs of counts
    now = scripted(refl, wall=LATER)
    assert "- Reflecties per vraag: 0 → 1,5 (beter)" in render(now, "md", previous=scripted(qs))
