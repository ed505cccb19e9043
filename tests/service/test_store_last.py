"""`last` (report last, sessions show last, debrief last) is the newest session worth a
report: a false start (a capture started and stopped within seconds, nothing said) or a
demo after it is skipped, and said so, unless there is nothing else."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pullcoach.cli import main
from pullcoach.debrief import DEMO_NAMES
from pullcoach.rules.engine import Engine
from pullcoach.rules.events import SessionEnded, SessionStarted, Tick, TranscriptFinal
from pullcoach.store import Store
from pullcoach.transcripts import read_transcript, to_events

TRANSCRIPTS = Path(__file__).parent.parent / "data" / "transcripts"
WALL = time.mktime((2026, 12, 4, 9, 0, 0, 0, 0, -1))


def _talk(sid: str, wall: float) -> list:
    segments = read_transcript(TRANSCRIPTS / "push_kantoor.jsonl")
    engine = Engine(lang="nl")
    log = [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee="Manager",
                          partner=next(s.speaker for s in segments if s.speaker != "Manager"))]
    for ev in to_events(segments, "Manager"):
        log += [ev, *engine.feed(ev)]
    return log + [SessionEnded(t=log[-1].t, reason="ended")]


def _blip(sid: str, wall: float, names=("Manager", "partner"), status="ended",
          said: tuple = ()) -> list:
    log = [SessionStarted(session=sid, lang="nl", wall_clock=wall, coachee=names[0],
                          partner=names[1]), Tick(t=0.5)]
    log += [TranscriptFinal(t=1.0 + i, speaker="coachee", t0=0.6 + i, t1=0.9 + i, text=w)
            for i, w in enumerate(said)]
    end = 1.2 + len(said)
    return log + ([SessionEnded(t=end, reason="ended")] if status == "ended" else [])


def _stored(tmp_path, *sessions) -> None:
    with Store(tmp_path) as store:
        for log in sessions:
            for e in log:
                store.append(log[0].session, e)


def test_last_skips_a_false_start_and_a_demo_and_says_so(tmp_path):
    _stored(tmp_path, _talk("a-talk", WALL), _blip("b-demo", WALL + 600, DEMO_NAMES),
            _blip("c-blip", WALL + 700))
    said = []
    with Store(tmp_path) as store:
        assert store.resolve("last", say=said.append) == "a-talk"
        assert store.resolve("c-blip") == "c-blip"  # named, it is given
    assert len(said) == 1 and "'last' is a-talk" in said[0]
    assert "c-blip" in said[0] and "b-demo" in said[0] and "skipped 2" in said[0]
    with Store(tmp_path) as store:  # what a run records now is 'last' from its first second
        store.append("d-live", _blip("d-live", WALL + 900, status="live")[0])
        store.flush()
        assert store.resolve("last", say=said.append) == "d-live" and len(said) == 1


def test_a_mic_check_of_one_word_is_a_false_start_and_two_lines_are_not(tmp_path):
    _stored(tmp_path, _talk("a-talk", WALL), _blip("b-hallo", WALL + 600, said=("Hallo?",)))
    said = []
    with Store(tmp_path) as store:
        assert store.resolve("last", say=said.append) == "a-talk" and "b-hallo" in said[0]
    _stored(tmp_path, _blip("c-two", WALL + 700, said=("Hallo?", "Hoor je me?")))
    with Store(tmp_path) as store:
        assert store.resolve("last") == "c-two"


def test_last_is_the_newest_false_start_when_there_is_nothing_else(tmp_path):
    _stored(tmp_path, _blip("a-blip", WALL), _blip("b-blip", WALL + 60))
    said = []
    with Store(tmp_path) as store:
        assert store.resolve("last", say=said.append) == "b-blip" and said == []


def test_report_show_and_debrief_last_give_the_conversation(tmp_path, capsys):
    _stored(tmp_path, _talk("a-talk", WALL), _blip("b-blip", WALL + 700))
    d = ["--data-dir", str(tmp_path)]
    assert main(["report", "last", "--format", "json", *d]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["session"]["id"] == "a-talk" and "skipped 1" in out.err
    assert main(["sessions", "show", "last", *d]) == 0
    out = capsys.readouterr()
    assert "a-talk" in out.out.splitlines()[0] and "b-blip" in out.err
    assert main(["debrief", "last", "--format", "json", *d]) == 0
    out = capsys.readouterr()
    assert [s["session"]["id"] for s in json.loads(out.out)["sessions"]] == ["a-talk"]
