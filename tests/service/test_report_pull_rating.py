""""Oefen volgende keer" on a pull-style call: reflections : questions below MITI's 1 : 1
is not the first thing to practise when the coachee reflected within the too-few-summaries
gap all call (the summaries figure good, the rule never fired). Every written pull role-play
in tests/data and the pull fixtures had it first, rated poor (0,3-0,9 reflections per question):
the seeds' pull route asks many open questions and summarises in between. The card keeps
MITI's rating; the figure stays the pick when it is the only one short, or when the coachee
went too long without a reflection."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.report_data import build, focus
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import NudgeIssued, SessionEnded, SessionStarted, Tick
from pullcoach.transcripts import Segment, read_transcript, to_events

TESTS = Path(__file__).parent.parent
OPEN = ("Wat is voor jou belangrijk?", {"question": "open"})
CLOSED = ("Vind je dat lastig?", {"question": "closed"})
REFLECT = ("Dus voor jou telt vooral rust.", {"question": None, "reflection": True})


def _pull_call(lines_of, *, minutes: int = 4, nudges=()):
    """Every 30 s a coachee line (8 s) and the partner's answer; a reflection is praised."""
    lines, out = [], list(nudges)
    for k, t in enumerate(range(0, minutes * 60, 30)):
        text, labels = lines_of(k)
        lines.append(("coachee", t + 1.0, t + 9.0, text, labels))
        lines.append(("partner", t + 10.0, t + 28.0, "Daar moet ik over nadenken, dat is lastig voor mij.", {}))
        if labels.get("reflection"):
            out.append(NudgeIssued(t=t + 9.5, rule="good-summary", message="✓ Samenvatting",
                                   kind="positive", evidence_t=t + 1.0))
    return scripted(lines, sorted(out, key=lambda n: n.t), end=minutes * 60.0)


def _top(events) -> str:
    return next(x for x in render(events, "md").splitlines() if x.startswith(("**Oefen", "**Practise")))


def test_a_low_ratio_gives_way_when_the_coachee_reflected_all_call():
    # an open and a closed question, then a reflection, every 90 s: 2 : 6 (poor), open share 50% (fair)
    events = _pull_call(lambda k: (OPEN, CLOSED, REFLECT)[k % 3])
    report = build(events)
    f = report["figures"]
    assert f["reflections_questions"]["rating"] == "poor" and f["summaries"]["rating"] == "good"
    assert f["open_questions"]["rating"] == "fair"
    assert focus(report)["figure"] == "open_questions"
    assert "Reflecties : vragen" not in _top(events)
    # the card still rates the ratio as MITI does
    assert "**2 : 6 (0,3 reflecties per vraag)** (✗ onder de maat)" in render(events, "md")
    # too long without a reflection (too-few-summaries fired): the ratio is the pick again
    late = [NudgeIssued(t=200.0, rule="too-few-summaries", message="Vat samen", evidence_t=80.0)]
    assert focus(build(_pull_call(lambda k: (OPEN, CLOSED, REFLECT)[k % 3], nudges=late)))["figure"] == \
        "reflections_questions"
    # nothing else short: still the thing to practise
    assert focus(build(_pull_call(lambda k: (OPEN, OPEN, REFLECT)[k % 3])))["figure"] == "reflections_questions"


def _run(path: Path, coachee: str | None, lang: str):
    """The engine over a written role-play, as `pullcoach analyze` runs it, as report events."""
    if path.suffix == ".json":  # a fixture's truth: its turns as said
        segs = [Segment(speaker=t["speaker"], start=t["start"], end=t["end"], text=t["text"])
                for t in json.loads(path.read_text())["turns"]]
    else:
        segs = read_transcript(str(path))
    coachee = coachee or segs[0].speaker
    partner = next(s.speaker for s in segs if s.speaker != coachee)
    engine = Engine(lang=lang, config=EngineConfig(plugins=False))
    ins = to_events(segs, coachee)
    out = []
    for ev in ins:
        out += [] if isinstance(ev, Tick) else [ev]
        out += engine.feed(ev)
    end = SessionEnded(t=ins[-1].t, reason="ended")
    out += engine.feed(end)
    return [SessionStarted(session="s", lang=lang, wall_clock=1.76e9, coachee=coachee, partner=partner), *out, end]


def test_written_pull_role_plays_are_not_sent_to_practise_reflections_first():
    for name, coachee, lang in [("data/roleplays_blind/pull_afvallen.jsonl", None, "nl"),
                                ("data/transcripts/pull_kantoor.jsonl", "Manager", "nl"),
                                ("data/transcripts/nego_nl_pull.jsonl", "Sanne", "nl"),
                                ("fixtures/audio/en_pull.json", "coachee", "en")]:
        events = _run(TESTS / name, coachee, lang)
        report = build(events)
        assert report["figures"]["reflections_questions"]["rating"] == "poor", name  # MITI's, kept
        picked = focus(report)["figure"]
        # nor to leave out a "moeten" that asked what a good pilot would need (nego_nl_pull 2:25)
        assert picked not in ("reflections_questions", "push_words"), (name, picked)
    # the push role-plays keep their pick (interruptions first)
    events = _run(TESTS / "data/roleplays_blind/push_afvallen.jsonl", None, "nl")
    assert focus(build(events))["figure"] == "interruptions"


def test_push_words_are_counted_as_the_rule_counts_them_not_in_an_open_question():
    """"What do you think you have to do?" evokes: the push-words rule lets it be (its config
    ``in_open_questions``), so the report's count does too; a told "must" still counts."""
    ask = ("Wat moet er volgens jou gebeuren?", {"question": "open", "push": True})
    tell = ("Je moet gewoon terugkomen.", {"question": None, "push": True, "input": True})
    f = build(_pull_call(lambda k: (ask, REFLECT)[k % 2]))["figures"]
    assert (f["push_words"]["value"], f["push_words"]["rating"]) == (0, "good")
    f = build(_pull_call(lambda k: (ask, tell, REFLECT)[k % 3]))["figures"]
    assert f["push_words"]["value"] == 3
