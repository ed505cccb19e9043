"""The debrief's row of a role-play whose replayed file broke off names it with its time,
and a call shorter than the monologue yardstick is not praised for short turns."""

from __future__ import annotations

import time
from pathlib import Path

from pullcoach.audio_file import file_broken
from pullcoach.debrief import build_debrief
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.report_data import build
from pullcoach.rules.engine import Engine
from pullcoach.rules.events import PipelineWarning, SessionEnded, SessionStarted
from pullcoach.transcripts import read_transcript, to_events

TRANSCRIPTS = Path(__file__).parent.parent / "data" / "transcripts"
DAY = time.mktime((2026, 12, 4, 9, 0, 0, 0, 0, -1))  # local 09:00


def coached(name: str, coachee: str, sid: str, wall: float, *, cut: float | None = None,
            warnings: tuple = (), reason: str = "ended") -> dict:
    """The report of a live session over this transcript, up to ``cut`` s (where its file
    broke off) when given, with these warnings logged at their time."""
    segments = read_transcript(TRANSCRIPTS / name)
    partner = next(s.speaker for s in segments if s.speaker != coachee)
    engine = Engine(lang="nl")
    log = [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee=coachee, partner=partner)]
    events = [e for e in to_events(segments, coachee) if cut is None or getattr(e, "t", 0.0) < cut]
    for ev in events:
        log.append(ev)
        log += engine.feed(ev)
    log += warnings
    end = SessionEnded(t=cut if cut is not None else events[-1].t, reason=reason)
    log += [end, *engine.feed(end)]
    return build(log)


def test_a_row_names_where_a_replayed_file_broke_off():
    coachee = coached("push_kantoor.jsonl", "Manager", "a-cut", DAY, cut=29.2,
                      warnings=(file_broken(29.184, "coachee", "anna.flac", "broken data",
                                            files=["anna.flac", "bram.flac"]),))
    stereo = coached("push_met_rust.jsonl", "Hulpverlener", "b-stereo", DAY + 600, cut=14.3,
                     warnings=(file_broken(14.336, "coachee", "call.flac", "broken data",
                                           files=["call.flac"]),))
    partner = coached("pull_kantoor.jsonl", "Manager", "c-partner", DAY + 1200,
                      warnings=(file_broken(12.5, "partner", "bram.flac", "broken data"),))
    # `run` replaying the coachee's file itself: the session ends as an audio error
    local = coached("pull_met_rust.jsonl", "Client", "d-local", DAY + 1800, cut=21.0, reason="error",
                    warnings=(PipelineWarning(t=21.0, kind="audio-error", message="x.flac: broken"),))
    d = build_debrief([coachee, stereo, partner, local])
    rows = {r["session"]["id"]: r for r in d["sessions"]}
    assert [rows[k]["broke_off"] for k in ("a-cut", "b-stereo", "c-partner", "d-local")] == [
        29.184, 14.336, None, 21.0]
    assert rows["c-partner"]["partner_broke_off"] == 12.5
    md = render_debrief_md(d)
    lines = {k: next(x for x in md.splitlines() if x.startswith(f"| {name} · 09:{mm}"))
             for k, name, mm in [("a", "Manager", "00"), ("b", "Hulpverlener", "10"),
                                 ("c", "Manager", "20"), ("d", "Client", "30")]}
    assert "(opname brak af op 0:29)" in lines["a"]
    assert "(opname brak af op 0:14)" in lines["b"]
    assert "(bestand van de ander brak af op 0:12)" in lines["c"]
    assert "(opname brak af op 0:21)" in lines["d"]
    # named, not only "see the report"
    assert "opnameprobleem" not in md
    en = build_debrief([coachee, partner], lang="en")
    md_en, html_en = render_debrief_md(en), render_debrief_html(en)
    assert "(recording broke off at 0:29)" in md_en and "(other side's file broke off at 0:12)" in md_en
    assert "recording broke off at 0:29" in html_en and "recording problem" not in html_en


def test_another_recording_problem_is_still_said_beside_the_break():
    stalled = PipelineWarning(t=5.0, kind="channel-stalled", message="stalled",
                              detail={"speaker": "partner"})
    r = coached("push_kantoor.jsonl", "Manager", "a-cut", DAY, cut=29.2,
                warnings=(stalled, file_broken(29.184, "coachee", "anna.flac", "broken data",
                                               files=["anna.flac", "bram.flac"])))
    md = render_debrief_md(build_debrief([r]))
    assert "(opname brak af op 0:29; opnameprobleem: zie verslag)" in md


def test_a_call_shorter_than_the_turn_yardstick_is_no_proof_of_short_turns():
    """Two calls cut at 0:29 and 0:14: no turn could last over 76 s, so "no turn over 76 s"
    is no strength; with longer calls it is, and the short one is said apart."""
    short = [coached("push_kantoor.jsonl", "Manager", "a", DAY, cut=29.2),
             coached("push_met_rust.jsonl", "Hulpverlener", "b", DAY + 600, cut=14.3)]
    # the report's own: under half a minute, too short to rate
    assert all(r["figures"]["monologues"].get("unrated") == "short" for r in short)
    d = build_debrief(short)
    assert "monologues" not in d["strengths"]
    assert d["tally"]["monologues"] == {"good": 0, "fair": 0, "poor": 0, "rated": 0, "short": 2}
    md = render_debrief_md(d)
    assert "langer dan 76 s" not in md and "Korte beurten" not in md

    long = []
    for i in range(2):
        r = build([SessionStarted(session=f"l{i}", wall_clock=DAY + 1200 + i, lang="nl"),
                   SessionEnded(t=300.0, reason="ended")])
        r["figures"]["monologues"]["rating"] = "good"
        long.append(r)
    d = build_debrief([*long, short[0]])
    assert d["strengths"] == ["monologues"]
    went_well = render_debrief_md(d).split("## Wat goed ging")[1].split("##")[0]
    assert ("- **Korte beurten (geen monologen)** — in 2 van 3 gesprekken duurde geen beurt van "
            "de coachee langer dan 76 s (1 te kort om te beoordelen)") in went_well
    en = render_debrief_md(build_debrief([*long, short[0]], lang="en"))
    assert "no turn of the coachee lasted over 76 s (1 too short to rate)" in en
