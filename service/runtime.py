"""What `run`, `demo` and `serve` share: tokens, hub, store, service, sessions, the overlay.

``Runtime(args, environ)`` reads the environment it is given (never at import), refuses
a non-loopback bind without explicit tokens, prints where to connect, and runs either one
local session (``run_local``) or remote-capture sessions until Ctrl-C (``serve_forever``).
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any, Mapping

from pullcoach import tokens as tk
from pullcoach.access import is_loopback
from pullcoach.audio import RATE
from pullcoach.errors import ConfigError, StoreError
from pullcoach.hub import Hub
from pullcoach.paths import config_dir, data_dir, dir_flag
from pullcoach.rules import events as ev
from pullcoach.serve_console import GapStalls, restart_lines, revive_by, running_line, sort_cut_off

__all__ = ["Runtime"]

log = logging.getLogger(__name__)
# the ended sessions serve keeps for the trainer (and a restarted one recalls of today): a
# day's role-plays, as many as one debrief takes (debrief.MAX_SESSIONS)
KEEP_ENDED = 50
SKIP_IN_HISTORY = ("tick", "transcript-partial")  # a trainer history holds neither (server._NO_HISTORY)


def tls_hint(port: int) -> str:
    port = port or 8765
    return ("keep pullcoach on 127.0.0.1 and put TLS in front, e.g. `caddy reverse-proxy "
            f"--from coach.example.org --to 127.0.0.1:{port}` (or nginx proxy_pass with the "
            "Upgrade/Connection headers), then add --allow-host coach.example.org")


def capture_command(host: str, port: int, token: str, lang: str | None) -> str:
    """The line serve prints for the pairs: the token in the environment, not argv (other
    users' `ps` shows argv; a token starting with "-" needs no care there either)."""
    return (f"PULLCOACH_TOKEN={token} pullcoach capture --server ws://{host}:{port}"
            f"{' --lang en' if lang == 'en' else ''}\n"
            "            (add --coachee DEV --partner DEV, or --stereo DEV; --coachee-name NAME)")


class Runtime:
    def __init__(self, args: Any, environ: Mapping[str, str]):
        self.args, self.environ = args, environ
        self.saved = tk.load(config_dir())
        self.tokens = tk.from_env(environ, self.saved)
        if not is_loopback(args.host) and not self.tokens.explicit:
            raise ConfigError(f"refusing to listen on {args.host} without PULLCOACH_TRAINER_TOKEN and "
                              "PULLCOACH_TOKEN set in this shell (saved tokens count on 127.0.0.1 only): "
                              "export both, or " + tls_hint(args.port))
        self.hub = Hub(keep_ended=KEEP_ENDED)
        self.store = None
        self.service = None
        self.transcriber = None
        self.nudges = 0
        self.last_warning = ""
        # serve outlives a full disk: a report it could not write is tried again (run ends)
        self.report_retries = 0
        self._first_interrupt = -CONFIRM_S  # Ctrl-C on serve: see _interrupt
        self.kept: set[str] = set()
        self.stalls: GapStalls | None = None  # serve: a capture's restart is no device gone
        self.tasks: set[asyncio.Task] = set()

    # --- shared setup -----------------------------------------------------------------
    async def _start(self, serving: bool = False) -> None:
        from pullcoach.server import Service
        raise_fd_limit()
        quiet_repeats(asyncio.get_running_loop())
        try:
            from pullcoach.store import Store
        except ImportError:
            Store = None
        if Store is not None:
            self.store = Store(data_dir(self.args.data_dir))
            damaged = self.store.check()  # ~1 ms: the pages a new session writes to
            if damaged:
                self.store.close()
                self.store = None
                raise StoreError(f"{damaged}; then start again (no session was started)")
            self.hub.subscribe(self.store.sink)
            # serve goes on with them as their captures reconnect; run cannot
            lines = restart_lines(self.store, self.args.data_dir) if serving else [
                f"session {sid} was cut off (pullcoach stopped without ending it); its events "
                f"are kept: pullcoach report {sid}{dir_flag(self.args.data_dir)}" for sid in self.store.interrupted]
            for line in lines:
                print(line, file=sys.stderr, flush=True)
        self.hub.subscribe(self._count)
        self.hub.subscribe(self._on_end)
        self.reports: dict[str, asyncio.Task] = {}
        try:
            self.service = Service(self.hub, self.tokens, host=self.args.host, port=self.args.port,
                                   allow_hosts=tuple(self.args.allow_host),
                                   session_factory=self._make_session, store=self.store,
                                   lang=str(getattr(self.args, "lang", None) or "nl"))
            self.service.keeps_audio = bool(getattr(self.args, "keep_audio", False)) and self.store is not None
            await self.service.start()
        except OverflowError:
            raise ConfigError(f"--port {self.args.port}: a port is 1-65535 (or 0 for any free one)") from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"port {self.args.port} on {self.args.host} is in use (another pullcoach "
                                  "`run`, `demo` or `serve`?): stop that, or add --port N") from None
            # socket.gaierror (a name that does not resolve), EADDRNOTAVAIL (not this machine's)
            raise ConfigError(f"--host {self.args.host}: cannot listen there ({exc.strerror or exc}); give "
                              "one of this machine's addresses, or 0.0.0.0 for all") from None

    def _on_end(self, session: str, event: Any) -> None:
        if isinstance(event, ev.SessionEnded) and self.store is not None:
            if session in self.kept:
                self.store.mark_audio_kept(session)
            self.reports[session] = asyncio.get_running_loop().create_task(self._write_report(session))

    async def _write_report(self, session: str):
        """The post-call report, written as soon as a session ends."""
        from pullcoach.report import write_session_report
        for attempt in range(self.report_retries + 1):
            try:
                await asyncio.to_thread(self.store.flush)
                path = await asyncio.to_thread(write_session_report, self.store, session)
                break
            except Exception as exc:  # the session is stored; the report can be made later
                full = _disk_full(exc)
                if not full or attempt == self.report_retries:
                    log.warning("could not write the report of %s: %s (try: pullcoach report %s%s)",
                                session, exc, session, dir_flag(self.args.data_dir))
                    return None
                if attempt == 0:
                    log.warning("the report of %s waits for disk space (%s); it is tried again every "
                                "%.0f s", session, exc, REPORT_RETRY_S)
                await asyncio.sleep(REPORT_RETRY_S)
        service = getattr(self, "service", None)
        if service is not None:  # in the store: gone from it later is deleted
            service.stored.add(session)
        print(f"report: {path}", file=sys.stderr, flush=True)
        return path

    async def _stop(self) -> None:
        await asyncio.sleep(0.3)  # let clients read session-ended
        if self.reports:  # one still waiting for disk space is left for `pullcoach report`
            _, waiting = await asyncio.wait(list(self.reports.values()), timeout=30.0)
            for task in waiting:
                task.cancel()
        if self.service is not None:
            await self.service.close()
        if self.store is not None:
            await asyncio.to_thread(self.store.close)

    def _interrupt(self, stop: asyncio.Event) -> None:
        """Ctrl-C: quit at once when nothing is live; with role-plays live, only a second
        Ctrl-C within CONFIRM_S ends them (a trainer's stray Ctrl-C ended a whole room)."""
        line = running_line(self.service, CONFIRM_S)
        now = time.monotonic()
        if line is None or now - self._first_interrupt < CONFIRM_S:
            stop.set()
            return
        self._first_interrupt = now
        print(f"\n{line}", file=sys.stderr, flush=True)
        asyncio.get_running_loop().call_later(
            CONFIRM_S, lambda: stop.is_set() or print("still serving: the role-plays go on",
                                                      file=sys.stderr, flush=True))

    def _save(self, sessions: dict[str, str]) -> None:
        data = {"trainer": self.tokens.trainer, "capture": self.tokens.ingest,
                "port": self.service.port, "sessions": sessions}
        try:
            tk.save(config_dir(), data)
        except OSError as exc:
            log.warning("could not save tokens in %s: %s", config_dir(), exc)

    def _base(self) -> str:
        host = self.args.host if self.args.host not in ("0.0.0.0", "::") else "127.0.0.1"
        return f"http://{host}:{self.service.port}"

    async def _load_transcriber(self) -> None:
        from pullcoach.asr import load_transcriber
        print("loading the speech model…", file=sys.stderr, flush=True)
        self.transcriber = await asyncio.to_thread(load_transcriber, self.args.model, lang=self.args.lang)
        settle(self.args.lang)

    def _make_session(self, source, *, session_id: str, lang: str, coachee: str = "coachee",
                      partner: str = "partner", resume=None, partner_loopback: bool = False):
        from pullcoach.cmd_replay import make_engine, pipeline_config
        from pullcoach.session import LiveSession
        if lang not in ("nl", "en"):
            lang = self.args.lang
        rules = getattr(self.args, "rules", None)
        if rules and lang != self.args.lang:  # serve checked the pack in its own language
            raise ConfigError(f"this server coaches in {self.args.lang!r} only (its --rules pack {rules} "
                              f"is {self.args.lang!r}): start capture with --lang {self.args.lang}")
        keeper = None
        if getattr(self.args, "keep_audio", False) and self.store is not None:
            from pullcoach.audio_keep import AudioKeeper
            keeper = AudioKeeper(self.store.audio_dir, session_id)
            self.kept.add(session_id)  # marked in the store once its row exists
        session = LiveSession(source, transcriber=self.transcriber, session_id=session_id, lang=lang,
                              engine=make_engine(lang, rules=getattr(self.args, "rules", None),
                                                 enabled=not getattr(self.args, "no_rules", False),
                                                 focus=getattr(self.args, "focus", None)),
                              config=pipeline_config(self.args, partner_loopback=partner_loopback),
                              pace="live", coachee=coachee, partner=partner, keeper=keeper,
                              resume=resume)
        session.add_sink(self.hub.publish)
        return session

    def _count(self, session: str, event: Any) -> None:
        if isinstance(event, ev.NudgeIssued) and event.delivered:
            self.nudges += 1
        elif isinstance(event, ev.NudgeWithdrawn) and event.delivered:
            self.nudges -= 1
        elif self.stalls is not None and not isinstance(event, ev.FocusChanged):
            self.stalls(session, event)
        elif isinstance(event, (ev.PipelineWarning, ev.FocusChanged)):
            self._say(session, event)

    def _say(self, session: str, event: Any) -> None:
        text = focus_line(event) if isinstance(event, ev.FocusChanged) else event.message
        if isinstance(event, ev.PipelineWarning):
            self.last_warning = event.message
        clear = "\r\x1b[K" if sys.stderr.isatty() else ""
        print(f"{clear}{_clock(event.t)} session {session}: {text}", file=sys.stderr, flush=True)

    # --- run / demo -------------------------------------------------------------------
    async def run_local(self, source, *, printer: bool, coachee: str = "coachee",
                        partner: str = "partner") -> int:
        from pullcoach.ingest import new_session_id
        await self._start()
        try:
            await self._load_transcriber()
            sid, token = new_session_id(), self.tokens.session or tk.new_token()
            self.hub.declare(sid, token, lang=self.args.lang)
            self._save({sid: token})
            base = self._base()
            english = "&lang=en" if self.args.lang == "en" else ""  # its overlay before any session info
            print(f"pullcoach on {base}  session {sid}\n"
                  f"  overlay:  {base}/?session={sid}{english}#token={token}\n"
                  f"  trainer:  {base}/trainer#token={self.tokens.trainer}\n"
                  f"  tokens:   overlay {token}  trainer {self.tokens.trainer}", file=sys.stderr, flush=True)
            session = self._make_session(source, session_id=sid, lang=self.args.lang,
                                         coachee=coachee, partner=partner,
                                         partner_loopback=getattr(source, "partner_loopback", False))
            self.hub.attach(sid, session)
            if printer:
                self.hub.subscribe(NudgePrinter())
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, session.stop)
            overlay = self._start_overlay(sid, token)
            if overlay is not None:
                checked = loop.create_task(self._watch_overlay(
                    overlay, f"{base}/?session={sid}#token={token}", printing=printer))
            status = loop.create_task(self._status_line(session))
            try:
                await session.run()
            finally:
                status.cancel()
                if overlay is not None:
                    checked.cancel()
                # with a report to link, the overlay stays: "sessie beëindigd · Rapport openen ›"
                # (the coachee closes it); without one it goes with the session
                if overlay is not None and (self.store is None or not session.ended):
                    overlay.terminate()
                sys.stderr.write("\n")
            line = capture_line(source)
            if line:
                print(line, file=sys.stderr)
            missing, why = await asyncio.to_thread(self.store.not_stored, sid) if self.store else (0, "")
            if missing:  # no "report again any time" the report cannot keep
                print(f"session {sid} ended, but {missing} of its events are not in the session database: "
                      f"{why}", file=sys.stderr)
                return StoreError.exit_code
            print(f"session {sid} ended; report again any time: "
                  f"pullcoach report {sid}{dir_flag(self.args.data_dir)}", file=sys.stderr)
            return 0
        finally:
            await self._stop()

    def _start_overlay(self, sid: str, token: str):
        if getattr(self.args, "no_overlay", False) or not self.environ.get("DISPLAY"):
            return None
        url = f"ws://127.0.0.1:{self.service.port}/ws"
        env = dict(os.environ, PULLCOACH_OVERLAY_TOKEN=token)  # not on the command line: `ps` shows argv
        report = ["--report-file", str(self.store.dir / "reports" / f"{sid}.html")] if self.store else []
        try:
            # its own process group and no share of our output: it outlives `run` (the report
            # link), and a pipe reading `run` to its end must not wait for the window to close
            return subprocess.Popen([sys.executable, "-m", "pullcoach", "overlay", "--url", url,
                                     "--session", sid, *report], env=env, start_new_session=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("could not start the overlay: %s", exc)
            return None

    async def _watch_overlay(self, overlay, page: str, *, printing: bool, every: float = 1.0) -> None:
        """The overlay is the coachee's only view of the nudges: when its window closes (the ×,
        or it could not start: no Tk) while the session runs, say so and print them here."""
        waited = 0.0
        while overlay.poll() is None:
            await asyncio.sleep(every)
            waited += every
        if waited <= 3.0 and overlay.returncode:
            log.warning("the overlay window closed at once (exit %d); `pullcoach overlay --url "
                        "ws://127.0.0.1:%d/ws` shows why", overlay.returncode, self.service.port)
        clear = "\r\x1b[K" if sys.stderr.isatty() else ""  # over the status line
        print(f"{clear}the overlay was closed: the nudges are printed here from now on; the overlay "
              f"page in a browser shows them too: {page}", file=sys.stderr, flush=True)
        if not printing:
            self.hub.subscribe(NudgePrinter())

    async def _status_line(self, session) -> None:
        if not sys.stderr.isatty():
            return
        while True:
            await asyncio.sleep(1.0)
            t = session.clock
            clients = self.service.health()["clients"]
            warn = f" | {self.last_warning[:40]}" if self.last_warning else ""
            sys.stderr.write(f"\r\x1b[K● {int(t // 60):02d}:{t % 60:04.1f}  clients {clients}  "
                             f"nudges {self.nudges}{warn}")
            sys.stderr.flush()

    # --- serve ------------------------------------------------------------------------
    async def _recall_today(self, now: float | None = None) -> list[str]:
        """A restarted serve shows today's role-plays again (their cards, transcripts, report
        links and the debrief's count; up to ``KEEP_ENDED``, the newest). One a crash cut off
        waits for its capture to go on with it (see revive.py): its card says so meanwhile;
        one that cannot go on (too long ago, or its capture had stopped: its file broke off)
        is ended now where it stopped, one whose capture does not come back is ended once the
        revive window has passed. The store is read and the histories made in threads: the
        server answers meanwhile, and cards fill in on the dashboards already open."""
        if self.store is None:
            return []
        from pullcoach.debrief import false_start, is_demo
        now = time.time() if now is None else now
        today = time.strftime("%Y-%m-%d", time.localtime(now))
        # those a capture may go on with first, while none can revive one
        async with self.service.revive_lock:
            rows = await asyncio.to_thread(self.store.sessions)
            # a card's status names its rules in the rule pack's words: read once, here
            await asyncio.to_thread(_rule_words, {s["lang"] or "nl" for s in rows})
            cut = [s["id"] for s in rows if s["status"] == "interrupted"]
            going_on, over, stopped = await asyncio.to_thread(sort_cut_off, self.store, cut, now)
            of_today = {s["id"] for s in rows if s.get("started_wall")
                        and time.strftime("%Y-%m-%d", time.localtime(s["started_wall"])) == today}
            ending = {sid: ("error" if broke is not None else "server-stopped")
                      for sid, _, broke in (*over, *stopped) if sid in of_today}
            by_id = {s["id"]: s for s in rows}
            for sid, _, _ in going_on:
                await self._declare_stored(by_id[sid], waiting=True)
        loop = asyncio.get_running_loop()
        for sid, row, _ in going_on:
            loop.call_later(max(0.0, revive_by(row) - now) + 1.0,
                            lambda sid=sid: self._spawn(self._end_unrevived(sid)))
        # a demo (an install check) or a false start (nothing said) is no role-play of the day
        shown = sorted((s for s in rows if s["id"] in of_today
                        and (s["status"] == "ended" or s["id"] in ending)
                        and not is_demo(s) and not false_start(s)),
                       key=lambda s: s["started_wall"])[-KEEP_ENDED:]
        for s in shown:  # oldest first: the hub forgets the oldest first
            rec = await self._declare_stored(s, ended=s["id"] not in ending)
            if rec is not None and s["id"] in ending:  # (a capture cannot revive these)
                self.hub.publish(s["id"], ev.SessionEnded(t=rec.t, reason=ending[s["id"]]))
        return [s["id"] for s in shown]

    async def _declare_stored(self, s: dict, *, ended: bool = False, waiting: bool = False):
        """A stored session on the hub (not live; ``waiting``: for its capture to go on with
        it), its events for the trainers here and those that connect. None when the hub has
        it already (its capture revived it meanwhile)."""
        from pullcoach.server import recalled
        sid = s["id"]
        kept = await asyncio.to_thread(lambda: recalled(sid, self.store.events(sid, skip=SKIP_IN_HISTORY)))
        if sid in self.hub.sessions:
            return None
        # declared and recalled in one step: a trainer connecting gets it once
        rec = self.hub.declare(sid, tk.session_token(self.tokens.trainer, sid),
                               lang=s["lang"] or "nl", coachee=s["coachee"] or "coachee",
                               partner=s["partner"] or "partner")
        rec.started_wall, rec.t, rec.ended, rec.live = s["started_wall"], s["duration"], ended, waiting
        if waiting:
            self.service.waiting.add(sid)
        self.service.stored.add(sid)
        self.service.recall(sid, kept)
        return rec

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _end_unrevived(self, sid: str) -> None:
        """A cut-off session whose capture did not come back in time: ended where it stopped
        (``server-stopped``: the server quit under it), for the dashboards and the store."""
        async with self.service.revive_lock:  # not while its capture is reviving it
            rec = self.hub.sessions.get(sid)
            if rec is not None and sid not in self.service.waiting:
                return  # revived (or the trainer ended it)
            row = await asyncio.to_thread(self.store.row, sid)
            if row is None or row["status"] != "interrupted":
                return
            if rec is None:
                s = next((s for s in await asyncio.to_thread(self.store.sessions) if s["id"] == sid), None)
                rec = None if s is None else await self._declare_stored(s)
                if rec is None:
                    return
            print(f"session {sid} ({rec.coachee} ↔ {rec.partner}): its capture did not come back, so it "
                  f"ends where pullcoach stopped ({int(rec.t // 60)}:{int(rec.t % 60):02d})", file=sys.stderr, flush=True)
            self.hub.publish(sid, ev.SessionEnded(t=rec.t, reason="server-stopped"))

    async def serve_forever(self) -> int:
        # a damaged store is said before the seconds the model takes (Store.check again in _start)
        from pullcoach.store import damaged_file
        damaged = damaged_file(data_dir(self.args.data_dir))
        if damaged:
            raise StoreError(f"{damaged}; then start again (no session was started)")
        # the model first: a capture that connects (or reconnects after a restart) at once
        # must find a server that can transcribe
        await self._load_transcriber()
        self.report_retries = REPORT_RETRIES
        self.stalls = GapStalls(self._say)
        await self._start(serving=True)
        settle()  # the store and the service (made after the model) live as long as the process
        recall = None
        try:
            self._save({})
            # the address at once; today's role-plays fill the dashboard in as they are read
            recall = asyncio.get_running_loop().create_task(self._recall_today())
            recall.add_done_callback(_said_if_failed)
            self.tasks.add(recall)
            recall.add_done_callback(self.tasks.discard)
            base = self._base()
            local = is_loopback(self.args.host)
            allowed = list(self.args.allow_host)
            host = "127.0.0.1" if local else allowed[0] if allowed else "HOST"
            if not local and not allowed:
                lan = lan_address()
                print(f"warning: listening on {self.args.host}, but captures from other laptops are "
                      "refused until you add --allow-host with the address they use"
                      + (f" (this laptop's: --allow-host {lan})" if lan else " (this laptop's IP or name)"),
                      file=sys.stderr, flush=True)
            print(f"pullcoach serving on {base}\n"
                  f"  trainer:  {base}/trainer#token={self.tokens.trainer}\n"
                  f"  capture:  {capture_command(host, self.service.port, self.tokens.ingest, self.args.lang)}"
                  + ("\n  (this machine only; pairs on other laptops: README, 'A training day')" if local else ""),
                  file=sys.stderr, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGINT, self._interrupt, stop)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
            await stop.wait()
            for rec in self.hub.sessions.values():
                if rec.live and rec.controller is not None:
                    rec.controller.stop("server-stopped")
            await asyncio.sleep(1.0)
            return 0
        finally:
            if recall is not None:
                recall.cancel()  # stopped before the store was read: no half-read cards to finish
            await self._stop()


CONFIRM_S = 10.0  # a second Ctrl-C within this ends live role-plays


def _rule_words(langs) -> None:
    """The rule packs' nudge words (a stored session's status names its rules so), read and
    cached off the loop: read by the first trainer's hello, it held serve 0.15-0.6 s."""
    from pullcoach.report_text import nudge_words
    from pullcoach.rules.engine import PRAISE_FOR  # noqa: F401
    for lang in langs:
        nudge_words(lang)


def _said_if_failed(task: asyncio.Task) -> None:
    """Recalling today's role-plays failed (a store that cannot be read): say so, keep serving."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not show today's earlier role-plays again: %s", task.exception())


def settle(lang: str | None = None) -> None:
    """Before the first session: load what every session uses (with ``lang``: the session's
    modules, the rule pack's, Silero) and put all that lives as long as the process out of
    the collector's way (``gc.freeze``). A full collection then walks only what sessions
    make (about 6k objects for a minute of role-play: 1-2 ms) instead of 45-50k start-up
    objects (25-45 ms holding the GIL, the loop's slowest step). Only at start-up: what is
    frozen is never collected, so a session's own objects must not be."""
    if lang is not None:
        from pullcoach import audio, session  # noqa: F401
        from pullcoach.cmd_replay import make_engine
        from pullcoach.vad import SileroScorer
        make_engine(lang, plugins=False)  # a plugin rule is made once, for its session
        SileroScorer()
    gc.collect()
    gc.freeze()


def lan_address() -> str | None:
    """This machine's address on its network (the route out; nothing is sent), or None."""
    import socket
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET: never reached, only routed
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def capture_line(source) -> str:
    """What the sound devices delivered: seconds, drops, overflows and clock drift per speaker."""
    if not hasattr(source, "describe"):  # a file replay: nothing to say about devices
        return ""
    sp = source.stats()["speakers"]
    parts = [f"{name} {st['samples'] / RATE:.1f} s, {st['dropped']} dropped, "
             f"{st['overflows']} overflows, {_device_clock(st)}" for name, st in sp.items()]
    return "captured: " + "; ".join(parts)


def _device_clock(st: dict) -> str:
    """The device's clock against the wall clock, once learnt (not "-0 ppm" before)."""
    if not st.get("drift_known"):
        return "clock not learnt (it needs about a minute of steady audio)"
    return f"clock {round(st.get('drift_ppm', 0.0)) or 0:+d} ppm"


def _why_not(n: ev.NudgeIssued) -> str:
    """Why the engine kept a nudge from the coachee (its detail says; else the budget)."""
    if "late_s" in n.detail:
        return "transcribed late"
    if n.detail.get("repeat"):
        return "repeated inside its rule's cooldown"
    if n.detail.get("held") == "focus":
        return "outside the trainer's focus"
    if n.detail.get("held") == "trainer":
        return "right after the trainer's nudge"
    if n.detail.get("held") == "language":
        return "in the other language"
    return "just after another nudge"  # the budget, or a second of one moment (the report's words)


def _clock(t: float) -> str:
    return f"[{int(t // 60):02d}:{t % 60:04.1f}]"


class NudgePrinter:
    """The terminal as the coachee's overlay (no display, --no-overlay, or its window
    closed): what the overlay would show, as it comes; at the end how many nudges went to
    the report only, and why (printed live they undid the focus and the 20 s budget)."""

    def __init__(self) -> None:
        self.held: dict[str, int] = {}

    def __call__(self, session: str, event: Any) -> None:
        clear = "\r\x1b[K" if sys.stdout.isatty() else ""
        if isinstance(event, ev.NudgeIssued) and not event.delivered:
            why = _why_not(event)
            self.held[why] = self.held.get(why, 0) + 1
        elif isinstance(event, ev.NudgeIssued):
            mark = {"positive": "+", "trainer": "T"}.get(event.kind, "!")
            print(f"{clear}{_clock(event.t)} {mark} {event.message}  ({event.rule})", flush=True)
        elif isinstance(event, ev.NudgeWithdrawn) and event.delivered:
            print(f"{clear}{_clock(event.evidence_t)} - withdrawn: {event.message}  ({event.rule}:"
                  f" it was a {event.reason})", flush=True)
        elif isinstance(event, ev.SessionEnded):
            why = {"ended": "", "stopped": " (stopped)", "trainer": " (ended by the trainer)"}.get(
                event.reason, f" ({event.reason})")
            print(f"session ended{why}", flush=True)
            if self.held:
                parts = ", ".join(f"{n} {why}" for why, n in sorted(self.held.items(), key=lambda x: -x[1]))
                n = sum(self.held.values())
                print(f"{n} more nudge{' is' if n == 1 else 's are'} in the report only ({parts})", flush=True)


def focus_line(event: ev.FocusChanged) -> str:
    if not event.rules:
        return "focus off: every nudge goes live again"
    which = ", ".join(f"{m} ({r})" for m, r in zip(event.messages or event.rules, event.rules))
    return f"focus: only {which} live{' from the start' if event.by == 'start' else ''}; the rest for the report"


FD_WANT = 8192  # each client is a socket; macOS starts a process at 256


def raise_fd_limit(want: int = FD_WANT) -> None:
    """Lift the soft limit on open files toward the hard one: with 256 (macOS) a few
    hundred clients left `serve` unable to accept, and the store unable to open."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to lift
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:
            log.info("could not raise the open-file limit from %d: %s", soft, exc)


REPEAT_S = 30.0  # the same loop error is logged once in this long, then counted


def quiet_repeats(loop: asyncio.AbstractEventLoop, every_s: float = REPEAT_S) -> None:
    """Log each kind of event-loop error once, then how often it came, at most every
    ``every_s``: out of file handles, asyncio said "socket.accept() out of system resource"
    with a traceback 100 times a second (44 MB of log in 90 s)."""
    last: dict[str, tuple[float, int]] = {}

    def handler(lp, context: dict) -> None:
        key = str(context.get("message"))
        now = time.monotonic()
        seen, n = last.get(key, (float("-inf"), 0))
        if now - seen < every_s:
            last[key] = (seen, n + 1)
            return
        last[key] = (now, 0)
        if n:
            log.error("%s (and %d more like it in the last %.0f s)", key, n, now - seen)
            return
        lp.default_exception_handler(context)

    loop.set_exception_handler(handler)


REPORT_RETRY_S = 30.0
REPORT_RETRIES = 30  # a quarter of an hour, as long as the store keeps events in memory


def _disk_full(exc: BaseException) -> bool:
    """A full disk, whichever layer said it (OSError ENOSPC, SQLite's "database or disk is full")."""
    return (getattr(exc, "errno", None) == errno.ENOSPC
            or "disk is full" in str(exc) or "No space left" in str(exc))
