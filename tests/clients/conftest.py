"""Fixtures for the client tests: a small protocol-v1 server, Xvfb, headless Chromium.

``ProtoServer`` is a real websockets server on 127.0.0.1 port 0 that speaks protocol v1
the way docs/protocol.md describes it (hello/welcome, per-role routing, trainer actions)
and serves the web pages like the service does. Tests push events into it and read
back what clients sent.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
import shutil
import subprocess
import threading
import time
from http import HTTPStatus
from pathlib import Path

import pytest
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

WEB = Path(__file__).resolve().parents[2] / "clients" / "web"
OVERLAY_TYPES = {"session-started", "session-ended", "nudge-issued", "pipeline-warning", "status"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class ProtoServer:
    def __init__(self, trainer_token: str = "trainer-secret"):
        self.trainer_token = trainer_token
        self.sessions: dict[str, dict] = {}   # id -> {"token", "lang", "live", ...}
        self.received: list[dict] = []        # every message a client sent, in order
        self.clients: list[dict] = []         # {"ws", "role", "session"}
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)

    # -- test side (any thread) ------------------------------------------------------
    def add_session(self, session: str, token: str, lang: str = "nl", **names) -> None:
        self.sessions[session] = {"token": token, "lang": lang, "live": True, "started_wall": time.time(),
                                  "coachee": names.get("coachee", "coachee"),
                                  "partner": names.get("partner", "partner")}

    def push(self, session: str, event: dict) -> None:
        """Send an event of ``session`` to every client that should see it."""
        msg = {"v": 1, **event, "session": session}
        asyncio.run_coroutine_threadsafe(self._route(msg), self.loop).result(5)

    def wait_for(self, pred, timeout: float = 10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for msg in list(self.received):
                if pred(msg):
                    return msg
            time.sleep(0.02)
        raise AssertionError(f"no client message matched; got {self.received}")

    def wait_clients(self, role: str, n: int = 1, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if sum(1 for c in self.clients if c["role"] == role) >= n:
                return
            time.sleep(0.02)
        raise AssertionError(f"fewer than {n} {role} clients connected")

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(5)

    # -- server side -----------------------------------------------------------------
    def start(self) -> "ProtoServer":
        self._thread.start()
        self._ready.wait(5)
        return self

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = self.loop.create_future()
        async with serve(self._handler, "127.0.0.1", 0, process_request=self._http) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop

    def _http(self, connection, request):
        path = request.path.split("?")[0]
        if path == "/ws":
            return None
        name = {"/": "overlay.html", "/trainer": "trainer.html"}.get(path)
        if name is None and path.startswith("/static/"):
            name = path[len("/static/"):]
        if name is None and path.startswith("/reports/"):
            return _response(HTTPStatus.OK, b"<h1>report</h1>", "text/html")
        file = (WEB / (name or "")).resolve()
        if not name or WEB not in file.parents or not file.is_file():
            return _response(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix == ".js":
            ctype = "text/javascript"
        return _response(HTTPStatus.OK, file.read_bytes(), ctype)

    async def _handler(self, ws) -> None:
        hello = json.loads(await ws.recv())
        self.received.append(hello)
        role, token = hello.get("role"), hello.get("token")
        session = hello.get("session")
        if role == "trainer" and token == self.trainer_token:
            pass
        elif role == "overlay":
            match = [s for s, info in self.sessions.items() if info["token"] == token]
            if not match or (session and session not in match):
                await ws.send(json.dumps({"v": 1, "type": "error", "code": "bad-token",
                                          "message": "wrong token"}))
                await ws.close(4401, "wrong token")
                return
            session = match[0]
        else:
            await ws.close(4401, "wrong token")
            return
        listing = [{"session": s, "lang": i["lang"], "started_wall": i["started_wall"], "live": i["live"],
                    "coachee": i["coachee"], "partner": i["partner"]}
                   for s, i in self.sessions.items() if role == "trainer" or s == session]
        await ws.send(json.dumps({"v": 1, "type": "welcome", "role": role, "server": "pullcoach 0.1.0",
                                  "sessions": listing}))
        client = {"ws": ws, "role": role, "session": session}
        self.clients.append(client)
        try:
            async for text in ws:
                msg = json.loads(text)
                self.received.append(msg)
                if role == "trainer" and msg.get("type") == "send-nudge":
                    await self._route({"v": 1, "type": "nudge-issued", "session": msg["session"], "t": 0.0,
                                       "rule": "trainer", "message": msg["message"], "kind": "trainer",
                                       "speaker": "coachee", "evidence_t": None, "delivered": True,
                                       "detail": {}})
                elif role == "trainer" and msg.get("type") == "watch":
                    await self._route({"v": 1, "type": "status", "session": msg["session"], "t": 0.0,
                                       "listening": True, "trainer_watching": True})
        finally:
            self.clients.remove(client)

    async def _route(self, msg: dict) -> None:
        text = json.dumps(msg)
        for c in list(self.clients):
            if c["role"] == "overlay":
                if c["session"] != msg["session"] or msg["type"] not in OVERLAY_TYPES:
                    continue
                if msg["type"] == "nudge-issued" and not msg.get("delivered", True):
                    continue
            await c["ws"].send(text)


def _response(status: HTTPStatus, body: bytes, ctype: str) -> Response:
    headers = Headers([("Content-Type", ctype), ("Content-Length", str(len(body))),
                       ("Cache-Control", "no-store")])
    return Response(status.value, status.phrase, headers, body)


@pytest.fixture
def proto_server():
    server = ProtoServer().start()
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


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium driven by Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/install-system.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
