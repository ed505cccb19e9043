"""``pullcoach debrief``: role-plays side by side, from sessions the rule engine coached,
stored in a real SQLite store."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.debrief import build_debrief, collect, pick_sessions
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.report_data import build
from pullcoach.rules.engine import Engine
from pullcoach.rules.events import Bookmarked, SessionEnded, SessionStarted
from pullcoach.store import Store
from pullcoach.transcripts import read_transcript, to_events

TRANSCRIPTS = Path(__file__).parent.parent / "data" / "transcripts"
DAY = time.mktime((2026, 12, 4, 9, 0, 0, 0, 0, -1))  # local 09:00


def coached(name: str, coachee: str, sid: str, wall: float, *, bookmark: float | None = None,
            ended: bool = True) -> list:
    """The event log a live session over this transcript would store."""
    segments = read_transcript(TRANSCRIPTS / name)
    partner = next(s.speaker for s in segments if s.speaker != coachee)
    engine = Engine(lang="nl")
    log = [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee=coachee, partner=partner)]
    events = to_events(segments, coachee)
    for ev in events:
        log.append(ev)
        log += engine.feed(ev)
        if bookmark is not None and getattr(ev, "t", 0.0) >= bookmark:
            log.append(Bookmarked(t=ev.t, note="Hier stapelt ze", by="trainer"))
            bookmark = None
    if ended:
        end = SessionEnded(t=events[-1].t, reason="ended")
        log += [end, *engine.feed(end)]
    return log

def stored(tmp_path, *sessions) -> None:
    with Store(tmp_path) as store:
        for sid, log in sessions:
            for e in log:
                store.append(sid, e)


@pytest.fixture
def day(tmp_path) -> str:
    """A training day: two push role-plays, a pull one and one cut off by a crash (its
    server died, so the store marks it interrupted), plus one the day before."""
    with Store(tmp_path) as store:
        for sid, name, coachee, wall, mark in [
            ("a-push", "push_kantoor.jsonl", "Manager", DAY, 12.0),
            ("b-pull", "pull_kantoor.jsonl", "Manager", DAY + 1800, None),
            ("c-push", "push_met_rust.jsonl", "Hulpverlener", DAY + 3600, None),
            ("z-yesterday", "pull_met_rust.jsonl", "Hulpverlener", DAY - 86400, None),
        ]:
            for e in coached(name, coachee, sid, wall, bookmark=mark):
                store.append(sid, e)
        for e in coached("pull_kantoor.jsonl", "Manager", "d-cut", DAY + 5400, ended=False):
            store.append("d-cut", e)
    return str(tmp_path)


def test_pick_sessions_takes_the_newest_day_and_leaves_live_ones_out(day):
    with Store(day) as store:
        infos = store.sessions()
    assert pick_sessions(infos) == ["a-push", "b-pull", "c-push", "d-cut"]
    assert pick_sessions(infos, day=time.strftime("%Y-%m-%d", time.localtime(DAY - 86400))) == [
        "z-yesterday"]
    live = {"id": "e-live", "status": "live", "started_wall": DAY + 7200}
    assert pick_sessions([*infos, live]) == ["a-push", "b-pull", "c-push", "d-cut"]
    assert pick_sessions(infos, ids=["c-push", "e-live", "c-push"]) == ["c-push", "e-live"]
    assert pick_sessions([]) == []
    # a trainer's `pullcoach demo` that morning (an install check) is no role-play of the day,
    # and a demo run later does not make its day the newest
    demo = {"id": "f-demo", "status": "ended", "started_wall": DAY + 86400,
            "coachee": "Manager (demo)", "partner": "Sanne (demo)"}
    assert pick_sessions([*infos, demo]) == ["a-push", "b-pull", "c-push", "d-cut"]
    assert pick_sessions([*infos, demo], ids=["f-demo"]) == ["f-demo"]  # named: kept
    # a pair's capture started and stopped at once: nothing said, nothing to debrief
    blank = {"id": "g-blank", "status": "ended", "started_wall": DAY + 7300, "duration": 0.4,
             "counts": {"session-started": 1, "session-ended": 1}}
    assert pick_sessions([*infos, blank]) == ["a-push", "b-pull", "c-push", "d-cut"]


def test_the_push_role_plays_are_what_to_work_on(day):
    with Store(day) as store:
        d = collect(store, ["a-push", "b-pull", "c-push"])
    assert [r["session"]["id"] for r in d["sessions"]] == ["a-push", "b-pull", "c-push"]
    by_id = {r["session"]["id"]: r for r in d["sessions"]}
    assert by_id["b-pull"]["negative"] == 0
    assert by_id["a-push"]["negative"] >= 3 and by_id["c-push"]["negative"] >= 3
    points = {p["figure"]: p for p in d["work_on"]}
    # both push role-plays say "moeten" and stack arguments; the pull one does neither
    assert d["tally"]["push_words"] == {"good": 1, "fair": 2, "poor": 0, "rated": 3}
    assert d["tally"]["argument_stacks"] == {"good": 1, "fair": 2, "poor": 0, "rated": 3}
    # poor in more sessions comes first; of those not good in two, the poor ones first
    # (both push role-plays give advice twice unasked: each time counts, as push words do)
    assert d["tally"]["righting_reflexes"] == {"good": 1, "fair": 0, "poor": 2, "rated": 3}
    assert [p["figure"] for p in d["work_on"]] == [
        "reflections_questions", "talk_share", "righting_reflexes", "open_questions", "interruptions"]
    ex = points["righting_reflexes"]["example"]
    assert ex["session"]["id"] in ("a-push", "c-push") and ex["rule"] == "righting-reflex"
    ex = points["interruptions"]["example"]
    assert ex["session"]["id"] in ("a-push", "c-push") and ex["rule"] == "interruption"
    # each point its own moment: the push line at 0:05 that cut in, pushed and advised at once
    # was the example of three points
    shown = [(p["example"]["session"]["id"], p["example"]["t"]) for p in d["work_on"] if p["example"]]
    assert len(shown) == 4 and len(set(shown)) == len(shown)
    # the trainer's bookmark comes back with what was said just before it
    (b,) = d["bookmarks"]
    assert b["session"]["id"] == "a-push" and b["note"] == "Hier stapelt ze"
    assert b["around"] and all(u["t0"] <= b["t"] + 1.0 for u in b["around"])
    # the pull role-play's praise is offered to name, saying it was one pair's of three
    assert any(m["session"]["id"] == "b-pull" for m in d["good_moments"])
    assert {m["nudge"]["rule"]: m["sessions"] for m in d["good_moments"]} == {
        "good-summary": 1, "draaivraag": 1}
    # only the pull role-play summarised (the push ones, under a minute without a reflection,
    # could not be rated): no strength of the day's, which it was as "good wherever rated"
    assert d["tally"]["summaries"] == {"good": 1, "fair": 0, "poor": 0, "rated": 1}
    # nor short turns: the calls (0:40 to 1:00) are shorter than the 76 s a good turn may
    # last, so "no turn over 76 s" says nothing (debrief._too_short)
    assert d["tally"]["monologues"] == {"good": 0, "fair": 0, "poor": 0, "rated": 0, "short": 3}
    assert d["strengths"] == []
    # the Manager practised twice (push, then pull): what moved; the Hulpverlener once
    (moved,) = d["progress"]
    assert (moved["first"]["id"], moved["last"]["id"], moved["count"]) == ("a-push", "b-pull", 2)
    assert moved["trends"]["push_words"] == "better" and moved["trends"]["interruptions"] == "better"
    assert "same" not in moved["trends"].values()


def test_ranking_and_strengths_follow_the_ratings():
    def report(sid: str, wall: float, ratings: dict) -> dict:
        r = build([SessionStarted(session=sid, wall_clock=wall, lang="en"),
                   SessionEnded(t=300.0, reason="ended")])
        for key, rating in ratings.items():
            r["figures"][key]["rating"] = rating
        return r

    d = build_debrief([
        report("two", 2.0, {"push_words": "poor", "argument_stacks": "fair", "monologues": "good",
                            "talk_share": "good"}),
        report("one", 1.0, {"push_words": "poor", "argument_stacks": "poor", "monologues": "good",
                            "talk_share": "fair"}),
    ])
    assert d["lang"] == "en" and [r["session"]["id"] for r in d["sessions"]] == ["one", "two"]
    # below par in both sessions first, then below par in one, then only fair
    assert [p["figure"] for p in d["work_on"]] == ["push_words", "argument_stacks", "talk_share"]
    assert d["work_on"][0]["example"] is None  # no nudge and nothing to read off a transcript
    # one session: what is poor comes before what is fair, whatever the toolkit's order
    one = build_debrief([report("one", 1.0, {
        "interruptions": "fair", "argument_stacks": "fair", "push_words": "fair",
        "righting_reflexes": "fair", "monologues": "fair", "open_questions": "poor",
        "talk_share": "poor"})])
    assert [p["figure"] for p in one["work_on"]] == [
        "open_questions", "talk_share", "interruptions", "argument_stacks", "push_words"]
    assert d["strengths"] == ["monologues"]
    assert d["tally"]["talk_share"] == {"good": 1, "fair": 1, "poor": 0, "rated": 2}
    assert build_debrief([])["sessions"] == []
    md = render_debrief_md(d)
    # not "Monologues — good": what went well says what good was, by the report's yardstick
    assert ("- **Short turns (no monologues)** — in both conversations no turn of the coachee "
            "lasted over 76 s") in md


def rated(sid: str, wall: float, ratings: dict, lang: str = "nl") -> dict:
    """A five-minute report with these figures rated so; the others not rated."""
    r = build([SessionStarted(session=sid, wall_clock=wall, lang=lang),
               SessionEnded(t=300.0, reason="ended")])
    for key, rating in ratings.items():
        r["figures"][key]["rating"] = rating
    return r


def test_what_went_well_is_what_most_conversations_did_well_by_the_reports_yardstick():
    """A figure is what went well when the report rates it good in more than half of the
    conversations, and the debrief says in how many and what good is ("in 4 van 6 gesprekken
    vatte de coachee minstens elke 2 minuten samen"). It praised summaries that one pair of
    six made while five could not be rated ("goed": good wherever rated)."""
    day = [rated(f"s{i}", i, {
        "summaries": "good" if i < 4 else "poor",           # 4 of 6: most
        "interruptions": "good" if i < 3 else "poor",       # 3 of 6: half, as many poor
        "push_words": "fair",                                # fair in all 6
        "open_questions": "poor" if i < 4 else "good",       # below par in 4 of 6
        "monologues": "good" if i == 0 else "none",         # good in the one rated
    }) for i in range(6)]
    d = build_debrief(day)
    assert d["strengths"] == ["summaries"]
    md = render_debrief_md(d)
    went_well = md.split("## Wat goed ging")[1].split("##")[0]
    assert went_well.strip() == ("- **Samenvattingen** — in 4 van 6 gesprekken vatte de coachee "
                                 "minstens elke 2 minuten samen")
    # what to practise leads with what most fell short on (below par in 4), before a figure
    # only fair everywhere and one below par in half; a strength is not also a point
    assert [p["figure"] for p in d["work_on"]] == ["open_questions", "interruptions", "push_words"]
    work_on = md.split("## Om samen aan te werken")[1].split("##")[0]
    assert "- **Open vragen** — onder de maat in 4 van 6 gesprekken" in work_on
    assert "- **Pushwoorden (moeten)** — redelijk in alle 6 gesprekken" in work_on
    assert "Samenvattingen" not in work_on
    # one pair's good turn length is no group's: 1 of 6, five not rated
    assert "monologues" not in d["strengths"] and "Korte beurten" not in went_well

    en = render_debrief_md(build_debrief([rated(f"e{i}", i, {"summaries": "good"}, "en") for i in range(3)]))
    assert ("- **Good reflections** — in all 3 conversations the coachee "
            in en) and "at least every 2 minutes" in en


def test_when_nothing_went_well_the_debrief_says_so_rather_than_praise_the_least_bad():
    """No figure good in most conversations: said plainly, in both languages; a move one pair
    was praised for is named with how many conversations had one, under its own heading."""
    day = [rated(f"s{i}", i, {"summaries": "good" if i == 0 else "poor", "talk_share": "fair",
                              "interruptions": "poor"}) for i in range(3)]
    d = build_debrief(day)
    assert d["strengths"] == []
    md = render_debrief_md(d)
    assert md.split("## Wat goed ging")[1].split("##")[0].strip() == (
        "Geen cijfer was in meer dan de helft van de 3 gesprekken goed; wat in minder gesprekken "
        "goed ging, staat in de tabel hierboven en in elk verslag.")
    html = render_debrief_html(d)
    assert "Geen cijfer was in meer dan de helft van de 3 gesprekken goed" in html
    en = render_debrief_md(build_debrief(day, "en"))
    assert ("No figure was good in more than half of the 3 conversations; what went well in "
            "fewer is in the table above and in each report.") in en
    assert "Nothing went well" not in en  # the summaries of s0 did
    assert "No figure was good." in render_debrief_md(build_debrief(day[1:2], "en"))


# One role-play as the live pipeline stores it: Whisper cuts a spoken turn into several final
# transcripts ("fragments") at its pauses. The partner's first turn is two fragments (the
# second alone 13 words); the coachee answers it in two, reflecting in the second; a
# permission question ("Mag ik een tip geven?") is a pull move the report leaves out of the
# open share; the partner's last long turn (21 words, no fragment 12) gets a closed question.
FRAGMENTED = [
    ("Medewerker", 0.0, 2.0, "Ik werk eigenlijk liever thuis."),
    ("Medewerker", 2.3, 7.5, "Op kantoor kan ik me slecht concentreren door alle prikkels in de kantoortuin."),
    ("Manager", 8.0, 9.0, "Even kijken."),
    ("Manager", 9.3, 12.0, "Dus thuis kun je je beter concentreren."),
    ("Medewerker", 12.5, 13.2, "Klopt."),
    ("Manager", 13.8, 15.4, "Mag ik een tip geven?"),
    ("Medewerker", 15.8, 16.4, "Ja hoor."),
    ("Manager", 16.9, 19.0, "Een koptelefoon helpt veel mensen."),
    ("Medewerker", 19.6, 23.5, "Ja. En ik reis elke dag anderhalf uur heen en weer,"),
    ("Medewerker", 23.8, 27.0, "dat kost me drie uur per dag in de trein."),
    ("Manager", 27.6, 29.4, "Heb je dat wel eens gemeten?"),
    ("Medewerker", 29.9, 31.4, "Nee, niet echt."),
]


def fragmented(sid: str, wall: float) -> list:
    from pullcoach.transcripts import Segment
    engine = Engine(lang="nl")
    log = [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee="Manager", partner="Medewerker")]
    for ev in to_events([Segment(*x) for x in FRAGMENTED], "Manager"):
        log += [ev, *engine.feed(ev)]
    end = SessionEnded(t=32.0, reason="ended")
    return log + [end, *engine.feed(end)]


def test_a_turn_cut_into_fragments_counts_in_the_debrief_as_in_the_pairs_report(tmp_path, capsys):
    """The debrief's figures are the pair's report's, and where it reads the transcript itself
    (an example for a figure no nudge showed) it reads turns as the report does, not
    Whisper's fragments: it quoted the coachee's "Even kijken." as a long partner turn
    answered without a reflection (the reflection was the same turn's next fragment), and a
    permission question as the closed question that pulled the open share down."""
    with Store(tmp_path) as store:
        for e in fragmented("frag", DAY):
            store.append("frag", e)
    assert main(["report", "frag", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert main(["debrief", "frag", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    (row,) = json.loads(capsys.readouterr().out)["sessions"]
    # the scenario as the engine labels it: one reflection (in the answer's second fragment),
    # one question counted (the permission question left out), so 1 : 1 and 0% open
    labels = {u["text"]: u["labels"] for u in report["utterances"]}
    assert labels["Dus thuis kun je je beter concentreren."]["reflection"]
    assert not labels["Even kijken."].get("reflection") and not labels["Even kijken."].get("backchannel")
    assert labels["Mag ik een tip geven?"]["permission"]
    assert report["figures"]["reflections_questions"]["reflections"] == 1
    assert report["figures"]["reflections_questions"]["questions"] == 1
    # every figure, count and rating the same in the debrief as in the pair's report
    assert row["figures"] == report["figures"]
    assert row["negative"] == sum(1 for n in report["nudges"] if n["kind"] == "negative")
    assert main(["report", "frag", "--format", "md", "--data-dir", str(tmp_path)]) == 0
    report_md = capsys.readouterr().out
    assert main(["debrief", "frag", "--format", "md", "--data-dir", str(tmp_path)]) == 0
    debrief_md = capsys.readouterr().out
    for shown in ("1 : 1 (1 reflectie per vraag)", "0% (0 van 1 · 1 toestemmingsvraag niet meegeteld)"):
        assert f"**{shown}**" in report_md and shown in debrief_md

    with Store(tmp_path) as store:
        d = collect(store, ["frag"])
    points = {p["figure"]: p for p in d["work_on"]}
    # the closed question the report counted, after the partner's turn; not the permission one
    ex = points["open_questions"]["example"]
    assert ex["t"] == 27.6 and [u["text"] for u in ex["around"] if u.get("hit")] == [
        "Heb je dat wel eens gemeten?"]
    # the only long partner turn answered without a reflection is the one already quoted: the
    # reflections point gets no example rather than the answer that did reflect
    assert points["reflections_questions"]["example"] is None
    from pullcoach.debrief import _read_off
    read = list(_read_off(build(fragmented("frag", DAY))["utterances"], "reflections_questions"))
    assert [(t, [u["text"] for u in lines]) for t, lines in read] == [
        (27.6, ["Ja. En ik reis elke dag anderhalf uur heen en weer,",
                "dat kost me drie uur per dag in de trein.", "Heb je dat wel eens gemeten?"])]


def test_a_short_word_from_the_partner_does_not_split_the_coachees_turn_in_the_debrief():
    """The report and the rules read a partner's "Nee." under a second said between two of the
    coachee's fragments as no turn; the debrief read it as one, so the fragment before it
    looked like an answer without a reflection when the reflection came right after."""
    from pullcoach.debrief import _read_off

    def utt(speaker, t0, t1, text, **labels):
        return {"speaker": speaker, "t0": t0, "t1": t1, "text": text, "labels": labels}
    story = ("Ik werk thuis veel beter want op kantoor word ik steeds gestoord door collega's "
             "die langslopen en dan ben ik mijn draad kwijt")
    utts = [utt("partner", 0.0, 8.0, story),
            utt("coachee", 8.5, 11.0, "Even kijken of ik het goed heb begrepen,"),
            utt("partner", 11.2, 11.7, "Nee."),
            utt("coachee", 12.0, 15.0, "dus thuis kun je je beter concentreren.", reflection=True)]
    assert list(_read_off(utts, "reflections_questions")) == []
    # a partner who says more than a word takes the floor: then the first fragment did not reflect
    utts[2] = utt("partner", 11.0, 12.4, "Nee, helemaal niet.")
    assert [t for t, _ in _read_off(utts, "reflections_questions")] == [8.5]


def test_a_partners_word_inside_the_coachees_turn_is_not_quoted_as_what_they_answered():
    """Whisper's "Haiem!" on the partner's channel while the coachee spoke was quoted before the
    partner's next turn, as if said after the coachee's line, which the quote then left out."""
    from pullcoach.debrief import _read_off

    def utt(speaker, t0, t1, text, **labels):
        return {"speaker": speaker, "t0": t0, "t1": t1, "text": text, "labels": labels}
    story = ("Ik werk thuis veel beter want op kantoor word ik steeds gestoord door collega's "
             "die langslopen en dan ben ik mijn draad kwijt")
    utts = [utt("partner", 0.0, 8.0, "Goedemorgen."),
            utt("coachee", 8.5, 14.0, "Ik wil het met je hebben over het thuiswerken."),
            utt("partner", 10.0, 10.6, "Haiem!"),
            utt("partner", 14.5, 22.0, story),
            utt("coachee", 22.5, 25.0, "Waarom werk je dan niet op kantoor?", question="closed")]
    (t, lines), = _read_off(utts, "reflections_questions")
    assert t == 22.5 and [u["text"] for u in lines] == [story, "Waarom werk je dan niet op kantoor?"]


def test_a_row_says_the_server_ended_it_and_that_transcription_lagged_not_a_recording_problem():
    from pullcoach.rules.events import PipelineWarning
    r = build([SessionStarted(session="s1", wall_clock=1.0, lang="nl", coachee="Sanne"),
               PipelineWarning(t=53.0, kind="asr-behind", message="behind", detail={"lag_s": 4.0}),
               SessionEnded(t=120.0, reason="server-stopped")])
    md = render_debrief_md(build_debrief([r]))
    assert "| Sanne · 00:00 (door de server beëindigd; transcriptie liep achter) |" in md
    assert "opnameprobleem" not in md


def test_a_row_names_a_restarted_capture_and_a_rescued_file_not_a_recording_problem():
    from pullcoach.rules.events import PipelineWarning
    r = build([SessionStarted(session="s1", wall_clock=1.0, lang="nl", coachee="Sanne"),
               PipelineWarning(t=20.0, kind="capture-resumed", message="resumed",
                               detail={"resumed_at": 45.0, "gap_s": 25.0}),
               PipelineWarning(t=60.0, kind="store-rescued", message="lost",
                               detail={"t0": 60.0, "t1": 70.0, "events": 12}),
               SessionEnded(t=120.0, reason="ended")])
    md = render_debrief_md(build_debrief([r]))
    assert "opname herstart: zie verslag" in md
    assert "deel van het sessiebestand verloren: zie verslag" in md
    assert "opnameprobleem" not in md
    silent = build([SessionStarted(session="s2", wall_clock=2.0, lang="nl", coachee="Sanne"),
                    PipelineWarning(t=20.0, kind="channel-silent", message="no sound",
                                    detail={"speaker": "partner", "reason": "no-sound", "seconds": 20}),
                    SessionEnded(t=120.0, reason="ended")])
    assert "| Sanne · 00:00 (opnameprobleem: zie verslag) |" in render_debrief_md(build_debrief([silent]))


def test_a_row_names_a_server_restart_from_the_warning_the_report_reads():
    from pullcoach.report_plain import render_md
    from pullcoach.rules.events import PipelineWarning
    r = build([SessionStarted(session="s1", wall_clock=1.0, lang="nl", coachee="Sanne"),
               PipelineWarning(t=69.0, kind="session-resumed", message="The server restarted",
                               detail={"resumed_at": 71.0, "open": ["partner"]}),
               SessionEnded(t=180.0, reason="ended")])
    d = build_debrief([r])
    assert d["sessions"][0]["server_restarted"] is True
    assert "| Sanne · 00:00 (server herstart: zie verslag) |" in render_debrief_md(d)
    assert "server restarted: see report" in render_debrief_html(build_debrief([r], "en"))
    # the report says it too, from the same warning
    assert "De server is op 1:09 herstart" in render_md(r)
    plain = build([SessionStarted(session="s2", wall_clock=2.0, lang="nl", coachee="Sanne"),
                   SessionEnded(t=180.0, reason="ended")])
    assert "herstart" not in render_debrief_md(build_debrief([plain]))


def test_a_row_says_what_the_trainer_had_the_pair_practise():
    from pullcoach.rules.events import FocusChanged
    r = build([SessionStarted(session="s1", wall_clock=1.0, lang="nl", coachee="Sanne"),
               FocusChanged(t=0.0, rules=("too-few-summaries",), by="start", messages=("Vat samen",)),
               FocusChanged(t=60.0, rules=("interruption",), messages=("Laat uitpraten",)),
               SessionEnded(t=120.0, reason="ended")])
    d = build_debrief([r])
    assert "| Sanne · 00:00 (focus: Vat samen, Laat uitpraten) |" in render_debrief_md(d)
    assert "focus: Vat samen, Laat uitpraten" in render_debrief_html(d)
    # an older log's focus without its words: the rule pack's words, not the rule's id
    old = build([SessionStarted(session="s2", wall_clock=2.0, lang="en", coachee="Sam"),
                 FocusChanged(t=0.0, rules=("too-few-summaries", "interruption"), by="start"),
                 SessionEnded(t=120.0, reason="ended")])
    assert "(focus: Summarise, Let them finish)" in render_debrief_md(build_debrief([old], "en"))


def test_cli_formats(day, tmp_path, capsys, monkeypatch):
    assert main(["debrief", "--format", "json", "--data-dir", day]) == 0
    out, err = capsys.readouterr()
    rows = json.loads(out)["sessions"]
    assert [r["session"]["id"] for r in rows] == ["a-push", "b-pull", "c-push", "d-cut"]
    assert rows[-1]["session"]["status"] == "interrupted"
    assert "debrief of 4 session(s): a-push, b-pull, c-push, d-cut" in err
    md = tmp_path / "debrief.md"
    assert main(["debrief", "a-push", "b-pull", "-o", str(md), "--data-dir", day]) == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Nabespreking") and "2 gesprekken" in text
    assert "Om samen aan te werken" in text and "Pushwoorden" in text and "Hier stapelt ze" in text
    assert "- **Manager · 2 gesprekken**: " in text and "Pushwoorden (moeten) 2 → 0 (beter)" in text
    assert "## Goede zetten om te benoemen" in text
    assert "- Goede samenvatting: Manager · 09:30, 0:19 (zo’n zet in 1 van 2 gesprekken)" in text
    html = tmp_path / "d.html"
    assert main(["debrief", "-o", str(html), "--data-dir", day]) == 0
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page and "Content-Security-Policy" in page
    assert page.count("<tr>") == 5  # a header and four role-plays
    assert "onderbroken" in page
    # on a terminal an HTML page goes to a file, not a hundred lines of markup
    capsys.readouterr()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["debrief", "a-push", "--data-dir", day]) == 0
    out, err = capsys.readouterr()
    written = Path(day) / "reports" / "debrief-a-push.html"
    assert out == "" and str(written) in err and "open it in a browser" in err
    assert "Nabespreking" in written.read_text(encoding="utf-8")
    assert main(["report", "b-pull", "--data-dir", day]) == 0
    assert str(Path(day) / "reports" / "b-pull.html") in capsys.readouterr().err


def test_cli_errors_say_what_to_do(day, tmp_path, capsys):
    assert main(["debrief", "nope", "--data-dir", day]) == 6
    assert "sessions list" in capsys.readouterr().err
    assert main(["debrief", "--day", "gisteren", "--data-dir", day]) == 2
    assert "2026-12-06" in capsys.readouterr().err
    # a day without role-plays: said, with the days that have them (not an empty page)
    assert main(["debrief", "--day", "2020-01-01", "--format", "md", "--data-dir", day]) == 6
    err = capsys.readouterr().err
    assert "no finished sessions on 2020-01-01; days with sessions: " in err
    assert time.strftime("%Y-%m-%d", time.localtime(DAY)) in err
    # a hint to list the sessions names the --data-dir it was given
    assert main(["report", "nope", "--data-dir", day]) == 6
    assert f"`pullcoach sessions list --data-dir {day}`" in capsys.readouterr().err
    # a mistyped --data-dir: said, and no empty store is left there
    assert main(["debrief", "--format", "md", "--data-dir", str(tmp_path / "typo")]) == 6
    assert "no sessions stored in" in capsys.readouterr().err and not (tmp_path / "typo").exists()
    Store(tmp_path / "empty").close()  # a store with nothing finished in it
    assert main(["debrief", "--format", "md", "--data-dir", str(tmp_path / "empty")]) == 0
    assert "Geen afgeronde gesprekken" in capsys.readouterr().out


def test_language_follows_most_sessions_unless_asked():
    def report(sid: str, wall: float, lang: str) -> dict:
        return build([SessionStarted(session=sid, wall_clock=wall, lang=lang),
                      SessionEnded(t=60.0, reason="ended")])

    assert build_debrief([report("a", 1, "en"), report("b", 2, "nl"), report("c", 3, "nl")])["lang"] == "nl"
    assert build_debrief([report("b", 2, "nl"), report("a", 1, "en")])["lang"] == "en"  # tie: the first
    assert build_debrief([report("a", 1, "en")], "nl")["lang"] == "nl"


def test_http_route_needs_the_trainer_token_and_links_each_report(day):
    import asyncio
    import urllib.error
    import urllib.request

    from pullcoach import tokens as tk
    from pullcoach.hub import Hub
    from pullcoach.server import Service

    trainer = "trainer-token-0123456789"

    def get(port: int, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    async def main():
        with Store(day) as store:
            service = await Service(Hub(), tk.Tokens(trainer=trainer), port=0, ping_interval=None,
                                    store=store).start()
            try:
                port = service.port
                status, body = await asyncio.to_thread(get, port, "/debrief?token=wrong")
                assert status == 401 and "trainer token" in body
                status, body = await asyncio.to_thread(get, port, f"/debrief?token={trainer}")
                assert status == 200 and body.count("<tr>") == 5
                # report links carry each report's own view token, never the trainer's
                a_view = tk.view_token(trainer, "report:a-push")
                assert f'href="/reports/a-push?token={a_view}"' in body and trainer not in body
                status, body = await asyncio.to_thread(get, port, f"/reports/a-push?token={a_view}")
                assert status == 200 and "Hier stapelt ze" in body  # the trainer's bookmark note
                # the coachee's link (their overlay's) opens the same report without it
                c_view = tk.view_token(trainer, "coachee-report:a-push")
                status, body = await asyncio.to_thread(get, port, f"/reports/a-push?token={c_view}")
                assert status == 200 and "Hier stapelt ze" not in body and "Momenten" in body
                status, _ = await asyncio.to_thread(get, port, f"/reports/c-push?token={a_view}")
                assert status == 401
                status, _ = await asyncio.to_thread(get, port, f"/debrief?token={a_view}")
                assert status == 401
                # the debrief's view token opens the debrief
                d_view = tk.view_token(trainer, "debrief")
                status, body = await asyncio.to_thread(get, port, f"/debrief?token={d_view}&lang=en")
                assert status == 200 and "<h1>Debrief</h1>" in body
                status, body = await asyncio.to_thread(
                    get, port, f"/debrief?token={trainer}&sessions=c-push,a-push&lang=en")
                assert status == 200 and "<h1>Debrief</h1>" in body and body.count("<tr>") == 3
                status, body = await asyncio.to_thread(get, port, f"/debrief?token={trainer}&sessions=x")
                assert status == 404 and "sessions list" in body
                # a card's session deleted while serve ran: the day's link still opens the rest
                status, body = await asyncio.to_thread(
                    get, port, f"/debrief?token={trainer}&sessions=c-push,gone-1,a-push&lang=en")
                assert status == 200 and body.count("<tr>") == 3
                status, _ = await asyncio.to_thread(get, port, f"/debrief?token={trainer}&sessions=a/b")
                assert status == 400
                status, body = await asyncio.to_thread(get, port, f"/debrief?token={trainer}&day=nu")
                assert status == 400 and "2026-12-06" in body
            finally:
                await service.close()

    asyncio.run(main())


def test_the_html_table_fits_at_1366_and_narrower_shows_that_it_scrolls(day, tmp_path):
    """In a real browser: all ten columns whole on a 1366 px laptop; at 1024 px the table
    scrolls, the role-play column stays and a shade at the right edge says more is there."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed (scripts/install-system.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    html = tmp_path / "debrief.html"
    assert main(["debrief", "-o", str(html), "--data-dir", day]) == 0
    measure = """() => {
        const box = document.querySelector(".scroll"), right = box.getBoundingClientRect().right;
        const wrap = document.querySelector(".table-wrap");
        const shade = wrap ? getComputedStyle(wrap, "::after") : { opacity: "0" };
        return { scroll: box.scrollWidth, client: box.clientWidth,
                 cut: [...document.querySelectorAll("table.debrief th")]
                        .filter((th) => th.getBoundingClientRect().right > right + 0.5).map((th) => th.textContent),
                 first: document.querySelector("table.debrief td").getBoundingClientRect().left
                        - box.getBoundingClientRect().left,
                 shade: Number(shade.opacity) };
    }"""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            wide = browser.new_page(viewport={"width": 1366, "height": 768})
            wide.goto(html.as_uri())
            got = wide.evaluate(measure)
            assert got["scroll"] <= got["client"] and got["cut"] == [], got   # Herstelreflex, Negatieve nudges
            assert got["shade"] == 0                                          # nothing more to see
            wide.screenshot(path=str(tmp_path / "debrief-1366.png"))

            narrow = browser.new_page(viewport={"width": 1024, "height": 768})
            narrow.goto(html.as_uri())
            got = narrow.evaluate(measure)
            assert got["scroll"] > got["client"] and got["cut"]               # it does scroll here...
            assert got["shade"] > 0.9                                         # ...and says so
            narrow.screenshot(path=str(tmp_path / "debrief-1024.png"))
            narrow.evaluate("document.querySelector('.scroll').scrollLeft = 10000")
            narrow.wait_for_timeout(100)
            got = narrow.evaluate(measure)
            assert got["shade"] < 0.1 and abs(got["first"]) < 2               # the end; who stays in view
            narrow.screenshot(path=str(tmp_path / "debrief-1024-end.png"))
        finally:
            browser.close()
    print("screenshots:", tmp_path)


@pytest.mark.parametrize("poor,fair,rated,n,said", [
    (3, 0, 3, 3, "onder de maat in alle 3 gesprekken"),
    (2, 0, 3, 3, "onder de maat in 2 van 3 gesprekken"),
    (1, 2, 3, 3, "onder de maat in 1, redelijk in 2 van 3 gesprekken"),
    (0, 2, 2, 2, "redelijk in beide gesprekken"),   # not "in alle 2 gesprekken"
    (0, 1, 1, 1, "redelijk"),
    # out of all the conversations, not only those the figure could be rated in
    (1, 0, 1, 3, "onder de maat in 1 van 3 gesprekken (2 niet te beoordelen)"),
])
def test_the_tally_leaves_out_a_rating_no_conversation_had(poor, fair, rated, n, said):
    """In the report's own rating words ("onder de maat", "redelijk"; it said "zwak",
    "matig", which no report says)."""
    from pullcoach.debrief_render import DEBRIEF_WORDS, _tally
    from pullcoach.report_text import words
    assert _tally(DEBRIEF_WORDS["nl"], words("nl"), {"poor": poor, "fair": fair, "rated": rated}, n) == said


def test_the_served_report_says_audio_was_kept_when_it_was(day):
    """The web report's footer said "no audio" for a session whose audio was kept."""
    import asyncio
    from types import SimpleNamespace

    from pullcoach import routes
    with Store(day) as store:
        store.mark_audio_kept("a-push")
        service = SimpleNamespace(store=store, hub=SimpleNamespace(sessions={}))
        kept = asyncio.run(routes._report(service, "a-push"))
        other = asyncio.run(routes._report(service, "b-pull"))
    assert "de audio per kanaal (FLAC)" in kept.body.decode() and "geen audio" not in kept.body.decode()
    assert "Alleen gebeurtenissen" in other.body.decode()


def test_what_went_well_says_good_by_the_yardstick_the_reports_were_rated_by():
    """The reports' yardsticks follow the rule configs the engine ran with; what went well
    says what good was by them, not by numbers of its own, in both languages."""
    from pullcoach.rules.argument_stacking import ArgumentStackingConfig
    from pullcoach.rules.engine import EngineConfig
    from pullcoach.rules.too_few_summaries import TooFewSummariesConfig

    def day(config, lang):
        out = []
        for i in range(3):
            r = build([SessionStarted(session=f"s{i}", wall_clock=i, lang=lang),
                       SessionEnded(t=300.0, reason="ended")], config=config)
            for key in ("summaries", "argument_stacks"):
                r["figures"][key]["rating"] = "good"
            out.append(r)
        return render_debrief_md(build_debrief(out))

    def went_well(md):
        return md.split("## Wat goed ging" if "## Wat" in md else "## What went well")[1].split("##")[0]

    built_in = went_well(day(None, "nl"))
    assert "in alle 3 gesprekken vatte de coachee minstens elke 2 minuten samen" in built_in
    assert "in alle 3 gesprekken stapelde de coachee nooit 3 argumenten op rij" in built_in
    slower = EngineConfig(rule_configs={"too-few-summaries": TooFewSummariesConfig(max_gap_s=180.0),
                                        "argument-stacking": ArgumentStackingConfig(max_arguments=4)})
    nl, en = went_well(day(slower, "nl")), went_well(day(slower, "en"))
    assert "in alle 3 gesprekken vatte de coachee minstens elke 3 minuten samen" in nl
    assert "in alle 3 gesprekken stapelde de coachee nooit 4 argumenten op rij" in nl
    assert "in all 3 conversations the coachee reflected at least every 3 minutes" in en
    assert "in all 3 conversations the coachee never made 4 arguments in a row" in en
    sooner = EngineConfig(rule_configs={"too-few-summaries": TooFewSummariesConfig(max_gap_s=90.0)},
                          disabled=("argument-stacking",))
    nl = went_well(day(sooner, "nl"))
    assert "vatte de coachee minstens elke 90 s samen" in nl
    assert "stapelde de coachee geen argumenten" in nl  # the rule was off: no stack size to quote


def test_an_advice_question_is_no_example_of_a_closed_question():
    """"Why don't you try ...?" is advice in a question: the debrief's "Open questions" example
    (whose remedy is "make it open") is a real closed question, never that one."""
    from pullcoach.debrief import _read_off

    def u(t, speaker, text, **labels):
        return {"t0": t, "t1": t + 2.0, "speaker": speaker, "text": text, "labels": labels}
    utts = [u(0.0, "partner", "I keep forgetting my pills."),
            u(3.0, "coachee", "Why don't you try a pill box?", question="closed", advice=True),
            u(6.0, "partner", "Maybe."),
            u(9.0, "coachee", "Do you take them in the morning?", question="closed")]
    said = [[x["text"] for x in lines if x.get("hit")] for _, lines in _read_off(utts, "open_questions")]
    assert said == [["Do you take them in the morning?"]]


def test_a_summary_checked_with_a_question_is_no_example_of_a_closed_question():
    """"Als ik je goed begrijp, heb je vooral last van de drukte?" is labelled a closed question
    and a reflection: the debrief quoted it under "Open vragen" with "make it open", and again
    under the good moments. The example and the report's spot are a real closed question."""
    from pullcoach.debrief import _read_off
    from pullcoach.report_spot import _closed

    def u(t, speaker, text, **labels):
        return {"t0": t, "t1": t + 2.0, "speaker": speaker, "text": text, "labels": labels}
    utts = [u(0.0, "partner", "Op kantoor is het zo druk."),
            u(3.0, "coachee", "Heb je het al met je team besproken?", question="closed"),
            u(6.0, "partner", "Nee."),
            u(9.0, "coachee", "Als ik je goed begrijp, heb je vooral last van de drukte?",
              question="closed", reflection=True)]
    said = [[x["text"] for x in lines if x.get("hit")] for _, lines in _read_off(utts, "open_questions")]
    assert said == [["Heb je het al met je team besproken?"]]
    assert _closed({"utterances": utts}, 0.0)["line"] == 1


def test_a_role_play_the_trainer_ended_says_so_and_when():
    log = coached("push_kantoor.jsonl", "Manager", "t1", DAY, ended=False)
    cut = max(e.t for e in log if hasattr(e, "t") and e.t <= 40.0)
    log = [e for e in log if getattr(e, "t", 0.0) <= cut] + [SessionEnded(t=cut, reason="trainer")]
    d = build_debrief([build(log), build(coached("pull_kantoor.jsonl", "Manager", "t2", DAY + 900))])
    md = render_debrief_md(d)
    assert f"door de trainer beëindigd na 0:{int(cut):02d}" in md and md.count("door de trainer") == 1
    assert "ended by the trainer at 0:" in render_debrief_md(build_debrief([build(log)], lang="en"))
    from pullcoach.report import render
    assert f"> De trainer beëindigde dit gesprek op 0:{int(cut):02d}: het verslag loopt tot dan" in render(log, "md")
    assert "De trainer beëindigde" in render(log, "html")


def test_the_debrief_table_says_each_rating_not_by_colour_alone():
    d = build_debrief([build(coached("push_kantoor.jsonl", "Manager", "p", DAY)),
                       build(coached("pull_kantoor.jsonl", "Manager", "q", DAY + 900))])
    html = render_debrief_html(d)
    table = html.split('<table class="debrief">', 1)[1].split("</table>", 1)[0]
    assert '<td class="poor"><span class="sr">✗ onder de maat: </span><span aria-hidden="true">✗ </span>' in table
    assert '<td class="good"><span class="sr">✓ goed: </span><span aria-hidden="true">✓ </span>' in table
