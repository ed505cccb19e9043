"""In-process pub/sub between sessions and their consumers (websocket server, store).

Sessions publish ``(session_id, event)`` with ``hub.publish`` (a LiveSession sink); the hub
keeps a small record per session (token, names, latest audio time, live, ending or not) and calls
every subscriber in order. Subscribers must never block: they queue and return. A
subscriber that raises is logged and kept; it never stops the others or the pipeline.
A long-running ``serve`` keeps the newest ``keep_ended`` ended sessions for late trainers
and forgets older ones (the store keeps everything).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

from pullcoach.rules import events as ev

__all__ = ["Hub", "SessionRecord", "Controller"]

log = logging.getLogger(__name__)

Subscriber = Callable[[str, Any], None]


class Controller(Protocol):
    """What the hub needs from a running session (LiveSession has both)."""

    def inject(self, event: Any) -> None: ...

    def stop(self, reason: str = "stopped") -> None: ...


@dataclass(slots=True)
class SessionRecord:
    session: str
    token: str
    lang: str = "nl"
    coachee: str = "coachee"
    partner: str = "partner"
    started_wall: float | None = None
    live: bool = False
    ended: bool = False
    t: float = 0.0  # latest audio time seen
    via: str = ""  # "capture": its audio came from `pullcoach capture` (its session-started)
    seq: int = 0  # declaration order, newest is highest
    controller: Controller | None = field(default=None, repr=False)

    @property
    def ending(self) -> bool:
        """An end was asked (the trainer's end-session; a server shutting down) and the
        session has not ended yet: its pipeline is catching up (11 s, minutes under load).
        Its controller (a LiveSession) remembers the stop; every page is told it by the
        status, not only the page whose button was clicked."""
        return (self.live and not self.ended
                and bool(getattr(self.controller, "stop_reason", "")))


class Hub:
    def __init__(self, keep_ended: int = 20) -> None:
        self.sessions: dict[str, SessionRecord] = {}
        self.keep_ended = keep_ended
        self._subscribers: list[Subscriber] = []
        self._forget: list[Callable[[str], None]] = []
        self._seq = 0
        self.published = 0
        # session -> how many overlays show its nudges now (None: not counted); the server
        # sets it, and each nudge shown live is stored with that count (``detail.overlays``)
        self.seen_by: Callable[[str], int | None] | None = None

    # --- sessions ---------------------------------------------------------------------
    def declare(self, session: str, token: str, *, lang: str = "nl", coachee: str = "coachee",
                partner: str = "partner", controller: Controller | None = None) -> SessionRecord:
        """Register a session (and its overlay token) before it starts publishing."""
        self._seq += 1
        rec = SessionRecord(session=session, token=token, lang=lang, coachee=coachee,
                            partner=partner, seq=self._seq, controller=controller)
        self.sessions[session] = rec
        return rec

    def attach(self, session: str, controller: Controller) -> None:
        self.sessions[session].controller = controller

    def newest(self, predicate: Callable[[SessionRecord], bool] = lambda r: True) -> SessionRecord | None:
        open_ = [r for r in self.sessions.values() if not r.ended and predicate(r)]
        return max(open_, key=lambda r: r.seq) if open_ else None

    def on_forget(self, fn: Callable[[str], None]) -> None:
        """``fn(session_id)`` runs when an ended session is forgotten."""
        self._forget.append(fn)

    def forget(self, session: str) -> None:
        """Drop an ended session (pruned, or ``sessions delete`` took it out of the store)."""
        rec = self.sessions.get(session)
        if rec is not None and rec.ended:
            del self.sessions[session]
            for fn in self._forget:
                fn(session)

    def _prune(self) -> None:
        ended = sorted((r for r in self.sessions.values() if r.ended), key=lambda r: r.seq)
        for rec in ended[:max(0, len(ended) - self.keep_ended)]:
            self.forget(rec.session)

    # --- pub/sub ----------------------------------------------------------------------
    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn) if fn in self._subscribers else None

    def _count_seen(self, session: str, event: ev.NudgeIssued) -> ev.NudgeIssued:
        """The nudge with how many overlays it reached, before anyone stores or shows it:
        ``"overlays": 0`` is a nudge nobody saw (the debrief and the dashboard say so)."""
        try:
            seen = self.seen_by(session) if self.seen_by is not None else None
        except Exception:  # a count is a remark, never worth a lost nudge
            log.exception("counting the overlays of %s failed", session)
            seen = None
        return event if seen is None else replace(event, detail={**event.detail, "overlays": seen})

    def publish(self, session: str, event: Any) -> None:
        """A LiveSession sink: record, then hand to every subscriber. Never blocks."""
        rec = self.sessions.get(session)
        if rec is None:  # a session nobody declared: accept it, without a token
            rec = self.declare(session, token="")
        t = getattr(event, "t", None)
        if isinstance(t, (int, float)) and t > rec.t:
            rec.t = float(t)
        if isinstance(event, ev.SessionStarted):
            rec.live, rec.started_wall, rec.lang = True, event.wall_clock, event.lang
            rec.coachee, rec.partner, rec.via = event.coachee, event.partner, event.via
        elif isinstance(event, ev.NudgeIssued) and event.delivered:
            event = self._count_seen(session, event)
        elif isinstance(event, ev.SessionEnded):
            rec.live, rec.ended = False, True
        self.published += 1
        for fn in list(self._subscribers):
            try:
                fn(session, event)
            except Exception:  # a broken consumer must not stop the pipeline
                log.exception("hub subscriber %r failed", fn)
        if isinstance(event, ev.SessionEnded):
            self._prune()
