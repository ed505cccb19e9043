"""The websocket service: protocol v1 on ``/ws``, remote capture on ``/ingest``, HTTP routes.

One process, many sessions. The service subscribes to the Hub; every event is encoded
once; a client that keeps up gets it written to its socket at once (``write_all``:
one framing for all, no task switch per client), the others get it through their queue. Each client has its own bounded queue and
sender task (``Client``): when the queue is full the oldest tick or partial transcript
is dropped (else the oldest message) and counted; trainers get ticks twice a second,
enough for a clock; a client whose socket has not accepted a send for ``stall_timeout`` seconds is
closed with 1008 ("too slow") and counted. So a slow or dead client never delays the
pipeline (``hub.publish`` only appends to deques) or the other clients.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from pullcoach import __version__, routes
from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.access import Access
from pullcoach.hub import Hub, SessionRecord
from pullcoach.rules import events as ev

__all__ = ["Service", "Client", "SERVER_NAME", "Recalled", "recalled"]

log = logging.getLogger(__name__)
SERVER_NAME = f"pullcoach {__version__}"
_OVERLAY_TYPES = (ev.SessionStarted, ev.SessionEnded, ev.PipelineWarning, ev.FocusChanged)
MAX_TEXT = 500  # characters in a trainer nudge or bookmark note
HISTORY_CHARS = 4_000_000  # per session, for late-joining trainers (hours of conversation)
_NO_HISTORY = (ev.Tick, ev.TranscriptPartial)
TRAINER_TICK_MS = 500  # the dashboard's clock shows seconds; the pipeline ticks every 50 ms
WRITE_LIMIT = 2**15  # bytes; websockets' default write buffer high-water mark
DELETED_CHECK_S = 5.0  # how often a running server looks for sessions `sessions delete` took out


class Client:
    """One /ws connection: role, session, a bounded queue and the task that drains it."""

    def __init__(self, ws: ServerConnection, role: str, session: str | None, queue_size: int):
        self.ws, self.role, self.session = ws, role, session
        # (text, expendable): ticks and partials go first when the queue is full
        self.queue: collections.deque[tuple[str, bool]] = collections.deque()
        self.queue_size = queue_size
        self.wake = asyncio.Event()
        self.dropped = 0
        self.watching: str | None = None
        self.sending_since: float | None = None  # loop time when a blocked send began

    def preload(self, texts: list[str]) -> None:
        """A late joiner's history: queued whole, ahead of live events (no drop-oldest)."""
        self.queue.extend((text, False) for text in texts)
        if texts:
            self.wake.set()

    def offer(self, text: str, expendable: bool = False) -> None:
        if len(self.queue) >= self.queue_size:
            self._drop_one()
        self.queue.append((text, expendable))
        self.wake.set()

    def _drop_one(self) -> None:
        for i, (_, expendable) in enumerate(self.queue):
            if expendable:
                del self.queue[i]
                break
        else:
            self.queue.popleft()
        self.dropped += 1

    async def sender(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                text, _ = self.queue.popleft()
                self.sending_since = loop.time()
                await self.ws.send(text)  # returns at once unless the socket buffer is full
                self.sending_since = None

    def idle(self) -> bool:
        """Nothing queued or in flight and the socket keeps up: a direct write is safe."""
        if self.queue or self.sending_since is not None:
            return False
        transport = self.ws.transport
        return (transport is not None and not transport.is_closing()
                and transport.get_write_buffer_size() < WRITE_LIMIT)

    def wants(self, event: Any) -> bool:
        if self.role == "trainer":
            return not isinstance(event, ev.Tick) or round(event.t * 1000) % TRAINER_TICK_MS == 0
        if isinstance(event, ev.PipelineWarning) and event.kind in ev.TRAINER_WARNINGS:
            return False  # a rule plugin off: the trainer's to fix, nothing the coachee can do
        return isinstance(event, _OVERLAY_TYPES) or (
            isinstance(event, (ev.NudgeIssued, ev.NudgeWithdrawn)) and event.delivered)


class Service:
    def __init__(self, hub: Hub, tokens: tk.Tokens, *, host: str = "127.0.0.1", port: int = 8765,
                 allow_hosts: tuple[str, ...] = (), session_factory: Callable[..., Any] | None = None,
                 store: Any = None, queue_size: int = 256, max_size: int = 64 * 1024,
                 ping_interval: float | None = 20, stall_timeout: float = 10.0,
                 hello_timeout: float = 10.0, on_session: Callable[[SessionRecord], None] | None = None,
                 lang: str = "nl"):
        self.hub, self.tokens, self.host, self.port = hub, tokens, host, port
        self.lang = lang  # the --lang it was started with: its pages' language while no session says
        self.session_factory, self.store, self.on_session = session_factory, store, on_session
        self.queue_size, self.max_size, self.ping_interval = queue_size, max_size, ping_interval
        self.stall_timeout, self.hello_timeout = stall_timeout, hello_timeout
        self._allow = frozenset(h.lower() for h in allow_hosts) | (
            frozenset() if host in ("127.0.0.1", "localhost", "::1") else frozenset({host.lower()}))
        self.access = Access(port)
        self.trainers: set[Client] = set()
        self.overlays: dict[str, set[Client]] = collections.defaultdict(set)
        self.counters: collections.Counter[str] = collections.Counter()
        self._status_sent: dict[str, tuple] = {}  # what trainers were last told, per session
        self._overlay_status_sent: dict[str, tuple] = {}  # and the session's overlays
        # what a trainer who connects mid-session needs to catch up: every event of each
        # session but ticks and partials, encoded once (bounded per session)
        self.ingests: dict[str, Any] = {}  # remote-capture sessions by id (ingest.Ingest)
        self.resume_grace_s = 120.0  # a dropped capture may come back this long
        self.revive_lock = asyncio.Lock()  # sessions revived from the store after a restart
        # sessions a restart cut off, on the hub (their cards) until their capture goes on with them
        self.waiting: set[str] = set()
        self.keeps_audio = False  # --keep-audio: every welcome says so (consent)
        self.stored: set[str] = set()  # ended sessions known to be in the store (runtime says)
        self.deleted: set[str] = set()  # ones `sessions delete` took out while this server ran
        self.deleted_check_s = DELETED_CHECK_S
        self.closing = False
        self.history: dict[str, collections.deque[str]] = collections.defaultdict(collections.deque)
        self.focus: dict[str, str] = {}  # session -> its latest focus-changed, for overlays that join
        # session -> rule -> (t, reason, error) of its rule-off: no longer offered for a focus
        self.rules_off: dict[str, dict[str, tuple[float, str, str]]] = collections.defaultdict(dict)
        self._history_chars: collections.Counter[str] = collections.Counter()
        self._server: Any = None
        self._tasks: set[asyncio.Task] = set()
        self._unsubscribe = hub.subscribe(self._on_event)
        hub.on_forget(self._forget)
        hub.seen_by = self.seen_by  # a nudge says how many overlays showed it

    # --- lifecycle --------------------------------------------------------------------
    async def start(self) -> "Service":
        self._server = await serve(
            self._handle, self.host, self.port, max_size=self.max_size,
            ping_interval=self.ping_interval, ping_timeout=self.ping_interval,
            compression=None,  # small JSON; deflate per client would cost the fan-out dearly
            process_request=lambda conn, req: routes.process_request(self, conn, req),
            server_header=SERVER_NAME)
        self.port = self._server.sockets[0].getsockname()[1]
        self.access = Access(self.port, self._allow)
        self._spawn(self._watchdog())
        self._spawn(self._deleted_check())
        return self

    async def close(self) -> None:
        self.closing = True
        for live in list(self.ingests.values()):
            live.finish()
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _spawn(self, coro: Any) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, self.stall_timeout / 2))
            now = loop.time()
            for client in [*self.trainers, *(c for s in self.overlays.values() for c in s)]:
                if client.sending_since is not None and now - client.sending_since > self.stall_timeout:
                    client.sending_since = None
                    self.counters["closed_slow"] += 1
                    log.warning("closing a %s client that stopped reading", client.role)
                    self._spawn(client.ws.close(1008, "too slow: stopped reading"))

    async def _deleted_check(self) -> None:
        """`sessions delete` in another shell: every open trainer page drops the session
        within seconds and this server forgets its history, with no trainer connecting."""
        while True:
            await asyncio.sleep(self.deleted_check_s)
            await self._drop_deleted()

    def health(self) -> dict[str, Any]:
        return {"ok": True, "server": SERVER_NAME, "protocol": p.VERSION,
                "sessions": sum(1 for r in self.hub.sessions.values() if r.live),
                "clients": len(self.trainers) + sum(len(s) for s in self.overlays.values()),
                "dropped": self.counters["dropped"] + sum(c.dropped for c in self._clients()),
                "closed_slow": self.counters["closed_slow"]}

    def seen_by(self, session: str) -> int | None:
        """How many overlays show a session's nudges now: for a session from `pullcoach
        capture` (whose own window shows none, so 0 is: nobody saw it), else None (`run`
        opens its own overlay, or prints the nudges)."""
        rec = self.hub.sessions.get(session)
        if rec is None or not (rec.via == "capture" or session in self.ingests):
            return None
        return len(self.overlays.get(session, ()))

    def _clients(self) -> list[Client]:
        return [*self.trainers, *(c for s in self.overlays.values() for c in s)]

    # --- fan-out ----------------------------------------------------------------------
    def _on_event(self, session: str, event: Any) -> None:
        # Clients that keep up get the frame written at once (one encode, no task switch);
        # the others go through their bounded queue, which keeps the order.
        text: str | None = None
        direct = []
        if not isinstance(event, _NO_HISTORY):
            text = p.encode(p.SessionEvent(session=session, event=event))
            self._remember(session, text)
            if isinstance(event, ev.FocusChanged):
                self.focus[session] = text
            self._note_off(session, event)
        for client in (*self.trainers, *self.overlays.get(session, ())):
            if client.wants(event):
                if text is None:
                    text = p.encode(p.SessionEvent(session=session, event=event))
                if client.idle():
                    direct.append(client.ws)
                else:
                    client.offer(text, isinstance(event, _NO_HISTORY))
        if direct:
            write_all(direct, text)
        if isinstance(event, ev.SessionEnded):
            self.waiting.discard(session)
        if isinstance(event, (ev.SessionStarted, ev.SessionEnded)) or _is_off(event):
            self._push_status(session)  # a rule off: the status's focus_rules leave it out

    def _note_off(self, session: str, event: Any) -> None:
        if _is_off(event):
            detail = event.detail or {}
            rule = str(detail.get("rule") or "")
            if rule and rule not in self.rules_off[session]:
                self.rules_off[session][rule] = (event.t, str(detail.get("reason") or ""),
                                                 str(detail.get("error") or ""))

    def _forget(self, session: str) -> None:
        self.history.pop(session, None)
        self.focus.pop(session, None)
        self.rules_off.pop(session, None)
        self._history_chars.pop(session, None)
        self._status_sent.pop(session, None)
        self._overlay_status_sent.pop(session, None)

    def recall(self, session: str, events: "list | Recalled") -> None:
        """A stored session's events (or what ``recalled`` kept of them: made off the loop),
        for clients that join it from now on; trainers already here get it now (its card
        fills in). Declare it on the hub first, in the same step: no await in between."""
        kept = events if isinstance(events, Recalled) else recalled(session, events)
        for text in kept.texts:
            self._remember(session, text)
        if kept.focus is not None:
            self.focus[session] = kept.focus
        for rule, off in kept.off.items():
            self.rules_off[session].setdefault(rule, off)
        if session not in self.hub.sessions:
            return
        start = [] if kept.start is None or (kept.texts and kept.texts[0] == kept.start) else [kept.start]
        for client in self.trainers:
            self._push_status(session, force_to=client)
            client.preload([*start, *kept.texts])

    def _remember(self, session: str, text: str) -> None:
        history = self.history[session]
        history.append(text)
        self._history_chars[session] += len(text)
        while self._history_chars[session] > HISTORY_CHARS and len(history) > 1:
            self._history_chars[session] -= len(history.popleft())

    def status(self, session: str, *, trainer: bool = True) -> p.Status:
        """A session's status; its report link is the trainer's (bookmark notes included)
        or, for the coachee's overlay, one without the trainer's notes."""
        rec = self.hub.sessions[session]
        # any trainer's dashboard: it gets every role-play's events and transcript, whichever
        # card is open (the eye said only "this card is open", while a second page read along)
        watching = bool(self.trainers)
        capture = self.ingests.get(session)
        away = session in self.waiting or (capture is not None and not capture.attached)
        return p.Status(session=session, t=rec.t, listening=rec.live, trainer_watching=watching,
                        report=routes.report_link(self.tokens.trainer, session, coachee=not trainer),
                        focus_rules=focus_rules(rec, self.rules_off.get(session, {})) if trainer else (),
                        capture_away=rec.live and away,
                        overlays=len(self.overlays.get(session, ())) if trainer else None,
                        ending=trainer and rec.ending)

    def _over(self, session: str) -> bool:
        """Ended, or ended and pruned from memory (a page open since still shows it)."""
        rec = self.hub.sessions.get(session)
        return rec is None or rec.ended

    async def _drop_deleted(self) -> None:
        """Ended sessions ``sessions delete`` took out of the store while this server ran (on
        a trainer's hello, and every ``deleted_check_s``): the server forgets them, every
        trainer page open drops them (``session-deleted``), and one opened from now on shows
        no card, transcript or debrief row of them. A session only pruned from memory is
        still stored: it stays on the pages that show it."""
        known = [sid for sid in self.stored if self._over(sid)]
        if not known or self.store is None:
            return
        try:
            there = await asyncio.to_thread(self.store.ids)  # one small read, no counts
        except Exception:  # a store that cannot be read now: show what there is
            return
        for sid in known:  # (another check, or a revived capture, may have decided meanwhile)
            if sid in there or sid not in self.stored or not self._over(sid):
                continue
            self.stored.discard(sid)
            self.deleted.add(sid)
            self.hub.forget(sid)
            text = p.encode(p.SessionDeleted(session=sid))
            for client in self.trainers:
                client.offer(text)
            log.warning("session %s was deleted from the store: trainer pages no longer show it", sid)

    def _push_all(self) -> None:
        """Every overlay's status (a trainer came or went: the eye); trainers' do not change."""
        for session in list(self.hub.sessions):
            self._push_status(session, overlays_only=True)

    def status_text(self, session: str, *, trainer: bool = True) -> str:
        """The encoded status (a trainer's says how many overlays show the session's nudges:
        none, and what is sent reaches no one's screen)."""
        return p.encode(self.status(session, trainer=trainer))

    def _push_status(self, session: str, *, force_to: Client | None = None,
                     overlays_only: bool = False) -> None:
        if session not in self.hub.sessions:
            return
        if force_to is not None:
            force_to.offer(self.status_text(session, trainer=force_to.role == "trainer"))
            return
        st = self.status(session)
        said = (st.listening, st.trainer_watching, st.capture_away)
        # (a trainer is one of the watchers: a page coming or going is no news to trainers)
        told = (st.listening, st.capture_away, st.focus_rules, st.overlays, st.ending)
        if not overlays_only and self._status_sent.get(session) != told:
            self._status_sent[session] = told
            text = self.status_text(session)
            for client in self.trainers:
                client.offer(text)
        if self._overlay_status_sent.get(session) != said:
            self._overlay_status_sent[session] = said
            text = self.status_text(session, trainer=False)
            for client in self.overlays.get(session, ()):
                client.offer(text)

    # --- connections ------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        req = ws.request
        if not (self.access.host_ok(routes.header(req, "Host"))
                and self.access.origin_ok(routes.header(req, "Origin"))):
            self.counters["refused_origin"] += 1
            await self.refuse(ws, p.protocol_error("bad-origin", "this page's origin or host may "
                                                   "not use the coach; open it from the server itself"))
            return
        path = urlsplit(req.path).path
        if path == "/ingest":
            from pullcoach import ingest
            await ingest.handle(self, ws)
        else:
            await self._handle_ws(ws)

    async def refuse(self, ws: ServerConnection, err: Exception) -> None:
        code = p.error_code(err) if isinstance(err, p.ProtocolError) else "malformed"
        try:
            await ws.send(p.encode(p.Error(code=code, message=str(err), detail=p.error_detail(err))))
            await ws.close(p.CLOSE_CODES.get(code, 4400), code)
        except ConnectionClosed:
            pass

    async def first_hello(self, ws: ServerConnection) -> p.Hello:
        try:
            raw = await asyncio.wait_for(ws.recv(), self.hello_timeout)
        except asyncio.TimeoutError:
            raise p.protocol_error("malformed", "send hello first") from None
        msg = p.decode(raw)
        if not isinstance(msg, p.Hello):
            raise p.protocol_error("malformed", "the first message must be hello")
        return msg

    def _authorize(self, hello: p.Hello) -> str | None:
        """The session an overlay may watch (None for a trainer); raises ProtocolError."""
        is_trainer = tk.same(hello.token, self.tokens.trainer)
        if hello.role == "trainer":
            if not is_trainer:
                raise p.protocol_error("bad-token", "wrong trainer token")
            return None
        if hello.role != "overlay":
            raise p.protocol_error("malformed", "role must be overlay or trainer on /ws")
        recs = self.hub.sessions.values()
        if hello.session is not None:
            rec = self.hub.sessions.get(hello.session)
            if rec is None:
                if tk.same(hello.token, tk.session_token(self.tokens.trainer, hello.session)):
                    # its token: the session was here before a restart; its capture may revive it
                    raise p.protocol_error("no-session", f"session {hello.session} is not live "
                                                         "on this server (yet)")
                if is_trainer or any(tk.same(hello.token, r.token) for r in recs):
                    raise p.protocol_error("no-session", f"no session {hello.session!r}")
                raise p.protocol_error("bad-token", "wrong token")
            if not (is_trainer or tk.same(hello.token, rec.token)):
                raise p.protocol_error("bad-token", "wrong token for this session")
            return rec.session
        mine = [r for r in recs if tk.same(hello.token, r.token)]
        if not mine and not is_trainer:
            raise p.protocol_error("bad-token", "wrong token")
        rec = self.hub.newest(lambda r: is_trainer or r in mine)
        if rec is None:
            raise p.protocol_error("no-session", "no live session yet; try again shortly")
        return rec.session

    def _info(self, rec: SessionRecord) -> p.SessionInfo:
        return p.SessionInfo(session=rec.session, lang=rec.lang, started_wall=rec.started_wall,
                             live=rec.live, coachee=rec.coachee, partner=rec.partner)

    async def _handle_ws(self, ws: ServerConnection) -> None:
        try:
            hello = await self.first_hello(ws)
            session = self._authorize(hello)
        except p.ProtocolError as err:
            self.counters["refused_" + p.error_code(err)] += 1
            # no welcome comes: the page words the refusal in the day's language, not the browser's
            err.detail = {**p.error_detail(err), "lang": self.lang}  # type: ignore[attr-defined]
            await self.refuse(ws, err)
            return
        except ConnectionClosed:
            return
        if session is None:
            await self._drop_deleted()
        client = Client(ws, hello.role, session, self.queue_size)
        recs = [self.hub.sessions[session]] if session else sorted(
            self.hub.sessions.values(), key=lambda r: r.seq)
        debrief = routes.debrief_link(self.tokens.trainer) if session is None else None
        client.offer(p.encode(p.Welcome(role=hello.role, server=SERVER_NAME,
                                        sessions=tuple(self._info(r) for r in recs),
                                        debrief=debrief, lang=self.lang, audio_kept=self.keeps_audio)))
        for rec in recs:
            self._push_status(rec.session, force_to=client)
        if session is None:  # a trainer catches up on what already happened, then goes live
            client.preload([t for rec in recs for t in self.history.get(rec.session, ())])
            # a page that reconnects keeps the cards the server no longer lists: not a deleted one
            client.preload([p.encode(p.SessionDeleted(session=sid)) for sid in sorted(self.deleted)])
        elif session in self.focus:  # the coachee's overlay shows what is practised
            client.offer(self.focus[session])
        (self.trainers if session is None else self.overlays[session]).add(client)
        if session is not None:
            self._push_status(session)  # trainers: one more overlay shows its nudges
        elif len(self.trainers) == 1:
            self._push_all()  # every overlay: a trainer is watching now
        sender = self._spawn(client.sender())
        try:
            async for raw in ws:
                try:
                    self._command(client, p.decode(raw))
                except p.ProtocolError as err:
                    client.offer(p.encode(p.Error(code=p.error_code(err), message=str(err),
                                                  detail=p.error_detail(err))))
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            self.counters["dropped"] += client.dropped
            if session is None:
                self.trainers.discard(client)
                if not self.trainers:
                    self._push_all()  # the last trainer left: nobody watches
            else:
                self.overlays[session].discard(client)
                self._push_status(session)

    # --- trainer commands -------------------------------------------------------------
    def _command(self, client: Client, msg: p.Message) -> None:
        if not isinstance(msg, (p.SendNudge, p.SetFocus, p.AddBookmark, p.EndSession, p.Watch)):
            raise p.protocol_error("malformed", f"a client may not send {type(msg).__name__}")
        if client.role != "trainer":
            raise p.protocol_error("bad-token", "only the trainer may do that")
        rec = self.hub.sessions.get(msg.session)
        if rec is None or (rec.ended and not isinstance(msg, p.Watch)):
            raise p.protocol_error("no-session", f"no live session {msg.session!r}",
                                   {"reason": "ended" if rec else "unknown", "session": msg.session})
        if rec.session in self.waiting and isinstance(msg, (p.SendNudge, p.SetFocus, p.AddBookmark)):
            raise p.protocol_error("no-session", f"session {msg.session} waits for its capture (the server "
                                                 "restarted): it goes on once that reconnects",
                                   {"reason": "waiting", "session": msg.session})
        match msg:
            case p.Watch():
                before = client.watching
                client.watching = msg.session
                for sid in {before, msg.session} - {None}:
                    self._push_status(sid)
            case p.SendNudge():
                if not msg.message.strip():  # an empty box on the coachee's overlay for 9 s
                    raise p.protocol_error("malformed", "the nudge is empty: type what the coachee "
                                                        "should read", {"reason": "empty"})
                self._inject(rec, ev.NudgeIssued(t=rec.t, rule="trainer", kind="trainer",
                                                 message=_limit(msg.message.strip())))
            case p.SetFocus():
                off = self.rules_off.get(rec.session, {})
                if any(r in off for r in msg.rules):
                    raise p.protocol_error("malformed", _off_text(msg.rules, off), _off_detail(msg.rules, off))
                known = [r for r in rule_names(rec) if r not in off]
                unknown = [r for r in msg.rules if r not in known]
                if unknown:
                    raise p.protocol_error("malformed", f"no rule {', '.join(map(repr, unknown))}; "
                                                        f"choose from {', '.join(known)}",
                                           {"reason": "unknown-rule", "rules": unknown, "known": known})
                engine = getattr(rec.controller, "engine", None)
                self._inject(rec, engine.focus_event(rec.t, msg.rules) if engine is not None
                             else ev.FocusChanged(t=rec.t, rules=msg.rules))
            case p.AddBookmark():  # a note of only spaces (or null) is no note
                self._inject(rec, ev.Bookmarked(t=rec.t, note=_limit(msg.note.strip()), by="trainer"))
            case p.EndSession():  # reason "trainer": the report and debrief say who ended it
                if rec.controller is not None:
                    rec.controller.stop("trainer")
                    self._release_capture(rec.session)
                    self._push_status(rec.session)  # every trainer's page: ending
                else:
                    self.hub.publish(rec.session, ev.SessionEnded(t=rec.t, reason="trainer"))

    def _release_capture(self, session: str) -> None:
        """Tell the session's capture at once that the trainer ended it: the server may need
        a while to finish transcribing (minutes on a loaded laptop), and the pair would go on
        talking into a session that is over. Its pipeline ends on its own."""
        from pullcoach.ingest import ENDED_BY_TRAINER
        live = self.ingests.get(session)
        if live is None or live.ws is None:  # a local run, or its capture is away
            return
        ws, live.ws = live.ws, None  # (its handler sees the connection is no longer its own)
        self._spawn(ws.close(1000, ENDED_BY_TRAINER))

    def _inject(self, rec: SessionRecord, event: Any) -> None:
        if rec.controller is not None:
            rec.controller.inject(event)  # goes to the sinks (hub) and the engine's log
        else:
            self.hub.publish(rec.session, event)


@dataclass
class Recalled:
    """What a trainer's history keeps of a stored session (``recalled``)."""
    texts: list[str] = field(default_factory=list)  # the encoded events kept, oldest first
    focus: str | None = None  # its latest focus-changed, encoded
    off: dict[str, tuple[float, str, str]] = field(default_factory=dict)  # rule -> its first rule-off
    start: str | None = None  # its session-started, encoded (a card's names, if the cap cut it)


def recalled(session: str, events: list, limit: int = HISTORY_CHARS) -> Recalled:
    """A stored session's history as ``Service.recall`` keeps it: only the newest events
    within ``limit`` characters are encoded (walked from the end); the focus and the rules
    gone off are noted from all. Touches no service state: made in a thread."""
    kept = Recalled()
    focus = start = None
    for event in events:
        if isinstance(event, ev.FocusChanged):
            focus = event
        elif isinstance(event, ev.SessionStarted) and start is None:
            start = event
        elif _is_off(event):
            detail = event.detail or {}
            rule = str(detail.get("rule") or "")
            if rule and rule not in kept.off:
                kept.off[rule] = (event.t, str(detail.get("reason") or ""), str(detail.get("error") or ""))
    size = 0
    for event in reversed(events):
        if isinstance(event, _NO_HISTORY):
            continue
        text = p.encode(p.SessionEvent(session=session, event=event))
        if kept.texts and size + len(text) > limit:
            break
        kept.texts.append(text)
        size += len(text)
    kept.texts.reverse()
    encode = lambda e: None if e is None else p.encode(p.SessionEvent(session=session, event=e))
    kept.focus, kept.start = encode(focus), encode(start)
    return kept


def write_all(connections: list[ServerConnection], text: str) -> None:
    """Write one text message to many connections now. A server's frames are unmasked and
    we negotiate no extensions (compression off), so the frame is the same bytes for every
    client: serialise it once, then one transport write each (websockets' ``broadcast``
    re-frames per connection, which dominated the 1,000-client fan-out)."""
    data = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
    for ws in connections:
        # a socket that just failed is closing before websockets hears of it: writing on
        # made asyncio log "socket.send() raised exception." once per event (42 lines when
        # a browser tab closed mid-role-play)
        if (ws.protocol.state is State.OPEN and ws.send_in_progress is None
                and not ws.transport.is_closing()):
            ws.transport.write(data)


def rule_names(rec: SessionRecord) -> list[str]:
    """The rules a session's engine runs (plugins included), in priority order."""
    engine = getattr(rec.controller, "engine", None)
    if engine is None:
        from pullcoach.rules.engine import RULES
        return list(RULES)
    return [r.name for r in engine.rules]


def focus_rules(rec: SessionRecord, off=()) -> tuple[tuple[str, str], ...]:
    """The rules a trainer may focus a session on, each with the nudge its coachee reads
    for it (the rule pack's words: the dashboard's chips, the overlay's "oefent: …", the
    report and the debrief all name a focus so). Praise is left out: it follows its cue;
    so is a rule in ``off`` (its plugin was switched off: it sends nothing more)."""
    from pullcoach.rules.engine import PRAISE_FOR
    names = [r for r in rule_names(rec) if r not in PRAISE_FOR and r not in off]
    engine = getattr(rec.controller, "engine", None)
    if engine is not None:
        return tuple(zip(names, engine.focus_event(rec.t, names).messages))
    from pullcoach.report_text import nudge_words  # the rule pack's words, read once per language
    messages = nudge_words(rec.lang)
    return tuple((r, messages.get(r) or r) for r in names)


def _is_off(event: Any) -> bool:
    return isinstance(event, ev.PipelineWarning) and event.kind == ev.RULE_OFF


def _off_text(rules, off: dict[str, tuple[float, str, str]]) -> str:
    """Why a focus may not name these rules: each is off, since when (the session's clock)."""
    said = []
    for rule in (r for r in rules if r in off):
        t, reason, error = off[rule]
        since = "since the start (its plugin did not load" if reason == "load" else f"since {_clock(t)} (its plugin failed"
        said.append(f"rule {rule!r} is off {since}" + (f": {error})" if error else ")"))
    return "; ".join(said) + ": it sends no more nudges this session; leave it out of the focus"


def _off_detail(rules, off: dict[str, tuple[float, str, str]]) -> dict:
    """The same as fields, for a page to word: each rule off, since when (``t``, the
    session's clock), why (``cause``: the rule-off's reason) and its plugin's error."""
    return {"reason": "rule-off", "off": [{"rule": r, "t": off[r][0], "cause": off[r][1], "error": off[r][2]}
                                          for r in rules if r in off]}


def _clock(t: float) -> str:
    s = max(0, int(t))
    return f"{s // 60}:{s % 60:02d}"


def _limit(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise p.protocol_error("malformed", f"keep it under {MAX_TEXT} characters",
                               {"reason": "too-long", "limit": MAX_TEXT})
    return text
