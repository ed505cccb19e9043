"""A rule plugin switched off is said where each user looks: the report (dated), analyze's
output, the trainer's socket, and not the coachee's overlay (nothing they can do about it)."""

import json
import types

from pullcoach.cli import main
from pullcoach.report import render
from pullcoach.rules import plugins
from pullcoach.rules.base import Candidate
from pullcoach.rules.engine import Engine
from pullcoach.rules.events import PipelineWarning, SessionEnded, SessionStarted, TranscriptFinal, Tick
from pullcoach.server import Client


class Broken:
    name, kind, message = "sorry", "negative", "Geen excuses"

    def __init__(self, pack):
        pass

    def feed(self, event, ctx):
        if isinstance(event, TranscriptFinal) and event.t > 60:
            raise RuntimeError("boom")
        return [Candidate(self.name, event.t, event.t0)] if isinstance(event, TranscriptFinal) else []


class EP:
    name, value = "sorry", "fake:sorry"

    def load(self):
        return Broken


def entry_points(group):
    return [EP()] if group == plugins.GROUP else []


def session():
    e = Engine("nl", entry_points=entry_points)
    ins = [SessionStarted(session="s1")]
    for i in range(8):
        t0 = 20.0 * i
        ins.append(TranscriptFinal(t=t0 + 3, speaker="coachee" if i % 2 == 0 else "partner",
                                   t0=t0, t1=t0 + 3, text="Sorry, hoe gaat het met je?"))
    ins.append(SessionEnded(t=170.0))
    return [x for ev in ins for x in [ev, *e.feed(ev)]]


def test_the_report_dates_a_rule_that_was_switched_off():
    md = render(session(), "md")
    assert "Vanaf 1:03 stond de regel “sorry” uit: de plugin faalde (RuntimeError: boom)" in md
    assert "Vanaf" not in render([e for e in session() if not isinstance(e, PipelineWarning)], "md")


def test_analyze_says_which_rule_was_off(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=entry_points))
    script = tmp_path / "t.jsonl"
    script.write_text("\n".join(json.dumps({"speaker": s, "start": t, "end": t + 3, "text": "Sorry, hoe gaat het?"})
                                for s, t in (("coachee", 0), ("partner", 30), ("coachee", 70))), encoding="utf-8")
    assert main(["analyze", str(script), "--format", "json"]) == 0
    off = json.loads(capsys.readouterr().out)["rules_off"]
    assert [(o["t"], o["rule"], o["reason"]) for o in off] == [(73.0, "sorry", "error")]
    assert main(["analyze", str(script), "--format", "md"]) == 0
    assert "regel `sorry` uit vanaf 01:13.0" in capsys.readouterr().out


def test_the_trainer_gets_the_warning_and_the_overlay_does_not():
    [w] = [e for e in session() if isinstance(e, PipelineWarning)]
    assert Client(None, "trainer", None, queue_size=3).wants(w)
    assert not Client(None, "overlay", "s1", queue_size=3).wants(w)
    assert Client(None, "overlay", "s1", queue_size=3).wants(
        PipelineWarning(t=1.0, kind="no-audio", message="geen geluid"))  # set-up warnings still go
    assert not Client(None, "overlay", "s1", queue_size=3).wants(Tick(t=1.0))
