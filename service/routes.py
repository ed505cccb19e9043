"""Plain HTTP on the websocket port, through websockets' ``process_request``.

    /healthz            JSON: ok, version, counts (no session ids, no tokens)
    /                   the browser overlay (clients/web/overlay.html)
    /trainer            the trainer dashboard (clients/web/trainer.html)
    /static/<file>      other files from clients/web/ (safe names only)
    /reports/<session>  the HTML report (trainer token, that session's overlay token, or
                        its report-only view token; ?token= or Authorization: Bearer)
    /debrief            the trainer's debrief of stored sessions (trainer token or the
                        debrief's view token;
                        ?sessions=ID,ID or ?day=YYYY-MM-DD, default the newest day's;
                        ?lang=nl|en, default that of most sessions)
    /ws, /ingest        websocket upgrades, handled by the server

Every request first passes the Host check (DNS rebinding); a foreign Host gets 403.
"""

from __future__ import annotations

import asyncio
import http
import json
import mimetypes
import re
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from pullcoach import tokens
from pullcoach.rules.events import Bookmarked

if TYPE_CHECKING:
    from pullcoach.server import Service

__all__ = ["process_request", "response", "request_token", "header", "report_link", "debrief_link"]

WS_PATHS = ("/ws", "/ingest")
_SAFE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$")
_SESSION = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def response(status: int, body: bytes | str, content_type: str = "text/plain; charset=utf-8",
             extra: dict[str, str] | None = None) -> Response:
    if isinstance(body, str):
        body = body.encode("utf-8")
    st = http.HTTPStatus(status)
    headers = Headers([
        ("Content-Type", content_type), ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"), ("Connection", "close"),
        # no page of ours is ever framed: another site may not overlay a report or the dashboard
        ("X-Frame-Options", "DENY"), ("Content-Security-Policy", "frame-ancestors 'none'"),
    ])
    for k, v in (extra or {}).items():
        headers[k] = v
    return Response(st.value, st.phrase, headers, body)


def report_link(trainer: str, session: str, *, coachee: bool = False) -> str:
    """The report's path with a token that opens this one report and nothing else; the
    coachee's leaves out the trainer's bookmark notes."""
    view = tokens.view_token(trainer, ("coachee-report:" if coachee else "report:") + session)
    return f"/reports/{quote(session, safe='')}?token={quote(view, safe='')}"


def debrief_link(trainer: str) -> str:
    """The debrief's path with a read-only token (query parameters may be appended)."""
    return f"/debrief?token={quote(tokens.view_token(trainer, 'debrief'), safe='')}"


# a refused link, both languages on one page (a Dutch trainer's browser often asks for English);
# HTML: the buttons' names in bold, as the pages call them
REFUSED = {
    "report": {"nl": ("Dit verslag opent alleen met een geldige link",
                      "Open het opnieuw vanaf de trainerpagina (<b>Rapport</b>) of de overlay (<b>Rapport openen ›</b>), "
                      "of voeg <code>?token=</code> met het trainer-token toe."),
               "en": ("This report opens only with a valid link",
                      "Open it again from the trainer page (<b>Report</b>) or the overlay (<b>Open report ›</b>), "
                      "or add <code>?token=</code> with the trainer token.")},
    "debrief": {"nl": ("De nabespreking opent alleen met een geldige link",
                       "Open haar opnieuw vanaf de trainerpagina (<b>Nabespreking</b>), "
                       "of voeg <code>?token=</code> met het trainer-token toe."),
                "en": ("The debrief opens only with a valid link",
                       "Open it again from the trainer page (<b>Debrief</b>), or add <code>?token=</code> with the trainer token.")},
}
_REFUSED_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:38em;margin:3em auto;
padding:0 1em;color:#1f2329}}h1{{font-size:1.3em}}section+section{{margin-top:2em;color:#57606a}}
section+section h1{{font-size:1.05em}}b,code{{white-space:nowrap}}</style></head><body>
{sections}
</body></html>
"""


def refused(service: "Service", request: Request, what: str) -> Response:
    """401 in Dutch and English, the reader's first: English only when the browser does not ask
    for Dutch and most of this server's sessions are English (the dashboard's pick), or as many as
    Dutch (none yet) on a server started with --lang en."""
    first = (header(request, "Accept-Language") or "").split(",")[0].strip().lower()
    langs = [str(rec.lang) for rec in service.hub.sessions.values()]
    en = sum(lang.startswith("en") for lang in langs)
    nl = len(langs) - en  # as many (none yet): the language the server was started with
    order = ("en", "nl") if not first.startswith("nl") and (en, service.lang == "en") > (nl, False) else ("nl", "en")
    sections = "\n".join(f'<section lang="{lang}"><h1>{REFUSED[what][lang][0]}</h1>'
                         f"<p>{REFUSED[what][lang][1]}</p></section>" for lang in order)
    title = " · ".join(REFUSED[what][lang][0] for lang in order)
    return response(401, _REFUSED_PAGE.format(lang=order[0], title=title, sections=sections),
                    "text/html; charset=utf-8")


def header(request: Request, name: str) -> str | None:
    """The header's one value; None if absent, "" (never valid) if repeated."""
    values = request.headers.get_all(name)
    return values[0] if len(values) == 1 else (None if not values else "")


def request_token(request: Request) -> str | None:
    query = parse_qs(urlsplit(request.path).query)
    if query.get("token"):
        return query["token"][0]
    auth = header(request, "Authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return header(request, "X-Pullcoach-Token")


def _web_file(name: str) -> tuple[bytes, str] | None:
    if not _SAFE.match(name) or ".." in name:
        return None
    try:
        node = resources.files("pullcoach.clients").joinpath("web", *name.split("/"))
        if not node.is_file():
            return None
        data = node.read_bytes()
    except (OSError, ModuleNotFoundError, ValueError):
        return None
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
        ctype += "; charset=utf-8"
    return data, ctype


def _static(name: str) -> Response:
    found = _web_file(name)
    if found is None:
        return response(404, f"no such file: {name}\n")
    return response(200, found[0], found[1])


async def _report(service: "Service", session: str, *, bookmarks: bool = True) -> Response:
    if not _SESSION.match(session):
        return response(404, "no such session\n")
    if service.store is None:
        return response(404, "reports need a store: start the server with a data dir\n")
    try:
        from pullcoach import report as report_mod
    except ImportError as exc:
        return response(404, f"reports are not available in this build ({exc.name} missing)\n")
    events = await asyncio.to_thread(lambda: list(service.store.events(session)))
    if not events:
        return response(404, f"no events stored for session {session}\n")
    previous = await asyncio.to_thread(report_mod.previous_events, service.store, session)
    infos = await asyncio.to_thread(service.store.sessions)
    kept = any(s["id"] == session and s["audio_kept"] for s in infos)  # the footer says what was stored
    rec = service.hub.sessions.get(session)
    live = rec is not None and rec.live
    if not bookmarks:  # the trainer's notes are the trainer's
        events = [e for e in events if not isinstance(e, Bookmarked)]
    html = await asyncio.to_thread(report_mod.render, events, fmt="html", previous=previous, live=live,
                                   audio_kept=kept)
    return response(200, html, "text/html; charset=utf-8")


async def _debrief(service: "Service", request: Request) -> Response:
    if service.store is None:
        return response(404, "a debrief needs a store: start the server with a data dir\n")
    from pullcoach.debrief import MAX_SESSIONS, collect
    from pullcoach.debrief_render import render_debrief_html
    from pullcoach.errors import ConfigError, StoreError

    query = parse_qs(urlsplit(request.path).query)
    ids = [i for i in ",".join(query.get("sessions", [])).split(",") if i]
    if len(ids) > MAX_SESSIONS or not all(_SESSION.match(i) for i in ids):
        return response(400, f"sessions must be at most {MAX_SESSIONS} session ids, "
                             "comma-separated\n")
    day = query.get("day", [None])[0]
    lang = query.get("lang", [None])[0]
    if lang not in (None, "nl", "en"):
        return response(400, "lang must be nl or en\n")
    if ids:  # a session deleted while serve ran: its card's id is still in the page's link
        stored = {r["id"] for r in await asyncio.to_thread(service.store.sessions)}
        ids = [i for i in ids if i in stored] or ids  # (none left: say which is missing)
    try:
        d = await asyncio.to_thread(collect, service.store, ids or None, day, lang)
    except StoreError as exc:  # a session not stored, or stored without events
        return response(404, f"{exc}\n")
    except ConfigError as exc:  # a day that is no date
        return response(400, f"{exc}\n")
    trainer = service.tokens.trainer
    html = render_debrief_html(d, link=lambda sid: report_link(trainer, sid))
    return response(200, html, "text/html; charset=utf-8")


async def process_request(service: "Service", connection: Any, request: Request) -> Response | None:
    path = urlsplit(request.path).path
    if path in WS_PATHS:
        return None  # websocket upgrade: Host, Origin and tokens are checked by the handler
    if not service.access.host_ok(header(request, "Host")):
        service.counters["refused_host"] += 1
        return response(403, "wrong Host header: use http://127.0.0.1:PORT/ "
                             "(or start the server with --allow-host NAME)\n")
    if path == "/healthz":
        body = json.dumps(service.health(), separators=(",", ":"))
        return response(200, body, "application/json")
    if path in ("/", "/overlay"):
        return _static("overlay.html")
    if path == "/trainer":
        return _static("trainer.html")
    if path.startswith("/static/"):
        return _static(path[len("/static/"):])
    if path.startswith("/reports/"):
        session = path[len("/reports/"):]
        given = request_token(request)
        rec = service.hub.sessions.get(session)
        # the trainer sees every report; a coachee's overlay token opens its own session's;
        # a link's view token opens the one report it was made for
        trainer = service.tokens.trainer
        if tokens.same(given, trainer) or tokens.same(given, tokens.view_token(trainer, "report:" + session)):
            return await _report(service, session)
        # the coachee's: their own overlay token, or the link their overlay was given
        if (tokens.same(given, tokens.view_token(trainer, "coachee-report:" + session))
                or (rec is not None and tokens.same(given, rec.token))):
            return await _report(service, session, bookmarks=False)
        return refused(service, request, "report")
    if path == "/debrief":
        given, trainer = request_token(request), service.tokens.trainer
        if not (tokens.same(given, trainer)
                or tokens.same(given, tokens.view_token(trainer, "debrief"))):
            return refused(service, request, "debrief")
        return await _debrief(service, request)
    return response(404, f"not found: {path}\n")
