"""Tokens go on printed command lines: one that starts with "-" must still parse."""

import argparse

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
