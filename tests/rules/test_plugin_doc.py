"""docs/plugins.md's example plugin works as the page says (built from the page: it cannot rot),
and a plugin gets what the page promises: a traceback at debug, its metrics under its own name,
SessionStarted first in analyze as live."""

import importlib.util
import json
import logging
import re
import tomllib
import types
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.rules import plugins
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import NudgeIssued, SessionEnded, SessionStarted, TranscriptFinal

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
NO_RR = EngineConfig(disabled=("righting-reflex",))


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


class EP:
    def __init__(self, name, value, obj):
        self.name, self.value, self.obj = name, value, obj

    def load(self):
        return self.obj


@pytest.fixture
def example(tmp_path):
    """The page's package, written out and loaded as its entry point names it."""
    project = tomllib.loads(blocks("toml")[0])
    [(name, value)] = project["project"]["entry-points"]["pullcoach.rules"].items()
    module, cls = value.split(":")
    (tmp_path / module).mkdir()
    (tmp_path / module / "__init__.py").write_text(blocks("python")[0], encoding="utf-8")
    spec = importlib.util.spec_from_file_location(module, tmp_path / module / "__init__.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return EP(name, value, getattr(mod, cls))


def eps(*entry):
    return lambda group: list(entry) if group == plugins.GROUP else []


def final(t0, text, speaker="coachee"):
    return TranscriptFinal(t=t0 + 4.0, speaker=speaker, t0=t0, t1=t0 + 3.0, text=text)


def test_the_pages_example_nudges_through_the_engine_dated_when_said(example):
    e = Engine("nl", config=NO_RR, entry_points=eps(example))
    out = [x for ev in (SessionStarted(session="s"), final(0.0, "Ik wil eigenlijk iets vragen."),
                        final(40.0, "Het is eigenlijk zo dat ik je mis."), SessionEnded(t=50.0))
           for x in e.feed(ev)]
    [n] = [x for x in out if isinstance(x, NudgeIssued) and x.rule == "eigenlijk"]
    assert (n.t, n.evidence_t, n.message, n.delivered) == (44.0, 40.0, "Eigenlijk?", True)
    assert e.metrics()["plugins"] == {"eigenlijk": {"said": 2}}


def test_the_pages_pack_sets_the_example_rules_message_and_cooldown(example, tmp_path, monkeypatch):
    from pullcoach.cmd_analyze import load_rule_pack
    [pack_text] = [b for b in blocks("toml") if "[messages]" in b]
    (tmp_path / "mypack.toml").write_text(pack_text, encoding="utf-8")
    # the pack checks its [settings] names against the installed plugins'
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps(example)))
    pack = load_rule_pack(str(tmp_path / "mypack.toml"), None)
    e = Engine("nl", pack=pack, config=NO_RR, entry_points=eps(example))
    assert e.config.cooldowns["eigenlijk"] == 60
    ns = [x for ev in (final(0.0, "Eigenlijk, eigenlijk."), final(40.0, "Eigenlijk."), final(70.0, "Eigenlijk."))
          for x in e.feed(ev) if isinstance(x, NudgeIssued)]
    assert [(n.evidence_t, n.message) for n in ns] == [(0.0, "Zeg wat je vraagt"), (70.0, "Zeg wat je vraagt")]


def test_analyze_runs_the_example_installed_as_an_entry_point(example, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps(example)))
    script = tmp_path / "t.txt"
    script.write_text("Manager: Ik wil eigenlijk iets vragen.\nSanne: Ja?\n"
                      "Manager: Het is eigenlijk zo dat ik hulp zoek.\nSanne: Hm.\n", encoding="utf-8")
    assert main(["analyze", str(script), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "eigenlijk" in [n["rule"] for n in out["nudges"]]
    assert out["metrics"]["plugins"]["eigenlijk"] == {"said": 2}


class Seen:
    """Says what it was fed; its metrics try to take a built-in figure."""
    name, kind, message = "seen", "negative", "Gezien"
    fail = False

    def __init__(self, pack):
        self.events = []

    def feed(self, event, ctx):
        self.events.append(type(event).__name__)
        if self.fail and isinstance(event, TranscriptFinal):
            raise RuntimeError("boom in seen")
        return []

    def metrics(self):
        return {"talk_share": 7, "nudges": "mine"}


def test_a_plugins_metrics_cannot_overwrite_the_built_in_figures():
    e = Engine("nl", entry_points=eps(EP("seen", "fake:Seen", Seen)))
    for ev in (final(0.0, "Hallo."), final(10.0, "Goed.", "partner"), SessionEnded(t=20.0)):
        e.feed(ev)
    m = e.metrics()
    assert m["talk_share"] == 0.0 and isinstance(m["nudges"], dict)  # the engine's, not the plugin's 7
    assert m["plugins"] == {"seen": {"talk_share": 7, "nudges": "mine"}}


def test_a_plugins_traceback_is_logged_at_debug_and_its_one_line_stays(caplog, monkeypatch):
    monkeypatch.setattr(plugins, "_told", set())
    Broken = type("Broken", (Seen,), {"fail": True})
    e = Engine("nl", entry_points=eps(EP("seen", "fake:Seen", Broken)))
    with caplog.at_level(logging.DEBUG, logger="pullcoach.rules.plugins"):
        e.feed(final(0.0, "Hallo."))
    [line] = [r for r in caplog.records if "failed in feed()" in r.getMessage()]
    assert line.levelno == logging.INFO and "RuntimeError: boom in seen" in line.getMessage()
    [tb] = [r for r in caplog.records if r.exc_info]
    assert tb.levelno == logging.DEBUG and "in feed" in caplog.text and "raise RuntimeError" in caplog.text


def spied():
    """A list of the instances made, and the Seen rule class that fills it."""
    made = []

    class Spy(Seen):
        def __init__(self, pack):
            super().__init__(pack)
            made.append(self)
    return made, Spy


def test_analyze_feeds_session_started_first_as_a_live_session_does(monkeypatch, capsys, tmp_path):
    made, Spy = spied()
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps(EP("seen", "fake:Seen", Spy))))
    script = tmp_path / "t.txt"
    script.write_text("Manager: Hoe gaat het?\nSanne: Goed.\n", encoding="utf-8")
    assert main(["analyze", str(script), "--format", "json"]) == 0
    capsys.readouterr()
    [spy] = made
    assert spy.events[0] == "SessionStarted" and spy.events.count("SessionStarted") == 1
    assert spy.events[-1] == "SessionEnded"


def test_a_plugin_class_is_made_once_per_session_not_for_each_check_before_it(monkeypatch, capsys, tmp_path):
    """`run --rules P --focus R` made the plugin 4+ times (each pack load, the --focus names,
    the check's engine, the session's); its author's __init__ runs once, for the session."""
    from pullcoach.cmd_run import check_rules
    from pullcoach.cmd_replay import make_engine
    made, Spy = spied()
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps(EP("seen", "fake:Seen", Spy))))
    pack = tmp_path / "p.toml"
    pack.write_text('extends = "nl"\n\n[messages]\nseen = "Gezien!"\n\n[settings]\nseen.cooldown = 60\n',
                    encoding="utf-8")
    args = types.SimpleNamespace(lang="nl", rules=str(pack), focus="seen", no_rules=False)
    check_rules(args)  # before the model loads
    assert made == []
    engine = make_engine("nl", rules=str(pack), focus="seen")  # the session's
    assert len(made) == 1 and engine.config.focus == ("seen",)
    script = tmp_path / "t.txt"
    script.write_text("Manager: Hoe gaat het?\nSanne: Goed.\n", encoding="utf-8")
    assert main(["analyze", str(script), "--rules", str(pack), "--focus", "seen", "--format", "json"]) == 0
    capsys.readouterr()
    assert len(made) == 2  # analyze: one engine, one plugin made


def test_a_factory_is_still_made_to_learn_its_rules_name(monkeypatch):
    from pullcoach.cmd_analyze import rule_names, load_rule_pack
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(
        entry_points=eps(EP("fac", "fake:make", lambda pack: Seen(pack)))))
    assert rule_names(load_rule_pack(None, "nl"), make=False)[-1] == "seen"
