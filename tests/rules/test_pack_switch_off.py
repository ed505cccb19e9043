"""A pack switches a rule off (RULE.enabled = false under [settings]), and what the Dutch
trainer's QA found a pack let through: patterns as phrases, case-only changes, long nudges, and
error messages that pointed to the wrong line or the wrong fix."""

import types
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.cmd_analyze import analyze, parse_focus
from pullcoach.cmd_rules import starter
from pullcoach.errors import ConfigError
from pullcoach.report_data import logged_config
from pullcoach.rules import plugins
from pullcoach.rules.engine import RULES, Engine, engine_config
from pullcoach.rules.pack import (
    MESSAGE_ROOM, PackError, changes, load_pack, pack_text, parse_pack, pattern_problem,
    unknown_messages_error,
)
from pullcoach.rules.settings import off_rules
from pullcoach.transcripts import read_transcript

NEGO = Path(__file__).parent.parent / "data" / "transcripts" / "nego_nl_push.jsonl"


def pack(text: str):
    return parse_pack('extends = "nl"\n' + text, name="mine.toml")


def refused(text: str) -> str:
    with pytest.raises(PackError) as err:
        pack(text)
    return str(err.value)


# -- switching a rule off ------------------------------------------------------------------------

@pytest.mark.parametrize("rule", list(RULES))
def test_every_built_in_rule_can_be_switched_off(rule):
    for text in (f"[settings]\n{rule}.enabled = false\n", f"[settings.{rule}]\nenabled = false\n"):
        p = pack(text)
        assert off_rules(p.settings) == [rule]
        assert rule in engine_config(p).disabled
        assert rule not in [r.name for r in Engine(pack=p).rules]
        assert changes(p) == [f"{rule}: uit (off)"]


def test_a_rule_switched_on_is_no_change_but_a_note():
    p = pack("[settings]\nclosed-questions.enabled = true\n")
    assert changes(p) == [] and "closed-questions" in [r.name for r in Engine(pack=p).rules]
    assert "is the default already" in p.notes[0]


def _issued(text: str = "") -> set[tuple[str, float]]:
    segs = read_transcript(NEGO)
    return {(n["rule"], n["t"]) for n in analyze(segs, pack=pack(text) if text else None)["nudges"]}


def test_analyze_with_a_rule_off_has_no_nudge_of_it_and_the_others_as_before():
    before = _issued()
    rule = next(r for r, _ in sorted(before, key=lambda x: x[1]) if r != "interruption")
    after = _issued(f"[settings]\n{rule}.enabled = false\n")
    assert rule not in {r for r, _ in after}
    assert after == {x for x in before if x[0] != rule}


def test_a_rule_given_false_says_how_to_switch_it_off_in_toml_words():
    said = refused("[settings]\nclosed-questions = false\n")
    assert said.startswith("mine.toml line 3:")
    assert "closed-questions = false names no setting" in said and "False" not in said
    assert "write closed-questions.enabled = false" in said
    said = refused("[settings]\nclosed-questions.enable = false\n")
    assert "did you mean 'enabled'?" in said and "closed-questions has cooldown, in-a-row, enabled" in said
    assert "write closed-questions.enabled = false (no quotes)" in refused(
        '[settings]\nclosed-questions.enabled = "false"\n')
    assert "true or false" in refused("[settings]\nclosed-questions.enabled = 0\n")


def test_an_empty_message_points_to_the_switch():
    assert "closed-questions.enabled = false under [settings]" in refused('[messages]\nclosed-questions = ""\n')


def test_rules_new_shows_the_switch_and_an_uncommented_one_takes_effect():
    text = starter("nl")
    assert "# RULE.enabled = false switches a rule off" in text
    for rule in RULES:
        assert f"# {rule}.enabled = true\n" in text
    edited = text.replace("# talk-ratio.enabled = true", "talk-ratio.enabled = false")
    p = parse_pack(edited, name="mine.toml")
    assert off_rules(p.settings) == ["talk-ratio"] and "talk-ratio" not in [r.name for r in Engine(pack=p).rules]


def test_rules_check_says_what_is_off(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "nl"\n[settings]\nclosed-questions.enabled = false\n', encoding="utf-8")
    assert main(["rules", "check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "changes closed-questions: uit (off)" in err
    assert out.rstrip().endswith("; off: closed-questions") and "rules: interruption," in out
    assert ", closed-questions," not in out


class _EP:
    def __init__(self, name, obj):
        self.name, self.value, self.obj = name, f"fake:{name}", obj

    def load(self):
        return self.obj


class _Sorry:
    name, message = "sorry", "Geen excuses"

    def __init__(self, pack):
        pass

    def feed(self, event, ctx):
        return []


def test_a_plugin_rule_takes_the_switch_too(monkeypatch):
    found = lambda group: [_EP("excuses", _Sorry)] if group == plugins.GROUP else []  # noqa: E731
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=found))
    assert off_rules(pack("[settings]\nsorry.enabled = false\n").settings) == ["sorry"]
    assert off_rules(pack("[settings]\nexcuses.enabled = false\n").settings) == ["excuses"]
    assert "sorry has cooldown, enabled" in refused("[settings]\nsorry.seconds = 5\n")


# -- phrases are plain words -----------------------------------------------------------------------

@pytest.mark.parametrize("phrase, says", [
    ("nodig(e)?", '"nodig", "nodige"'),
    ("het is * nodig", '"het is ... nodig"'),
    ("*", "no word to match"),
    ("...", "no word to match"),
    ("[moet]", '"moet"'),
    ("moet.*", '"moet*"'),
    ("het is .* nodig", '"het is ... nodig"'),
    ("(moet|hoeft)", '"moet", "hoeft"'),
    ("het is...nodig", "put spaces around ..."),
    ("wo*rd", "* only ends a word"),
])
def test_a_pattern_is_refused_at_its_line_with_the_plain_words_to_write(phrase, says):
    said = refused(f'[add]\npush = [\n  "zou moeten",\n  "{phrase}",\n]\n')
    assert said.startswith("mine.toml line 5: add.push has ")
    assert "phrases are plain words, matched tolerantly" in said and says in said


def test_the_built_in_phrases_and_plain_ones_pass():
    for lang in ("nl", "en"):
        assert [p for v in load_pack(lang).lists.values() for p in v if pattern_problem(p)] == []
    for phrase in ("begrijp*", "als ik het ... samenvat", "kijk,", "ja, maar", "if I've got it right",
                   "e-mail", "24 uur", "toch?"):
        assert pattern_problem(phrase) is None


def test_the_built_in_packs_read_as_a_trainer_s_pack_and_a_list_name_is_no_message():
    for lang in ("nl", "en"):
        whole = parse_pack(pack_text(lang), name=lang)
        assert whole.messages == load_pack(lang).messages and not [n for n in whole.notes if "WARNING" in n]
    assert "is a phrase list, not a rule" in refused('[messages]\npush = "Moet?"\n')
    assert pack('[messages]\ndraaivraag = "✓ Goed gedraaid"\n').messages["draaivraag"] == "✓ Goed gedraaid"


def test_a_case_only_difference_is_no_change():
    p = pack('[add]\npush = ["Moeten", "Je Moet", "zou moeten"]\n')
    assert changes(p) == ["push: +1 ('zou moeten')"]
    assert p.lists["push"].count("zou moeten") == 1 and "Moeten" not in p.lists["push"]


# -- nudges the overlay can show -------------------------------------------------------------------

def test_a_long_nudge_or_a_line_break_is_a_warning_not_a_refusal():
    long = "Probeer eerst een open vraag te stellen voordat je nog meer argumenten geeft"
    p = pack(f'[messages]\nargument-stacking = "{long}"\npush-words = "Moeten?\\nLiever: willen"\n'
             'talk-ratio = "Luister even goed"\n')
    assert p.messages["argument-stacking"] == long
    assert len(p.notes) == 2
    assert p.notes[0].startswith("WARNING mine.toml line 3:") and f"{len(long)} characters" in p.notes[0]
    assert f"room for about {MESSAGE_ROOM}" in p.notes[0]
    assert p.notes[1].startswith("WARNING mine.toml line 4:") and "line break" in p.notes[1]
    for lang in ("nl", "en"):  # the built-in nudges fit
        assert max(map(len, load_pack(lang).messages.values())) <= MESSAGE_ROOM


# -- error messages ---------------------------------------------------------------------------------

def test_a_nudge_text_for_a_rule_name_is_named_at_its_own_line():
    said = refused('[settings]\n# the summary\n\n"Vat samen".seconds = 120\n')
    assert said.startswith("mine.toml line 5:") and "'Vat samen' is the nudge of too-few-summaries" in said


def test_an_unclosed_list_is_reported_where_it_opens():
    said = refused('[add]\npush = ["zou moeten", "het is echt nodig"\nargument = ["daarom"]\n')
    assert said.startswith("mine.toml line 3 is not valid TOML")
    assert "a [ opened here is not closed: end the list with ]" in said


def test_a_number_with_a_unit_or_a_percent_says_the_number_meant():
    said = refused("[settings]\ntoo-few-summaries.seconds = 120s\n")
    assert said.endswith("a number without its unit: write 120 (seconds)") and "double quotes" not in said
    assert "write 0.5" in refused("[settings]\ntalk-ratio.max-share = 50%\n")
    said = refused('[settings]\ntalk-ratio.max-share = "50%"\n')
    assert "(talk-ratio.max-share = 0.5)" in said and '= "50%" is no number' in said


def test_focus_under_settings_says_where_the_focus_is_set():
    assert "give --focus RULE" in refused('[settings]\nfocus = "push-words"\n')


def test_curly_quotes_are_named():
    assert "curly quotes" in refused("lang = \u201cnl\u201d\n")


def test_an_unknown_message_is_named_at_its_line_with_the_rule_it_may_mean():
    p = pack('[messages]\n\neigenlyk = "Zonder eigenlijk"\n')
    said = unknown_messages_error(p, [*RULES, "eigenlijk"], "mine.toml")
    assert said.startswith("mine.toml line 4: [messages] 'eigenlyk' names no rule")
    assert "did you mean 'eigenlijk'?" in said
    said = unknown_messages_error(pack('[messages]\nvat-samen = "Vat even samen"\n'), list(RULES), "mine.toml")
    assert "'vat-samen' is the nudge of too-few-summaries" in said
    assert unknown_messages_error(pack('[messages]\npush-words = "Moet dat?"\n'), list(RULES), "x") is None


def test_rules_check_of_a_missing_file_says_it_as_typed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mypack.toml").write_text('extends = "nl"\n', encoding="utf-8")
    assert main(["rules", "check", "mypak.toml"]) != 0
    err = capsys.readouterr().err
    assert "mypak.toml: no such file" in err and "--rules" not in err and "did you mean mypack.toml?" in err


# --focus on a rule the pack switches off, a plugin switched off, a logged switch
def test_focus_on_a_rule_the_pack_switches_off_is_refused_saying_so(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "nl"\n[settings]\nclosed-questions.enabled = false\n', encoding="utf-8")
    for focus in ("closed-questions", "Open vraag"):
        assert main(["analyze", str(NEGO), "--rules", str(path),
                     "--focus", focus]) != 0
        assert "closed-questions is off in the rule pack (closed-questions.enabled = false" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="is off in the rule pack"):
        parse_focus("push-words,closed-questions", list(RULES), off=["closed-questions"])


@pytest.mark.parametrize("name", ["sorry", "excuses"])
def test_a_plugin_switched_off_is_not_loaded(name, monkeypatch):
    eps = lambda group: [_EP("excuses", _Sorry)] if group == plugins.GROUP else []  # noqa: E731
    monkeypatch.setattr(plugins, "metadata", types.SimpleNamespace(entry_points=eps))
    on = Engine(pack=parse_pack('extends = "nl"\n'), entry_points=eps)
    assert "sorry" in [r.name for r in on.rules]
    off = Engine(pack=parse_pack(f'extends = "nl"\n[settings]\n{name}.enabled = false\n'), entry_points=eps)
    assert "sorry" not in [r.name for r in off.rules] and off.rules_off == []


def test_a_logged_session_with_a_rule_off_has_no_yardstick_of_it():
    assert "monologue" in logged_config({"monologue.enabled": False}).disabled
