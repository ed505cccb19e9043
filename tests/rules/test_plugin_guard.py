"""A third-party rule cannot take a session down, and gets the same policy as the built-in ones."""

import json
import types
from pathlib import Path

from pullcoach.cli import main
from pullcoach.rules import plugins
from pullcoach.rules.base import Candidate
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import (
    NudgeIssued, PipelineWarning, SessionEnded, SessionStarted, TranscriptFinal, from_json, to_json,
)

C = "coachee"
NO_RR = EngineConfig(disabled=("righting-reflex",))  # "je moet" also tells: one push cue is enough here
DATA = Path(__file__).parent.parent / "data" / "transcripts"


class Sorry:
    name, kind, message = "sorry", "negative", "Geen excuses"
    fail = None  # "raise" | "foreign"

    def __init__(self, pack):
        self.seen = 0

    def feed(self, event, ctx):
        if not isinstance(event, TranscriptFinal) or event.speaker != C:
            return []
        self.seen += 1
        if self.fail == "raise":
            raise RuntimeError("boom")
        if "sorry" in event.text.lower():
            return [Candidate("push-words" if self.fail == "foreign" else self.name, event.t, event.t0)]
        return []


class EP:
    def __init__(self, name, obj):
        self.name, self.value, self.obj = name, f"fake:{name}", obj

    def load(self):
        return self.obj


def eps(rule):
    return lambda group: [EP("sorry", rule)] if group == plugins.GROUP else []


def finals(*texts):
    return [TranscriptFinal(t=10.0 * i + 2, speaker=C, t0=10.0 * i, t1=10.0 * i + 2, text=t)
            for i, t in enumerate(texts)]


def feed(engine, events):
    return [n for e in events for n in engine.feed(e) if isinstance(n, NudgeIssued)]


def test_a_plugin_that_raises_is_switched_off_and_the_session_goes_on(caplog):
    Broken = type("Broken", (Sorry,), {"fail": "raise"})
    e = Engine("nl", config=NO_RR, entry_points=eps(Broken))
    with caplog.at_level("INFO", logger="pullcoach.rules.plugins"):  # said as the session's rule-off
        ns = feed(e, finals("Sorry hoor.", "Je moet gewoon komen.", "Sorry."))
    assert [n.rule for n in ns] == ["push-words"]
    assert "'sorry' (fake:sorry) failed in feed() on TranscriptFinal at 2.0 s (RuntimeError: boom)" in caplog.text
    assert next(r for r in e.rules if r.name == "sorry").rule.seen == 1  # not called again
    assert "sorry" not in e.metrics()["nudges"]


def test_a_plugin_may_not_nudge_under_another_rules_name(caplog):
    Foreign = type("Foreign", (Sorry,), {"fail": "foreign"})
    e = Engine("nl", config=EngineConfig(focus=("push-words",)), entry_points=eps(Foreign))
    with caplog.at_level("INFO", logger="pullcoach.rules.plugins"):
        assert feed(e, finals("Sorry.")) == []
    assert "under its own name 'sorry'" in caplog.text


def test_analyze_focuses_on_a_plugin_rule_and_it_waits_for_the_budget(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps(Sorry)))
    script = tmp_path / "t.txt"
    script.write_text("Manager: Sorry, je moet gewoon komen.\nSanne: Hm.\n", encoding="utf-8")
    assert main(["analyze", str(script), "--focus", "sorry", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(n["rule"], n["delivered"]) for n in out["nudges"] if n["delivered"]] == [("sorry", True)]
    assert "push-words" in [n["rule"] for n in out["nudges"]]
    assert main(["analyze", str(script), "--format", "json"]) == 0  # no focus: push-words came first
    held = {n["rule"]: n["detail"].get("held") for n in json.loads(capsys.readouterr().out)["nudges"]}
    assert held["sorry"] == "budget"


def warnings(out):
    return [e for e in out if isinstance(e, PipelineWarning)]


def test_a_plugin_switched_off_is_said_once_in_the_events_dated_where_it_failed():
    Broken = type("Broken", (Sorry,), {"fail": "raise"})
    e = Engine("nl", config=NO_RR, entry_points=eps(Broken))
    out = [x for ev in finals("Hallo.", "Sorry hoor.", "Sorry.", "Nog eens sorry.") for x in e.feed(ev)]
    out += e.feed(SessionEnded(t=40.0))
    [w] = warnings(out)
    assert (w.t, w.kind) == (2.0, "rule-off")  # its first final: it raised on every coachee line
    assert w.detail == {"rule": "sorry", "plugin": "sorry", "reason": "error", "in": "feed()",
                        "error": "RuntimeError: boom"}
    assert "off for the rest of this session" in w.message
    assert from_json(to_json(w)) == w  # as the store and the websocket carry it


def test_a_plugin_nudging_under_another_name_is_said_with_that_name():
    Foreign = type("Foreign", (Sorry,), {"fail": "foreign"})
    e = Engine("nl", config=NO_RR, entry_points=eps(Foreign))
    out = [x for ev in finals("Hallo.", "Sorry.", "Sorry.") for x in e.feed(ev)]
    [w] = warnings(out)
    assert w.t == 12.0 and w.detail["reason"] == "foreign" and w.detail["as"] == "push-words"


def test_a_plugin_that_does_not_load_is_said_at_the_start():
    def broken(pack):
        raise ImportError("no module named sorrylib")
    e = Engine("nl", config=NO_RR, entry_points=lambda group: [EP("sorry", broken)])
    out = e.feed(SessionStarted(session="s"))
    [w] = warnings(out)
    assert w.t == 0.0 and w.detail["reason"] == "load"
    assert w.detail["error"] == "ImportError: no module named sorrylib"
    assert warnings(e.feed(finals("Sorry.")[0])) == []  # once


def test_a_rule_off_is_stored_and_in_the_reports_data(tmp_path):
    from pullcoach.report_data import build
    from pullcoach.store import Store
    Broken = type("Broken", (Sorry,), {"fail": "raise"})
    e = Engine("nl", config=NO_RR, entry_points=eps(Broken))
    events = [SessionStarted(session="s1"), *finals("Hallo.", "Sorry.")]
    out = [x for ev in events for x in [ev, *e.feed(ev)]]
    store = Store(tmp_path / "data")
    for ev in out:
        store.append("s1", ev)
    store.close()
    back = Store(tmp_path / "data").events("s1")
    assert [(w["t"], w["kind"], w["detail"]["rule"]) for w in build(back)["warnings"]] == [(2.0, "rule-off", "sorry")]


def test_the_console_of_run_and_serve_says_a_failed_plugin_once(tmp_path, monkeypatch, capsys):
    """The plugin's log line and the session's warning line said it twice, one after the other."""
    import argparse
    import logging
    import sys

    from pullcoach.runtime import Runtime
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(plugins, "_told", set())  # as in a fresh process
    console = logging.StreamHandler(sys.stderr)  # as `pullcoach` sets up logging (cli.main)
    console.setLevel(logging.WARNING)
    logging.getLogger().addHandler(console)
    try:
        rt = Runtime(argparse.Namespace(host="127.0.0.1", port=0, allow_host=[], data_dir=None), {})
        for cls, said in ((type("Broken", (Sorry,), {"fail": "raise"}), "failed in feed()"),
                          (type("Foreign", (Sorry,), {"fail": "foreign"}), "under its own name")):
            e = Engine("nl", config=NO_RR, entry_points=eps(cls))
            for event in finals("Hallo.", "Sorry."):
                for out in e.feed(event):
                    rt._count("s1", out)  # the console's line per session event
            err = capsys.readouterr().err
            assert err.count(said) == 1 and "session s1: rule plugin 'sorry'" in err
        e = Engine("nl", config=NO_RR, entry_points=lambda group: [EP("late", lambda pack: 1 / 0)])
        for out in e.feed(SessionStarted(session="s1")):
            rt._count("s1", out)
        assert capsys.readouterr().err.count("'late' (fake:late) failed to load") == 1
        plugins.load_plugins(None, set(), entry_points=lambda group: [EP("later", lambda pack: 1 / 0)])
        assert "'later' (fake:later) failed to load" in capsys.readouterr().err  # no session to say it
    finally:
        logging.getLogger().removeHandler(console)
