"""``pullcoach capture``'s engine: stream an audio source to a server's ``/ingest``.

The server runs the pipeline; this side only reads blocks and sends them as binary frames
(format in ingest.py and docs/protocol.md). ``stream`` returns the session id.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from pullcoach import __version__
from pullcoach import protocol as p
from pullcoach.errors import ConfigError, ProtocolError
from pullcoach.ingest import pack_block

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


async def stream(server: str, token: str, source: Any, *, lang: str = "nl", coachee: str = "coachee",
                 partner: str = "partner", on_welcome: Callable[[p.Welcome], None] | None = None) -> str:
    url = ingest_url(server)
    try:
        ws = await connect(url, compression=None, max_size=2**20, open_timeout=15)
    except (OSError, InvalidHandshake, TimeoutError) as exc:
        raise ConfigError(f"cannot reach {url} ({exc}); is `pullcoach serve` running there?") from None
    session: str | None = None
    try:
        await ws.send(p.encode(p.Hello(role="capture", token=token, lang=lang, coachee=coachee,
                                       partner=partner, client=f"pullcoach-capture {__version__}")))
        reply = p.decode(await ws.recv())
        if isinstance(reply, p.Error):
            raise ProtocolError(f"the server refused: {reply.message} ({reply.code})")
        if not isinstance(reply, p.Welcome) or not reply.sessions:
            raise ProtocolError("the server did not answer with a welcome")
        session = reply.sessions[0].session
        if on_welcome is not None:
            on_welcome(reply)
        async for block in source.blocks():
            await ws.send(pack_block(block.speaker, block.start, block.samples))
        await ws.send(p.encode(p.EndSession(session=session)))
        async for raw in ws:  # the server closes once the session has ended
            if isinstance(raw, str):
                msg = p.decode(raw)
                if isinstance(msg, p.Error):
                    log.warning("server: %s", msg.message)
        return session
    except ConnectionClosed as exc:
        if session is not None and exc.rcvd is not None and exc.rcvd.code == 1000:
            return session
        raise ProtocolError(f"the server closed the connection ({exc})") from None
    finally:
        source.close()
        await ws.close()
