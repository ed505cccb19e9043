"""The labels when a tolerant match would read one word as another (rules/text.py): a pack
phrase matches a misspelt or split word, not a different word one edit away."""

import json
from pathlib import Path

import pytest

from pullcoach.cli import main
from pullcoach.rules.engine import Engine, EngineConfig

DATA = Path(__file__).parent.parent / "data" / "transcripts"


@pytest.fixture(scope="module")
def en():
    labeler = Engine(lang="en", config=EngineConfig(plugins=False)).labeler
    return lambda text, prev="", turn="": labeler.label(text, (), prev, turn=turn)


@pytest.fixture(scope="module")
def nl():
    labeler = Engine(lang="nl", config=EngineConfig(plugins=False)).labeler
    return lambda text, prev="": labeler.label(text, (), prev)


def test_i_think_is_no_view_of_theirs(en):
    # "think" is no "thinks" (their_view): the discord is the speaker's own, no reflection
    x = en("I think that's a bit simplistic.")
    assert not x.reflection and x.input
    x = en("I think you have to stop.")  # the speaker's own opinion pushes
    assert x.push and not x.reflection


def test_fun_things_are_no_view_of_theirs(en):
    # AnnoMI dev: "things" read as "thinks" made the duty after it a view of theirs
    assert en("The fun things you have to plan ahead.").push
    x = en("because you have to make sure you get there.",
           turn="So, on the one side, some of the fun things take planning,")
    assert x.push and not x.reflection


def test_she_thinks_is_still_a_view(en):
    x = en("She thinks you have to quit.")
    assert not x.push and x.reflection


def test_the_push_role_play_praises_no_opinion_as_a_summary(capsys):
    # "I think that's a bit simplistic." at 01:30.5 was praised ("✓ Summary") at 01:33.2
    assert main(["analyze", str(DATA / "nego_en_push.jsonl"), "--lang", "en", "--coachee", "Mark",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [u] = [u for u in out["utterances"] if u["text"] == "I think that's a bit simplistic."]
    assert not u["labels"]["reflection"] and u["labels"]["input"]
    assert not [n for n in out["nudges"] if n["rule"] == "good-summary"]


def test_dutch_words_one_edit_from_a_push_word_do_not_push(nl):
    assert not nl("Wij willen het een jaar proberen, zodat we kunnen meten wat het oplevert.").push
    assert not nl("Nee. Ik moet er even over nadenken. Stuur het maar op.").push
    assert nl("Er moet een business case liggen.").push  # the pack's "er moet", not "moet een" ~ "moeten"


def test_the_polite_tell_me_is_listed_not_matched_loosely(nl):
    # "vertelt" is no "vertel" to the match any more: the pack lists the u-form, as Whisper writes it too
    assert nl("Vertelt u eens wat meer over die jongens.").question == "open"
    assert nl("Vertel u eens wat meer over die jongens.").question == "open"


@pytest.mark.parametrize("text", ["Hij bedenkt steeds nieuwe smoesjes.",   # "bedenkt" is no "bedankt"
                                  "Zij bedenkt elke week een ander plan."])
def test_a_word_one_letter_off_a_greeting_is_no_greeting(nl, text):
    # a greeting says nothing: read as "bedankt", the statement informed nobody
    assert nl(text).input


def test_dev2_a_reflection_ending_in_bedenkt_reflects(nl):
    # dev2-147: "bedenkt" read as the greeting "bedankt" kept the statement from reflecting
    x = nl("Een koptelefoon voor de tv en de was 's ochtends, dat zijn twee dingen die u zelf al bedenkt.",
           "Ik zet de tv al zachter, en de was doe ik nu 's ochtends.")
    assert x.reflection
