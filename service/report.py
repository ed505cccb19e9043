"""The post-call report: ``render(events, fmt)`` for html | md | json | vtt.

Built only from a session's event log (see ``report_data.build``), so a live session, a
stored one and an interrupted one report the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from pullcoach.errors import ConfigError, StoreError
from pullcoach.report_data import build
from pullcoach.report_html import render_html
from pullcoach.report_plain import render_md, render_vtt
from pullcoach.rules.events import Event

__all__ = ["render", "write", "write_session_report", "FORMATS", "build", "jsonable"]

FORMATS = ("html", "md", "json", "vtt")


def render(events: list[Event], fmt: str = "html", *, audio_kept: bool = False,
           remote: str | None = None) -> str:
    """The report as text. ``audio_kept``/``remote`` feed the "what was stored" line."""
    report = build(events)
    if fmt == "html":
        return render_html(report, audio_kept=audio_kept, remote=remote)
    if fmt == "md":
        return render_md(report, audio_kept=audio_kept, remote=remote)
    if fmt == "vtt":
        return render_vtt(report)
    if fmt == "json":
        return _json(report, audio_kept, remote)
    raise ConfigError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def write(events: list[Event], path: str | Path, fmt: str | None = None, **kw: object) -> Path:
    """Render to a file; the format defaults to the file's suffix."""
    path = Path(path)
    text = render(events, fmt or path.suffix.lstrip(".") or "html", **kw)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _json(report: dict, audio_kept: bool, remote: str | None) -> str:
    out = {k: v for k, v in report.items() if k not in ("speech", "overlaps")}
    out["speech"] = {k: [[round(a, 3), round(b, 3)] for a, b in v]
                     for k, v in report["speech"].items()}
    out["overlaps"] = [[round(a, 3), round(b, 3)] for a, b in report["overlaps"]]
    out["stored"] = {"events": True, "audio": audio_kept, "remote": remote}
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


def write_session_report(store, session_id: str, fmt: str = "html") -> Path:
    """Write a stored session's report to ``<data dir>/reports/<id>.<fmt>`` (call this when
    a session ends; the overlay and the trainer page link to it)."""
    info = next((s for s in store.sessions() if s["id"] == session_id), None)
    if info is None:
        raise StoreError(f"no session {session_id!r} in {store.dir}")
    path = store.dir / "reports" / f"{session_id}.{fmt}"
    return write(store.events(session_id), path, fmt, audio_kept=info["audio_kept"])
