"""A rule the pack switches off: --focus on it is refused saying so, a plugin switched off is not
loaded, and a stored session that logged the switch is reported without its yardstick."""
import types

import pytest

from pullcoach.cli import main
from pullcoach.cmd_analyze import parse_focus
from pullcoach.errors import ConfigError
from pullcoach.report_data import logged_config
from pullcoach.rules import plugins
from pullcoach.rules.engine import Engine, RULES
from pullcoach.rules.pack import parse_pack


def test_focus_on_a_rule_the_pack_switches_off_is_refused_saying_so(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "nl"\n[settings]\nclosed-questions.enabled = false\n', encoding="utf-8")
    for focus in ("closed-questions", "Open vraag"):
        assert main(["analyze", "tests/data/transcripts/nego_nl_push.jsonl", "--rules", str(path),
                     "--focus", focus]) != 0
        assert "closed-questions is off in the rule pack (closed-questions.enabled = false" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="is off in the rule pack"):
        parse_focus("push-words,closed-questions", list(RULES), off=["closed-questions"])


class EP:
    def __init__(self, name, obj):
        self.name, self.value, self.obj = name, f"fake:{name}", obj

    def load(self):
        return self.obj


class Sorry:
    name, message = "sorry", "Geen excuses"

    def __init__(self, pack):
        pass

    def feed(self, event, ctx):
        return []


@pytest.mark.parametrize("name", ["sorry", "excuses"])
def test_a_plugin_switched_off_is_not_loaded(name, monkeypatch):
    eps = lambda group: [EP("excuses", Sorry)] if group == plugins.GROUP else []  # noqa: E731
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps))
    on = Engine(pack=parse_pack('extends = "nl"\n'), entry_points=eps)
    assert "sorry" in [r.name for r in on.rules]
    off = Engine(pack=parse_pack(f'extends = "nl"\n[settings]\n{name}.enabled = false\n'), entry_points=eps)
    assert "sorry" not in [r.name for r in off.rules] and off.rules_off == []


def test_a_logged_session_with_a_rule_off_has_no_yardstick_of_it():
    assert "monologue" in logged_config({"monologue.enabled": False}).disabled
