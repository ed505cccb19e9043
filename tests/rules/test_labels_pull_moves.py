"""Coachee lines of the pull role-plays (tests/data/transcripts, roleplays_blind, the pull
fixtures) that the labels read wrong: a summary or reflection before the question or proposal
that follows it, a push word inside an open question, an English proposal or permission
question taken for an open one."""

import pytest

from pullcoach.rules.engine import Engine, EngineConfig


@pytest.fixture(scope="module")
def nl():
    labeler = Engine(lang="nl", config=EngineConfig(plugins=False)).labeler
    return lambda text, prev="": labeler.label(text, (), prev)


@pytest.fixture(scope="module")
def en():
    labeler = Engine(lang="en", config=EngineConfig(plugins=False)).labeler
    return lambda text, prev="": labeler.label(text, (), prev)


@pytest.mark.parametrize("text, prev, question", [
    # oplossing_pull_nl 4:30: the plan said back, then a scale question
    ("Dus donderdag koffie met Peter, en je kijkt of tijden bij de agenda passen. Hoe zeker ben "
     "je dat je die koffie gaat doen?", "Misschien voor de langere punten. Ik ga er even over nadenken.", "open"),
    # onco_nl_pull 3:36: the memo said back, then the proposal ("we" is the proposal's)
    ("Dus twee kantjes, met de kosten en wie wat beslist. Zullen we over twee weken weer even bellen?",
     "Een korte notitie, twee kantjes. Met de kosten en wie wat beslist.", "closed"),
])
def test_a_summary_then_a_question_is_both(nl, text, prev, question):
    lab = nl(text, prev)
    assert lab.reflection and lab.question == question
    assert not lab.input


def test_a_reflection_then_a_proposal_is_both(nl):
    # pull_afvallen 3:51: the pull route's last two steps in one turn
    lab = nl("Je bent het echt zat. Zullen we afspreken dat je het drie weken uitprobeert?",
             "Het is niet moeilijk, gewoon een portie extra koken. En ik ben het zo zat, dat moe zijn.")
    assert lab.reflection and lab.proposal and lab.question == "closed"
    # the proposal alone reflects nothing, and a laugh before a question for permission is no echo
    assert not nl("Zullen we afspreken dat je het drie weken uitprobeert?").reflection
    assert not nl("Haha. Mag ik een idee met je delen?", "Haha, ja, dat is waar.").reflection
    # a statement of one's own before the question still is one's own
    assert not nl("Dus ik heb het rooster al aangepast. Wat vind je ervan?").reflection


@pytest.mark.parametrize("text", [
    "Hoe zou een pilot eruit moeten zien waar jullie wel iets mee kunnen?",   # nego_nl_pull 2:25
    "Hoe zou zo'n samenwerking er voor jullie wel uit moeten zien?",          # onco_nl_pull 1:12
    "Wat zou er moeten gebeuren om het weer leuk te maken?",                  # dev2-106, gold: no push
])
def test_a_push_word_inside_an_open_question_does_not_push(nl, text):
    lab = nl(text)
    assert lab.question == "open" and not lab.push
    # one said before the open question still pushes
    assert nl("Je moet stoppen met snoepen. Wat denk je daarvan?").push


@pytest.mark.parametrize("text, prev", [
    ("How about we book the quiet room for you for a few hours a day?", "No."),      # en_pull 0:55
    ("How about we book the quiet room for you for a few hours a day?", "Yeah, I guess so."),
    ("How about we sit down with Lisa together and look at the migration?",          # feedback_pull_en 4:05
     "If I could hand off part of the migration. And the finance slot again."),
    ("Can I share what I'm seeing from my side?", "And the finance slot again."),
])
def test_an_english_proposal_or_permission_asks_yes_or_no(en, text, prev):
    lab = en(text, prev)
    assert lab.question == "closed" and (lab.proposal or lab.permission)
    # open questions stay open
    assert en("What would be a first small step?", prev).question == "open"
    assert en("How about the evenings, what are they like?", prev).question == "open"


def test_the_rest_of_a_summary_heard_as_a_piece_of_its_own_reflects():
    # nl_pull_mb as Whisper base heard it: "Dus jij zegt: twee dagen kan, ..." came as two
    # finals, the partner's "ja" before them as "Kalem"
    labeler = Engine(lang="nl", config=EngineConfig(plugins=False)).labeler
    lab = labeler.label("Twee dagen kan als er een rustige lekk is.", (), "Kalem", turn="dat jij zegt")
    assert lab.reflection and not lab.input
    # one's own plan after it is no reflection, nor is the piece without the summary before it
    assert not labeler.label("Ik wil dat je twee dagen komt.", (), "Kalem", turn="dat jij zegt").reflection
    assert not labeler.label("Twee dagen kan als er een rustige lekk is.", (), "Kalem").reflection
