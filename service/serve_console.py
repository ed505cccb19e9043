"""What ``pullcoach serve`` says on its console about the role-plays it holds.

Two moments, each said once and in full:

- at start-up after a crash: the role-plays that were running when the server stopped, and
  that each goes on here when its capture reconnects (``restart_lines``); only one stopped
  too long ago to go on with is called cut off, with the command for its report;
- on a first Ctrl-C while role-plays run: which are live and which wait for their capture
  (``running_line``), so the trainer knows what a second Ctrl-C ends.

A role-play whose capture had stopped before the server did (its coachee's, or a stereo,
file broke off: ``revive.capture_stopped``) is not gone on with: ``sort_cut_off`` says which
wait for their capture and which are over. ``GapStalls`` keeps a capture's restart from being
printed as a device that went (the dashboard card says "opname weg", then "opname hervat").
"""

from __future__ import annotations

import time
from typing import Any, Callable

from pullcoach.ingest import REVIVE_WITHIN_S
from pullcoach.paths import dir_flag
from pullcoach.revive import capture_stopped
from pullcoach.rules import events as ev

__all__ = ["restart_lines", "running_line", "sort_cut_off", "GapStalls", "RECONNECT_S"]

RECONNECT_S = 120.0  # a capture keeps trying to reconnect about this long (capture.py: 110 s)


def _pair(row: dict) -> str:
    return f"{row.get('coachee') or 'coachee'} ↔ {row.get('partner') or 'partner'}"


def _role_plays(n: int) -> str:
    return "1 role-play" if n == 1 else f"{n} role-plays"


def revive_by(row: dict) -> float:
    """The wall clock after which a cut-off session's capture can no longer go on with it."""
    return (row.get("started_wall") or 0.0) + (row.get("t") or 0.0) + REVIVE_WITHIN_S


def sort_cut_off(store: Any, ids, now: float) -> tuple[list, list, list]:
    """Cut-off sessions ``ids`` as ``(going_on, over, stopped)`` lists of ``(sid, row, warning)``:
    those a capture may still go on with, those stopped too long ago, and those whose capture
    had stopped already (``warning``: its file-broken one), which nothing goes on with."""
    going_on, over, stopped = [], [], []
    for sid in ids:
        row = store.row(sid) or {}
        broke = capture_stopped(store.events(sid))
        if broke is not None:
            stopped.append((sid, row, broke))
        else:
            (going_on if now <= revive_by(row) else over).append((sid, row, None))
    return going_on, over, stopped


def restart_lines(store: Any, data_dir: Any = None, now: float | None = None) -> list[str]:
    """The start-up lines for the sessions ``store`` found cut off (``store.interrupted``):
    one line for those that go on when their capture reconnects, one per session that stopped
    longer ago than a revive allows, or whose capture had stopped before the server did (its
    file broke off): those are ended where they stopped, and their reports follow."""
    now = time.time() if now is None else now
    going_on, over, stopped = sort_cut_off(store, store.interrupted, now)
    lines = []
    if going_on:
        names = ", ".join(_pair(row) for _, row, _ in going_on)
        one = len(going_on) == 1
        lines.append(f"pullcoach goes on with {_role_plays(len(going_on))} that {'was' if one else 'were'} "
                     f"running when it stopped ({names}): {'it goes on' if one else 'each'} where it was "
                     f"as its capture reconnects (by itself within {RECONNECT_S / 60:.0f} minutes; "
                     f"a capture that stopped too: run it again)")
    for sid, _, _ in over:
        lines.append(f"session {sid} was cut off (pullcoach stopped without ending it, too long ago "
                     f"to go on with); its events are kept: pullcoach report {sid}{dir_flag(data_dir)}")
    for sid, row, broke in stopped:
        lines.append(f"session {sid} ({_pair(row)}) is not gone on with: its capture had stopped at "
                     f"{_clock(broke.t)}, where its file broke off; it ends there: "
                     f"pullcoach report {sid}{dir_flag(data_dir)}")
    return lines


def _clock(t: float) -> str:
    return f"{int(t // 60)}:{int(t % 60):02d}"


class GapStalls:
    """Which pipeline warnings ``serve`` prints, and when: a channel that stalled or went silent
    is held until the session's clock is ``HOLD_S`` past it, so that a capture's restart
    (``capture-resumed``: its gap is filled with silence, one channel first) is not printed as a
    device that went. A stall inside such a gap, and the channel-ok that closes it, are left out,
    as the dashboard card leaves them out; one still open ``GAP_HOLD_S`` after the gap is printed.
    ``say(session, event)`` prints a warning."""

    HOLD_S = 5.0       # a resume comes with its gap's first silence; the other channel's stall is at most 2 s before
    GAP_HOLD_S = 10.0  # clients/web/alerts.js GAP_HOLD_S

    def __init__(self, say: Callable[[str, Any], None]):
        self.say = say
        self.gaps: dict[str, tuple[float, float]] = {}    # session -> its latest resume's gap
        self.held: dict[tuple[str, str], tuple[Any, float]] = {}  # (session, speaker) -> (stall, due)
        self.hidden: set[tuple[str, str]] = set()         # stalls left out: their channel-ok too

    def __call__(self, session: str, event: Any) -> None:
        t = getattr(event, "t", None)
        if isinstance(event, ev.PipelineWarning):
            self._warning(session, event)
        elif isinstance(event, ev.SessionEnded):
            self._release(session, float("inf"))
            self.gaps.pop(session, None)
            self.hidden = {k for k in self.hidden if k[0] != session}
            return
        if isinstance(t, (int, float)):
            self._release(session, float(t))

    def _warning(self, session: str, w: Any) -> None:
        detail = w.detail or {}
        speaker = str(detail.get("speaker") or "")
        key = (session, speaker)
        if w.kind == "capture-resumed":
            gap = (float(w.t), float(detail.get("resumed_at", w.t)))
            self.gaps[session] = gap
            self.say(session, w)
            for k, (stall, _) in list(self.held.items()):
                if k[0] == session and _in_gap(stall, gap):
                    del self.held[k]
                    self.hidden.add(k)
            return
        if w.kind == "channel-ok":
            if key in self.hidden:   # the gap's stall, left out: so is its end
                self.hidden.discard(key)
                return
            if key in self.held:     # a short stall: said with its end
                self.say(session, self.held.pop(key)[0])
        elif _holdable(w):
            gap = self.gaps.get(session)
            due = gap[1] + self.GAP_HOLD_S if gap and _in_gap(w, gap) else float(w.t) + self.HOLD_S
            self.held[key] = (w, due)
            self.hidden.discard(key)
            return
        self.say(session, w)

    def _release(self, session: str, t: float) -> None:
        for k, (stall, due) in list(self.held.items()):
            if k[0] == session and t >= due:
                del self.held[k]
                self.say(session, stall)


def _holdable(w: Any) -> bool:
    detail = w.detail or {}
    return ((w.kind == "channel-stalled" and detail.get("cause") != "file-broken")
            or (w.kind == "channel-silent" and detail.get("reason") != "no-speech"))


def _in_gap(w: Any, gap: tuple[float, float]) -> bool:
    detail = w.detail or {}
    began = float(w.t) - (float(detail.get("seconds") or 0.0) if w.kind == "channel-silent" else 0.0)
    return ev.in_capture_gap(w.kind, detail.get("reason"), began, gap)


def running_line(service: Any, confirm_s: float) -> str | None:
    """The first Ctrl-C's line while role-plays run, or None when none does: each named as
    live or as waiting for its capture (the dashboard's "opname weg": a capture that dropped)."""
    live, away = [], []
    for sid, rec in service.hub.sessions.items():
        if rec.live:
            (away if service.status(sid).capture_away else live).append(f"{rec.coachee} ↔ {rec.partner}")
    if not live and not away:
        return None
    parts = []
    if live:
        parts.append(f"{_role_plays(len(live))} live: {', '.join(live)}")
    if away:
        whose = "its capture" if len(away) == 1 else "their captures"
        parts.append(f"{_role_plays(len(away))} waiting for {whose}: {', '.join(away)}")
    one = len(live) + len(away) == 1
    ends = "it and stop the server (its report ends" if one else "them and stop the server (their reports end"
    return f"{'; '.join(parts)}. Press Ctrl-C again within {confirm_s:.0f} s to end {ends} there)."
