"""What is said back and what is not: brush-offs that pass for reflections, and duties given back
that pass for advice (found walking `pullcoach analyze` over the nego_* role-plays and AnnoMI's
high-quality nudges; see rules/README.md)."""

import json
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.rules.engine import Engine, EngineConfig

DATA = Path(__file__).parent.parent / "data" / "transcripts"
ARGUED = ("Yeah, but this one is really different, because we already have data from an earlier study. "
          "Besides, it's cheaper than a hospital admission, and on top of that patients are also much happier.")
REPEATED = ("Two hundred and fifty thousand. So, uh, one twenty-five for you. That's really not much compared "
            "to the savings, because every readmission you prevent already saves six thousand euros, and also the")
HERHAALD = ("Tweehonderdvijftigduizend. Dus, eh, honderdvijfentwintig voor jullie. Dat is echt weinig als je het "
            "afzet tegen de besparing, want elke heropname die je voorkomt scheelt al zesduizend euro, en ook de")
JOB = ("Um, it sits about at a 10 because yeah, I mean, I'm the only one supporting my kids and, um, you know, "
       "it's just, what I'm getting from welfare is just not cutting it. So I really need to have a job and soon.")
KIDS = ("Well, yeah, because it's- it's, you know, I didn't really have a choice. I guess I have to be- I have to "
        "make sure my kids are taken care of first. And, um, you know, I'm worried that this is gonna keep happening.")


@pytest.fixture(scope="module")
def en():
    return Engine(lang="en", config=EngineConfig(plugins=False)).labeler


@pytest.fixture(scope="module")
def nl():
    return Engine(lang="nl", config=EngineConfig(plugins=False)).labeler


@pytest.mark.parametrize("prev,text", [
    (ARGUED, "Hm. Yeah. I hear that a lot, to be honest."),
    (ARGUED, "We hear that all the time."),
    (ARGUED, "Hm. I've heard that before, honestly."),
    (REPEATED, "Yeah, yeah, you said that already."),
    (REPEATED, "You already told me that."),
])
def test_a_brush_off_is_no_reflection_in_english(en, prev, text):
    x = en.label(text, (), prev)
    assert not x.reflection and x.input


@pytest.mark.parametrize("text", ["Ja, ja, dat heb je al gezegd.", "Dat heb je net al gezegd.", "Ja, dat zei je al.",
                                  "Hm. Dat hoor ik eerlijk gezegd wel vaker."])
def test_a_brush_off_is_no_reflection_in_dutch(nl, text):
    x = nl.label(text, (), HERHAALD)
    assert not x.reflection and x.input


def test_their_words_said_back_still_reflect(en, nl):
    assert en.label("You said you always have to ring them yourself.", (),
                    "I'm the one who always has to ring them.").reflection
    assert nl.label("Je zegt dat je altijd zelf moet bellen.", (), "Ik moet altijd zelf bellen.").reflection


def _analyze(capsys, name, *extra):
    assert main(["analyze", str(DATA / name), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_insurer_brushing_off_earns_no_summary_praise(capsys):
    out = _analyze(capsys, "nego_en_push.jsonl", "--coachee", "Mark", "--lang", "en")
    said = {u["text"]: u["labels"] for u in out["utterances"] if u["name"] == "Mark"}
    assert not said["Hm. Yeah. I hear that a lot, to be honest."]["reflection"]
    assert not said["Yeah, yeah, you said that already."]["reflection"]
    assert 42.9 not in [n["evidence_t"] for n in out["nudges"] if n["rule"] == "good-summary"]


def test_de_verzekeraar_die_afwimpelt_reflecteert_niet(capsys):
    out = _analyze(capsys, "nego_nl_push.jsonl", "--coachee", "Henk")
    said = {u["text"]: u["labels"] for u in out["utterances"] if u["name"] == "Henk"}
    assert not said["Ja, ja, dat heb je al gezegd."]["reflection"]


@pytest.mark.parametrize("prev,text", [
    (JOB, "You have to provide for your children."),
    (JOB, "You have to look after your kids."),
    (KIDS, "It's gonna keep happening that you have to turn down opportunities."),
    ("I have to work late every night.", "You have to work late every night."),
    ("I have to take care of my mother every evening.", "You have to look after your mum."),
    ("I have to take care of my mother every evening.", "You have to take care of her so that she is safe."),
])
def test_their_own_duty_said_back_is_no_advice_nor_push(en, prev, text):
    x = en.label(text, (), prev)
    assert x.reflection and not x.advice and not x.push and x.advice_p == 0.0


@pytest.mark.parametrize("prev,text", [
    ("I need to lose weight, I know.", "You need to start exercising."),   # a duty of one's own
    ("I have to finish this report first.", "You have to come to the meeting."),
    ("Do I have to come in?", "You have to provide for your children."),   # they asked, told no duty
    (JOB, "You have to provide for your children. Why don't you call the job centre?"),
])
def test_a_duty_of_ones_own_still_advises_and_pushes(en, prev, text):
    x = en.label(text, (), prev)
    assert x.advice and x.push and not x.reflection


def test_arguing_back_after_their_own_duty_still_pushes(en):
    x = en.label("Yeah, but that's exactly why it's a pilot. You guys just have to be brave, otherwise nothing "
                 "ever gets off the ground.", (), "We have to justify it to the regulator and, uh, to our "
                 "members, and, uh, if we pay for something that turns out not to work, then")
    assert x.push and not x.reflection


@pytest.mark.parametrize("text", ["Okay, and allow you to afford everything you need to afford.",
                                  "So you can buy anything you need to buy.",
                                  "And there's nothing you have to decide today."])
def test_a_duty_in_a_clause_about_a_thing_is_no_advice(en, text):
    x = en.label(text, (), "Mm-hmm.")
    assert not x.advice and not x.push


def test_a_new_sentence_after_such_a_word_still_advises(en):
    x = en.label("Moving classes isn't going to fix anything. You need to back us up at home.", (),
                 "I want her moved to another class.")
    assert x.advice and x.push


@pytest.mark.parametrize("turn,text", [
    ("Let me see if I've got this right, the money matters,", "and you need to provide for your kids."),
    ("It sounds like the money matters,", "and you have to take care of your kids."),
    ("", "Let me see if I've got this right, the money matters, and you need to provide for your kids."),
])
def test_a_summary_goes_on_giving_back_their_duty(en, turn, text):
    x = en.label(text, (), "The money matters, and I've got the kids.", turn=turn)
    assert not x.advice and not x.push


@pytest.mark.parametrize("turn,text", [
    ("Let me see if I've got this right, the money matters.", "And you need to provide for your kids."),
    ("So you want to keep working from home,", "but you have to be in the office three days."),
    ("", "So far you've told me the money matters. You need to apply today."),
])
def test_after_the_summary_ends_a_duty_is_told(en, turn, text):
    x = en.label(text, (), "The money matters, and I've got the kids.", turn=turn)
    assert x.advice and x.push


def test_the_counsellor_saying_back_the_clients_duty_is_not_nudged(capsys, tmp_path):
    rows = [("Client", 64.0, 80.0, JOB), ("Coach", 81.0, 82.5, "Yeah. You're-you're-you're it."),
            ("Client", 83.0, 83.5, "Yeah."), ("Coach", 84.0, 86.0, "You have to provide for your children.")]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(dict(zip(("speaker", "start", "end", "text"), r))) + "\n" for r in rows))
    assert main(["analyze", str(path), "--coachee", "Coach", "--lang", "en", "--format", "json"]) == 0
    rules = {n["rule"] for n in json.loads(capsys.readouterr().out)["nudges"]}
    assert not rules & {"righting-reflex", "push-words"}


@pytest.mark.parametrize("prev,text", [
    ("I have to work late every night.", "You have to say no to your boss."),   # a new verb and object
    ("I have to work late every night.", "You need to talk to your manager about it."),
    ("I have to take care of my mother every evening.", "You have to get some help with that."),
    # their duty wrapped in a new one: the words before the nested clause are all new
    ("I have to take care of my mother every evening.", "You have to find someone to take care of her."),
    ("I have to take care of my mother every evening.", "You need to find someone who can take care of her."),
    # a new duty that shares words before its nested clause: "care" of "care home" is no "take care"
    ("I have to take care of my mother every evening.", "You have to take her to a care home to be looked after."),
    ("I have to take care of my mother every evening.", "You have to take her to a care home so she is looked after."),
    ("I have to take care of my mother every evening.", "You have to take her to a care home that looks after her."),
])
def test_a_new_duty_after_their_own_is_told(en, prev, text):
    # the learned labels are as sure of a reflection (0.98 the encoder) as for a duty given back
    x = en.label(text, (), prev)
    assert x.advice and x.push and not x.reflection

