"""A duty given back must give back the partner's duty, not share one word of it (English); a
warning told to the partner ("Drinking at night ruins your sleep.", "Roken is slecht voor je.") is
input, never a reflection, while the same words inside their view or said back still reflect
(see rules/README.md, *Duties given back, warnings told*)."""

import pytest

from pullcoach.rules.engine import Engine, EngineConfig

MOTHER = "I have to take care of my mother every evening."
LATE = "I have to work late every night."
JOB = ("Um, it sits about at a 10 because yeah, I mean, I'm the only one supporting my kids and, um, you know, "
       "it's just, what I'm getting from welfare is just not cutting it. So I really need to have a job and soon.")
KIDS = ("Well, yeah, because it's- it's, you know, I didn't really have a choice. I guess I have to be- I have to "
        "make sure my kids are taken care of first. And, um, you know, I'm worried that this is gonna keep happening.")
DRINK = "I have a few glasses of wine every night, it helps me wind down."
SMOKE = "I smoke about a pack a day, have done for years."


@pytest.fixture(scope="module")
def en():
    return Engine(lang="en", config=EngineConfig(plugins=False)).labeler


@pytest.fixture(scope="module")
def nl():
    return Engine(lang="nl", config=EngineConfig(plugins=False)).labeler


@pytest.mark.parametrize("prev,told,given_back", [
    (MOTHER, "You have to find a care home for her.", "You have to take care of her every evening."),  # "care"
    (MOTHER, "You have to find a carer for her.", "You have to look after your mum."),   # "carer" is no "care"
    (LATE, "You have to find work that ends at five.", "You have to work late every night."),
    (LATE, "You have to tell them you can't work late.", "So you have to work late, every night."),
    (JOB, "You have to find a job coach first.", "You have to find a job, and soon."),
    (JOB, "You have to put your kids in daycare.", "You have to provide for your children."),
    (KIDS, "You have to put your kids in daycare.",
     "It's gonna keep happening that you have to turn down opportunities."),
])
def test_a_duty_is_given_back_by_more_than_one_shared_word(en, prev, told, given_back):
    # the learned labels read both as reflections; what the duty's sentence says back decides
    x = en.label(told, (), prev)
    assert x.advice and x.push and not x.reflection
    y = en.label(given_back, (), prev)
    assert y.reflection and not y.advice and not y.push


@pytest.mark.parametrize("prev,warning,theirs", [
    (DRINK, "Drinking at night ruins your sleep.", "It sounds like you worry that drinking at night ruins your sleep."),
    (DRINK, "Alcohol is really bad for your liver.", "You feel the wine is bad for you."),
    (SMOKE, "Those cigarettes are killing you.", "You're worried the cigarettes are killing you."),
    (SMOKE, "Smoking raises your risk of a heart attack.", "You're afraid smoking raises your risk of a heart attack."),
    ("I know smoking is bad for me, everybody keeps telling me.", "Smoking is ruining your lungs.",
     "You know it's bad for you."),
])
def test_a_warning_told_is_input_and_no_reflection(en, prev, warning, theirs):
    x = en.label(warning, (), prev)
    assert x.input and not x.reflection
    assert en.label(theirs, (), prev).reflection  # their worry, their words: said back


@pytest.mark.parametrize("prev,warning,theirs", [
    ("Ik drink elke avond een paar glazen wijn.", "Drinken 's avonds verpest je slaap.",
     "Je bent bang dat drinken 's avonds je slaap verpest."),
    ("Ik rook een pakje per dag.", "Roken is slecht voor je.", "Je bent bang dat roken slecht voor je is."),
    ("Ik rook een pakje per dag.", "Als je zo doorgaat, beland je in het ziekenhuis.",
     "Je maakt je zorgen dat je in het ziekenhuis belandt."),
    ("Ik weet heus wel dat roken slecht voor me is.", "Van roken word je ziek.",
     "Je weet dat het slecht voor je is."),
])
def test_een_waarschuwing_is_input_en_geen_reflectie(nl, prev, warning, theirs):
    x = nl.label(warning, (), prev)
    assert x.input and not x.reflection
    assert nl.label(theirs, (), prev).reflection
