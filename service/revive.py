"""Going on with a session after the server restarted.

A server that dies mid-session leaves the session's events in the store (marked
``interrupted`` when the store is next opened). When that session's capture reconnects,
the new server revives it from those events:

- the rule engine is fed the stored inputs again; it is deterministic, so it reaches the
  state it had (cooldowns, budget, the time since the last summary, the talk share);
- speech that was open at the last stored moment is closed there (its words are lost:
  the old server had not transcribed them yet);
- the pipeline goes on from that moment on the same clock, and the capture resends the
  audio the old server may not have had.

Everything stored stays; the session gets one report. A session whose capture had stopped
before the server did (``capture_stopped``: its coachee's, or a stereo, file broke off) has
nothing to go on with: the restarted server ends it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pullcoach.rules.events import (
    MetricsUpdated, NudgeIssued, NudgeWithdrawn, PipelineWarning, SessionEnded, SessionStarted,
    RULE_OFF, SpeechEnded, SpeechStarted, UtteranceLabeled,
)

__all__ = ["Resume", "resume_point", "engine_input", "prime", "capture_stopped"]


def engine_input(event) -> bool:
    """Was this stored event fed to the engine (not made by it)?"""
    if isinstance(event, (UtteranceLabeled, MetricsUpdated, NudgeWithdrawn)):
        return False
    if isinstance(event, NudgeIssued):
        return event.kind == "trainer"  # a trainer's nudge came in from outside
    if isinstance(event, PipelineWarning):
        return event.kind not in ("rules-error", RULE_OFF)  # the engine makes rule-off itself
    return True


@dataclass
class Resume:
    t: float                         # the audio time the stored session reaches
    started_wall: float | None       # wall clock of audio time 0
    open: tuple[str, ...] = ()       # speakers whose speech was open at ``t``
    inputs: list = field(default_factory=list, repr=False)  # what the engine was fed


def resume_point(events: list) -> Resume:
    """Where a stored (interrupted) session stands."""
    inputs = [e for e in events if engine_input(e)]
    if any(isinstance(e, SessionEnded) for e in inputs):
        raise ValueError("the session has ended")
    started = next((e for e in inputs if isinstance(e, SessionStarted)), None)
    speaking: dict[str, bool] = {}
    t = 0.0
    for e in inputs:
        t = max(t, float(getattr(e, "t", 0.0) or 0.0))
        if isinstance(e, SpeechStarted):
            speaking[e.speaker] = True
        elif isinstance(e, SpeechEnded):
            speaking[e.speaker] = False
    return Resume(t=round(t, 3), started_wall=started.wall_clock if started else None,
                  open=tuple(s for s, on in speaking.items() if on), inputs=inputs)


def prime(engine, inputs: list) -> int:
    """Feed the stored inputs to a fresh engine, dropping what it makes (already stored).
    Returns how many events it made."""
    made = 0
    for e in inputs:
        made += len(engine.feed(e))
    return made


def capture_stopped(events: list) -> PipelineWarning | None:
    """The stored warning that says the session's capture stopped (the coachee's file, or a
    stereo one, broke off: ``audio_file.file_broken``), or None. A partner's file that broke
    off leaves the coachee's side going on."""
    return next((e for e in events if isinstance(e, PipelineWarning) and e.kind == "channel-stalled"
                 and (e.detail or {}).get("cause") == "file-broken"
                 and (e.detail or {}).get("speaker") == "coachee"), None)
