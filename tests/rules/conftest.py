"""Helpers: scripted conversations as engine events, in canonical order."""

from __future__ import annotations

import pytest

from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import (
    NudgeIssued, SessionEnded, SpeechEnded, SpeechStarted, Tick, TranscriptFinal,
)

RANK = {SpeechEnded: (1, 0), SpeechStarted: (1, 1), TranscriptFinal: (2, 0), Tick: (3, 0)}


def script_events(script, *, tick=0.1, lag=0.0):
    """``script``: (speaker, t0, t1, text) rows -> speech events, finals at t1 + lag, ticks."""
    evs = []
    for speaker, t0, t1, text in script:
        evs.append(SpeechStarted(t=t0, speaker=speaker))
        evs.append(SpeechEnded(t=t1, speaker=speaker))
        if text is not None:
            evs.append(TranscriptFinal(t=round(t1 + lag, 3), speaker=speaker, t0=t0, t1=t1, text=text))
    end = max(r[2] for r in script) + lag + 1.0
    evs += [Tick(t=round(i * tick, 3)) for i in range(int(end / tick) + 1)]
    return sorted(evs, key=lambda e: (e.t, *RANK[type(e)]))


def run(events, lang="nl", config=EngineConfig(plugins=False), **kw):
    engine = Engine(lang=lang, config=config, **kw)
    out = []
    for ev in events:
        out += engine.feed(ev)
    out += engine.feed(SessionEnded(t=events[-1].t + 0.1))
    return engine, out


def nudges(out, rule=None):
    return [n for n in out if isinstance(n, NudgeIssued) and (rule is None or n.rule == rule)]


@pytest.fixture
def h():
    """script / run / nudges helpers for the rule tests."""
    from types import SimpleNamespace
    return SimpleNamespace(script=script_events, run=run, nudges=nudges)
