"""A --rules pack says its own language: run, replay, serve and demo take it when no --lang
is given on the command line ($PULLCOACH_LANG is a default too); a --lang that is not the
pack's is refused."""

from pathlib import Path

import pytest

from pullcoach.errors import ConfigError
from tests.service.test_lang_env import parse




AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "en_push.flac"


class Reached(Exception):
    """The command got past its checks to the model/session, with this language."""


@pytest.fixture
def en_pack(tmp_path):
    path = tmp_path / "en_mine.toml"
    path.write_text('extends = "en"\n\n[settings]\nseconds-between-nudges = 30\n', encoding="utf-8")
    return str(path)


def _stop_at_the_model(monkeypatch):
    import pullcoach.asr
    import pullcoach.runtime

    def load_transcriber(model, *, lang):
        raise Reached(lang)

    class Runtime:
        def __init__(self, args, environ):
            raise Reached(args.lang)

    monkeypatch.setattr(pullcoach.asr, "load_transcriber", load_transcriber)
    monkeypatch.setattr(pullcoach.runtime, "Runtime", Runtime)


@pytest.mark.parametrize("name", ["run", "replay", "serve"])
@pytest.mark.parametrize("env", [None, "nl"])
def test_an_english_pack_without_lang_is_an_english_session(name, env, en_pack, monkeypatch, tmp_path):
    """`replay en_push.flac --rules en.toml` said "--lang is nl: leave out --lang" with no --lang
    given; $PULLCOACH_LANG is a default too (as analyze and serve take it): the pack wins."""
    _stop_at_the_model(monkeypatch)
    audio = AUDIO
    argv = {"run": ["run", "--replay", str(audio), "--port", "0"], "replay": ["replay", str(audio)],
            "serve": ["serve", "--port", "0"]}[name]
    args = parse(argv + ["--rules", en_pack], monkeypatch, env=env)
    with pytest.raises(Reached) as info:
        args.func(args)
    assert str(info.value) == "en"


@pytest.mark.parametrize("name", ["run", "replay", "serve", "demo"])
def test_an_explicit_lang_that_is_not_the_packs_is_still_refused(name, en_pack, monkeypatch, tmp_path):
    _stop_at_the_model(monkeypatch)
    argv = {"run": ["run", "--replay", str(AUDIO), "--port", "0"], "replay": ["replay", str(AUDIO)],
            "serve": ["serve", "--port", "0"], "demo": ["demo", "--port", "0"]}[name]
    args = parse(argv + ["--rules", en_pack, "--lang", "nl"], monkeypatch)
    with pytest.raises(ConfigError, match="--lang is nl: leave out --lang"):
        args.func(args)


def test_the_demo_with_an_english_pack_says_the_pack_is_english(en_pack, monkeypatch):
    from pullcoach.cmd_run import cmd_demo
    args = parse(["demo", "--port", "0", "--rules", en_pack], monkeypatch)
    with pytest.raises(ConfigError, match=r"English pack: give a Dutch one, or none"):
        cmd_demo(args)
