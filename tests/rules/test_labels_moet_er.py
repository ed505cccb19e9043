"""Dutch pressure without "je" in the "moet er" word order ("Daarom moet er nu iets gebeuren."):
"moeten" is the push word (seed 002, COACHING.md), also when "er" is its subject after the verb."""

import json
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.rules.engine import Engine, EngineConfig

BLIND = Path(__file__).parent.parent / "data" / "roleplays_blind"


@pytest.fixture(scope="module")
def nl():
    labeler = Engine(lang="nl", config=EngineConfig(plugins=False)).labeler
    return lambda text, prev="": labeler.label(text, (), prev)


@pytest.mark.parametrize("text", [
    "Daarom moet er nu iets gebeuren.",
    "Dan moeten er gewoon meer mensen komen.",
    "Nee, daarom moet er nu iets gebeuren.",
    "Ik snap het, maar daarom moet er nu iets gebeuren.",
    "Er moet echt iets veranderen.",
])
def test_moet_er_with_er_as_its_subject_pushes(nl, text):
    assert nl(text, "Ik weet niet of ik dat wil.").push


@pytest.mark.parametrize("text,prev", [
    ("Ik moet er even over nadenken.", ""),    # "er" is no subject: "ik" is
    ("Ik moet er echt over nadenken.", ""),
    ("Moet er iets veranderen?", ""),          # a question
    ("Moet er echt iets veranderen", ""),      # asked by its word order, no "?" written
    ("Wat moet er gebeuren?", ""),
    ("Daarom moet er nu iets gebeuren.",       # the partner's words said back
     "Het gaat zo niet langer, daarom moet er nu iets gebeuren."),
])
def test_moet_er_that_asks_has_another_subject_or_says_back_does_not_push(nl, text, prev):
    assert not nl(text, prev).push


def test_the_push_consulent_pushes_in_the_role_play(capsys):
    assert main(["analyze", str(BLIND / "push_mantelzorg_broer.jsonl"), "--coachee", "Consulent",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [u] = [u for u in out["utterances"] if "Daarom moet er nu iets gebeuren" in u["text"]]
    assert u["labels"]["push"] and not u["labels"]["reflection"]
