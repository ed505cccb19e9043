"""The report's "since last time" line: the coachee's previous session found in a real
store, figures compared, rendered in every format."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pullcoach.cli import main
from pullcoach.report import render
from pullcoach.report_data import build
from pullcoach.report_progress import previous_session, progress
from pullcoach.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from test_debrief import DAY, coached  # noqa: E402


def test_previous_session_is_the_same_coachees_newest_earlier_one():
    infos = [
        {"id": "a", "coachee": "Anna", "started_wall": 100.0, "status": "ended", "duration": 90.0},
        {"id": "b", "coachee": " anna ", "started_wall": 200.0, "status": "interrupted", "duration": 90.0},
        {"id": "c", "coachee": "Carl", "started_wall": 250.0, "status": "ended", "duration": 300.0},
        # a false start: 26 s, compared with nothing
        {"id": "f", "coachee": "Anna", "started_wall": 260.0, "status": "ended", "duration": 26.0},
        {"id": "d", "coachee": "Anna", "started_wall": 300.0, "status": "ended", "duration": 90.0},
        {"id": "e", "coachee": "Anna", "started_wall": 400.0, "status": "live", "duration": 30.0},
    ]
    assert previous_session(infos, "d") == "b"  # names match without case and spaces
    assert previous_session(infos, "b") == "a"
    assert previous_session(infos, "a") is None and previous_session(infos, "c") is None
    assert previous_session(infos, "e") == "d"  # a live one is not anyone's previous
    assert previous_session(infos, "zz") is None
    # the default name names nobody: an English run is not a Dutch run's "previous" (found
    # comparing two people's sessions); captures default to "coachee (HOST)", one per laptop
    unnamed = [
        {"id": "en", "coachee": "coachee", "lang": "en", "started_wall": 100.0, "status": "ended", "duration": 60},
        {"id": "nl1", "coachee": "coachee", "lang": "nl", "started_wall": 200.0, "status": "ended", "duration": 60},
        {"id": "nl2", "coachee": "coachee", "lang": "nl", "started_wall": 300.0, "status": "ended", "duration": 60},
        {"id": "en2", "coachee": "coachee", "lang": "en", "started_wall": 400.0, "status": "ended", "duration": 60},
    ]
    assert previous_session(unnamed, "nl1") is None
    assert previous_session(unnamed, "nl2") == "nl1" and previous_session(unnamed, "en2") == "en"


def test_push_then_pull_is_better_and_pull_then_push_is_worse():
    push = build(coached("push_kantoor.jsonl", "Manager", "a", DAY))
    pull = build(coached("pull_kantoor.jsonl", "Manager", "b", DAY + 600))
    up = progress(pull, push)
    assert up["session"]["id"] == "a"
    assert up["trends"]["push_words"] == "better" and up["trends"]["open_questions"] == "better"
    assert up["trends"]["interruptions"] == "better"
    down = progress(push, pull)
    assert down["trends"]["push_words"] == "worse" and down["trends"]["argument_stacks"] == "worse"
    same = progress(pull, pull)["trends"]
    assert set(same.values()) == {"same"} and set(up["trends"]) <= set(same)
    assert "summaries" in same  # summarising, the core pull skill, is compared too
    # the same push words in a conversation twice as long: the card shows 2 and rates 2 fair
    # in any length, so the row says "2 → 2 (gelijk)", not a per-minute "beter" it never shows
    longer = dict(push, session={**push["session"], "duration": push["session"]["duration"] * 2})
    assert progress(longer, push)["trends"]["push_words"] == "same"
    # a fragment is compared with nothing
    short = dict(pull, session={**pull["session"], "duration": 26.0})
    assert progress(short, push) is None and progress(pull, short) is None


def test_stored_sessions_report_their_progress_in_every_format(tmp_path, capsys):
    with Store(tmp_path) as store:
        for sid, name, wall in (("m-1", "push_kantoor.jsonl", DAY), ("m-2", "pull_kantoor.jsonl", DAY + 900)):
            for e in coached(name, "Manager", sid, wall):
                store.append(sid, e)
    data = str(tmp_path)
    assert main(["report", "m-2", "--format", "md", "--data-dir", data]) == 0
    md = capsys.readouterr().out
    assert "Sinds je vorige gesprek (04-12-2026 09:00)" in md
    assert "- Pushwoorden (moeten): 2 → 0 (beter)" in md
    assert main(["report", "m-2", "--format", "json", "--data-dir", data]) == 0
    out = json.loads(capsys.readouterr().out)["progress"]
    assert out["session"]["id"] == "m-1" and out["trends"]["push_words"] == "better"
    assert out["before"]["push_words"]["value"] == 2
    assert main(["report", "m-2", "--format", "html", "--data-dir", data]) == 0
    html = capsys.readouterr().out
    assert '<li class="better">Pushwoorden (moeten) <b>2 → 0</b>' in html
    # the first session has nothing to compare with
    assert main(["report", "m-1", "--format", "md", "--data-dir", data]) == 0
    assert "Sinds je vorige gesprek" not in capsys.readouterr().out
    with Store(tmp_path) as store:
        first = store.events("m-1")
    assert 'class="progress"' not in render(first, "html")


def test_a_call_the_trainer_cut_short_compares_no_counts_and_no_summaries_neither_had():
    # h110: ended by the trainer at 0:43 after a call of 1:02 read "Pushwoorden 4 → 3 beter"
    # and "Langste stuk zonder samenvatting 1:02 → 0:43 beter" (neither call summarised)
    one = build(coached("push_kantoor.jsonl", "Manager", "a", DAY))
    push = dict(one, session={**one["session"], "duration": 80.0})
    cut = dict(one, session={**one["session"], "duration": 48.0, "reason": "trainer"})
    trends = progress(cut, push)["trends"]
    assert not {"push_words", "argument_stacks", "interruptions", "righting_reflexes"} & set(trends)
    assert "summaries" not in trends and "talk_share" in trends
    whole = dict(one, session={**one["session"], "duration": 48.0})
    assert "push_words" in progress(whole, push)["trends"]  # a shorter call of its own: counts stay
