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

from pullcoach.rules.events import PROBLEM_CLOSES, PROBLEM_OPENS

__all__ = ["OverlayState", "ShownNudge", "alert_text", "backoff", "report_url", "FATAL_CLOSE_CODES"]

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
           "channel-stalled coachee": "Je microfoon levert geen audio meer",
           "channel-stalled partner": "Geen audio meer van de ander",
           "channels-same": "Beide kanalen horen hetzelfde",
           "channels-same one-input": "Eén ingang dubbel: kies ander apparaat",
           "channels-same acoustic": "Luidsprekers te hard: neem een headset",
           "asr-behind": "Transcriptie loopt achter",
           "language en": "Klinkt Engels: opnieuw met --lang en",
           "language nl": "Klinkt Nederlands: opnieuw met --lang nl",
           "session-resumed": "Server herstart: de coaching gaat door"},
    "en": {"no-sound coachee": "No sound from your mic: muted?",
           "no-sound partner": "No sound from the other side (device?)",
           "no-speech coachee": "No speech on your mic (device?)",
           "no-speech partner": "No speech from the other side (device?)",
           "channel-stalled coachee": "Your mic stopped sending audio",
           "channel-stalled partner": "No audio from the other side any more",
           "channels-same": "Both channels hear the same",
           "channels-same one-input": "One input twice: pick another device",
           "channels-same acoustic": "Speakers too loud: wear a headset",
           "asr-behind": "Transcription is behind",
           "language en": "Sounds English: restart with --lang en",
           "language nl": "Sounds Dutch: restart with --lang nl",
           "session-resumed": "Server restarted: coaching goes on"},
}


# on the overlay the other language also holds: it stays wrong until a new session
HOLDS = {**PROBLEM_OPENS, "language": "language"}


def alert_text(msg: dict, lang: str) -> str:
    """The coachee's short words for a warning that opens a problem."""
    kind, d = msg.get("kind"), msg.get("detail") or {}
    key = d.get("reason") if kind == "channel-silent" else f"language {d.get('heard')}" if kind == "language" else kind
    if d.get("speaker"):
        key = f"{key} {d['speaker']}"
    table = ALERTS.get(lang[:2], ALERTS["en"])
    # detail.cause: why both channels hear the same (old sessions do not say)
    return (table.get(f"{key} {d.get('cause')}") or table.get(key)
            or str(msg.get("message") or kind or "")[:80])


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
        self.nudge: ShownNudge | None = None
        self.listening = False
        self.watching = False
        self.ended = False
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
        if kind == "welcome":
            self.connected()
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
            self.listening = True
        elif kind == "session-ended":
            self.ended = True
            self.listening = False
            # a silent channel, ASR behind: problems of the live pipeline, over with it
            self.alerts.clear()
            self.problem = ""
        elif kind == "status":
            if msg.get("session") and self.session is None:
                self.session = str(msg["session"])
            self.listening = bool(msg.get("listening"))
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

    def focus_text(self) -> str:
        """The focus for the footer: two fit; more are counted ("Vat samen · Open vraag +3")."""
        more = f" +{len(self.focus) - 2}" if len(self.focus) > 2 else ""
        return " · ".join(self.focus[:2]) + more

    def _trainer_holds(self, kind: str, now: float) -> bool:
        """A trainer's nudge stays its whole time: an automatic one meanwhile is dropped
        (not queued: it would come late); another trainer nudge replaces it."""
        n = self.nudge
        return kind != "trainer" and n is not None and n.kind == "trainer" and n.opacity(now) > 0.0

    def _warning(self, msg: dict) -> None:
        """A problem that holds (a silent channel) shows until put right; others show once."""
        kind, speaker = msg.get("kind"), (msg.get("detail") or {}).get("speaker")
        if self.ended and kind in HOLDS:
            return  # the session is over: nothing live can go wrong any more
        if kind in PROBLEM_CLOSES:
            self.alerts.pop((PROBLEM_CLOSES[kind], speaker), None)
        elif kind in HOLDS:
            self.alerts[(HOLDS[kind], speaker)] = msg
        else:  # passing: shown once, in the coachee's words where there are some
            self.problem = alert_text(msg, self.lang)
            return
        self.problem = self._alert_line()

    def _alert_line(self) -> str:
        """The newest open problem, in the coachee's words; "" when none is open."""
        last = next(reversed(self.alerts.values()), None)
        return alert_text(last, self.lang) if last else ""

    def tick(self, now: float) -> None:
        """Drop a nudge whose time is over."""
        if self.nudge is not None and self.nudge.opacity(now) <= 0.0:
            self.nudge = None

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
