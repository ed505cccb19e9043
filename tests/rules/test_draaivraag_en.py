"""The English draaivraag as people say it: "What could it bring us ...?" (the en_pull
fixture), and what it is not: what someone brings along, a scaling question."""

import json
from pathlib import Path

import pytest

from pullcoach.rules.labels import Labeler
from pullcoach.rules.pack import load_pack

FIXTURE = Path(__file__).parents[1] / "fixtures" / "audio" / "en_pull.json"


@pytest.fixture(scope="module")
def label():
    labeler = Labeler(load_pack("en"), model=None)
    return lambda text: labeler.label(text, ())


@pytest.mark.parametrize("text", [
    "What could it bring us if you were in the office more often?",
    "What would it bring us?", "What would that bring?", "What might it bring you?",
    "What would working from the office bring us?",
])
def test_the_turning_question_is_read(label, text):
    assert label(text).draaivraag


@pytest.mark.parametrize("text", [
    "What would you bring to the meeting?", "What could you bring to the table?",
    "What would it take to bring you back to the office?", "What brings you in today?",
])
def test_what_someone_brings_along_is_no_turning_question(label, text):
    assert not label(text).draaivraag


def test_the_en_pull_fixture_is_praised_for_its_turning_question(h):
    turns = json.loads(FIXTURE.read_text(encoding="utf-8"))["turns"]
    script = [(t["speaker"], round(t["start"], 2), round(t["end"], 2), t["text"]) for t in turns]
    _, out = h.run(h.script(script), lang="en")
    ask = next(t for t in turns if "What could it bring us" in t["text"])
    praise = h.nudges(out, "draaivraag")
    assert [round(n.evidence_t, 2) for n in praise] == [round(ask["start"], 2)]
    assert praise[0].delivered and praise[0].kind == "positive"
