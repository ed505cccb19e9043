"""Tokens go on printed command lines: one that starts with "-" must still parse. A saved
tokens file that is broken or hand-edited wrong is said, kept aside, and never crashes serve."""

import argparse
import json
import logging

from pullcoach import tokens


def test_new_tokens_never_start_with_a_dash(monkeypatch):
    drawn = iter(["-IX4ZXF-W2qhSzdy0gQDAG1y", "--abc", "k3y-ok_123"])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: next(drawn))
    assert tokens.new_token() == "k3y-ok_123"


def test_a_printed_token_flag_parses_back_whatever_the_token():
    parser = argparse.ArgumentParser()
    parser.add_argument("--token")
    parser.add_argument("--session")
    for token in ("-IX4ZXF-W2qhSzdy0gQDAG1y", "abc-def", "--x"):
        line = f"--session s1 {tokens.token_flag(token)}".split()
        assert parser.parse_args(line).token == token


def test_a_saved_trainer_token_that_is_no_string_is_replaced_and_said(caplog):
    with caplog.at_level(logging.WARNING, logger="pullcoach.tokens"):
        t = tokens.from_env({}, {"trainer": 12345678901234567890, "capture": "abcdefabcdefabcdef"})
    assert isinstance(t.trainer, str) and len(t.trainer) >= 12
    assert tokens.same(t.trainer, t.trainer)  # (an int crashed every hello here)
    assert "saved trainer token is no token" in caplog.text
    kept = tokens.from_env({}, {"trainer": "a-good-saved-token", "capture": "abcdefabcdefabcdef"})
    assert kept.trainer == "a-good-saved-token"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="pullcoach.tokens"):
        first = tokens.from_env({}, {})  # a first start: nothing saved, nothing to warn about
    assert len(first.trainer) >= 12 and not caplog.text


def test_an_unreadable_tokens_file_is_kept_aside_and_said(tmp_path, caplog):
    (tmp_path / "tokens.json").write_text('{"port": "x", garbage', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="pullcoach.tokens"):
        assert tokens.load(tmp_path) == {}
    assert (tmp_path / "tokens.json.bad").read_text(encoding="utf-8") == '{"port": "x", garbage'
    assert "unreadable" in caplog.text and "tokens.json.bad" in caplog.text
    caplog.clear()
    assert tokens.load(tmp_path / "none") == {} and not caplog.text  # no file yet: quiet
    (tmp_path / "tokens.json").write_text(json.dumps({"trainer": "x" * 20}), encoding="utf-8")
    assert tokens.load(tmp_path) == {"trainer": "x" * 20}
