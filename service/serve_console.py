"""What ``pullcoach serve`` says on its console about the role-plays it holds.

Two moments, each said once and in full:

- at start-up after a crash: the role-plays that were running when the server stopped, and
  that each goes on here when its capture reconnects (``restart_lines``); only one stopped
  too long ago to go on with is called cut off, with the command for its report;
- on a first Ctrl-C while role-plays run: which are live and which wait for their capture
  (``running_line``), so the trainer knows what a second Ctrl-C ends.
"""

from __future__ import annotations

import time
from typing import Any

from pullcoach.ingest import REVIVE_WITHIN_S
from pullcoach.paths import dir_flag

__all__ = ["restart_lines", "running_line", "RECONNECT_S"]

RECONNECT_S = 120.0  # a capture keeps trying to reconnect about this long (capture.py: 110 s)


def _pair(row: dict) -> str:
    return f"{row.get('coachee') or 'coachee'} ↔ {row.get('partner') or 'partner'}"


def _role_plays(n: int) -> str:
    return "1 role-play" if n == 1 else f"{n} role-plays"


def restart_lines(store: Any, data_dir: Any = None, now: float | None = None) -> list[str]:
    """The start-up lines for the sessions ``store`` found cut off (``store.interrupted``):
    one line for those that go on when their capture reconnects, one per session that stopped
    longer ago than a revive allows (its report is all there is)."""
    now = time.time() if now is None else now
    going_on, over = [], []
    for sid in store.interrupted:
        row = store.row(sid) or {}
        idle = now - ((row.get("started_wall") or 0.0) + (row.get("t") or 0.0))
        (going_on if idle <= REVIVE_WITHIN_S else over).append((sid, row))
    lines = []
    if going_on:
        names = ", ".join(_pair(row) for _, row in going_on)
        one = len(going_on) == 1
        lines.append(f"pullcoach goes on with {_role_plays(len(going_on))} that {'was' if one else 'were'} "
                     f"running when it stopped ({names}): {'it goes on' if one else 'each'} where it was "
                     f"as its capture reconnects (by itself within {RECONNECT_S / 60:.0f} minutes; "
                     f"a capture that stopped too: run it again)")
    for sid, _ in over:
        lines.append(f"session {sid} was cut off (pullcoach stopped without ending it, too long ago "
                     f"to go on with); its events are kept: pullcoach report {sid}{dir_flag(data_dir)}")
    return lines


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
