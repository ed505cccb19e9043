"""``pullcoach capture``'s engine: stream an audio source to a server's ``/ingest``.

The server runs the pipeline; this side only reads blocks and sends them as binary frames
(format in ingest.py and docs/protocol.md). ``stream`` returns the session id. When the
connection drops it reconnects and resumes the same session, sending what the server may
have missed: a network drop shorter than the server's grace (120 s) loses no audio, and
a server restarted within that time revives the session from its store (ingest.py).

Given a ``StateFile`` (capture_state.py) it remembers the session until it ends, so that a
capture *process* started again after a crash, a kill or a closed terminal goes on with the
same session: it says ``hello`` with the remembered id and resume secret, and its audio
continues at the session time that has passed since the session's sample 0, so the time it
was gone reaches the server as a gap, which the server fills with silence as after a drop.
A ``--replay`` goes on in its files where the audio it sent ends (the state file says
where), so nothing is heard twice: the file did not play while the capture was gone, so
nothing of it is lost either; the gap on the session clock is the time it was gone.
If the server no longer has the session it starts a new one (a replay from its start).
Only a deliberate end (the
source ends or is closed: Ctrl-C) ends the session; a cancelled ``stream`` leaves it
resumable, as a crash would.

A source's dated warning the server cannot hear in the audio (``--replay``: the partner's
file broke off) goes to the server as a ``warning`` message, in order with the audio; so does
the coachee's file breaking off, which ends the capture (after the audio up to the break).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import dataclasses
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidHandshake

from pullcoach import __version__
from pullcoach import protocol as p
from pullcoach.audio import AudioBlock
from pullcoach.capture_state import Remembered, StateFile, replay_ids
from pullcoach.errors import AudioDeviceError, AudioError, ConfigError, ProtocolError
from pullcoach.ingest import ENDED_BY_TRAINER, HEADER, MAX_GAP_S, SESSION_FAILED
from pullcoach.ingest import RATE, pack_block
from pullcoach.rules.events import PipelineWarning

__all__ = ["ingest_url", "stream", "resume_offset"]

log = logging.getLogger(__name__)
# A capture started again after this long (only a server that went down too and revived the
# session from its store still has it) continues this far past the audio last sent, not at
# the wall-clock time: the server refuses a gap over MAX_GAP_S.
GAP_S = MAX_GAP_S - 30.0
# websockets' own (20 s): a server that stops reading (its session behind) or is gone is
# noticed 20-40 s on; what it had not read is sent again after the reconnect (_Backlog)
KEEPALIVE = {"ping_interval": 20.0, "ping_timeout": 20.0, "close_timeout": 10.0}
BEAT_S = 1.0  # how often a streaming capture touches its state file (a utime: cheap)
GONE = ("no-session", "bad-token")  # a remembered session the server no longer has (or whose
# secret it does not know: a server started again with other tokens)


# what to do about a refused new session (a resumed one is handled in stream)
REFUSED_HINTS = {
    "bad-token": ": give the capture token `pullcoach serve` printed on its `capture:` line "
                 "(--token T, or PULLCOACH_TOKEN as set where serve runs)",
    "bad-version": ": this pullcoach and the server's speak different protocol versions; "
                   "install the same pullcoach version on both laptops",
    "no-session": ": this server takes no captures (it is a `run`, not a `serve`?)",
}


def ingest_url(server: str) -> str:
    if not server.startswith(("ws://", "wss://")):
        scheme, sep, rest = server.partition("://")
        rest = (rest if sep else server).split("#")[0].split("?")[0].rstrip("/").removesuffix("/trainer")
        meant = {"https": "wss"}.get(scheme.lower(), "ws") + "://" + rest
        raise ConfigError(f"--server must look like ws://HOST:PORT (or wss:// behind TLS), not {server!r}; "
                          f"try --server {meant}")
    base = server.rstrip("/")
    for suffix in ("/ws", "/ingest"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base + "/ingest"


def _shifted(frame: bytes, offset: int) -> bytes:
    """A frame packed on the source's clock, moved ``offset`` samples on."""
    if not offset:
        return frame
    speaker, start = HEADER.unpack_from(frame)
    return HEADER.pack(speaker, start + offset) + frame[HEADER.size:]


def _told(warning: PipelineWarning, session: str, offset: int) -> str:
    """A source's file-broken warning as the server's ``warning`` message: on the session's
    clock, naming the file without its folder (the pair's disk is not the trainer's)."""
    path = str(warning.detail.get("file", ""))
    name = Path(path).name
    error = str(warning.detail.get("error", ""))
    if path:
        error = error.replace(path, name)
    return p.encode(p.CaptureWarning(session=session, t=round(warning.t + offset / RATE, 3),
                                     kind="file-broken", speaker=str(warning.detail.get("speaker")),
                                     file=name[: p.MAX_FILE_NAME], error=error[: p.MAX_WARNING_ERROR]))


def _coachee_broke(source: Any, err: AudioError, end: int) -> PipelineWarning | None:
    """A replay's coachee (or stereo) file that broke at sample ``end``: the warning the
    server is told, as for a partner's file (None for a device that failed)."""
    paths = getattr(source, "paths", None)
    if not paths or isinstance(err, AudioDeviceError):
        return None
    from pullcoach.audio_file import file_broken  # (a replay: PyAV is loaded already)
    return file_broken(end / RATE, "coachee", str(paths[0]), str(err), files=[str(p) for p in paths])


class _Backlog:
    """Frames not yet sent, plus sent ones up to ``limit`` seconds in all: after a drop those
    are sent again (the server ignores what it already has). A frame handed to the socket is
    not one the server has: a server that fell behind stops reading, and what waits in the
    sockets' buffers (a 40 s keepalive: tens of seconds of audio) is gone when the connection
    drops, so sent frames are kept as long as there is room (the oldest give way first).
    Bounded: unsent audio longer than ``limit`` seconds loses its oldest, counted. A source's
    warning waits in it as an item of no samples, after the audio before it (the server
    ignores one it has)."""

    def __init__(self, limit_s: float) -> None:
        self.pending: collections.deque[tuple[bytes, int]] = collections.deque()
        self.sent: collections.deque[tuple[bytes, int]] = collections.deque()
        self.limit = int(limit_s * 2 * RATE)  # both channels
        self.pending_n = self.sent_n = 0
        self.lost_s = 0.0
        self.wake = asyncio.Event()
        self.done = False
        self.ending = False  # end-session was sent
        self.offset = 0  # samples from the source's clock to the session's (a resumed session)

    def add(self, frame: bytes | PipelineWarning, n: int) -> None:
        self.pending.append((frame, n))
        self.pending_n += n
        while self.sent and self.sent_n + self.pending_n > self.limit:  # (most likely arrived)
            self.sent_n -= self.sent.popleft()[1]
        kept = []  # warnings are kept when the audio around them is lost
        while self.pending_n > self.limit and len(self.pending) > 1:
            item, m = self.pending.popleft()
            if not isinstance(item, bytes):
                kept.append((item, m))
            self.pending_n -= m
            self.lost_s += m / RATE / 2  # (seconds of both channels)
        self.pending.extendleft(reversed(kept))
        self.wake.set()

    def warn(self, warning: PipelineWarning) -> None:
        """The source's warning: a file-broken one goes to the server; others are said here."""
        if warning.detail.get("cause") == "file-broken":
            self.add(warning, 0)
        else:
            log.warning("%s", warning.message)

    def mark_sent(self) -> tuple[bytes | PipelineWarning, int]:
        frame = self.pending.popleft()
        self.pending_n -= frame[1]
        self.sent.append(frame)
        self.sent_n += frame[1]
        return frame

    def rewind(self) -> None:
        """After a reconnect: what may not have arrived goes out again first."""
        self.pending.extendleft(reversed(self.sent))
        self.pending_n += self.sent_n
        self.sent.clear()
        self.sent_n = 0


async def stream(server: str, token: str, source: Any, *, lang: str | None = None, coachee: str = "coachee",
                 partner: str = "partner", on_welcome: Callable[[p.Welcome], None] | None = None,
                 reconnect_s: float = 110.0, backlog_s: float = 120.0,
                 state: StateFile | None = None, fresh: bool = False) -> str:
    """Stream ``source`` as one session; returns its id. A dropped connection is retried for
    ``reconnect_s`` (the server waits 120 s), meanwhile up to ``backlog_s`` of audio is kept.
    With ``state`` the session is remembered until it ends, and a session the capture before
    this one left unfinished is resumed (unless ``fresh``: then it is ended). ``lang`` None:
    the hello says none, and the server coaches in its own --lang."""
    url = ingest_url(server)
    backlog = _Backlog(backlog_s)
    state, remembered = _recall(state, coachee)
    paths = getattr(source, "paths", None) or ()  # --replay: its files
    ids = replay_ids(paths) if paths else ()
    # a replay resuming a session its files were streamed to goes on where that audio ends
    skip = (round(remembered.sent_s * RATE) if remembered is not None and not fresh and ids
            and remembered.files == ids else 0)
    beat = _Beat(state, replaying=bool(ids))
    if hasattr(source, "on_warning") and source.on_warning is None:  # FileSource (--replay)
        source.on_warning = lambda w: backlog.warn(dataclasses.replace(w, t=w.t - skip / RATE) if skip else w)

    async def read() -> None:
        end = 0  # where the coachee's audio read so far ends (source clock)
        try:
            async for block in source.blocks():
                backlog.add(pack_block(block.speaker, block.start, block.samples), len(block.samples))
                if block.speaker == "coachee":
                    end = block.start + len(block.samples)
        except AudioError as err:  # the capture ends: the server is told why, after the audio
            broke = _coachee_broke(source, err, end)
            if broke is not None:
                backlog.warn(broke)
            raise
        finally:
            backlog.done = True
            backlog.wake.set()

    is_call = getattr(source, "partner_loopback", None)  # the server's near gate skips a call's output
    kind = None if is_call is None else ("loopback" if is_call else "mic")
    # --replay: the files' names (not their folders), so the server's set-up checks say the file
    files = tuple(Path(f).name for f in getattr(source, "paths", None) or ())
    files = files if p.file_names_ok(files) else ()  # (a name the server would refuse: not said)
    opened = 0.0  # (about) the wall time of the source's sample 0
    reader: asyncio.Task | None = None

    def start() -> asyncio.Task:
        nonlocal opened
        if skip:
            _skip(source, skip)
        opened = beat.zero = time.time()
        if remembered is not None and not fresh:
            backlog.offset = max(resume_offset(remembered, opened), 0)
        return asyncio.get_running_loop().create_task(read())

    session: str | None = None
    secret: str | None = None  # the welcome's: resumes this session and no other
    if remembered is not None and not fresh:
        session, secret = remembered.session, remembered.secret
    if not skip:  # (a replay that skips waits for the welcome: a session the server no
        reader = start()  # longer has gets a new one, replayed from the files' start)
    welcomed = False  # a session is under way (this capture's, or the one it resumed)
    keep = False  # leave the state file: the session may yet be resumed
    ws = None
    try:
        ws = await _connect(url, retry_for=0.0)
        if remembered is not None and fresh:
            await _end_unfinished(url, token, remembered)
            state.forget()
            remembered = None
        while True:
            try:
                try:
                    welcome = await _hello(ws, token, session, secret, lang, coachee, partner, kind,
                                           files)
                except ProtocolError as err:
                    if backlog.ending and p.error_code(err) == "no-session":
                        log.warning("session %s has ended (the server had the end before the "
                                    "connection dropped)", session)
                        return session
                    if welcomed or session is None or p.error_code(err) not in GONE:
                        raise
                    # (the file is rewritten at the new welcome; kept if there is none)
                    log.warning("session %s, which the capture before this one left unfinished, cannot "
                                "be resumed (%s); starting a new session", session, err)
                    session = secret = remembered = None
                    backlog.offset = skip = 0
                    await ws.close()
                    ws = await _connect(url, retry_for=0.0)
                    continue
                session, secret = welcome.sessions[0].session, welcome.resume or secret
                if welcomed:
                    log.warning("reconnected to session %s", session)
                else:
                    welcomed = True
                    if reader is None:
                        reader = start()
                    if remembered is not None:
                        where = (f": {coachee}'s replay goes on at {_clock(skip / RATE)} of "
                                 f"{' and '.join(files) or 'the recording'}, where the audio it sent "
                                 "ends" if skip else "")
                        log.warning("resuming session %s (the capture before this one stopped %s ago "
                                    "without ending it)%s; --new starts a fresh one", session,
                                    _ago(opened - remembered.alive_wall), where)
                    if on_welcome is not None:
                        on_welcome(welcome)
                    if state is not None and secret:  # zero: the session's sample 0 on this clock
                        state.save(session, secret, zero_wall=opened - backlog.offset / RATE,
                                   files=ids, files_zero=opened - skip / RATE)
                        beat.touch()
                await _send(ws, session, backlog, reader, beat)
                return session
            except ConnectionClosedOK as exc:  # the server was stopped, or the trainer ended it
                if not welcomed:
                    raise ProtocolError(_closed(exc, urlsplit(url).hostname or "")) from None
                if exc.rcvd is not None and exc.rcvd.reason == ENDED_BY_TRAINER:
                    log.warning("the trainer ended session %s; its report is on the server "
                                "(start `pullcoach capture` again for a new session)", session)
                else:
                    log.warning("the server stopped and ended session %s; the audio after this is "
                                "not coached (start `pullcoach capture` again for a new session)", session)
                return session
            except (ConnectionClosedError, OSError) as exc:
                if not welcomed:
                    raise ProtocolError(_closed(exc, urlsplit(url).hostname or "")) from None
                if getattr(exc, "rcvd", None) is not None and exc.rcvd.reason == SESSION_FAILED:
                    raise ProtocolError(f"session {session} failed on the server (the `pullcoach "
                                        "serve` window says why): start `pullcoach capture` again "
                                        "for a new session") from None
                log.warning("lost the server%s (%s); reconnecting for up to %.0f s, audio is kept",
                            " while the session was ending" if backlog.ending else "", exc, reconnect_s)
                await ws.close()
                keep = True  # given up on, the server still has the session (a while)
                ws = await _connect(url, retry_for=reconnect_s)
                keep = False
                backlog.rewind()
            finally:
                if backlog.lost_s:
                    log.warning("%.1f s of audio did not fit the backlog and were lost", backlog.lost_s)
                    backlog.lost_s = 0.0
    except asyncio.CancelledError:  # gone without ending: as a crash, the server keeps the session
        keep = True
        if ws is not None:
            ws.transport.abort()  # no close frame: a clean close would end the session
            ws = None
        raise
    finally:
        if reader is not None:
            reader.cancel()
        source.close()
        if ws is not None:
            await ws.close()
        if state is not None:
            if welcomed and not keep:
                state.forget()
            state.release()


def resume_offset(remembered: Remembered, opened: float) -> int:
    """Where a capture whose source opened at ``opened`` (wall clock) goes on with a session
    the capture before it left: as many samples past the session's sample 0 as seconds have
    passed, so the time between is a gap on the session clock (silence, as after a drop).
    Gone longer than GAP_S, it goes on GAP_S past the audio last sent."""
    t = opened - remembered.zero_wall
    if opened - remembered.alive_wall > GAP_S:
        t = remembered.alive_wall - remembered.zero_wall + GAP_S
    return max(0, round(t * RATE))


def _skip(source: Any, skip: int) -> None:
    """A replay that goes on ``skip`` samples into its files: its blocks start there, at 0
    on its own clock (so the real-time pace starts there too)."""
    produce = source.produce

    def from_there():
        for block in produce():
            cut = skip - block.start
            if cut < len(block.samples):
                yield AudioBlock(block.speaker, max(0, -cut), block.samples[max(0, cut):])

    source.produce = from_there


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _recall(state: StateFile | None, coachee: str) -> tuple[StateFile | None, Remembered | None]:
    """Claim the state file (None when another capture holds it); the session it remembers."""
    if state is None:
        return None, None
    if not state.claim():
        log.warning("another `pullcoach capture` for %s on this server is still running (a stopped "
                    "job? a second terminal?): this one starts a session of its own, which it will "
                    "not resume if started again", coachee)
        return None, None
    return state, state.load()


async def _end_unfinished(url: str, token: str, remembered: Remembered) -> None:
    """``--new``: end the session the capture before this one left, now rather than at the
    end of the server's grace (its card stays "live" until then). Best effort."""
    try:
        async with await _connect(url, retry_for=0.0) as ws:
            await _hello(ws, token, remembered.session, remembered.secret, None, None, None)
            await ws.send(p.encode(p.EndSession(session=remembered.session)))
        log.warning("ended session %s, which the capture before this one left unfinished "
                    "(--new); starting a new session", remembered.session)
    except Exception:  # gone already, or the server is not there: the new session says so
        log.warning("starting a new session (--new)")


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


class _Beat:
    """Touches the state file every BEAT_S while audio is sent; a replay's at every frame,
    to the wall time the audio sent through on both channels would have played (``zero``:
    the source's sample 0), which says where in its files a capture started again goes on."""

    def __init__(self, state: StateFile | None, replaying: bool = False) -> None:
        self.state, self.last = state, time.monotonic()
        self.replaying, self.zero = replaying, 0.0
        self.ends = [0, 0]  # per channel: where the audio sent ends (source clock)

    def touch(self) -> None:
        if self.state is not None:
            self.state.touch(self.zero + min(self.ends) / RATE if self.replaying else None)

    def __call__(self, frame: bytes | PipelineWarning = b"", n: int = 0) -> None:
        if self.state is None:
            return
        if self.replaying:
            if isinstance(frame, bytes) and len(frame) >= HEADER.size:
                speaker, start = HEADER.unpack_from(frame)
                if speaker < 2 and start + n > self.ends[speaker]:
                    self.ends[speaker] = start + n
                    self.touch()
        elif time.monotonic() - self.last >= BEAT_S:
            self.last = time.monotonic()
            self.state.touch()


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
            return await connect(url, compression=None, max_size=2**20, open_timeout=15, **KEEPALIVE)
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            if loop.time() + pause > deadline:
                if retry_for:  # (exit 5, as any refusal by the server: not a wrong flag)
                    raise ProtocolError(f"lost {url} for {retry_for:.0f} s ({exc}); the server keeps the "
                                        "session's audio up to the drop") from None
                raise ProtocolError(f"cannot reach {url} ({exc}); is `pullcoach serve` running there?") from None
            await asyncio.sleep(pause)
            pause = min(2.0, pause * 2)


async def _hello(ws, token: str, session: str | None, secret: str | None, lang: str | None,
                 coachee: str | None, partner: str | None, source_kind: str | None = None,
                 files: tuple[str, ...] = ()) -> p.Welcome:
    """A new session (``session`` None) or the one to resume with its ``secret``: the
    server's welcome. A refusal raises ``ProtocolError`` with the server's code."""
    try:
        await ws.send(p.encode(p.Hello(role="capture", token=token, session=session, resume=secret,
                                       lang=lang, coachee=coachee, partner=partner, partner_source=source_kind,
                                       files=files, client=f"pullcoach-capture {__version__}")))
        reply = p.decode(await ws.recv())
    except ConnectionClosedOK as exc:
        raise ProtocolError(_closed(exc, urlsplit("//" + ws.request.headers.get("Host", "")).hostname or "")) from None
    if isinstance(reply, p.Error):
        raise p.protocol_error(reply.code, f"the server refused: {reply.message} ({reply.code})"
                                           f"{REFUSED_HINTS.get(reply.code, '') if session is None else ''}")
    if not isinstance(reply, p.Welcome) or not reply.sessions:
        raise ProtocolError("the server did not answer with a welcome")
    return reply


async def _send(ws, session: str, backlog: _Backlog, reader: asyncio.Task,
                beat: Callable[[], None] = lambda: None) -> None:
    """Frames until the source ends, then end-session and wait for the server's close. What
    the server says meanwhile (an error about a block) is heard at once, not at the end."""
    heard = asyncio.create_task(_listen(ws))
    try:
        while True:
            while backlog.pending:
                item = backlog.pending[0][0]
                await ws.send(_shifted(item, backlog.offset) if isinstance(item, bytes)
                              else _told(item, session, backlog.offset))
                beat(*backlog.mark_sent())
            if backlog.done:
                break
            backlog.wake.clear()
            await backlog.wake.wait()
        if reader.done() and reader.exception() is not None:
            raise reader.exception()
        backlog.ending = True
        await ws.send(p.encode(p.EndSession(session=session)))
        dropped = await heard  # the server closes once the session has ended
        if dropped is not None:  # end-session and audio before it may not have arrived: the
            raise dropped  # capture reconnects and ends it again (or finds it ended)
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
