"""A trainer's rule pack: every mistake is named with its file, line and key; no edit is ignored."""

import pytest

from pullcoach.rules.pack import PackError, load_pack, parse_pack


def refused(text):
    with pytest.raises(PackError) as err:
        parse_pack(text, name="mine.toml")
    return str(err.value)


def test_a_syntax_error_names_the_line_and_what_is_on_it():
    said = refused('extends = "nl"\n[messages]\ntoo-few-summaries = Vat samen\n')
    assert "mine.toml line 3" in said and "too-few-summaries = Vat samen" in said and "double quotes" in said
    assert "given twice" in refused('extends = "nl"\n[messages]\ninterruption = "a"\ninterruption = "b"\n')


def test_a_misspelt_key_says_what_was_meant_and_where():
    assert refused('extend = "nl"\n') == "mine.toml line 1: unknown key 'extend'; did you mean 'extends'?"
    assert "mine.toml line 2: unknown key 'ad'; did you mean 'add'?" in refused('extends = "nl"\n[ad]\npush = ["x"]\n')
    said = refused('extends = "nl"\n\n[add]\npsuh = ["hoort"]\n')
    assert "line 4" in said and "did you mean 'push'?" in said


def test_a_wrong_type_names_the_key_and_the_fix():
    assert "line 3: messages.talk-ratio must be text in double quotes" in refused(
        'extends = "nl"\n[messages]\ntalk-ratio = 5\n')
    assert 'push = ["hoort"], with brackets' in refused('extends = "nl"\n[add]\npush = "hoort"\n')
    assert "3 is not" in refused('extends = "nl"\n[phrases]\npush = ["hoort", 3]\n')
    assert "empty box" in refused('extends = "nl"\n[messages]\ntalk-ratio = " "\n')
    assert "match anything" in refused('extends = "nl"\n[add]\npush = [""]\n')


def test_a_pack_for_no_language_or_two_is_refused():
    assert "lang = 'de' is no language" in refused('lang = "de"\n[phrases]\npush = ["muss"]\n')
    assert "extends = 'de'" in refused('extends = "de"\n')
    assert "drop lang" in refused('extends = "nl"\nlang = "en"\n')


def test_focus_and_thresholds_are_said_to_live_elsewhere():
    assert "--focus" in refused('extends = "nl"\n[focus]\nrules = ["too-few-summaries"]\n')
    assert "numbers go under [settings]" in refused('extends = "nl"\n[thresholds]\ntalk-ratio = 0.7\n')


def test_emptied_or_replaced_lists_are_noted_not_silent():
    empty = parse_pack('extends = "nl"\n[phrases]\npush = []\n', name="mine.toml")
    assert empty.lists["push"] == [] and "line 3: phrases.push = [] empties that list" in empty.notes[0]
    replaced = parse_pack('extends = "nl"\n[phrases]\npush = ["hoort"]\n', name="mine.toml")
    assert "put them under [add]" in replaced.notes[0]
    added = parse_pack('extends = "nl"\n[add]\npush = ["hoort"]\n', name="mine.toml")
    assert added.notes == () and "hoort" in added.lists["push"] and "je moet" in added.lists["push"]


def test_changes_say_what_a_pack_changes():
    from pullcoach.rules.pack import changes
    pack = parse_pack('extends = "nl"\n[messages]\npush-words = "Moet dat?"\n[add]\npush = ["hoort"]\n')
    assert changes(pack) == ["push-words: 'Moeten?' -> 'Moet dat?'", "push: +1 ('hoort')"]
    assert changes(load_pack("nl")) == []
