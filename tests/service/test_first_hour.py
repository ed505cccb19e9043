"""What a first-time user reads in `--help` and the first messages: defaults named, where
things go, what to do next (found by following the README on a fresh checkout)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.cmd_rules import starter
from pullcoach.store import Store


def help_of(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_overlay_help_names_its_default_url_and_which_token(capsys):
    text = help_of(capsys, "overlay")
    assert "default ws://127.0.0.1:8765/ws" in text
    assert "overlay token `run` or `capture` printed" in text


def test_overlay_without_a_token_says_which_token(capsys, monkeypatch):
    monkeypatch.delenv("PULLCOACH_TOKEN", raising=False)
    assert main(["overlay"]) == 2
    assert "the overlay token `run` or `capture` printed" in capsys.readouterr().err


def test_report_help_says_where_html_goes_on_a_terminal(capsys):
    assert "On a terminal, HTML goes to a file" in help_of(capsys, "report")


def test_rules_help_names_the_settable_numbers(capsys):
    assert "settable number" in help_of(capsys, "rules")


def test_rules_new_cooldown_comment_names_its_key():
    """The comment above seconds-between-nudges is about RULE.cooldown, not that line."""
    lines = starter("nl").splitlines()
    first = lines.index("[settings]")
    comment = next(line for line in lines[first:] if "cooldown" in line)
    assert comment.startswith("# RULE.cooldown:")


def test_retention_says_how_to_set_it_and_when_it_deletes(tmp_path, capsys):
    data = str(tmp_path)
    Store(data).close()
    assert main(["sessions", "retention", "--data-dir", data]) == 0
    assert "`pullcoach sessions retention DAYS` deletes older ones" in capsys.readouterr().out
    assert main(["sessions", "retention", "30", "--data-dir", data]) == 0
    assert "deleted each time pullcoach opens the store" in capsys.readouterr().out


REPO = Path(__file__).resolve().parents[2]
TOOLS = ("espeak-ng", "sox", "Xvfb", "xdotool", "import", "chromium", "pulseaudio", "paplay")


@pytest.mark.skipif(not shutil.which("make") or not Path("/usr/sbin/ldconfig").exists()
                    or not all(shutil.which(t) for t in TOOLS),
                    reason="needs make, ldconfig in /usr/sbin and the test packages installed")
def test_make_system_as_a_user_finds_portaudio_off_sbin(tmp_path):
    """A Debian user's PATH has no /usr/sbin, where ldconfig is: `make test` said
    libportaudio2 was missing (and stopped) though it was installed."""
    if not any("libportaudio" in line for line in subprocess.run(
            ["/usr/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines()):
        pytest.skip("libportaudio2 is not installed here")
    (tmp_path / "id").write_text("#!/bin/sh\necho 1000\n")  # not root: never apt-get
    (tmp_path / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:/usr/local/bin:/usr/bin:/bin"}
    done = subprocess.run(["make", "-s", "-C", str(REPO), "system"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert "Missing Debian packages" not in done.stderr
    assert done.returncode == 0, done.stderr


def test_before_any_session_the_reading_commands_say_what_stores_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # a new user's empty data directory
    assert main(["sessions"]) == 0
    assert "`pullcoach demo` (or run, serve) stores one" in capsys.readouterr().out
    for argv in (["report", "last"], ["debrief"]):
        assert main(argv) != 0
        assert "`pullcoach demo` (or run, serve) stores one" in capsys.readouterr().err
