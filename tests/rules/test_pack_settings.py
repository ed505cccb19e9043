"""A trainer's numbers in a rule pack ([settings]): checked with file, line and key, and the
same numbers in every command that loads the pack."""

import json
import types
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.cmd_analyze import analyze, load_rule_pack
from pullcoach.cmd_replay import make_engine
from pullcoach.cmd_rules import starter
from pullcoach.rules import plugins
from pullcoach.rules.base import Candidate
from pullcoach.rules.engine import Engine, EngineConfig, engine_config
from pullcoach.rules.events import SpeechEnded, SpeechStarted, Tick, TranscriptFinal
from pullcoach.rules.pack import PackError, changes, parse_pack
from pullcoach.rules.settings import SETTINGS, default
from pullcoach.transcripts import read_transcript

DATA = Path(__file__).parent.parent / "data" / "transcripts"
NEGO = DATA / "nego_nl_push.jsonl"  # a Dutch role-play: a summary nudge and a 23 s gap between two nudges


def pack(settings: str):
    return parse_pack('extends = "nl"\n' + settings, name="mine.toml")


def refused(settings: str) -> str:
    with pytest.raises(PackError) as err:
        pack(settings)
    return str(err.value)


def test_a_pack_sets_the_budget_a_cooldown_and_a_threshold_and_says_so():
    p = pack("[settings]\nseconds-between-nudges = 40\ntoo-few-summaries.seconds = 180\n"
             "\n[settings.interruption]\ncooldown = 45\noverlap = 1\n")
    assert changes(p) == ["seconds-between-nudges: 20 -> 40", "too-few-summaries.seconds: 120 -> 180",
                          "interruption.cooldown: 20 -> 45", "interruption.overlap: 0.5 -> 1"]
    cfg = Engine(pack=p, config=EngineConfig(focus=("interruption",))).config
    assert cfg.budget_s == 40 and cfg.cooldowns["interruption"] == 45 and cfg.focus == ("interruption",)
    assert cfg.rule_configs["too-few-summaries"].max_gap_s == 180
    assert cfg.rule_configs["interruption"].overlap_s == 1.0
    assert cfg.rule_configs["interrupted"].overlap.overlap_s == 1.0  # "the same thresholds as interruption"
    assert engine_config(pack("[settings]\ninterruption.overlap = 1\ninterrupted.overlap = 2\n")
                         ).rule_configs["interrupted"].overlap.overlap_s == 2.0
    assert Engine().config == EngineConfig()  # the built-in pack changes no number


def test_mistakes_name_the_line_the_key_the_range_and_the_default():
    said = refused("[settings]\ntoo-few-sumaries.seconds = 180\n")
    assert said.startswith("mine.toml line 3:") and "did you mean 'too-few-summaries'?" in said
    said = refused("[settings.too-few-summaries]\ncooldown = 60\nsecs = 180\n")
    assert said.startswith("mine.toml line 4:") and "did you mean 'seconds'?" in said
    said = refused("[settings]\ntoo-few-summaries.seconds = -5\n")
    assert "line 3" in said and "can't be negative" in said and "30 to 1800 s" in said
    assert "default 120, AnnoMI dev" in said
    assert "60% is 0.6" in refused("[settings]\ntalk-ratio.max-share = 60\n")
    assert "0.3 to 1" in refused("[settings]\ntalk-ratio.max-share = 1.5\n")
    assert "no number" in refused('[settings]\nseconds-between-nudges = "40"\n')
    assert "no number" in refused("[settings]\nmonologue.seconds = true\n")
    assert "whole number" in refused("[settings]\nclosed-questions.in-a-row = 2.5\n")
    assert "did you mean 'seconds-between-nudges'?" in refused("[settings]\nbudget = 40\n")
    assert "write too-few-summaries.seconds = 120" in refused("[settings]\ntoo-few-summaries = 180\n")
    assert "could never come" in refused("[settings]\ntoo-few-summaries.min-partner-words = 400\n")
    assert "numbers go under [settings]" in refused("[cooldowns]\ntalk-ratio = 60\n")


def test_a_number_left_at_its_default_is_a_note_not_a_change():
    p = pack("[settings]\ntoo-few-summaries.seconds = 120\n")
    assert changes(p) == [] and "is the default already" in p.notes[0]


def test_rules_new_lists_every_number_at_its_default_and_an_edited_line_takes_effect():
    text = starter("nl")
    for key, s in SETTINGS.items():
        assert f"# {key} = {default(s):g}\n" in text
    assert "AnnoMI dev: good practitioners reflect within 120 s" in text
    p = parse_pack(text.replace("# too-few-summaries.seconds = 120", "too-few-summaries.seconds = 180"))
    assert p.settings == {"too-few-summaries.seconds": 180.0}


def _nudges(settings: str = "") -> list[dict]:
    segs = read_transcript(NEGO)
    return analyze(segs, pack=pack(settings) if settings else None)["nudges"]


def test_analyze_waits_longer_for_a_summary_and_spaces_the_nudges():
    before, after = _nudges(), _nudges("[settings]\ntoo-few-summaries.seconds = 180\nseconds-between-nudges = 40\n")
    summary = [n["t"] for n in before if n["rule"] == "too-few-summaries"]
    assert [n["t"] for n in after if n["rule"] == "too-few-summaries"] == [pytest.approx(t + 60) for t in summary]

    def gaps(nudges):
        shown = [n["t"] for n in nudges if n["delivered"] and n["kind"] != "positive"]
        return [b - a for a, b in zip(shown, shown[1:])]
    assert min(gaps(before)) < 40 <= min(gaps(after))
    assert after == _nudges("[settings]\ntoo-few-summaries.seconds = 180\nseconds-between-nudges = 40\n")


def _cut_in(settings: str = "") -> list[float]:
    """When the interruption nudge fires: the coachee talks over the partner from 2 s on."""
    engine = Engine(pack=pack(settings) if settings else None)
    out = engine.feed(SpeechStarted(t=0.0, speaker="partner"))
    out += engine.feed(SpeechStarted(t=2.0, speaker="coachee"))
    for i in range(1, 40):
        out += engine.feed(Tick(t=2.0 + i / 10))
    out += engine.feed(SpeechEnded(t=6.0, speaker="partner"))
    return [n.t for n in out if getattr(n, "rule", None) == "interruption"]


def test_an_interruption_counts_from_the_overlap_the_pack_sets():
    assert _cut_in() == [pytest.approx(2.7)]
    assert _cut_in("[settings]\ninterruption.overlap = 1.5\n") == [pytest.approx(3.5)]


def test_replay_and_serve_get_the_packs_numbers_and_keep_the_focus(tmp_path, capsys):
    path = tmp_path / "beginners.toml"
    path.write_text('extends = "nl"\n[settings]\nseconds-between-nudges = 40\n', encoding="utf-8")
    engine = make_engine("nl", rules=str(path), focus="talk-ratio")
    assert engine.config.budget_s == 40 and engine.config.focus == ("talk-ratio",)
    assert "seconds-between-nudges: 20 -> 40" in capsys.readouterr().err
    path.write_text('extends = "nl"\n[settings]\nseconds-between-nudges = 30\n', encoding="utf-8")
    assert make_engine("nl", rules=str(path)).config.budget_s == 30  # serve: a new session reads the edit
    assert "(changed: new sessions use it)" in capsys.readouterr().err
    path.write_text('extends = "nl"\n[settings]\nseconds-between-nudges = -1\n', encoding="utf-8")
    assert make_engine("nl", rules=str(path)).config.budget_s == 30  # broken: the last good one stays
    assert "can't be negative" in capsys.readouterr().err
    assert load_rule_pack(str(path), "nl").settings == {"seconds-between-nudges": 30.0}


def test_analyze_and_check_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "beginners.toml"
    path.write_text('extends = "nl"\n[settings]\ntoo-few-summaries.seconds = 180\n', encoding="utf-8")
    (tmp_path / "same.toml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["rules", "check", str(tmp_path / "same.toml")]) == 0
    assert "too-few-summaries.seconds: 120 -> 180" in capsys.readouterr().err
    assert main(["analyze", str(NEGO), "--rules", str(path), "--format", "json"]) == 0
    run = capsys.readouterr()
    assert "too-few-summaries.seconds: 120 -> 180" in run.err
    assert [n["t"] for n in json.loads(run.out)["nudges"] if n["rule"] == "too-few-summaries"] == [
        n["t"] for n in _nudges("[settings]\ntoo-few-summaries.seconds = 180\n") if n["rule"] == "too-few-summaries"]
    path.write_text('extends = "nl"\n[settings]\ntoo-few-summaries.seconds = 5\n', encoding="utf-8")
    assert main(["rules", "check", str(path)]) == 2
    assert f"{path} line 3: [settings] too-few-summaries.seconds = 5 is out of range" in capsys.readouterr().err


class Sorry:
    """A plugin rule: nudges each coachee "sorry"."""
    name, kind, message = "sorry", "negative", "Geen excuses"

    def __init__(self, pack):
        pass

    def feed(self, event, ctx):
        if isinstance(event, TranscriptFinal) and event.speaker == "coachee" and "sorry" in event.text.lower():
            return [Candidate(self.name, event.t, event.t0)]
        return []


class EP:
    def __init__(self, name, obj):
        self.name, self.value, self.obj = name, f"fake:{name}", obj

    def load(self):
        return self.obj


@pytest.fixture
def sorry_installed(monkeypatch):
    """The plugin as if installed (the `pullcoach.rules` entry point "excuses" gives rule "sorry")."""
    found = lambda group: [EP("excuses", Sorry)] if group == plugins.GROUP else []  # noqa: E731
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=found))


def _sorries(settings: str) -> list[float]:
    """When "sorry" nudges for a coachee who says sorry every 10 s."""
    engine = Engine(pack=pack("[settings]\nseconds-between-nudges = 0\n" + settings))
    out = []
    for i in range(4):
        out += engine.feed(TranscriptFinal(t=10.0 * i + 2, speaker="coachee", t0=10.0 * i, t1=10.0 * i + 2,
                                           text="Sorry, dat wist ik niet."))
    return [n.t for n in out if getattr(n, "rule", None) == "sorry"]


def test_a_pack_sets_an_installed_plugin_rules_cooldown(sorry_installed, tmp_path, capsys):
    assert _sorries("") == [2.0, 32.0]  # the default cooldown: 30 s
    assert _sorries("sorry.cooldown = 5\n") == [2.0, 12.0, 22.0, 32.0]
    assert _sorries("[settings.sorry]\ncooldown = 15\n") == [2.0, 22.0]
    assert _sorries("excuses.cooldown = 5\n") == [2.0, 12.0, 22.0, 32.0]  # by its entry point's name too
    assert changes(pack("[settings]\nsorry.cooldown = 45\n")) == ["sorry.cooldown: 30 -> 45"]
    assert "is the default already" in pack("[settings]\nsorry.cooldown = 30\n").notes[0]
    path = tmp_path / "mine.toml"
    path.write_text('extends = "nl"\n[settings]\nsorry.cooldown = 45\n', encoding="utf-8")
    assert main(["rules", "check", str(path)]) == 0
    assert "sorry.cooldown: 30 -> 45" in capsys.readouterr().err


def test_a_plugin_setting_is_checked_as_a_built_in_one_is(sorry_installed):
    said = refused("[settings]\nsory.cooldown = 60\n")
    assert said.startswith("mine.toml line 3:") and "did you mean 'sorry'?" in said
    said = refused("[settings]\nblah-blah.cooldown = 60\n")
    assert "'blah-blah' is no setting or rule" in said and "installed: excuses, sorry" in said
    said = refused("[settings]\nsorry.seconds = 60\n")
    assert "sorry has cooldown, enabled (a plugin rule's other numbers are the plugin's own)" in said
    assert "write sorry.cooldown = 30" in refused("[settings]\nsorry = 60\n")
    assert "can't be negative" in refused("[settings]\nsorry.cooldown = -1\n")


def test_without_the_plugin_its_cooldown_is_no_rule(monkeypatch):
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=lambda group: []))
    said = refused("[settings]\nsorry.cooldown = 60\n")
    assert "'sorry' is no setting or rule" in said and "RULE.cooldown for an installed plugin's rule" in said
