"""`pullcoach overlay` reads its own variable, PULLCOACH_OVERLAY_TOKEN: PULLCOACH_TOKEN is the
capture token in the README's training-day shell, and one variable cannot hold both."""

import argparse
import asyncio
import threading

import pytest

from pullcoach import cmd_overlay
from pullcoach.cli import main
from pullcoach.errors import ConfigError
from tests.service.test_capture_resume import INGEST, Server


def args(token=None):
    return argparse.Namespace(token=token)


def test_the_overlay_token_has_its_own_variable_and_comes_before_the_capture_tokens():
    both = {"PULLCOACH_TOKEN": "capture-token", "PULLCOACH_OVERLAY_TOKEN": "overlay-token"}
    assert cmd_overlay.token_from(args(), both) == ("overlay-token", "PULLCOACH_OVERLAY_TOKEN")
    assert cmd_overlay.token_from(args("given"), both) == ("given", "--token")
    # (`run` hands its overlay the token in PULLCOACH_TOKEN: still read, when it is the only one)
    assert cmd_overlay.token_from(args(), {"PULLCOACH_TOKEN": "t"}) == ("t", "PULLCOACH_TOKEN")
    assert cmd_overlay.token_from(args(), {}) == (None, "")


@pytest.fixture
def serve():
    """A real Service on 127.0.0.1 whose capture token is INGEST, on a thread of its own."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    box = {}

    def go():
        asyncio.set_event_loop(loop)
        box["server"] = loop.run_until_complete(Server().start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    assert started.wait(20)
    yield f"ws://127.0.0.1:{box['server'].port}/ws"
    asyncio.run_coroutine_threadsafe(box["server"].service.close(), loop).result(20)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(20)


def test_the_readme_shells_capture_token_refused_says_which_variable_to_set(serve, monkeypatch, capsys):
    """The coachee follows the README (PULLCOACH_TOKEN = the capture token) and runs the overlay."""
    monkeypatch.setenv("PULLCOACH_TOKEN", INGEST)
    monkeypatch.delenv("PULLCOACH_OVERLAY_TOKEN", raising=False)
    with pytest.raises(ConfigError) as err:
        token, origin = cmd_overlay.token_from(args())
        cmd_overlay.check_token(serve, token, None, origin)
    said = str(err.value)
    assert "PULLCOACH_TOKEN's, which holds the capture token" in said
    assert said.endswith("as --token T or PULLCOACH_OVERLAY_TOKEN")  # not: set PULLCOACH_TOKEN


def test_no_token_names_the_overlays_variable(monkeypatch, capsys):
    monkeypatch.delenv("PULLCOACH_TOKEN", raising=False)
    monkeypatch.delenv("PULLCOACH_OVERLAY_TOKEN", raising=False)
    assert main(["overlay"]) == ConfigError.exit_code
    err = capsys.readouterr().err
    assert "or set PULLCOACH_OVERLAY_TOKEN" in err and "PULLCOACH_TOKEN" not in err.replace(
        "PULLCOACH_OVERLAY_TOKEN", "")
