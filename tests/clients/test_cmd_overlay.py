"""`pullcoach overlay` refuses bad input with one line and the config exit code."""

import pytest

from pullcoach.cli import main
from pullcoach.errors import ConfigError


@pytest.mark.parametrize("argv, words", [
    (["overlay"], "no token"),
    (["overlay", "--token", "t", "--url", "http://127.0.0.1:8765/ws"], "ws://"),
    (["overlay", "--token", "t", "--alpha", "0.05"], "--alpha"),
])
def test_overlay_flags_are_checked_before_a_window_opens(argv, words, monkeypatch, capsys):
    monkeypatch.delenv("PULLCOACH_TOKEN", raising=False)
    assert main(argv) == ConfigError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("pullcoach: ") and words in err and err.count("\n") == 1
