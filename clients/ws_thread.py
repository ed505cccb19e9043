"""A websocket client in a background thread that reconnects by itself.

It hands everything to the caller through a queue, as tuples:
``("open", None)``, ``("message", dict)``, ``("closed", (code, reason))``.
The GUI thread polls that queue; nothing here touches Tk.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
from typing import Callable

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect

from pullcoach.clients.overlay_state import FATAL_CLOSE_CODES, backoff

__all__ = ["ClientThread"]

log = logging.getLogger(__name__)


class ClientThread(threading.Thread):
    def __init__(self, url: str, hello: Callable[[], dict], inbox: queue.Queue, *,
                 open_timeout: float = 5.0):
        super().__init__(name="pullcoach-ws", daemon=True)
        self.url = url
        self.hello = hello
        self.inbox = inbox
        self.open_timeout = open_timeout
        self._stop = threading.Event()
        self._ws = None

    def stop(self) -> None:
        self._stop.set()
        ws = self._ws
        if ws is not None:
            ws.close()

    def send(self, msg: dict) -> None:
        ws = self._ws
        if ws is not None:
            try:
                ws.send(json.dumps(msg))
            except ConnectionClosed:
                pass

    def run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            code, reason = None, ""
            try:
                with connect(self.url, open_timeout=self.open_timeout, max_size=2**20,
                             ping_interval=20, ping_timeout=20) as ws:
                    self._ws = ws
                    ws.send(json.dumps(self.hello()))
                    self.inbox.put(("open", None))
                    try:
                        for text in ws:
                            try:
                                msg = json.loads(text)
                            except ValueError:
                                log.warning("ignoring a message that is not JSON")
                                continue
                            if isinstance(msg, dict) and msg.get("type") == "welcome":
                                attempt = 0  # accepted: the next drop starts the backoff over
                            self.inbox.put(("message", msg))
                    except ConnectionClosed:
                        pass
                    code, reason = ws.close_code, ws.close_reason or ""
            except InvalidURI as exc:
                self.inbox.put(("closed", (4400, f"bad server URL: {exc}")))
                return
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                reason = str(exc) or type(exc).__name__
            finally:
                self._ws = None
            if self._stop.is_set():
                return
            self.inbox.put(("closed", (code, reason)))
            if code in FATAL_CLOSE_CODES:
                return
            # jitter so many overlays do not reconnect in step after a server restart
            wait = backoff(attempt) * random.uniform(0.8, 1.2)
            if code == 4404:  # no live session yet: the protocol asks for a second or two
                wait = max(wait, 2.0)
            self._stop.wait(wait)
            attempt += 1
