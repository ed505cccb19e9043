"""An argument stack's moment marks its arguments only. A late-firing stack marked every
coachee line up to the firing: the NL push role-play's "Heb je wel eens geprobeerd …?" (a
question, which ends a stack) and the EN one's "Yeah." were bold as arguments."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report_data import build
from pullcoach.rules.events import NudgeIssued

ARG = {"question": None, "input": True, "arguments": 1}
# fired late (ASR behind): after the question the coachee asked and the partner's reply
STACK = NudgeIssued(t=30.4, rule="argument-stacking", message="Stop: stel een vraag", evidence_t=9.0,
                    detail={"arguments": 3, "late_s": 7.6})


def marked(extra: tuple) -> list[str]:
    events = scripted([("coachee", 9.0, 13.0, "Op kantoor werk je beter samen.", ARG),
                       ("partner", 13.5, 14.0, "Hm.", {}),
                       ("coachee", 14.4, 16.0, "Bovendien missen we de korte lijnen.", ARG),
                       ("partner", 17.0, 19.0, "Thuis concentreer ik me beter.", {}),
                       ("coachee", 19.4, 22.8, "Het is ook gewoon beleid.", ARG),
                       ("partner", 23.4, 27.0, "Maar ik haal mijn doelen.", {}),
                       extra,
                       ("partner", 34.0, 39.0, "Dat heb ik geprobeerd.", {})], [STACK])
    (m,) = build(events)["moments"]
    return [u["text"] for u in m["around"] if u.get("hit")]


def test_a_question_after_the_stack_is_not_marked_as_an_argument():
    # the NL push: the question carries information too (``input``), but a question ends a stack
    asked = ("coachee", 27.7, 32.8, "Heb je wel eens geprobeerd om eerder te vertrekken?",
             {"question": "closed", "input": True})
    assert marked(asked) == ["Op kantoor werk je beter samen.", "Bovendien missen we de korte lijnen.",
                             "Het is ook gewoon beleid."]


def test_a_backchannel_after_the_stack_is_not_marked():
    yeah = ("coachee", 27.2, 27.5, "Yeah.", {"backchannel": True})
    assert "Yeah." not in marked(yeah)
    assert len(marked(yeah)) == 3
