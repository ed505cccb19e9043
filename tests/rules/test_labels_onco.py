"""The seed's third scenario (001: a researcher who wants AI to choose oncology treatments, and an
insurer who fears losing its say): a Dutch push and pull negotiation role-play
(tests/data/transcripts/onco_nl_*.jsonl, Andrea the coachee), walked with `pullcoach analyze`.
The push one must be flagged where a trainer would flag it, the pull one never."""

import json
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.rules.engine import Engine, EngineConfig

DATA = Path(__file__).parent.parent / "data" / "transcripts"


@pytest.fixture(scope="module")
def nl():
    return Engine(lang="nl", config=EngineConfig(plugins=False)).labeler


def _analyze(capsys, name):
    assert main(["analyze", str(DATA / name), "--coachee", "Andrea", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("prev,text", [
    ("De onderzoekers bepaalden alles, de uitkomstmaten, de publicaties, alles.",
     "Jullie betaalden mee, maar hadden uiteindelijk geen invloed."),
    ("Wij willen zelf blijven bepalen wat we vergoeden.", "Voor jullie is die zeggenschap het belangrijkste."),
    ("En de specialisten zitten er ook niet altijd op te wachten.",
     "Dus je hebt al heel wat voorstellen voorbij zien komen, en de meeste vielen in de praktijk tegen."),
])
def test_said_back_to_an_organisation_or_after_dus_reflects(nl, prev, text):
    x = nl.label(text, (), prev)
    assert x.reflection and not x.input


def test_jullie_still_pushes_and_advises(nl):
    x = nl.label("Jullie moeten alleen het model laten meedraaien in de pilot.", (), "Wij willen zelf beslissen.")
    assert x.push and x.advice and not x.reflection
    x = nl.label("Kijk, als ik jullie was, zou ik nu instappen, anders lopen jullie straks achter.", (), "Hm.")
    assert x.advice and not x.reflection


@pytest.mark.parametrize("text", [
    "Voordat ik iets over ons project vertel, ben ik eigenlijk benieuwd hoe jullie nu aankijken tegen beslisondersteuning.",
    "Voordat we beginnen, vraag ik me af wat jij zelf wilt bereiken.",
])
def test_an_open_request_after_a_lead_in_is_an_open_question(nl, text):
    assert nl.label(text, (), "Je wilde het over een pilot hebben?").question == "open"


def test_the_push_researcher_is_flagged_as_a_trainer_would(capsys):
    out = _analyze(capsys, "onco_nl_push.jsonl")
    rules = {n["rule"] for n in out["nudges"] if n["kind"] == "negative"}
    assert {"argument-stacking", "push-words", "proposal-with-argument", "closed-questions",
            "righting-reflex", "interruption", "too-few-summaries"} <= rules
    said = {u["text"]: u["labels"] for u in out["utterances"] if u["name"] == "Andrea"}
    assert not any(x["reflection"] for x in said.values())
    # "als ik jullie was" is unasked advice: the righting reflex, told at once
    jullie = next(t for t in said if t.startswith("Kijk, als ik jullie was"))
    assert said[jullie]["advice"]
    assert any(n["rule"] == "righting-reflex" and 108 < n["evidence_t"] < 116 for n in out["nudges"])


def test_the_pull_researcher_gets_no_negative_nudge_and_her_summaries_count(capsys):
    out = _analyze(capsys, "onco_nl_pull.jsonl")
    assert [n for n in out["nudges"] if n["kind"] == "negative"] == []
    said = {u["text"]: u["labels"] for u in out["utterances"] if u["name"] == "Andrea"}
    assert said["Jullie betaalden mee, maar hadden uiteindelijk geen invloed."]["reflection"]
    opener = next(t for t in said if "benieuwd" in t)
    assert said[opener]["question"] == "open" and not said[opener]["input"]
    praised = [n for n in out["nudges"] if n["rule"] == "good-summary"]
    assert len(praised) >= 6
