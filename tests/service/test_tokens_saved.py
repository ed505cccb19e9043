"""Tokens go on printed command lines, in the environment (not argv, which `ps` shows). A saved
tokens file that is broken or hand-edited wrong is said, kept aside, and never crashes serve."""

import json
import logging

from pullcoach import tokens


def test_new_tokens_never_start_with_a_dash(monkeypatch):
    drawn = iter(["-IX4ZXF-W2qhSzdy0gQDAG1y", "--abc", "k3y-ok_123"])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: next(drawn))
    assert tokens.new_token() == "k3y-ok_123"


def test_the_printed_capture_line_keeps_the_token_out_of_argv_and_runs_as_printed():
    import shlex

    from pullcoach.cli import build_parser
    from pullcoach.runtime import capture_command
    for token in ("-IX4ZXF-W2qhSzdy0gQDAG1y", "abc-def"):
        line, hint = capture_command("127.0.0.1", 8765, token, "en").split("\n")  # pasted as printed
        assert "--stereo DEV" in hint
        env, *argv = shlex.split(line)
        assert env == f"PULLCOACH_TOKEN={token}" and token not in " ".join(argv)  # `ps` shows argv
        args = build_parser().parse_args(argv[1:])
        assert args.server == "ws://127.0.0.1:8765" and args.lang == "en" and args.token is None


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
