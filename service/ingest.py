"""Remote capture on ``/ingest``: a laptop streams PCM, the server runs the pipeline.

Wire format (see docs/protocol.md, "Remote capture"):
  1. client -> ``{"v":1,"type":"hello","role":"capture","token":INGEST_TOKEN,
     "lang":"nl","coachee":"Anna","partner":"Bram","client":"..."}``
  2. server -> ``welcome`` with the new session in ``sessions`` and its overlay ``token``
  3. client -> binary frames: a 9-byte header ``<BQ`` (speaker id: 0 coachee, 1 partner;
     start: uint64 sample index on the session clock) then int16 little-endian mono PCM
     at 16 kHz; at most ``max_size`` bytes per frame (64 KiB = 2 s of audio)
  4. client -> ``{"v":1,"type":"end-session","session":ID}`` or just closes.
The server side is ``WebSocketSource`` (an audio source like FileSource/LiveSource) fed
by the connection; the session runs until the source ends.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import struct
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AsyncIterator

import numpy as np
from websockets.exceptions import ConnectionClosed

from pullcoach import __version__
from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.rules.events import SPEAKERS

try:  # the audio helper's block type; the same fields if it has not landed yet
    from pullcoach.audio import AudioBlock
except ImportError:  # pragma: no cover
    @dataclass(frozen=True, slots=True)
    class AudioBlock:  # type: ignore[no-redef]
        speaker: str
        start: int
        samples: np.ndarray

if TYPE_CHECKING:
    from pullcoach.server import Service

__all__ = ["RATE", "HEADER", "pack_block", "unpack_block", "WebSocketSource", "handle",
           "new_session_id"]

log = logging.getLogger(__name__)
RATE = 16_000
HEADER = struct.Struct("<BQ")


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def pack_block(speaker: str, start: int, samples: np.ndarray) -> bytes:
    """float32 [-1, 1] (or int16) samples -> one binary frame."""
    if samples.dtype != np.int16:
        samples = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)
    return HEADER.pack(SPEAKERS.index(speaker), start) + samples.astype("<i2").tobytes()


def unpack_block(data: bytes) -> AudioBlock:
    if len(data) < HEADER.size or (len(data) - HEADER.size) % 2:
        raise p.protocol_error("malformed", "an audio frame is a 9-byte header and int16 samples")
    sid, start = HEADER.unpack_from(data)
    if sid >= len(SPEAKERS):
        raise p.protocol_error("malformed", f"speaker id must be 0 or 1, not {sid}")
    pcm = np.frombuffer(data, dtype="<i2", offset=HEADER.size)
    return AudioBlock(speaker=SPEAKERS[sid], start=int(start),
                      samples=pcm.astype(np.float32) / 32768.0)


class WebSocketSource:
    """An audio source whose blocks arrive over /ingest. Bounded: drops count, never block."""

    def __init__(self, max_blocks: int = 500):
        self._queue: asyncio.Queue[AudioBlock | None] = asyncio.Queue(max_blocks)
        self._ends = {s: 0 for s in SPEAKERS}  # next expected sample per channel
        self._stats = {"blocks": 0, "dropped": 0, "overflow": 0, "late": 0}
        self._closed = False

    def feed(self, block: AudioBlock) -> None:
        if self._closed:
            return
        if block.start < self._ends[block.speaker]:  # overlaps what we already have
            self._stats["late"] += 1
            return
        try:
            self._queue.put_nowait(block)
        except asyncio.QueueFull:
            self._stats["overflow"] += 1
            self._stats["dropped"] += 1
            return
        self._ends[block.speaker] = block.start + len(block.samples)
        self._stats["blocks"] += 1

    async def blocks(self) -> AsyncIterator[AudioBlock]:
        while not (self._closed and self._queue.empty()):
            block = await self._queue.get()
            if block is None:
                return
            yield block

    def stats(self) -> dict:
        return dict(self._stats)

    def close(self) -> None:
        """No more blocks; those queued are still delivered."""
        if not self._closed:
            self._closed = True
            try:
                self._queue.put_nowait(None)  # wakes a waiting reader
            except asyncio.QueueFull:
                pass  # blocks() sees _closed once the queue is drained


async def handle(service: "Service", ws: Any) -> None:
    """One capture connection: hello, a session, then audio frames until the end."""
    try:
        hello = await service.first_hello(ws)
        if hello.role != "capture":
            raise p.protocol_error("malformed", 'on /ingest the role is "capture"')
        if not (tk.same(hello.token, service.tokens.ingest)
                or tk.same(hello.token, service.tokens.trainer)):
            raise p.protocol_error("bad-token", "wrong capture token")
        if service.session_factory is None:
            raise p.protocol_error("no-session", "this server does not run pipelines")
    except p.ProtocolError as err:
        await service.refuse(ws, err)
        return
    except ConnectionClosed:
        return
    session_id, token = new_session_id(), tk.new_token()
    lang = hello.lang or "nl"
    rec = service.hub.declare(session_id, token, lang=lang, coachee=hello.coachee or "coachee",
                              partner=hello.partner or "partner")
    source = WebSocketSource()
    session = service.session_factory(source, session_id=session_id, lang=lang,
                                      coachee=rec.coachee, partner=rec.partner)
    service.hub.attach(session_id, session)
    if service.on_session is not None:
        service.on_session(rec)
    run = asyncio.get_running_loop().create_task(session.run())
    info = p.SessionInfo(session=session_id, lang=lang, started_wall=None, live=False,
                         coachee=rec.coachee, partner=rec.partner)
    try:
        await ws.send(p.encode(p.Welcome(role="capture", server=f"pullcoach {__version__}",
                                         sessions=(info,), token=token)))
        async for raw in ws:
            if isinstance(raw, bytes):
                try:
                    source.feed(unpack_block(raw))
                except p.ProtocolError as err:
                    await ws.send(p.encode(p.Error(code="malformed", message=str(err))))
                continue
            try:
                msg = p.decode(raw)
            except p.ProtocolError as err:
                await ws.send(p.encode(p.Error(code=p.error_code(err), message=str(err))))
                continue
            if isinstance(msg, p.EndSession):
                break
            await ws.send(p.encode(p.Error(code="unknown-type", message="send audio or end-session")))
    except ConnectionClosed:
        pass
    finally:
        source.close()
        try:
            await run
        except Exception:
            log.exception("session %s failed", session_id)
    try:
        await ws.close(1000, "session ended")
    except ConnectionClosed:
        pass
