"""Remote capture on ``/ingest``: a laptop streams PCM, the server runs the pipeline.

Wire format (see docs/protocol.md, "Remote capture"):
  1. client -> ``{"v":1,"type":"hello","role":"capture","token":INGEST_TOKEN,
     "lang":"nl","coachee":"Anna","partner":"Bram","client":"..."}``
  2. server -> ``welcome`` with the new session in ``sessions`` and its overlay ``token``
  3. client -> binary frames: a 9-byte header ``<BQ`` (speaker id: 0 coachee, 1 partner;
     start: uint64 sample index on the session clock) then int16 little-endian mono PCM
     at 16 kHz; at most ``max_size`` bytes per frame (64 KiB = 2 s of audio)
  4. client -> ``{"v":1,"type":"end-session","session":ID}`` or just closes (code 1000).
A connection that drops without either leaves the session waiting: a capture that says
``hello`` with ``"session": ID`` within ``resume_grace_s`` goes on feeding it (blocks it
had already sent are ignored), otherwise the session ends with the audio it has. Audio
that never came (a capture started again after a crash) is silence, and a
``capture-resumed`` pipeline warning marks where and how long. A capture may also say
``warning`` (``file-broken``: its replayed partner's, or coachee's, file broke off at
``t``); the session gets it as a dated ``channel-stalled`` warning once its audio reaches
``t``. A replaying capture's hello names its files (``files``: names only), which the
source carries as ``paths``, so the session's set-up checks speak of the file as a local
replay's do.
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
from websockets.exceptions import ConnectionClosed, ConnectionClosedError

from pullcoach import __version__
from pullcoach import protocol as p
from pullcoach import routes
from pullcoach import revive
from pullcoach import tokens as tk
from pullcoach.errors import ConfigError
from pullcoach.server import recalled
from pullcoach.rules.events import SPEAKERS, PipelineWarning

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

__all__ = ["RATE", "HEADER", "pack_block", "unpack_block", "WebSocketSource", "Ingest", "handle",
           "new_session_id"]

log = logging.getLogger(__name__)
RATE = 16_000
REVIVE_WITHIN_S = 600.0  # a session interrupted longer ago than this is not gone on with
HEADER = struct.Struct("<BQ")
# A capture that reconnects resends what it kept of the audio it had sent (what the server
# has is ignored) and goes on; it retries for 110 s keeping
# 120 s of audio, and the server waits 120 s: a real gap on the session clock stays well
# under this. A block further ahead than that is no capture's (padding an hour of gap froze
# the server for a minute; 2^40 asked for 4 TiB).
MAX_GAP_S = 150.0
# Audio is live: it cannot run ahead of the time since the session began by more than the
# capture's head start (its source opens before it connects, at most a 15 s connect) plus
# clock drift (200 ppm: 6 s in 8 hours).
AHEAD_S = 30.0
FILL_S = 1.0  # a gap is handed to the pipeline as silence blocks this long, one at a time
WARN_SLACK_S = 1.0  # a capture's warning may be dated this far past the audio the server has


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
    """An audio source whose blocks arrive over /ingest. Bounded: drops count, never block.

    ``feed`` refuses (``ProtocolError`` ``bad-block``, the block dropped) a block that
    starts more than ``MAX_GAP_S`` past the audio the session has, or reaches more than
    ``AHEAD_S`` past the time since the session began; ``blocks`` hands a gap over as
    silence, ``FILL_S`` at a time, yielding to the event loop in between, so a real gap
    after a reconnect never holds up the other sessions. ``origin`` is the session clock
    (samples) the source starts at (a revived session's resume point) and ``elapsed`` the
    seconds since that session's audio began."""

    via = "capture"  # the session says its audio crossed the network (report, privacy line)

    def __init__(self, max_blocks: int = 500, *, origin: int = 0, elapsed: float = 0.0,
                 clock: Any = time.monotonic, warned: Any = ()):
        self._queue: asyncio.Queue[AudioBlock | None] = asyncio.Queue(max_blocks)
        self._ends = {s: 0 for s in SPEAKERS}  # next expected sample per channel
        self._stats = {"blocks": 0, "dropped": 0, "overflow": 0, "late": 0, "refused": 0}
        self._closed = False
        self._origin = origin
        self._clock = clock
        self._zero = clock() - elapsed  # clock() at audio sample 0
        self._pending: set[str] = set()  # channels whose first block since then has not come
        self._resume_gaps: dict[tuple[str, int], int] = {}  # (speaker, start) -> which resume
        self._resumes = 0
        self.on_resume_gap: Any = None  # called (t0, t1) as a resume's gap is handed over
        self.on_warning: Any = None  # called with a capture's warning as the audio reaches it
        # (kind, speaker) told: once per session (a revived one's stored ones count)
        self._warned: set[tuple[str, str]] = set(warned)

    def resumed(self) -> None:
        """A capture went on with this session (it reconnected, or was started again): a gap
        before its first blocks is the time no capture sent audio, not a stalled device."""
        self._resumes += 1
        self._pending = set(SPEAKERS)

    def feed(self, block: AudioBlock) -> None:
        if self._closed:
            return
        if block.start < self._ends[block.speaker]:  # overlaps what we already have
            self._stats["late"] += 1
            return
        self._check(block)
        try:
            self._queue.put_nowait(block)
        except asyncio.QueueFull:
            self._stats["overflow"] += 1
            self._stats["dropped"] += 1
            return
        if block.speaker in self._pending:
            self._pending.discard(block.speaker)
            if block.start - self._ends[block.speaker] > FILL_S * RATE:
                self._resume_gaps[(block.speaker, block.start)] = self._resumes
        self._ends[block.speaker] = block.start + len(block.samples)
        self._stats["blocks"] += 1

    def warn(self, told: p.CaptureWarning) -> bool:
        """A capture's warning, handed to ``on_warning`` in order with the audio sent before
        it. One per kind and speaker (a reconnect resends it): a repeat is ignored (False).
        One dated past the audio the server has is refused (``ProtocolError``)."""
        key = (told.kind, told.speaker)
        if self._closed or key in self._warned:
            return False
        have = max(self._origin, *self._ends.values())
        if told.t * RATE > have + WARN_SLACK_S * RATE:
            raise p.protocol_error("malformed", f"a {told.kind} warning at {told.t:.1f} s is past the "
                                                f"{have / RATE:.1f} s of audio the server has for this "
                                                "session: send it after the audio up to it")
        files = getattr(self, "paths", ())  # (a replay's file names; one: both sides broke)
        self._queue.put_nowait(file_broken(told, files))  # (the pump waited for room)
        self._warned.add(key)
        return True

    async def room(self) -> None:
        """Wait while the session is behind (its queue full): the capture keeps what it has
        not sent (120 s), so the audio waits there instead of being dropped here (a server
        catching up after a restart lost 14 s of three role-plays' audio this way)."""
        while self._queue.full() and not self._closed:
            await asyncio.sleep(0.01)

    def _check(self, block: AudioBlock) -> None:
        have = max(self._origin, *self._ends.values())
        end = block.start + len(block.samples)
        now = self._clock() - self._zero
        if block.start - have > MAX_GAP_S * RATE:
            why = (f"it starts {(block.start - have) / RATE:.0f} s past the {have / RATE:.1f} s of "
                   f"audio the server has for this session (a gap may be at most {MAX_GAP_S:.0f} s)")
        elif end > (now + AHEAD_S) * RATE:
            why = (f"it reaches {end / RATE:.1f} s of audio {now:.1f} s into the session (audio may "
                   f"not run more than {AHEAD_S:.0f} s ahead of the clock)")
        else:
            return
        self._stats["refused"] += 1
        raise p.protocol_error("bad-block", f"{block.speaker} audio block at sample {block.start} "
                                            f"dropped: {why}")

    async def blocks(self) -> AsyncIterator[AudioBlock]:
        upto: dict[str, int] = {}  # per channel: where the blocks handed over end
        told: set[int] = set()  # resumes whose gap was said
        while not (self._closed and self._queue.empty()):
            block = await self._queue.get()
            if block is None:
                return
            if isinstance(block, PipelineWarning):  # the audio before it is handed over
                if self.on_warning is not None:
                    self.on_warning(block)
                continue
            # a gap as silence, a second at a time: padded in one go, 120 s held the loop 1.4 s
            pos = upto.get(block.speaker, block.start)  # (a late channel: the pipeline pads it)
            resume = self._resume_gaps.pop((block.speaker, block.start), None)
            if block.start - pos > FILL_S * RATE:  # (a shorter one the pipeline pads at no cost)
                if resume is not None and resume not in told and self.on_resume_gap is not None:
                    told.add(resume)  # once per resume, at the first channel's gap, before its silence
                    self.on_resume_gap(pos / RATE, block.start / RATE)
                while pos < block.start:
                    n = min(int(FILL_S * RATE), block.start - pos)
                    yield AudioBlock(speaker=block.speaker, start=pos, samples=np.zeros(n, np.float32))
                    pos += n
                    await asyncio.sleep(0)
            upto[block.speaker] = block.start + len(block.samples)
            yield block
            await asyncio.sleep(0)  # the other sessions and clients get their turn

    def stats(self) -> dict:
        return dict(self._stats)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """No more blocks; those queued are still delivered."""
        if not self._closed:
            self._closed = True
            try:
                self._queue.put_nowait(None)  # wakes a waiting reader
            except asyncio.QueueFull:
                pass  # blocks() sees _closed once the queue is drained


class Ingest:
    """One remote-capture session on the server: its source, its pipeline task, and
    whether a capture is connected. A capture that drops (network, laptop sleep) may come
    back within ``grace`` seconds and go on where it left off; after that the session ends."""

    def __init__(self, session_id: str, source: WebSocketSource) -> None:
        self.id = session_id
        self.source = source
        self.task: asyncio.Task | None = None
        self.ws: Any = None  # the capture connection feeding it now
        self.attached = True
        self._timer: asyncio.TimerHandle | None = None

    def attach(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.attached = True

    def detach(self, grace: float) -> None:
        self.attached = False
        self._timer = asyncio.get_running_loop().call_later(grace, self.finish)

    def finish(self) -> None:
        """No more audio: the session finishes what it has and ends."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.source.close()


def _authorize(service: "Service", hello: p.Hello) -> Ingest | str | None:
    """The session a capture resumes (``hello.session``): its Ingest, or its id when only
    the store has it (the server restarted); None for a new session."""
    if hello.role != "capture":
        raise p.protocol_error("malformed", 'on /ingest the role is "capture"')
    if not (tk.same(hello.token, service.tokens.ingest) or tk.same(hello.token, service.tokens.trainer)):
        raise p.protocol_error("bad-token", "wrong capture token")
    if service.session_factory is None:
        raise p.protocol_error("no-session", "this server does not run pipelines")
    if hello.session is None:
        return None
    if not tk.same(hello.resume, tk.resume_token(service.tokens.trainer, hello.session)):
        # the capture token is every pair's: without this any of them could take over (and
        # read) another pair's session by its id
        raise p.protocol_error("bad-token", f"only the capture that started session {short(hello.session)} "
                                            "may resume it (its welcome's resume secret)")
    live = service.ingests.get(hello.session)
    if live is None and (hello.session not in service.hub.sessions or hello.session in service.waiting):
        return hello.session  # not ended here: perhaps in the store, from before a restart
    if live is None or live.source.closed:
        raise _gone(hello.session)
    return live


def short(session: str) -> str:
    """A session id as an answer repeats it: a hello's may be any length (an id is 20 characters)."""
    return session if len(session) <= 40 else session[:40] + "…"


def _gone(session: str) -> p.ProtocolError:
    return p.protocol_error("no-session", f"no capture session {short(session)} to resume "
                                          "(it has ended): start a new one")


def _start(service: "Service", hello: p.Hello) -> Ingest:
    session_id = new_session_id()
    rec = _declare(service, session_id, hello.lang, hello.coachee, hello.partner)
    live = Ingest(session_id, WebSocketSource())
    live.source.paths = list(hello.files)  # a replay's file names: set-up warnings say the file
    try:
        session = service.session_factory(live.source, session_id=session_id, lang=rec.lang,
                                          coachee=rec.coachee, partner=rec.partner, **_source(hello))
    except Exception:
        del service.hub.sessions[session_id]  # never started: no card for the trainer
        raise
    _launch(service, rec, live, session)
    return live


def _declare(service: "Service", session_id: str, lang, coachee, partner):
    """The hub's record of a capture session; its overlay token is derived (tokens.py). A
    capture that said no language is coached in the server's (its --lang)."""
    return service.hub.declare(session_id, tk.session_token(service.tokens.trainer, session_id),
                               lang=lang or service.lang, coachee=coachee or "coachee",
                               partner=partner or "partner")


def _source(hello: p.Hello) -> dict:
    """What the capture said about its partner channel (only when it said it)."""
    return {"partner_loopback": True} if hello.partner_source == "loopback" else {}


async def _revive(service: "Service", hello: p.Hello) -> Ingest:
    """A session the store holds as interrupted (its server died) goes on here; see revive.py."""
    store, session_id = service.store, hello.session
    async with service.revive_lock:  # two reconnects at once: the second resumes what the first revived
        live = service.ingests.get(session_id)
        if live is not None and not live.source.closed:
            return live
        row = None if store is None else await asyncio.to_thread(store.row, session_id)
        waiting = session_id in service.waiting  # its card is up (runtime._recall_today)
        if row is None or row["status"] != "interrupted" or (session_id in service.hub.sessions
                                                             and not waiting):
            raise _gone(session_id)
        idle = time.time() - ((row["started_wall"] or 0.0) + row["t"])
        if idle > REVIVE_WITHIN_S:
            raise p.protocol_error("no-session", f"session {session_id} stopped {idle / 60:.0f} min "
                                                 "ago, too long to go on with: start a new one")
        events = await asyncio.to_thread(store.events, session_id)
        if revive.capture_stopped(events) is not None:  # its file broke off: ended where it did
            raise _gone(session_id)
        try:
            resume = revive.resume_point(events)
        except ValueError:
            raise _gone(session_id) from None
        since = resume.t if resume.started_wall is None else time.time() - resume.started_wall
        live = Ingest(session_id, WebSocketSource(origin=int(resume.t * RATE),
                                                  elapsed=max(since, resume.t),
                                                  warned=told_before(events)))
        live.source.paths = list(hello.files)
        names = {"lang": row["lang"] or "nl", "coachee": row["coachee"] or "coachee",
                 "partner": row["partner"] or "partner"}
        session = service.session_factory(live.source, session_id=session_id, resume=resume,
                                          **names, **_source(hello))
        engine = getattr(session, "engine", None)
        if engine is not None:
            await asyncio.to_thread(revive.prime, engine, resume.inputs)
        kept = None if waiting else await asyncio.to_thread(recalled, session_id, events)
        if waiting and session_id not in service.waiting:
            raise _gone(session_id)  # the trainer ended it meanwhile
        await asyncio.to_thread(store.reopen, session_id)
        if waiting and session_id not in service.waiting:
            raise _gone(session_id)  # (its end is stored after the reopen)
        # only once it can go on; a waiting one goes on on its own card (and history)
        rec = service.hub.sessions[session_id] if waiting else _declare(service, session_id, **names)
        rec.live, rec.started_wall, rec.t = True, resume.started_wall, resume.t
        service.waiting.discard(session_id)
        if kept is not None:
            service.recall(session_id, kept)  # late trainers catch up on the whole session
        log.warning("session %s revived at %.1f s after a server restart", session_id, resume.t)
        _launch(service, rec, live, session)
        service._push_status(session_id)  # pages see it listening again
        return live


def resume_gap(t0: float, t1: float) -> PipelineWarning:
    """The marker in the session's events where a capture that went on with it (started
    again after a crash or kill) left a gap: no audio from ``t0`` to ``t1``, filled with
    silence. Without it the report blamed the partner's device ("channel-stalled")."""
    return PipelineWarning(
        t=round(t0, 3), kind="capture-resumed",
        message=(f"The capture went on with this session after {t1 - t0:.0f} s without audio "
                 "(it was started again): that time is silence."),
        detail={"resumed_at": round(t1, 3), "gap_s": round(t1 - t0, 3)})


def told_before(events: list) -> set[tuple[str, str]]:
    """The capture warnings a stored session has (``(kind, speaker)``, as ``file_broken``
    stores them): a revived session ignores them when the capture resends them."""
    return {("file-broken", e.detail.get("speaker")) for e in events
            if isinstance(e, PipelineWarning) and e.kind == "channel-stalled"
            and (e.detail or {}).get("cause") == "file-broken"}


def file_broken(told: p.CaptureWarning, files=()) -> PipelineWarning:
    """A capture's replayed file broke off at ``told.t``: the session's dated warning, as a
    local replay's, so the report and the dashboard say why that side is silent rather than
    blaming a device. ``files``: the capture's replayed files' names (one: a stereo file,
    both sides broke off)."""
    from pullcoach.audio_file import file_broken as warning  # (PyAV: only when one comes)
    return warning(told.t, told.speaker, told.file, told.error, said_by=" (Said by the capture.)",
                   files=files)


ENDED_BY_TRAINER = "ended by the trainer"  # the close reasons capture clients look for
SESSION_FAILED = "the session failed on the server"  # (1011; the serve window says why)


def _launch(service: "Service", rec, live: Ingest, session) -> None:
    session_id = live.id
    service.hub.attach(session_id, session)
    if service.on_session is not None:
        service.on_session(rec)
    service.ingests[session_id] = live
    inject = getattr(session, "inject", None)
    if inject is not None:
        live.source.on_resume_gap = lambda t0, t1: inject(resume_gap(t0, t1))
        live.source.on_warning = inject

    async def run() -> None:
        failed = False
        try:
            await session.run()
        except Exception:
            failed = True
            log.exception("session %s failed", session_id)
        finally:
            service.ingests.pop(session_id, None)
            ws, live.ws = live.ws, None
            if ws is not None and not service.closing:
                # ended here, not by the capture (the trainer's "end session", the server
                # stopping, or the session broke): tell it, or a pair's laptop would stream
                # its microphone to nobody
                if failed:
                    code, reason = 1011, SESSION_FAILED
                elif getattr(session, "stop_reason", "") == "server-stopped":
                    code, reason = 1001, "server stopped"
                else:
                    code, reason = 1000, ENDED_BY_TRAINER
                service._spawn(ws.close(code, reason))
    live.task = asyncio.get_running_loop().create_task(run())  # not cancelled by service.close


async def _pump(ws: Any, source: WebSocketSource, session_id: str) -> bool:
    """Audio frames (and warnings) into the source. True when the capture ended the session
    (end-session, or a clean close); False when the connection dropped. A bad frame is
    dropped and said (at most once a second: a capture sending nothing but bad frames gets
    no flood back); a bad warning is said and changes nothing."""
    loop = asyncio.get_running_loop()
    said = -1.0
    try:
        async for raw in ws:
            if isinstance(raw, bytes):
                try:
                    block = unpack_block(raw)
                    await source.room()  # backpressure, not loss
                    source.feed(block)
                except p.ProtocolError as err:
                    if loop.time() - said >= 1.0 or said < 0:
                        said = loop.time()
                        await ws.send(p.encode(p.Error(code=p.error_code(err), message=str(err))))
                continue
            try:
                msg = p.decode(raw)
            except p.ProtocolError as err:
                await ws.send(p.encode(p.Error(code=p.error_code(err), message=str(err))))
                continue
            if isinstance(msg, (p.EndSession, p.CaptureWarning)) and msg.session != session_id:
                # another session's id (a stale script, a typo): it ends or warns nothing
                await ws.send(p.encode(p.Error(code="no-session", message=(
                    f"this connection feeds session {session_id}, not {short(msg.session)!r}"))))
                continue
            if isinstance(msg, p.EndSession):
                return True
            if isinstance(msg, p.CaptureWarning):
                try:
                    await source.room()
                    source.warn(msg)
                except p.ProtocolError as err:
                    await ws.send(p.encode(p.Error(code=p.error_code(err), message=str(err))))
                continue
            await ws.send(p.encode(p.Error(code="unknown-type",
                                           message="send audio, warning or end-session")))
    except ConnectionClosedError:
        return False
    return True  # closed cleanly (1000/1001)


async def handle(service: "Service", ws: Any) -> None:
    """One capture connection: hello, a new (or resumed) session, audio frames until the end."""
    try:
        hello = await service.first_hello(ws)
        live = _authorize(service, hello)
    except p.ProtocolError as err:
        await service.refuse(ws, err)
        return
    except ConnectionClosed:
        return
    if isinstance(live, str):
        try:
            live = await _revive(service, hello)
        except p.ProtocolError as err:
            await service.refuse(ws, err)
            return
        except Exception as exc:  # a store that cannot be read: say so, keep serving
            log.exception("could not revive session %s", hello.session)
            await service.refuse(ws, p.protocol_error(
                "no-session", f"could not go on with session {short(hello.session)} ({exc}): start a new one"))
            return
    resumed = live is not None
    if not resumed and not tk.same(hello.token, service.tokens.ingest):
        # taken (it is the trainer's own laptop's right), but a pair holding it can open
        # the dashboard of every session: the trainer handed out the wrong line
        log.warning("a capture (%s ↔ %s) used the trainer token: give pairs the capture token "
                    "(the `pullcoach capture` line serve printed); the trainer token opens "
                    "every session's dashboard", hello.coachee or "coachee", hello.partner or "partner")
    if live is None:
        try:
            live = _start(service, hello)
        except ConfigError as exc:  # the capture asked what this server cannot do (a language)
            log.warning("a capture was refused: %s", exc)
            await service.refuse(ws, p.protocol_error("malformed", str(exc)))
            return
        except Exception as exc:  # e.g. a rule pack that does not load: say it, keep serving
            log.exception("could not start a capture session")
            await service.refuse(ws, p.protocol_error(
                "no-session", f"the server could not start a session ({exc}); the trainer's "
                              "`pullcoach serve` window shows the details"))
            return
    else:  # a reconnect; the server may not have noticed the old connection drop yet
        old, live.ws = live.ws, None
        if old is not None:
            service._spawn(old.close(4000, "replaced by a reconnect"))
        live.attach()
        live.source.resumed()
        service._push_status(live.id)  # the trainer's card: the capture is back
        log.warning("capture for session %s reconnected", live.id)
    live.ws = ws
    rec = service.hub.sessions[live.id]
    info = p.SessionInfo(session=live.id, lang=rec.lang, started_wall=rec.started_wall, live=rec.live,
                         coachee=rec.coachee, partner=rec.partner)
    ended = False
    try:
        await ws.send(p.encode(p.Welcome(
            role="capture", server=f"pullcoach {__version__}", sessions=(info,), token=rec.token,
            report=routes.report_link(service.tokens.trainer, live.id, coachee=True),
            resume=tk.resume_token(service.tokens.trainer, live.id), lang=service.lang,
            audio_kept=service.keeps_audio)))
        ended = await _pump(ws, live.source, live.id)
    except ConnectionClosed:
        ended = False
    if live.ws is not ws:
        return  # replaced by a newer connection: that one owns the session now
    live.ws = None
    if not (ended or service.closing):
        log.warning("capture for session %s dropped%s; waiting %.0f s for it to come back",
                    live.id, " again" if resumed else "", service.resume_grace_s)
        live.detach(service.resume_grace_s)
        service._push_status(live.id)  # the trainer's card says the capture is gone
        return
    live.finish()
    if live.task is not None:
        await asyncio.shield(live.task)
    try:
        await ws.close(1000, "session ended")
    except ConnectionClosed:
        pass
