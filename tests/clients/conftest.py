"""Fixtures for the client tests: the real pullcoach service, Xvfb, headless Chromium.

``LiveServer`` runs the real ``pullcoach.server.Service`` (with its ``Hub``) on 127.0.0.1
port 0 in a background event loop. Tests declare sessions, publish events into the hub
as a running session would, and read back what trainer commands did to a session
(``injected`` events, ``stopped`` sessions) through a recording controller.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from pullcoach import tokens as tk
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Recorder:
    """A session controller that records what the service asks of it (like LiveSession)."""

    def __init__(self, server: "LiveServer", session: str):
        self.server, self.session = server, session

    def inject(self, event) -> None:
        self.server.injected.append((self.session, event))
        self.server.hub.publish(self.session, event)

    def stop(self, reason: str = "stopped") -> None:
        self.server.stopped.append(self.session)
        rec = self.server.hub.sessions[self.session]
        self.server.hub.publish(self.session, ev.SessionEnded(t=rec.t, reason=reason))


class LiveServer:
    def __init__(self, trainer_token: str = "trainer-secret-0123456789"):
        self.trainer_token = trainer_token
        self.hub = Hub()
        self.injected: list[tuple[str, object]] = []
        self.stopped: list[str] = []
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._watchers = contextlib.ExitStack()

    def start(self) -> "LiveServer":
        self._thread.start()
        self.service = self._call(Service(self.hub, tk.Tokens(trainer=self.trainer_token), port=0,
                                          ping_interval=None).start())
        self.port = self.service.port
        return self

    def close(self) -> None:
        self._watchers.close()
        self._call(self.service.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    # -- test side -------------------------------------------------------------------
    def add_session(self, session: str, token: str, lang: str = "nl", coachee: str = "coachee",
                    partner: str = "partner", start: bool = True) -> None:
        """Declare a session (and its overlay token); by default it starts at once."""
        async def declare():
            self.hub.declare(session, token, lang=lang, coachee=coachee, partner=partner,
                             controller=Recorder(self, session))
        self._call(declare())
        if start:
            self.push(session, {"type": "session-started", "t": 0.0, "lang": lang, "wall_clock": time.time(),
                                "coachee": coachee, "partner": partner})

    def push(self, session: str, event: dict) -> None:
        """Publish one event (its protocol JSON form) as the session's pipeline would."""
        if event["type"] == "session-started":
            event = {**event, "session": session}
        parsed = ev.from_dict({"v": 1, **event})

        async def publish():
            self.hub.publish(session, parsed)
            await asyncio.sleep(0)
        self._call(publish())

    def watch(self, session: str) -> None:
        """A trainer (a plain websocket client) opens ``session``."""
        ws = self._watchers.enter_context(connect(f"ws://127.0.0.1:{self.port}/ws"))
        ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": self.trainer_token}))
        ws.send(json.dumps({"v": 1, "type": "watch", "session": session}))

    def wait_for(self, pred, timeout: float = 10.0):
        """The first (session, event) a trainer command injected that matches ``pred``."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for item in list(self.injected):
                if pred(*item):
                    return item
            time.sleep(0.02)
        raise AssertionError(f"nothing injected matched; got {self.injected}")

    def wait_clients(self, role: str, n: int = 1, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            count = (len(self.service.trainers) if role == "trainer"
                     else sum(len(c) for c in self.service.overlays.values()))
            if count >= n:
                return
            time.sleep(0.02)
        raise AssertionError(f"fewer than {n} {role} clients connected")


@pytest.fixture(autouse=True)
def collect_tk_garbage_here():
    """A destroyed ``tk.Tk()`` lingers in reference cycles; if the cyclic collector frees it
    from another thread (the server's, a websocket client's), Tcl aborts the whole process
    ("Fatal Python error: Aborted", seen in CI). Collect it in the main thread after each test."""
    yield
    gc.collect()


@pytest.fixture
def live_server():
    server = LiveServer().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def xvfb():
    """A private X display for the whole run (Tk keeps display connections open until exit,
    so the server must outlive every Tk window); yields ':N' and sets DISPLAY."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (scripts/install-system.sh installs it)")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x640x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        pytest.fail("Xvfb did not report a display number")
    display = f":{number}"
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    yield display
    if old is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = old
    proc.terminate()
    proc.wait(5)


@pytest.fixture(scope="module")
def chromium():
    """A headless Debian chromium driven by Playwright (never `playwright install`).
    Module-scoped: Playwright's sync API keeps an event loop running in this thread while
    it is open, and later tests call asyncio.run()."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/install-system.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """``new_page(width, height)``: a page in a fresh context; ``page.errors`` collects the
    page's uncaught exceptions and console errors."""
    contexts = []

    def make(width: int, height: int):
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def resume_replayed():
    """The warnings of a capture killed at 0:19 and back at 0:45, as a reconnect sends them
    again (both overlays' tests of a resume that is old news)."""
    return [
        {"type": "pipeline-warning", "t": 19.2, "kind": "capture-resumed",
         "message": "The capture went on with this session after 26 s without audio",
         "detail": {"resumed_at": 44.918, "gap_s": 25.718}},
        {"type": "pipeline-warning", "t": 19.2, "kind": "channel-stalled",
         "message": "No audio from the partner's channel for 2 s", "detail": {"speaker": "partner"}},
        {"type": "pipeline-warning", "t": 44.2, "kind": "channel-ok",
         "message": "Audio from the partner's channel again.",
         "detail": {"speaker": "partner", "after": "channel-stalled"}},
    ]
