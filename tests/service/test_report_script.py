"""A scripted Dutch push-then-pull role-play as events, for the report tests."""

from __future__ import annotations

from pullcoach.rules.events import (
    Bookmarked, MetricsUpdated, NudgeIssued, SessionEnded, SessionStarted, SpeechEnded,
    SpeechStarted, TranscriptFinal, UtteranceLabeled,
)

WALL = 1_760_000_000.0

# (speaker, t0, t1, text, labels)
LINES = [
    ("coachee", 1.0, 9.0, "We moeten echt terug naar kantoor, want samenwerken gaat daar beter.",
     {"question": None, "reflection": False, "input": True, "push": True, "arguments": 1}),
    ("partner", 9.5, 16.0, "Ik werk thuis juist veel geconcentreerder.", {"question": None}),
    ("coachee", 15.0, 26.0, "Ja maar bovendien is het ook gezelliger, en daarnaast zie je elkaar.",
     {"question": None, "reflection": False, "input": True, "arguments": 3}),
    ("partner", 26.5, 31.0, "Ja maar dat is toch niet aan mij?", {"question": "closed"}),
    ("coachee", 31.5, 36.0, "Heb je dat al eens geprobeerd?", {"question": "closed"}),
    ("partner", 36.5, 44.0, "Nee. <script>alert('x')</script> Ik heb geen zin in files.",
     {"question": None}),
    ("coachee", 45.0, 48.0, "Wat maakt thuiswerken voor jou zo waardevol?", {"question": "open"}),
    ("partner", 48.5, 62.0, "Ik heb rust, ik hoef niet te reizen en ik zie mijn kinderen.",
     {"question": None}),
    ("coachee", 62.5, 67.0, "Als ik je goed begrijp gaat het om rust en tijd.",
     {"question": None, "reflection": True}),
    ("partner", 67.5, 71.0, "Ja, precies.", {"question": None, "backchannel": False}),
    ("coachee", 71.5, 75.0, "Wat zouden de voordelen kunnen zijn van een dag op kantoor?",
     {"question": "open", "draaivraag": True}),
    ("partner", 75.5, 84.0, "Misschien dat ik collega's weer eens spreek.", {"question": None}),
    ("coachee", 84.5, 88.0, "Dus contact met collega's telt ook voor je.",
     {"question": None, "reflection": True}),
    ("coachee", 88.5, 92.0, "Is het een idee dat we dinsdag samen op kantoor zijn?",
     {"question": "closed", "proposal": True}),
    ("partner", 92.5, 95.0, "Dat is goed.", {"question": None}),
]

NUDGES = [
    NudgeIssued(t=12.0, rule="push-words", message="Moeten?", evidence_t=1.0),
    NudgeIssued(t=15.6, rule="interruption", message="Laat uitpraten", evidence_t=15.0,
                detail={"class": "competitive"}),
    NudgeIssued(t=24.0, rule="argument-stacking", message="Stop: stel een vraag",
                evidence_t=15.0, delivered=False),
    NudgeIssued(t=67.2, rule="good-summary", message="✓ Samenvatting", kind="positive",
                evidence_t=62.5),
    NudgeIssued(t=75.2, rule="draaivraag", message="✓ Draaivraag", kind="positive",
                evidence_t=71.5),
]


def session_events(*, ended: bool = True, lang: str = "nl") -> list:
    events: list = [SessionStarted(session="rollenspel-1", lang=lang, wall_clock=WALL,
                                   coachee="Anna", partner="Bert")]
    timed: list = []
    for speaker, t0, t1, text, labels in LINES:
        timed.append(SpeechStarted(t=t0, speaker=speaker))
        timed.append(SpeechEnded(t=t1, speaker=speaker))
        timed.append(TranscriptFinal(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text))
        timed.append(UtteranceLabeled(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text,
                                      labels=labels))
    timed += NUDGES
    timed.append(Bookmarked(t=70.0, note="Hier kantelt het gesprek", by="trainer"))
    timed.append(MetricsUpdated(t=90.0, metrics={"talk_share": 0.5}))
    events += sorted(timed, key=lambda e: e.t)
    if ended:
        events.append(SessionEnded(t=96.0, reason="ended"))
    return events
