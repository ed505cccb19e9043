"""The overlay's protocol logic, without Tk, threads or clocks.

Messages (decoded protocol v1 dicts) go in through ``receive(msg, now)``; the view reads
the state back: the nudge to show and how faded it is, listening, watching, the
connection, and the report link once the session ended. ``now`` is any monotonic clock
in seconds, passed in, so tests drive time by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from pullcoach.rules.events import PROBLEM_CLOSES, PROBLEM_OPENS, in_capture_gap

__all__ = ["OverlayState", "ShownNudge", "alert_text", "backoff", "report_url", "ENDED", "FATAL_CLOSE_CODES"]

PROTOCOL_VERSION = 1
# close codes after which reconnecting cannot help (bad token, origin, version)
FATAL_CLOSE_CODES = {4401: "wrong token", 4403: "refused (origin/host)", 4426: "protocol version mismatch"}
KINDS = ("negative", "positive", "cue", "trainer")

# what the coachee reads about them (the protocol's English message is the fallback)
ALERTS = {
    "nl": {"no-sound coachee": "Geen geluid van je microfoon: gedempt?",
           "no-sound partner": "Geen geluid van de ander (apparaat?)",
           "no-speech coachee": "Geen spraak op je microfoon (apparaat?)",
           "no-speech partner": "Geen spraak van de ander (apparaat?)",
           "no-speech nobody": "Geen spraak op beide kanalen: apparaten?",
           "channel-clipped coachee": "Microfoon overstuurd: zet hem zachter",
           "channel-clipped file": "De opname zelf is overstuurd",
           "channel-clipped partner": "Ander kanaal overstuurd: zet het zachter",
           "channel-stalled coachee": "Je microfoon levert geen audio meer",
           "channel-stalled partner": "Geen audio meer van de ander",
           "channel-stalled partner file-broken": "Bestand van de ander brak af: stilte",
           "channel-stalled coachee file-broken-end": "Je bestand brak af: de sessie stopt hier",
           "channel-stalled coachee file-broken-both": "De opname brak af: de sessie stopt hier",
           "channels-same": "Beide kanalen horen hetzelfde",
           "channels-same one-input": "Eén ingang dubbel: kies ander apparaat",
           "channels-same acoustic": "Luidsprekers te hard: neem een headset",
           "asr-behind": "Transcriptie loopt achter",
           "language en": "Klinkt Engels: opnieuw met --lang en",
           "language nl": "Klinkt Nederlands: opnieuw met --lang nl",
           "session-resumed": "Server herstart: de coaching gaat door",
           "capture-resumed": "Opname hervat na {gap} onderbreking"},
    "en": {"no-sound coachee": "No sound from your mic: muted?",
           "no-sound partner": "No sound from the other side (device?)",
           "no-speech coachee": "No speech on your mic (device?)",
           "no-speech partner": "No speech from the other side (device?)",
           "no-speech nobody": "No speech on either channel (devices?)",
           "channel-clipped coachee": "Your mic clips: turn its level down",
           "channel-clipped file": "The recording itself clips",
           "channel-clipped partner": "Other side clips: turn its level down",
           "channel-stalled coachee": "Your mic stopped sending audio",
           "channel-stalled partner": "No audio from the other side any more",
           "channel-stalled partner file-broken": "Other side's file broke off: silence",
           "channel-stalled coachee file-broken-end": "Your file broke off: session stops here",
           "channel-stalled coachee file-broken-both": "Recording broke off: session stops here",
           "channels-same": "Both channels hear the same",
           "channels-same one-input": "One input twice: pick another device",
           "channels-same acoustic": "Speakers too loud: wear a headset",
           "asr-behind": "Transcription is behind",
           "language en": "Sounds English: restart with --lang en",
           "language nl": "Sounds Dutch: restart with --lang nl",
           "session-resumed": "Server restarted: coaching goes on",
           "capture-resumed": "Recording resumed after a {gap} break"},
}

# the footer once the session ended, with why when the recording broke off: the coachee's
# replayed file (-end), one stereo file (-both), or `run`'s own audio (reason "error").
# Beside the report link the footer holds about 26 characters ("sessie beëindigd: bestand
# brak af" ran under it), so the reason goes without "sessie"
ENDED = {
    "nl": {"": "sessie beëindigd", "file-broken-end": "beëindigd: bestand brak af",
           "file-broken-both": "beëindigd: opname brak af", "error": "beëindigd: opname brak af"},
    "en": {"": "session ended", "file-broken-end": "ended: file broke off",
           "file-broken-both": "ended: recording broke off", "error": "ended: recording broke off"},
}
BROKE_OFF = ("file-broken-end", "file-broken-both")  # the coachee's side broke: the session stops

# on the overlay the other language also holds: it stays wrong until a new session
HOLDS = {**PROBLEM_OPENS, "language": "language"}

# A capture started again after a crash (capture-resumed: ``t`` where its audio stopped,
# detail.resumed_at) left a gap the server fills with silence, one channel before the
# other: the pipeline then says the other stalled. That is the gap, not a device (as the
# report says): such a stall is held back and shown only if still open GAP_HOLD_S after;
# "Opname hervat na 25 s onderbreking" shows RESUMED_SHOWN_S (clients/web/alerts.js alike).
# Both count on the session's clock from resumed_at, not on the wall clock from when the
# warning came: one sent again later (a reconnect) is old news and is not shown anew.
GAP_HOLD_S = 10.0
RESUMED_SHOWN_S = 60.0
RESUMED = ("resumed", None)


def _gap(msg: dict) -> tuple[float, float]:
    t0 = float(msg.get("t") or 0.0)
    return t0, float((msg.get("detail") or {}).get("resumed_at", t0) or t0)


def in_gap(msg: dict, resumed: dict | None) -> bool:
    """A channel the resumed capture's gap stalled or silenced (report_data.problems alike)."""
    kind, d = msg.get("kind"), msg.get("detail") or {}
    if resumed is None:
        return False
    began = float(msg.get("t") or 0.0) - (float(d.get("seconds") or 0.0) if kind == "channel-silent" else 0.0)
    return in_capture_gap(kind, d.get("reason"), began, _gap(resumed))


def gap_text(msg: dict) -> str:
    """"25 s", "2 min 5 s": as long as the two times the report shows for it say."""
    t0, t1 = _gap(msg)
    s = max(0, int(t1) - int(t0))
    return f"{s} s" if s < 120 else f"{s // 60} min" + (f" {s % 60} s" if s % 60 else "")


def alert_text(msg: dict, lang: str) -> str:
    """The coachee's short words for a warning that opens a problem."""
    kind, d = msg.get("kind"), msg.get("detail") or {}
    key = d.get("reason") if kind == "channel-silent" else f"language {d.get('heard')}" if kind == "language" else kind
    if kind == "channel-clipped" and d.get("files"):  # a replayed file: not a mic to turn down
        key = "channel-clipped file"
    elif d.get("speaker"):
        key = f"{key} {d['speaker']}"
    table = ALERTS.get(lang[:2], ALERTS["en"])
    text = table.get(f"{key} {cause_of(d)}") or table.get(key)
    return text.replace("{gap}", gap_text(msg)) if text else str(msg.get("message") or kind or "")[:80]


def cause_of(d: dict) -> str | None:
    """detail.cause: why both channels hear the same (old sessions do not say); the coachee's
    replayed file that broke off ended the session (-end), and one stereo file (one name in
    ``files``) broke on both sides (-both); alerts.js causeOf alike."""
    if d.get("cause") != "file-broken" or d.get("speaker") != "coachee":
        return d.get("cause")
    files = d.get("files")
    return "file-broken-both" if isinstance(files, list) and len(files) == 1 else "file-broken-end"


def backoff(attempt: int, *, first: float = 0.5, cap: float = 10.0) -> float:
    """Seconds to wait before reconnect attempt number ``attempt`` (0-based)."""
    return min(cap, first * (2 ** max(0, min(attempt, 16))))


def report_url(ws_url: str, session: str, token: str) -> str:
    """The post-call report page for ``session`` on the server behind ``ws_url``."""
    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}/reports/{quote(session, safe='')}?token={quote(token, safe='')}"


@dataclass(frozen=True, slots=True)
class ShownNudge:
    message: str
    kind: str  # negative | positive | cue | trainer
    rule: str
    shown_at: float  # the caller's clock
    seconds: float   # how long it stays (it fades during the last second)
    evidence_t: float | None = None  # with rule, names the nudge (for a withdrawal)

    def opacity(self, now: float) -> float:
        """1.0 while fresh, falling to 0.0 over the last second."""
        left = self.shown_at + self.seconds - now
        return max(0.0, min(1.0, left))


class OverlayState:
    """What one coachee's overlay shows. Pure: no I/O, no clock reads."""

    def __init__(self, *, token: str, session: str | None = None, client: str = "pullcoach-overlay",
                 seconds: dict[str, float] | None = None, report_file: str | None = None):
        self.token = token
        # where `run` writes this session's report: its server ends with the session, so the
        # link after the end is the file, and a closed connection then is no reason to retry
        self.report_file = report_file
        self.session = session
        self.client = client
        # positive praise is quiet and short; trainer nudges stay longest
        self.seconds = {"negative": 6.0, "positive": 3.0, "cue": 6.0, "trainer": 9.0, **(seconds or {})}
        self.connection = "connecting"  # connecting | connected | reconnecting | refused | ended
        self.problem = ""              # last error or warning, short
        self.alerts: dict[tuple, dict] = {}  # open problems (a silent channel, ...) by key
        self._now = 0.0          # the caller's clock, as last given
        self._t = 0.0            # the latest session (audio) time seen in a message ...
        self._t_at: float | None = None  # ... and the caller's clock then
        self._alert_shown = ""   # the line last taken from the open alerts
        self.nudge: ShownNudge | None = None
        self.listening = False
        self.watching = False
        self.audio_kept = False  # the server keeps the audio (its welcome says)
        self.ended = False
        self.end_cause = ""  # why it ended, when the recording broke off (an ENDED key)
        self.lang = "nl"
        self.report = ""  # the report's path from the server's status (a report-only token)
        self.focus: tuple[str, ...] = ()  # the trainer's focus: the nudges that still come live

    # -- outgoing ---------------------------------------------------------------------
    def hello(self) -> dict:
        msg = {"v": PROTOCOL_VERSION, "type": "hello", "role": "overlay", "token": self.token,
               "client": self.client}
        if self.session:
            msg["session"] = self.session
        return msg

    # -- connection -------------------------------------------------------------------
    def connected(self) -> None:
        self.connection = "connected"
        self.problem = self._alert_line()

    def disconnected(self, code: int | None = None, reason: str = "") -> bool:
        """The socket closed. Returns True if the client should try again."""
        self.listening = False
        self.watching = False
        if code in FATAL_CLOSE_CODES:
            self.connection = "refused"
            self.problem = reason or FATAL_CLOSE_CODES[code]
            return False
        if self.ended and self.report_file:  # `run` is over: the report is the file
            self.connection = "ended"
            return False
        self.connection = "reconnecting"
        self.problem = "waiting for the session to start" if code == 4404 else ""
        return True

    # -- incoming ---------------------------------------------------------------------
    def receive(self, msg: dict, now: float) -> None:
        """Apply one decoded server message. Unknown types are ignored (forward compatible)."""
        if not isinstance(msg, dict) or msg.get("v") != PROTOCOL_VERSION:
            return
        kind = msg.get("type")
        if not self._mine(msg):
            return
        self._now = now
        self._saw(msg.get("t"), now)
        if kind == "welcome":
            self.connected()
            self.audio_kept = msg.get("audio_kept") is True  # --keep-audio: said beside "listening"
            live = [s for s in msg.get("sessions") or [] if isinstance(s, dict) and s.get("live")]
            if self.session is None and len(live) == 1:
                self.session = str(live[0].get("session") or "") or None
                self.lang = str(live[0].get("lang") or self.lang)
            own = next((s for s in msg.get("sessions") or []
                        if isinstance(s, dict) and s.get("session") == self.session), None)
            if own is not None:  # an overlay started for its session (run) learns its language here
                self.lang = str(own.get("lang") or self.lang)
            # a server started again recalls a finished session: it has ended
            if own is not None and not own.get("live") and own.get("started_wall") is not None:
                self.ended, self.listening = True, False
        elif kind == "session-started":
            self.session = str(msg.get("session") or self.session or "") or None
            self.lang = str(msg.get("lang") or self.lang)
            self.ended = False
            self.end_cause = ""
            self.listening = True
        elif kind == "session-ended":
            self.ended = True
            self.listening = False
            if not self.end_cause and msg.get("reason") == "error":  # `run`'s audio broke
                self.end_cause = "error"
            # a silent channel, ASR behind: problems of the live pipeline, over with it
            self.alerts.clear()
            self.problem = ""
        elif kind == "status":
            if msg.get("session") and self.session is None:
                self.session = str(msg["session"])
            # the coachee's file broke off: nothing is heard any more, whatever a status says
            self.listening = bool(msg.get("listening")) and self.end_cause not in BROKE_OFF
            self.watching = bool(msg.get("trainer_watching"))
            if isinstance(msg.get("report"), str) and msg["report"].startswith("/reports/"):
                self.report = msg["report"]
        elif kind == "nudge-issued":
            if msg.get("delivered", True) is False:
                return
            nkind = msg.get("kind") if msg.get("kind") in KINDS else "negative"
            text = str(msg.get("message") or "").strip()
            if nkind == "positive":  # the band draws its own check: not "✓ ✓ Samenvatting"
                text = text.removeprefix("✓").strip()
            if text and not self._trainer_holds(nkind, now):
                self.nudge = ShownNudge(text[:80], nkind, str(msg.get("rule") or ""), now,
                                        self.seconds[nkind], msg.get("evidence_t", msg.get("t")))
        elif kind == "nudge-withdrawn":  # the text showed it wrong (a long backchannel)
            n = self.nudge
            if n is not None and n.rule == msg.get("rule") and n.evidence_t == msg.get("evidence_t"):
                self.nudge = None
        elif kind == "focus-changed":
            messages = msg.get("messages")
            self.focus = tuple(str(m)[:40] for m in messages[:20]) if isinstance(messages, list) else ()
        elif kind == "pipeline-warning":
            self._warning(msg)
        elif kind == "error":
            self.problem = str(msg.get("message") or msg.get("code") or "error")[:120]

    def ended_text(self) -> str:
        """The footer once ended: "sessie beëindigd", or with why when the recording broke off
        ("beëindigd: bestand brak af")."""
        table = ENDED.get(self.lang[:2], ENDED["en"])
        return table.get(self.end_cause) or table[""]

    def session_time(self, now: float) -> float:
        """The session's audio time at ``now``: the latest seen, gone on by the caller's
        clock since (the overlay gets no ticks; live audio runs at the wall clock's pace)."""
        return self._t if self._t_at is None else self._t + max(0.0, now - self._t_at)

    def _saw(self, t, now: float) -> None:
        if isinstance(t, (int, float)) and not isinstance(t, bool):
            self._t, self._t_at = max(self.session_time(now), float(t)), now

    def _trainer_holds(self, kind: str, now: float) -> bool:
        """A trainer's nudge stays its whole time: an automatic one meanwhile is dropped
        (not queued: it would come late); another trainer nudge replaces it."""
        n = self.nudge
        return kind != "trainer" and n is not None and n.kind == "trainer" and n.opacity(now) > 0.0

    def _warning(self, msg: dict) -> None:
        """A problem that holds (a silent channel) shows until put right; others show once."""
        kind, speaker = msg.get("kind"), (msg.get("detail") or {}).get("speaker")
        if self.ended and (kind in HOLDS or kind == "capture-resumed"):
            return  # the session is over: nothing live can go wrong any more
        if kind == "channel-stalled" and cause_of(msg.get("detail") or {}) in BROKE_OFF:
            # the coachee's replayed file broke off: the session stops here, and the red dot
            # goes now, not when its end comes; the end says why (ended_text)
            self.end_cause = cause_of(msg["detail"])
            self.listening = False
        resumed = self.alerts.get(RESUMED)
        if kind == "capture-resumed":
            t1 = _gap(msg)[1]
            self._saw(t1, self._now)  # the capture is back: the session has reached resumed_at
            resumed = {**msg, "_at": t1}
            for key in [k for k, m in self.alerts.items() if in_gap(m, resumed)]:
                del self.alerts[key]  # the gap's, and the gap is over
            self.alerts.pop(RESUMED, None)
            self.alerts[RESUMED] = resumed
        elif kind in PROBLEM_CLOSES:
            self.alerts.pop((PROBLEM_CLOSES[kind], speaker), None)
        elif kind in HOLDS:
            self.alerts[(HOLDS[kind], speaker)] = ({**msg, "_gap": True, "_at": resumed["_at"]}
                                                   if in_gap(msg, resumed) else msg)
        else:  # passing: shown once, in the coachee's words where there are some
            self.problem = alert_text(msg, self.lang)
            return
        self.problem = self._alert_line()

    def shown_alerts(self, now: float) -> list[dict]:
        """The open alerts to show at ``now`` (the caller's clock), oldest first: a stall held
        back in a resumed capture's gap once the capture has been back GAP_HOLD_S, the
        resume's line for RESUMED_SHOWN_S, both in session time."""
        now = self.session_time(now)
        return [m for m in self.alerts.values()
                if (now - m["_at"] < RESUMED_SHOWN_S if m.get("kind") == "capture-resumed"
                    else not m.get("_gap") or now - m["_at"] >= GAP_HOLD_S)]

    def _alert_line(self) -> str:
        """The newest open problem to show, in the coachee's words; "" when none is."""
        shown = self.shown_alerts(self._now)
        self._alert_shown = alert_text(shown[-1], self.lang) if shown else ""
        return self._alert_shown

    def tick(self, now: float) -> None:
        """Drop a nudge whose time is over; the alert line follows the clock (a held stall
        shows, the resume's line goes) unless something else took the line meanwhile."""
        if self.nudge is not None and self.nudge.opacity(now) <= 0.0:
            self.nudge = None
        self._now = now
        if self.alerts and self.problem == self._alert_shown and self.connection == "connected" and not self.ended:
            self.problem = self._alert_line()

    def report_link(self, ws_url: str) -> str | None:
        if not (self.ended and self.session):
            return None
        if self.report_file:
            return Path(self.report_file).resolve().as_uri()
        if self.report:  # a link that opens the report only, not the session's live feed
            parts = urlsplit(ws_url)
            return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}{self.report}"
        return report_url(ws_url, self.session, self.token)

    def _mine(self, msg: dict) -> bool:
        """Ignore another session's messages (the server should not send them anyway)."""
        other = msg.get("session")
        if msg.get("type") in ("welcome", "error") or not other or self.session is None:
            return True
        return other == self.session


def focus_chips(focus, n: int) -> tuple[str, str]:
    """The first ``n`` focus chips joined, and the rest counted: ("Vat samen · Open vraag", " +3")."""
    return " · ".join(focus[:n]), (f" +{len(focus) - n}" if len(focus) > n else "")
