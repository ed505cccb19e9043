"""``pullcoach capture``'s engine: stream an audio source to a server's ``/ingest``.

The server runs the pipeline; this side only reads blocks and sends them as binary frames
(format in ingest.py and docs/protocol.md). ``stream`` returns the session id. When the
connection drops it reconnects and resumes the same session, sending what the server may
have missed: a network drop shorter than the server's grace (120 s) loses no audio, and
a server restarted within that time revives the session from its store (ingest.py).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import Any, Callable
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidHandshake

from pullcoach import __version__
from pullcoach import protocol as p
from pullcoach.errors import ConfigError, ProtocolError
from pullcoach.ingest import ENDED_BY_TRAINER, SESSION_FAILED
from pullcoach.ingest import RATE, pack_block

__all__ = ["ingest_url", "stream"]

log = logging.getLogger(__name__)


def ingest_url(server: str) -> str:
    if not server.startswith(("ws://", "wss://")):
        raise ConfigError(f"--server must look like ws://HOST:PORT (or wss:// behind TLS), not {server!r}")
    base = server.rstrip("/")
    for suffix in ("/ws", "/ingest"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base + "/ingest"


class _Backlog:
    """Frames not yet sent, plus the last ``keep`` seconds of sent ones: after a drop those
    are sent again (the server ignores what it already has). Bounded: a backlog longer than
    ``limit`` seconds loses its oldest audio, counted."""

    def __init__(self, limit_s: float, keep_s: float) -> None:
        self.pending: collections.deque[tuple[bytes, int]] = collections.deque()
        self.sent: collections.deque[tuple[bytes, int]] = collections.deque()
        self.limit, self.keep = int(limit_s * 2 * RATE), int(keep_s * 2 * RATE)  # both channels
        self.pending_n = self.sent_n = 0
        self.lost_s = 0.0
        self.wake = asyncio.Event()
        self.done = False

    def add(self, frame: bytes, n: int) -> None:
        self.pending.append((frame, n))
        self.pending_n += n
        while self.pending_n > self.limit and len(self.pending) > 1:
            _, m = self.pending.popleft()
            self.pending_n -= m
            self.lost_s += m / RATE
        self.wake.set()

    def mark_sent(self) -> None:
        frame = self.pending.popleft()
        self.pending_n -= frame[1]
        self.sent.append(frame)
        self.sent_n += frame[1]
        while self.sent_n > self.keep and len(self.sent) > 1:
            self.sent_n -= self.sent.popleft()[1]

    def rewind(self) -> None:
        """After a reconnect: what may not have arrived goes out again first."""
        self.pending.extendleft(reversed(self.sent))
        self.pending_n += self.sent_n
        self.sent.clear()
        self.sent_n = 0


async def stream(server: str, token: str, source: Any, *, lang: str = "nl", coachee: str = "coachee",
                 partner: str = "partner", on_welcome: Callable[[p.Welcome], None] | None = None,
                 reconnect_s: float = 110.0, backlog_s: float = 120.0) -> str:
    """Stream ``source`` as one session; returns its id. A dropped connection is retried for
    ``reconnect_s`` (the server waits 120 s), meanwhile up to ``backlog_s`` of audio is kept."""
    url = ingest_url(server)
    backlog = _Backlog(backlog_s, keep_s=5.0)

    async def read() -> None:
        try:
            async for block in source.blocks():
                backlog.add(pack_block(block.speaker, block.start, block.samples), len(block.samples))
        finally:
            backlog.done = True
            backlog.wake.set()

    is_call = getattr(source, "partner_loopback", None)  # the server's near gate skips a call's output
    kind = None if is_call is None else ("loopback" if is_call else "mic")
    reader = asyncio.get_running_loop().create_task(read())
    session: str | None = None
    secret: str | None = None  # the welcome's: resumes this session and no other
    ws = None
    try:
        ws = await _connect(url, retry_for=0.0)
        while True:
            try:
                session, secret = await _hello(ws, token, session, secret, lang, coachee, partner,
                                               on_welcome, kind)
                await _send(ws, session, backlog, reader)
                return session
            except ConnectionClosedOK as exc:  # the server was stopped, or the trainer ended it
                if session is None:
                    raise ProtocolError(_closed(exc, urlsplit(url).hostname or "")) from None
                if exc.rcvd is not None and exc.rcvd.reason == ENDED_BY_TRAINER:
                    log.warning("the trainer ended session %s; its report is on the server "
                                "(start `pullcoach capture` again for a new session)", session)
                else:
                    log.warning("the server stopped and ended session %s; the audio after this is "
                                "not coached (start `pullcoach capture` again for a new session)", session)
                return session
            except (ConnectionClosedError, OSError) as exc:
                if session is None:
                    raise ProtocolError(_closed(exc, urlsplit(url).hostname or "")) from None
                if getattr(exc, "rcvd", None) is not None and exc.rcvd.reason == SESSION_FAILED:
                    raise ProtocolError(f"session {session} failed on the server (the `pullcoach "
                                        "serve` window says why): start `pullcoach capture` again "
                                        "for a new session") from None
                log.warning("lost the server (%s); reconnecting for up to %.0f s, audio is kept",
                            exc, reconnect_s)
                await ws.close()
                ws = await _connect(url, retry_for=reconnect_s)
                backlog.rewind()
            finally:
                if backlog.lost_s:
                    log.warning("%.1f s of audio did not fit the backlog and were lost", backlog.lost_s)
                    backlog.lost_s = 0.0
    finally:
        reader.cancel()
        source.close()
        if ws is not None:
            await ws.close()


def _closed(exc, host: str) -> str:
    """Why the server closed before a session began (reached as ``host``), and what to do."""
    code = exc.rcvd.code if getattr(exc, "rcvd", None) is not None else None
    if code == p.CLOSE_CODES["bad-origin"]:
        return (f"the server does not accept the address {host}: start `pullcoach serve` there "
                f"with --allow-host {host}")
    return f"the server closed the connection ({exc})"


async def _connect(url: str, retry_for: float):
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + retry_for, 0.25
    while True:
        try:
            return await connect(url, compression=None, max_size=2**20, open_timeout=15)
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            if loop.time() + pause > deadline:
                if retry_for:
                    raise ConfigError(f"lost {url} for {retry_for:.0f} s ({exc}); the server keeps the "
                                      "session's audio up to the drop") from None
                raise ConfigError(f"cannot reach {url} ({exc}); is `pullcoach serve` running there?") from None
            await asyncio.sleep(pause)
            pause = min(2.0, pause * 2)


async def _hello(ws, token: str, session: str | None, secret: str | None, lang: str, coachee: str,
                 partner: str, on_welcome, source_kind: str | None = None) -> tuple[str, str | None]:
    """A new session (``session`` None) or the one to resume with its ``secret``; returns
    its id and its resume secret."""
    try:
        await ws.send(p.encode(p.Hello(role="capture", token=token, session=session, resume=secret,
                                       lang=lang, coachee=coachee, partner=partner, partner_source=source_kind,
                                       client=f"pullcoach-capture {__version__}")))
        reply = p.decode(await ws.recv())
    except ConnectionClosedOK as exc:
        raise ProtocolError(_closed(exc, urlsplit("//" + ws.request.headers.get("Host", "")).hostname or "")) from None
    if isinstance(reply, p.Error):
        raise ProtocolError(f"the server refused: {reply.message} ({reply.code})")
    if not isinstance(reply, p.Welcome) or not reply.sessions:
        raise ProtocolError("the server did not answer with a welcome")
    if session is None and on_welcome is not None:
        on_welcome(reply)
    elif session is not None:
        log.warning("reconnected to session %s", session)
    return reply.sessions[0].session, reply.resume or secret


async def _send(ws, session: str, backlog: _Backlog, reader: asyncio.Task) -> None:
    """Frames until the source ends, then end-session and wait for the server's close. What
    the server says meanwhile (an error about a block) is heard at once, not at the end."""
    heard = asyncio.create_task(_listen(ws))
    try:
        while True:
            while backlog.pending:
                await ws.send(backlog.pending[0][0])
                backlog.mark_sent()
            if backlog.done:
                break
            backlog.wake.clear()
            await backlog.wake.wait()
        if reader.done() and reader.exception() is not None:
            raise reader.exception()
        await ws.send(p.encode(p.EndSession(session=session)))
        dropped = await heard  # the server closes once the session has ended
        if dropped is not None:  # the server has all the audio and ends the session
            log.warning("the connection dropped while the session was ending (%s)", dropped)
    finally:
        heard.cancel()


async def _listen(ws) -> ConnectionClosedError | None:
    """Say the server's errors as they come (each kind once, then how many more); the drop
    that ended the connection, or None when it closed cleanly."""
    said: collections.Counter[str] = collections.Counter()
    try:
        async for raw in ws:
            if not isinstance(raw, str):
                continue
            try:
                msg = p.decode(raw)
            except ProtocolError:
                continue
            if isinstance(msg, p.Error):
                said[msg.code] += 1
                if said[msg.code] == 1:
                    log.warning("server: %s", msg.message)
    except ConnectionClosedError as exc:
        return exc
    finally:
        for code, n in said.items():
            if n > 1:
                log.warning("server: %d more %s errors", n - 1, code)
    return None
