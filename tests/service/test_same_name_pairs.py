"""Two pairs at once whose coachees have one name are two people: neither's report compares
with the other's session ("since your previous conversation"), and the debrief makes no one
person's progress of them."""

from __future__ import annotations

import time
from pathlib import Path

from pullcoach.debrief import build_debrief
from pullcoach.report import previous_events
from pullcoach.report_data import build
from pullcoach.report_progress import SLACK_S, previous_session
from pullcoach.rules.engine import Engine
from pullcoach.rules.events import SessionEnded, SessionStarted
from pullcoach.store import Store
from pullcoach.transcripts import read_transcript, to_events

TRANSCRIPTS = Path(__file__).parent.parent / "data" / "transcripts"
DAY = time.mktime((2026, 12, 7, 11, 52, 0, 0, 0, -1))


def coached(name: str, sid: str, wall: float, partner: str, coachee: str = "Joris") -> list:
    """The event log of a live session over this transcript, its coachee named ``coachee``."""
    segments = read_transcript(TRANSCRIPTS / name)
    speaker = "Manager" if "kantoor" in name else "Hulpverlener"
    engine = Engine(lang="nl")
    log = [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee=coachee, partner=partner)]
    events = to_events(segments, speaker)
    for ev in events:
        log += [ev, *engine.feed(ev)]
    end = SessionEnded(t=events[-1].t, reason="ended")
    return [*log, end, *engine.feed(end)]


def row(sid: str, wall: float, duration: float, partner: str = "P") -> dict:
    return {"id": sid, "coachee": "Joris", "partner": partner, "started_wall": wall,
            "status": "ended", "reason": "ended", "duration": duration, "lang": "nl"}


def test_a_session_that_ran_at_the_same_time_is_nobodys_previous_one():
    infos = [row("p1", 1000.0, 60.0, "P1"), row("p2", 1003.0, 50.0, "P2")]
    assert previous_session(infos, "p2") is None  # P1's pair was still talking
    assert previous_session(infos, "p1") is None


def test_a_session_that_had_ended_is_the_previous_one_within_a_few_seconds():
    infos = [row("early", 900.0, 60.0), row("edge", 1000.0, 60.0 + SLACK_S),
             row("late", 1100.0, 120.0), row("now", 1060.0 + 60.0, 60.0)]
    # "late" began before "now" but ran until 1220: another Joris's, not this one's previous
    assert previous_session(infos, "now") == "edge"
    assert previous_session([r for r in infos if r["id"] != "edge"], "now") == "early"
    assert previous_session(infos, "edge") == "early"


def test_the_qa_pairs_report_compares_with_nothing(tmp_path):
    """Joris with P1 and, 3 s later, Joris with P2 (the trainer's QA run): the second's
    report had the first as its previous conversation, 0 → 3 interruptions (worse)."""
    with Store(tmp_path) as store:
        for sid, name, wall, partner in [("s-p1", "pull_kantoor.jsonl", DAY, "P1"),
                                         ("s-p2", "push_kantoor.jsonl", DAY + 3, "P2")]:
            for e in coached(name, sid, wall, partner):
                store.append(sid, e)
        assert previous_events(store, "s-p2") is None and previous_events(store, "s-p1") is None
        # the second round (P1's Joris 3 s before P2's again): each compares with their own
        # first, by partner, not with the newest (P2's) for both
        for sid, name, wall, partner in [("r2-p1", "push_met_rust.jsonl", DAY + 600, "P1"),
                                         ("r2-p2", "pull_met_rust.jsonl", DAY + 603, "P2")]:
            for e in coached(name, sid, wall, partner):
                store.append(sid, e)
        assert previous_events(store, "r2-p1") == store.events("s-p1")
        assert previous_events(store, "r2-p2") == store.events("s-p2")


def test_once_two_people_had_one_name_only_the_partner_tells_whose_session_it_was():
    infos = [row("a", 1000.0, 60.0, "P1"), row("b", 1003.0, 60.0, "P2"),
             row("c", 1200.0, 60.0, " p1 ")]
    assert previous_session(infos, "c") == "a"  # not b, the newest that had ended
    # no one else of the name at the same time: whoever the partner, the newest ended one
    alone = [row("a", 1000.0, 60.0, "P1"), row("b", 1100.0, 60.0, "P2"), row("c", 1200.0, 60.0, "P1")]
    assert previous_session(alone, "c") == "b"
    # the other Joris talking while this one did (b runs past c's start) splits them too
    beside = [row("a", 1000.0, 60.0, "P1"), row("b", 1150.0, 90.0, "P2"), row("c", 1200.0, 60.0, "P1")]
    assert previous_session(beside, "c") == "a"


def test_the_debrief_keeps_two_joris_apart_by_partner():
    day = [(sid, name, DAY + off, partner) for sid, name, off, partner in [
        ("a1", "push_kantoor.jsonl", 0, "P1"), ("b1", "pull_kantoor.jsonl", 3, "P2"),
        ("a2", "pull_kantoor.jsonl", 1800, "P1"), ("b2", "push_kantoor.jsonl", 1803, "P2")]]
    d = build_debrief([build(coached(name, sid, wall, partner)) for sid, name, wall, partner in day])
    got = {p["partner"]: (p["first"]["id"], p["last"]["id"], p["count"]) for p in d["progress"]}
    assert got == {"P1": ("a1", "a2", 2), "P2": ("b1", "b2", 2)}
    by = {p["partner"]: p["trends"] for p in d["progress"]}
    # P1's Joris went from push to pull: better; P2's from pull to push: worse, not a mix
    assert by["P1"]["interruptions"] == "better" and by["P2"]["interruptions"] == "worse"
    from pullcoach.debrief_render import render_debrief_html, render_debrief_md
    md = render_debrief_md(d)
    assert "(met P1) · 2 gesprekken" in md and "(met P2) · 2 gesprekken" in md  # two headings told apart
    assert "(met P1) · 2 gesprekken" in render_debrief_html(d)


def test_the_debrief_of_one_round_shows_no_progress_of_two_people():
    d = build_debrief([build(coached("pull_kantoor.jsonl", "p1", DAY, "P1")),
                       build(coached("push_kantoor.jsonl", "p2", DAY + 3, "P2"))])
    assert d["progress"] == []


def test_one_joris_after_another_is_still_one_person_whoever_the_partner():
    d = build_debrief([build(coached("push_kantoor.jsonl", "p1", DAY, "P1")),
                       build(coached("pull_kantoor.jsonl", "p2", DAY + 900, "P2"))])
    (moved,) = d["progress"]
    assert (moved["first"]["id"], moved["last"]["id"], moved["count"], moved["partner"]) == ("p1", "p2", 2, None)


def test_two_joris_started_in_one_minute_have_rows_that_name_the_partner():
    from pullcoach.debrief_render import render_debrief_html, render_debrief_md
    d = build_debrief([build(coached("push_kantoor.jsonl", "p1", DAY, "Piet")),
                       build(coached("pull_kantoor.jsonl", "p2", DAY + 3, "Kees")),
                       build(coached("pull_kantoor.jsonl", "p3", DAY + 1800, "Piet"))])
    md = render_debrief_md(d)
    at = time.strftime("%H:%M", time.localtime(DAY))
    assert f"Joris ↔ Piet · {at}" in md and f"Joris ↔ Kees · {at}" in md  # not "Joris · 11:52" twice
    later = time.strftime("%H:%M", time.localtime(DAY + 1800))
    assert f"Joris · {later}" in md and f"Joris ↔ Piet · {later}" not in md  # alone in its minute
    assert f"Joris ↔ Kees · {at}" in render_debrief_html(d).replace("&#x27;", "'")
