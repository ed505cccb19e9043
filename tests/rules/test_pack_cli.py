"""A trainer's rule pack on the command line: `pullcoach rules`, `analyze --rules`."""

import json
from pathlib import Path

from pullcoach.cli import main
from pullcoach.cmd_analyze import load_rule_pack

DATA = Path(__file__).parent.parent / "data" / "transcripts"


def test_rules_new_writes_a_pack_whose_uncommented_lines_take_effect(tmp_path, capsys):
    pack = tmp_path / "mine.toml"
    assert main(["rules", "new", "-o", str(pack)]) == 0
    assert main(["rules", "new", "-o", str(pack)]) == 2  # never overwrites
    text = pack.read_text(encoding="utf-8")
    text = (text.replace('# push-words = "Moeten?"', 'push-words = "Moet dat?"')
            .replace('# push = ["hoort"]', 'push = ["hoort"]'))
    pack.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["rules", "check", str(pack)]) == 0
    err = capsys.readouterr().err
    assert "push-words: 'Moeten?' -> 'Moet dat?'" in err and "push: +1 ('hoort')" in err
    script = tmp_path / "t.txt"
    script.write_text("Manager: Dat hoort gewoon bij je functie.\nSanne: Hm.\n", encoding="utf-8")
    assert main(["analyze", str(script), "--rules", str(pack), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [n["message"] for n in out["nudges"]] == ["Moet dat?"]


def test_a_message_for_no_rule_and_a_pack_for_no_language_stop_analyze(tmp_path, capsys):
    pack = tmp_path / "mine.toml"
    for text, says in (('extends = "nl"\n[messages]\nsamenvatten = "Vat samen!"\n', "'samenvatten' names no rule"),
                       ('lang = "de"\n', "lang = 'de' is no language")):
        pack.write_text(text, encoding="utf-8")
        assert main(["analyze", str(DATA / "push_kantoor.jsonl"), "--rules", str(pack)]) == 2
        assert says in capsys.readouterr().err


def test_a_pack_in_the_other_language_says_which_pack_to_use(tmp_path, capsys):
    pack = tmp_path / "mine.toml"
    pack.write_text('extends = "en"\n', encoding="utf-8")
    assert main(["analyze", str(DATA / "push_kantoor.jsonl"), "--rules", str(pack)]) == 2
    assert 'use a pack with extends = "nl"' in capsys.readouterr().err


def test_a_pack_broken_during_a_serve_keeps_the_last_good_one(tmp_path, capsys):
    pack = tmp_path / "live.toml"
    pack.write_text('extends = "nl"\n[messages]\ntalk-ratio = "Stil even"\n', encoding="utf-8")
    assert load_rule_pack(str(pack), "nl").message("talk-ratio") == "Stil even"
    pack.write_text('extends = "nl"\n[messages]\ntalk-ratio = Stil\n', encoding="utf-8")
    assert load_rule_pack(str(pack), "nl").message("talk-ratio") == "Stil even"  # a new session goes on
    assert "keep the rule pack as it was read before" in capsys.readouterr().err
    assert main(["analyze", str(DATA / "push_kantoor.jsonl"), "--rules", str(pack)]) == 2  # a one-off refuses


class _Sorry:
    name, kind, message = "sorry", "negative", "Geen excuses"

    def __init__(self, pack):
        pass

    def feed(self, event, ctx):
        return []


class _EP:
    def __init__(self, name, obj):
        self.name, self.value, self.obj = name, f"fake:{name}", obj

    def load(self):
        if isinstance(self.obj, Exception):
            raise self.obj
        return self.obj


def test_rules_new_lists_the_installed_plugin_rules_cooldowns(monkeypatch, tmp_path, capsys):
    import types

    from pullcoach.rules import plugins
    found = [_EP("excuses", _Sorry), _EP("kapot", ImportError("no module named kapot"))]
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(
        entry_points=lambda group: found if group == plugins.GROUP else []))
    pack = tmp_path / "mine.toml"
    assert main(["rules", "new", "-o", str(pack)]) == 0
    text = pack.read_text(encoding="utf-8")
    assert "# sorry: Geen excuses (plugin 'excuses')\n# sorry.cooldown = 30\n" in text
    assert "# kapot (plugin)\n#   it does not load now (ImportError: no module named kapot)" in text
    pack.write_text(text.replace("# sorry.cooldown = 30", "sorry.cooldown = 60"), encoding="utf-8")
    capsys.readouterr()
    assert main(["rules", "check", str(pack)]) == 0
    assert "sorry.cooldown: 30 -> 60" in capsys.readouterr().err
    found.clear()  # none installed: no plugin lines
    assert "Installed rule plugins" not in main_out(["rules", "new"], capsys)


def main_out(argv, capsys):
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out
