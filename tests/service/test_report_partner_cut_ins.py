"""The interruptions card's "by partner" counts the partner's cut-ins, not every resistance
cue: the cue also fires on "yes but" and on discord said in its own turn ("I don't like
being told what to do"), and a partner who never talked over the coachee read "by partner: 4"."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report_data import build
from pullcoach.rules.events import NudgeIssued


def cue(t: float, by: str) -> NudgeIssued:
    return NudgeIssued(t=t, rule="interrupted", message="Weerstand: vraag door", kind="cue",
                       speaker="partner", evidence_t=t - 1, detail={"by": by})


def test_only_the_partners_overlaps_count_as_their_interruptions():
    lines = [("coachee", 1.0, 5.0, "Je moet echt naar kantoor komen.", {"push": True}),
             ("partner", 5.5, 9.0, "Ja maar daar heb ik geen zin in.", {}),
             ("coachee", 10.0, 14.0, "Het team heeft je nodig.", {"input": True}),
             ("partner", 13.0, 18.0, "Nee, ik wil gewoon thuis werken.", {})]
    events = scripted(lines, [cue(9.6, "text"), cue(13.6, "overlap")], end=61.0)
    assert build(events)["figures"]["interruptions"]["by_partner"] == 1
