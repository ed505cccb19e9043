"""A side that gave no sound at all is not coached. A replay whose coachee channel was all
zeros got "Oefen volgende keer: Samenvattingen" and green cards (talk share 0%, no
interruptions, no push words), a plain empty timeline row, and the coachee's next session
compared against it: "Spreektijd coachee: 0% → 50% (slechter)"."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build
from pullcoach.report_progress import previous_session, progress
from pullcoach.rules.events import PipelineWarning

OPEN = {"question": "open"}


def dead(speaker: str) -> PipelineWarning:  # the pipeline's warning after 20 s of zeros
    return PipelineWarning(t=20.0, kind="channel-silent", message="No sound at all",
                           detail={"speaker": speaker, "reason": "no-sound", "seconds": 20.0})


def partner_only(wall: float = 1_760_000_000.0) -> list:
    lines = [("partner", 5.0 + 8 * i, 10.0 + 8 * i, "Thuis kan ik me beter concentreren.", {}) for i in range(6)]
    events = scripted(lines, end=61.0, wall=wall)
    events.insert(-1, dead("coachee"))
    return events


def both(wall: float, dead_side: str | None = None) -> list:
    lines = []
    for i in range(6):
        lines.append(("coachee", 2.0 + 9 * i, 5.0 + 9 * i, "Wat maakt dat voor jou belangrijk?", OPEN))
        lines.append(("partner", 6.0 + 9 * i, 10.0 + 9 * i, "Thuis kan ik me beter concentreren.", {}))
    events = scripted(lines, end=61.0, wall=wall)
    if dead_side:
        events.insert(-1, dead(dead_side))
    return events


def test_a_dead_coachee_channel_rates_nothing_and_gives_no_focus():
    r = build(partner_only())
    assert r["unheard"] == ["coachee"]
    assert {f["rating"] for f in r["figures"].values()} == {"none"}
    assert {f.get("unrated") for f in r["figures"].values()} == {"no_sound_coachee"}
    md = render(partner_only(), "md")
    assert "Oefen volgende keer" not in md and "✓ goed" not in md and "Ging goed" not in md
    assert "| ⚪ Spreektijd coachee | **0%** (niet beoordeeld: van de coachee kwam geen geluid) |" in md


def test_a_dead_coachee_row_is_hatched_as_missing():
    html = render(partner_only(), "html")
    assert 'class="no-audio"><title>0:00–1:01 geen enkel geluid van Anna' in html


def test_a_dead_coachee_session_is_no_baseline_for_the_next():
    old = partner_only(1_760_000_000.0)
    new = both(1_760_000_500.0)
    assert progress(build(new), build(old)) is None  # was "Spreektijd coachee: 0% → 50% (slechter)"
    infos = [{"id": e[0].session, "coachee": "Anna", "started_wall": e[0].wall_clock, "duration": 61.0,
              "status": "ended", "reason": "ended", "lang": "nl", "partner": "Bert"} for e in (old, new)]
    logs = {e[0].session: e for e in (old, new)}
    assert previous_session(infos, new[0].session, events=logs.get) is None
    assert "Sinds je vorige gesprek" not in render(new, "md", previous=old)


def test_a_dead_partner_channel_leaves_what_rests_on_both_sides_unrated():
    r = build(both(1_760_000_000.0, "partner"))
    f = r["figures"]
    assert f["talk_share"]["rating"] == "none" and f["talk_share"]["unrated"] == "no_sound_partner"
    assert f["interruptions"]["rating"] == "none"
    assert f["speaking_rate"]["unrated"] == "no_sound_partner"  # too fast: than the partner
    assert f["open_questions"]["rating"] == "good"  # the coachee's words still count
    before = build(both(1_759_000_000.0))
    assert "talk_share" not in progress(r, before)["trends"]
    assert "open_questions" in progress(r, before)["trends"]
    md = render(both(1_760_000_000.0, "partner"), "md")
    assert "(niet beoordeeld: van de gesprekspartner kwam geen geluid)" in md
