"""--lang: $PULLCOACH_LANG is every command's default (an English trainer's day is English
without each pair adding --lang en); `capture` without either says no language, so the
server coaches in its own; a bad $PULLCOACH_LANG is refused by name."""

import pytest

from pullcoach import cli
from pullcoach.errors import ConfigError

COMMANDS = {  # a command line of each command that has --lang
    "run": ["run", "--replay", "a.wav"], "demo": ["demo"], "serve": ["serve"],
    "capture": ["capture", "--server", "ws://h:1"], "replay": ["replay", "a.wav"],
    "analyze": ["analyze", "t.vtt"], "debrief": ["debrief"], "rules new": ["rules", "new"],
}
DEFAULTS = {"capture": None, "analyze": None, "debrief": None}  # None: decided later


def parse(argv, monkeypatch, env=None):
    if env is None:
        monkeypatch.delenv("PULLCOACH_LANG", raising=False)
    else:
        monkeypatch.setenv("PULLCOACH_LANG", env)
    return cli.build_parser().parse_args(argv)


@pytest.mark.parametrize("name", COMMANDS)
def test_pullcoach_lang_is_the_default_of_every_command(name, monkeypatch):
    argv = COMMANDS[name]
    assert parse(argv, monkeypatch).lang == DEFAULTS.get(name, "nl")
    assert parse(argv, monkeypatch, env="en").lang == "en"
    assert parse(argv, monkeypatch, env=" EN ").lang == "en"
    assert parse(argv + ["--lang", "nl"], monkeypatch, env="en").lang == "nl"  # the flag wins
    assert parse(argv + ["--lang", "EN"], monkeypatch).lang == "en"


def test_capture_without_lang_says_none_so_the_server_decides(monkeypatch):
    assert parse(COMMANDS["capture"], monkeypatch).lang is None
    assert parse(COMMANDS["capture"], monkeypatch, env="").lang is None  # empty: unset


@pytest.mark.parametrize("name", ["serve", "capture", "analyze"])
def test_a_bad_pullcoach_lang_is_refused_by_name(name, monkeypatch, capsys):
    with pytest.raises(SystemExit) as info:
        parse(COMMANDS[name], monkeypatch, env="de")
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "PULLCOACH_LANG='de'" in err and "nl or en" in err
    with pytest.raises(SystemExit):
        parse(COMMANDS[name] + ["--lang", "de"], monkeypatch)


def test_a_bad_pullcoach_lang_does_not_stop_a_good_lang_flag(monkeypatch):
    assert parse(COMMANDS["serve"] + ["--lang", "en"], monkeypatch, env="de").lang == "en"


def test_the_demo_refuses_english_from_the_environment_saying_where_it_came_from(monkeypatch):
    from pullcoach.cmd_run import cmd_demo
    args = parse(COMMANDS["demo"] + ["--port", "0"], monkeypatch, env="en")
    with pytest.raises(ConfigError, match=r"\$PULLCOACH_LANG is en: add --lang nl"):
        cmd_demo(args)


def test_rules_show_follows_pullcoach_lang_and_its_argument_wins(monkeypatch):
    assert parse(["rules", "show"], monkeypatch).lang == "nl"
    assert parse(["rules", "show"], monkeypatch, env="en").lang == "en"
    assert parse(["rules", "show", "nl"], monkeypatch, env="en").lang == "nl"
