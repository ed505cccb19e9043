"""Warnings told to the partner are a pack list of their own (`warning`): `rules show` and
`rules new` name it, and a trainer's `[add] warning = [...]` makes a new warning input, never
a reflection, in both languages, while their view still reflects."""

import tomllib

import pytest

from pullcoach.cli import main
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.pack import parse_pack

COFFEE_NL = "Ik drink 's avonds laat nog koffie."
COFFEE_EN = "I drink coffee late at night."


def labeler(text):
    return Engine(pack=parse_pack(text), config=EngineConfig(plugins=False)).labeler


@pytest.mark.parametrize("lang,prev,phrase,told,theirs", [
    ("nl", COFFEE_NL, "sloopt je", "Al die koffie sloopt je nachtrust.",
     "Je bent bang dat al die koffie je nachtrust sloopt."),
    ("en", COFFEE_EN, "will wreck your", "Coffee after five will wreck your sleep.",
     "You're worried coffee will wreck your sleep."),
])
def test_a_warning_a_trainer_adds_is_input_and_no_reflection(lang, prev, phrase, told, theirs):
    base = labeler(f'extends = "{lang}"\n')
    assert base.label(told, (), prev).reflection  # a statement about the other, without the warning
    mine = labeler(f'extends = "{lang}"\n[add]\nwarning = ["{phrase}"]\n')
    x = mine.label(told, (), prev)
    assert x.input and not x.reflection
    assert mine.label(theirs, (), prev).reflection  # inside their worry: said back


@pytest.mark.parametrize("lang,phrase", [("nl", "slecht voor je"), ("en", "ruins your")])
def test_rules_show_lists_the_warnings_as_their_own_list(lang, phrase, capsys):
    assert main(["rules", "show", lang]) == 0
    lists = tomllib.loads(capsys.readouterr().out)["phrases"]
    assert phrase in lists["warning"]
    assert phrase not in lists["information"] and phrase not in lists["more_reasons"]


def test_rules_new_names_the_list_and_check_counts_what_is_added(tmp_path, capsys):
    pack = tmp_path / "mine.toml"
    assert main(["rules", "new", "-o", str(pack)]) == 0
    text = pack.read_text(encoding="utf-8")
    assert "warning" in text
    pack.write_text(text.replace("[add]\n", '[add]\nwarning = ["sloopt je"]\n'), encoding="utf-8")
    capsys.readouterr()
    assert main(["rules", "check", str(pack)]) == 0
    assert "warning: +1 ('sloopt je')" in capsys.readouterr().err
