"""The post-call report: ``render(events, fmt)`` for html | md | json | vtt.

Built only from a session's event log (see ``report_data.build``), so a live session, a
stored one and an interrupted one report the same way.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from pullcoach.errors import ConfigError, StoreError
from pullcoach.paths import make_private
from pullcoach.report_data import build
from pullcoach.report_html import render_html
from pullcoach.report_plain import render_md, render_vtt
from pullcoach.report_progress import previous_session, progress
from pullcoach.rules.engine import EngineConfig
from pullcoach.rules.events import Event

__all__ = ["render", "write", "write_session_report", "previous_events", "FORMATS", "build",
           "jsonable"]

FORMATS = ("html", "md", "json", "vtt")


def render(events: list[Event], fmt: str = "html", *, audio_kept: bool = False,
           remote: str | None = None, previous: list[Event] | None = None, live: bool = False,
           config: EngineConfig | None = None) -> str:
    """The report as text. ``audio_kept``/``remote`` feed the "what was stored" line;
    ``previous``, the coachee's previous session's events, a "since last time" line;
    ``live``, the session is still running (the report runs to now); ``config``, the rule
    engine's config the session ran with (its thresholds are the cards' yardsticks; None:
    the built-in rules')."""
    report = build(events, live=live, config=config)
    since = progress(report, build(previous, config=config)) if previous else None
    if fmt == "html":
        return render_html(report, audio_kept=audio_kept, remote=remote, progress=since)
    if fmt == "md":
        return render_md(report, audio_kept=audio_kept, remote=remote, progress=since)
    if fmt == "vtt":
        return render_vtt(report)
    if fmt == "json":
        return _json(report, audio_kept, remote, since)
    raise ConfigError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def write(events: list[Event], path: str | Path, fmt: str | None = None, **kw: object) -> Path:
    """Render to a file; the format defaults to the file's suffix."""
    path = Path(path)
    text = render(events, fmt or path.suffix.lstrip(".") or "html", **kw)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _json(report: dict, audio_kept: bool, remote: str | None, since: dict | None) -> str:
    out = {k: v for k, v in report.items() if k not in ("speech", "overlaps")}
    out["speech"] = {k: [[round(a, 3), round(b, 3)] for a, b in v]
                     for k, v in report["speech"].items()}
    out["overlaps"] = [[round(a, 3), round(b, 3)] for a, b in report["overlaps"]]
    out["stored"] = {"events": True, "audio": audio_kept, "remote": remote}
    out["progress"] = since and {"session": since["session"], "trends": since["trends"],
                                 "before": {k: since["before"][k] for k in since["trends"]}}
    return json.dumps(jsonable(out), ensure_ascii=False, indent=2)


def jsonable(x):
    """``x`` with infinities (a ratio with no questions) as None: JSON has no Infinity."""
    if isinstance(x, float) and x in (float("inf"), float("-inf")):
        return None
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return x


def write_session_report(store, session_id: str, fmt: str = "html",
                         config: EngineConfig | None = None) -> Path:
    """Write a stored session's report to ``<data dir>/reports/<id>.<fmt>`` (call this when
    a session ends; the overlay and the trainer page link to it). ``config``: as ``render``."""
    infos = store.sessions()
    info = next((s for s in infos if s["id"] == session_id), None)
    if info is None:
        raise StoreError(f"no session {session_id!r} in {store.dir}")
    path = store.dir / "reports" / f"{session_id}.{fmt}"
    write(store.events(session_id), path, fmt, audio_kept=info["audio_kept"],
          previous=previous_events(store, session_id, infos), config=config)
    make_private(path, 0o600)  # the transcript and the trainer's notes: this user's only
    return path


def previous_events(store, session_id: str, infos: list[dict] | None = None) -> list[Event] | None:
    """The event log of the coachee's previous session in ``store`` (same name, started
    earlier), for the report's "since last time" line; None if there is none. ``infos``:
    ``store.sessions()`` when the caller has it already."""
    read = functools.lru_cache(maxsize=None)(store.events)  # the check's read is the one returned
    prev = previous_session(infos if infos is not None else store.sessions(), session_id, events=read)
    return read(prev) if prev else None
