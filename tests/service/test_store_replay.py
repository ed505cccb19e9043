"""A stored log replayed through the rule engine gives the same nudges as it did live."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import LINES  # noqa: E402

from pullcoach.rules.events import (
    MetricsUpdated, NudgeIssued, SessionEnded, SessionStarted, SpeechEnded, SpeechStarted,
    Tick, TranscriptFinal, UtteranceLabeled,
)
from pullcoach.store import Store

engine_mod = pytest.importorskip("pullcoach.rules.engine")

OUTPUTS = (NudgeIssued, UtteranceLabeled, MetricsUpdated)


def _pipeline_events() -> list:
    """What the pipeline would emit for the scripted session: speech, finals, ticks."""
    timed: list = []
    for speaker, t0, t1, text, _ in LINES:
        timed += [SpeechStarted(t=t0, speaker=speaker), SpeechEnded(t=t1, speaker=speaker),
                  TranscriptFinal(t=t1 + 0.6, speaker=speaker, t0=t0, t1=t1, text=text)]
    timed += [Tick(t=float(t)) for t in range(0, 97)]
    return ([SessionStarted(session="live", lang="nl")] + sorted(timed, key=lambda e: e.t)
            + [SessionEnded(t=97.0)])


def test_replaying_the_stored_log_gives_the_same_nudges(tmp_path):
    live = engine_mod.Engine("nl")
    with Store(tmp_path) as store:
        for e in _pipeline_events():  # as LiveSession does: the event, then the engine's outputs
            store.append("live", e)
            for out in live.feed(e):
                store.append("live", out)
        stored = store.events("live")
    live_nudges = [e for e in stored if isinstance(e, NudgeIssued)]
    assert live_nudges, "the scripted push opening should draw at least one nudge"

    again = engine_mod.Engine("nl")
    replayed = []
    for e in stored:
        if not isinstance(e, OUTPUTS):
            replayed += [o for o in again.feed(e) if isinstance(o, NudgeIssued)]
    assert replayed == live_nudges
