"""A trainer's focus in a live session: `--focus` at the start, and what the engine makes of it."""

from types import SimpleNamespace

import pytest

from pullcoach.cmd_replay import make_engine
from pullcoach.errors import ConfigError
from pullcoach.rules.events import FocusChanged, NudgeIssued, SpeechEnded, SpeechStarted, TranscriptFinal
from pullcoach.session import LiveSession


def said(session, t, text):
    session._dispatch(SpeechStarted(t=t, speaker="coachee"))
    session._dispatch(SpeechEnded(t=t + 3, speaker="coachee"))
    session._dispatch(TranscriptFinal(t=t + 3.5, speaker="coachee", t0=t, t1=t + 3, text=text))


def test_a_focus_from_the_start_is_told_to_the_clients_and_holds_the_other_rules():
    asr = SimpleNamespace(config=SimpleNamespace(workers=1))
    session = LiveSession(SimpleNamespace(), transcriber=asr, lang="nl",
                          engine=make_engine("nl", focus="too-few-summaries, interruption"))
    sent = []
    session.add_sink(lambda sid, e: sent.append(e))
    session._start()
    assert FocusChanged(t=0.0, rules=("too-few-summaries", "interruption"), by="start",
                        messages=("Vat samen", "Laat uitpraten")) in sent
    said(session, 2.0, "Je moet gewoon weer naar kantoor komen.")
    first = [e for e in sent if isinstance(e, NudgeIssued)]
    assert {e.rule for e in first} >= {"push-words", "righting-reflex"}
    assert all(not e.delivered and e.detail["held"] == "focus" for e in first)
    session.inject(FocusChanged(t=30.0, rules=()))  # the trainer lets every rule through again
    said(session, 70.0, "Je moet echt komen, dat moet gewoon.")
    later = [e for e in sent if isinstance(e, NudgeIssued)][len(first):]
    assert [e.rule for e in later if e.delivered] == ["righting-reflex"]  # the first in priority
    assert not any(e.detail.get("held") == "focus" for e in later)


def test_no_focus_no_event_and_a_wrong_rule_name_says_which_there_are():
    asr = SimpleNamespace(config=SimpleNamespace(workers=1))
    session = LiveSession(SimpleNamespace(), transcriber=asr, lang="nl", engine=make_engine("nl"))
    sent = []
    session.add_sink(lambda sid, e: sent.append(e))
    session._start()
    assert not [e for e in sent if isinstance(e, FocusChanged)]
    with pytest.raises(ConfigError, match="unknown rule.*samenvatten.*choose from.*too-few-summaries"):
        make_engine("nl", focus="samenvatten")
