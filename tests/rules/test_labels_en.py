"""English labels a counsellor's trainer reads: the learned labeller with the English pack.

Role-play: a counsellor and a client who "just wants to be left alone"
(tests/data/transcripts/alone_en_*.jsonl, written for these tests, pull and push)."""

import json
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.rules.engine import Engine, EngineConfig

DATA = Path(__file__).parent.parent / "data" / "transcripts"
# what the client said before: the learned labels read it, the question's kind must not hang on it
CLIENT = ["Maybe a four.", "A four, I suppose.", "Three. Maybe.", "Honestly? Pretty low. A two.",
          "I don't know. Somewhere in the middle.", "I just want to be left alone."]


@pytest.fixture(scope="module")
def label():
    labeler = Engine(lang="en", config=EngineConfig(plugins=False)).labeler
    return lambda text, prev="": labeler.label(text, (), prev)


@pytest.mark.parametrize("prev", CLIENT)
@pytest.mark.parametrize("text", [
    "When has it gone better for you?",            # past success (seed 004)
    "When have you managed it before?",
    "When did it go better for you?",
    "On a scale of 1 to 10, how important is it to you?",
    "On a scale of 1 to 10, how confident are you?",
    "How important is it to you, on a scale of 1 to 10?",
    "What would a seven look like?",
])
def test_when_and_scale_questions_are_open_whatever_the_client_said(label, text, prev):
    assert label(text, prev).question == "open"


@pytest.mark.parametrize("prev", CLIENT)
def test_a_scale_after_a_yes_no_question_does_not_open_it(label, prev):
    assert label("Is it important to you to stay healthy? On a scale of 1 to 10?", prev).question == "closed"


@pytest.mark.parametrize("prev", CLIENT)
@pytest.mark.parametrize("text", ["How many cigarettes a day?", "How often do you see your daughter?",
                                  "How long have you lived on your own?", "How old were you when you started?"])
def test_a_question_for_a_number_or_a_time_is_closed_as_in_dutch(label, text, prev):
    assert label(text, prev).question == "closed"
    # an open question first keeps it open; "how" alone asks openly
    assert label(f"What helps you most? {text}", prev).question == "open"
    assert label("How do you spend your days?", prev).question == "open"


def test_a_lone_open_question_tells_nothing(label):
    x = label("What would be a first small step?", "That's right.")
    assert x.question == "open" and not x.input
    # told before the question, it still informs
    assert label("Some people find that a weekly thing with a job to do, like a repair cafe, is easier than "
                 "a social club. It's up to you whether that fits. What do you think?", "Go on then.").input


def test_the_reasons_in_a_summary_are_the_clients(label):
    x = label("Let me see if I've got this right. You like your own company and you're tired of being "
              "pushed, and the club worked because there was a job to do and nobody made a fuss. "
              "Did I get that right?", "Nobody made a fuss. There was always something to do.")
    assert x.reflection and x.arguments == 0 and not x.input


def analyze(capsys, style):
    assert main(["analyze", str(DATA / f"alone_en_{style}.jsonl"), "--coachee", "Anna", "--lang", "en",
                 "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_pull_counsellor_gets_no_negative_nudge_and_praise_for_the_summary(capsys):
    out = analyze(capsys, "pull")
    assert [n["rule"] for n in out["nudges"] if n["kind"] == "negative"] == []
    praised = [n["evidence_t"] for n in out["nudges"] if n["rule"] == "good-summary"]
    assert 91.7 in praised  # "Let me see if I've got this right. ... the club worked because ..."
    assert "draaivraag" in {n["rule"] for n in out["nudges"]}
    kinds = {u["text"]: u["labels"]["question"] for u in out["utterances"] if u["name"] == "Anna"}
    assert kinds["When has it gone better for you, being around other people?"] == "open"
    assert kinds["On a scale of 1 to 10, how important is it to you to have some company now and then?"] == "open"


def test_the_push_counsellor_is_flagged_and_not_praised(capsys):
    out = analyze(capsys, "push")
    negative = {n["rule"] for n in out["nudges"] if n["kind"] == "negative"}
    assert {"interruption", "argument-stacking", "push-words", "closed-questions", "righting-reflex"} <= negative
    # "Is it important to you to stay healthy? On a scale of 1 to 10?" after "Whatever you say."
    assert "open-question-after-resistance" not in {n["rule"] for n in out["nudges"]}


@pytest.mark.parametrize("text", ["Why don't you try the repair cafe?", "Have you tried going to the library?",
                                  "Wouldn't it be better to go out once a week?",
                                  "Have you tried booking one of the quiet rooms? Honestly, they're great."])
def test_a_suggestion_put_as_a_question_is_closed_advice(label, text):
    x = label(text, "I don't want to go to some club, if that's what you're after.")
    assert x.question == "closed" and x.advice and not x.advice_asked and not x.reflection


@pytest.mark.parametrize("text", ["Have you tried anything in the past that helped, even a little?",
                                  "Have you tried to stop before?"])
def test_asking_what_they_tried_before_is_no_advice(label, text):
    assert not label(text, "I just want to be left alone.").advice


def test_a_suggestion_after_resistance_earns_no_praise(capsys, tmp_path):
    rows = [("Anna", 0.5, 3.0, "How are things at home?"),
            ("Tom", 3.5, 8.0, "I don't want to go to some club, if that's what you're after."),
            ("Anna", 8.5, 11.0, "Why don't you try the repair cafe?")]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(dict(zip(("speaker", "start", "end", "text"), r))) + "\n" for r in rows))
    assert main(["analyze", str(path), "--coachee", "Anna", "--lang", "en", "--format", "json"]) == 0
    rules = [n["rule"] for n in json.loads(capsys.readouterr().out)["nudges"]]
    assert "righting-reflex" in rules and "open-question-after-resistance" not in rules


@pytest.mark.parametrize("text,told", [
    ("Research shows that drinking at night ruins your sleep.", True),
    ("Studies say that smoking doubles your risk of a stroke.", True),
    ("The fact is, you can't keep going like this.", True),
    ("Okay. Studies have shown that people who exercise sleep better.", True),
    ("So you feel the research shows it's bad for you.", False),  # their view of it: said back
])
@pytest.mark.parametrize("prev", ["I have a few drinks before bed, it helps me sleep.", ""])
def test_an_appeal_to_proof_informs_it_does_not_reflect(label, text, told, prev):
    # a warning or information in the speaker's own voice: input, whatever the learned labels say
    x = label(text, prev)
    assert (x.input and not x.reflection) if told else (x.reflection and not x.input)


@pytest.mark.parametrize("text", [
    # Whisper's run-on: the suggestion-question comes after commas, not at a sentence start
    "Most fail is not enough, you have to take one every day, no exceptions, why don't you put "
    "the pills next to your toothbrush?",
    "OK, no, why not just try the group once?",
])
def test_a_suggestion_question_after_commas_is_advice_not_an_open_question(label, text):
    got = label(text, "I just want to be left alone.")
    assert got.question != "open" and got.advice



@pytest.mark.parametrize("text", ["You actually have to come in four days a week.",
                                  "You really have to come in on Tuesdays."])
def test_a_push_with_an_adverb_between_is_a_push(label, text):
    assert label(text, "I like working from home.").push
