"""Dutch labels on what Whisper heard (scripts/speak_labels.py --voice mb-nl2 on the dev sets):
"d" / "dt" and voiced / voiceless twins written for each other, a made-up last clause, and a
question word before a past tense with its "er" lost. See rules/README.md, *On speech*."""

import pytest

from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import Word
from pullcoach.rules.text import PhraseSet, tokens


@pytest.fixture(scope="module")
def nl():
    return Engine(lang="nl", config=EngineConfig(plugins=False)).labeler


def heard(pairs: list[tuple[str, float]]) -> tuple[str, tuple[Word, ...]]:
    """The text and words of a Whisper result with these (word, p) pairs."""
    return " ".join(w for w, _ in pairs), tuple(Word(text=w, start=i * 0.3, end=i * 0.3 + 0.25, p=p)
                                                  for i, (w, p) in enumerate(pairs))


@pytest.mark.parametrize("pat,said", [
    ("vind je", "vindt je dat"), ("vindt u", "vind u dat"), ("het wordt", "het word lastig"),
])
def test_a_final_d_or_dt_is_one_sound(pat, said):
    assert PhraseSet([pat]).find(tokens(said))


def test_a_voiced_twin_heard_for_its_voiceless_one_matches_in_a_long_word():
    # dev-037: "Eh, als ik het even samen wat, ..." for "als ik het even samenvat"
    assert PhraseSet(["als ik het ... samenvat"]).find(tokens("eh, als ik het even samen wat, je wilt"))
    assert PhraseSet(["verzekeraar"]).find(tokens("de versekeraar betaalt"))
    # not a short word, nor another letter than its twin
    assert not PhraseSet(["want"]).find(tokens("wand"))
    assert not PhraseSet(["bewezen"]).find(tokens("bewegen"))


def test_a_reflection_heard_with_dt_still_reflects(nl):
    # dev-077 as heard: "vindt je dat" is their view, "moeten" inside it does not push
    text, words = heard([("De", 0.5), ("solang", 0.6), ("je", 0.9), ("niemand", 0.9), ("tot", 0.9),
                         ("last", 0.9), ("bent,", 0.9), ("vindt", 0.8), ("je", 0.9), ("dat", 0.9),
                         ("anderen", 0.9), ("zich", 0.9), ("er", 0.9), ("niet", 0.9), ("mee", 0.9),
                         ("moeten", 0.9), ("bemoeien.", 0.8)])
    x = nl.label(text, words, "Ik heb niemand nodig, ik red me prima.")
    assert x.reflection and not x.push


def test_a_made_up_last_clause_is_left_out(nl):
    # dev-063 as heard: the words after the last full stop were made up in the silence (p 0.03-0.2);
    # they pulled the mean below what a reflection inferred from a statement needs
    said = [("Nog", 0.5), ("meer", 0.8), ("hulpverleners", 0.8), ("is", 0.9), ("wel", 0.9), ("het", 0.9),
            ("laatste", 0.9), ("waar", 0.8), ("je", 0.9), ("op", 0.9), ("zit", 0.9), ("te", 0.9), ("wachten.", 0.9)]
    tail = [("En", 0.05), ("dan", 0.1), ("gaan", 0.04), ("we", 0.2), ("het", 0.1), ("niet", 0.1),
            ("meer", 0.1), ("doen.", 0.1)]
    prev = "Ik zit niet te wachten op nog meer mensen aan mijn bed."
    assert nl.label(*heard(said + tail), prev).reflection
    # a last clause that was heard counts ("Dat doe ik morgen." tells)
    told = [("Dat", 0.9), ("doe", 0.9), ("ik", 0.9), ("morgen.", 0.9)]
    assert not nl.label(*heard(said + told), prev).reflection


def test_a_question_word_before_a_past_tense_asks(nl):
    # dev-091: "Wat werkte er toen wel, ...?" heard without "er" and without "?"
    x = nl.label("Wat werkte toen wel, al was het maar even.", (), "Toen ging het een paar weken goed.")
    assert x.question == "open" and not x.input
    assert nl.label("Wat ik zag was een man met een hond.", (), "").question is None


def test_zijn_er_before_its_subject_asks(nl):
    # dev-019: "Eh, en zijn er ook dingen die je hier op kantoor wel mist?" heard without "?"
    x = nl.label("En zijn er ook dingen die je hier op kantoor wel mist.", (), "Ik werk liever thuis.")
    assert x.question == "closed" and not x.reflection


def test_a_check_on_its_own_asks_whatever_its_mark(nl):
    # dev2-058 as heard: "... dat het te veel wordt. klopt dat!"
    x = nl.label("Als ik het even samenvat, je wilt je werk niet kwijt en je lijf geeft aan dat het te veel "
                 "wordt. klopt dat!", (), "Ik kan het werk en de zorg niet meer combineren.")
    assert x.reflection and x.question == "closed"
    # a summary with its check heard without "?" still says back (dev4-050 with "?" made ".")
    x = nl.label("Dus vooraf plannen en de woensdag vrij. Klopt dat.", (), "Als ik vooraf plan en woensdag vrij hou.")
    assert x.reflection and x.question == "closed" and not x.input
    assert nl.label("Dat klopt.", (), "Het was druk.").question is None  # agreeing asks nothing


def test_a_proposal_after_a_comma_advises(nl):
    # dev2-060: "Goed idee. Ik stel voor dat je ..." heard with a comma for the full stop
    assert nl.label("Goed idee, ik stel voor dat je haar dat deze week nog vraagt.", (), "Misschien kan mijn zus helpen.").advice


def test_moeten_u_heard_for_moet_u_still_tells(nl):
    # dev2-131 and dev2-144 as heard: Whisper writes "moet u" as "moeten u"
    x = nl.label("Tot die tijd moeten u na tien uur gewoon rustig doen, dat is niet onderhandelbaar.", (),
                 "Ik werk in ploegen, dan kan het niet anders.")
    assert x.advice and x.push and not x.reflection


def test_a_doubted_hoe_laat_stays_closed(nl):
    # dev2-084 as heard: "Hoe" at p 0.06 (the open form doubted) but "hoe laat" asks for a time
    text, words = heard([("Hoe", 0.06), ("laat", 0.4), ("was", 0.83), ("het?", 0.82)])
    assert nl.label(text, words, "Ik was pas laat thuis.").question == "closed"
    # a doubted "wat" on its own still keeps a question from being called closed
    text, words = heard([("Wat", 0.02), ("kost", 0.99), ("dat", 0.99), ("je?", 0.9)])
    assert nl.label(text, words, "").question == "open"


def test_klopt_dat_after_a_comma_checks(nl):
    # dev4-050 as heard: "Dus voor afblannen en de woensdag vrij, klopt dat." (written "... vrij. Klopt dat?")
    x = nl.label("Dus vooraf plannen en de woensdag vrij, klopt dat.", (), "Als ik vooraf plan en woensdag vrij hou.")
    assert x.question == "closed" and x.reflection and not x.input


@pytest.mark.parametrize("text", [
    "Dank je dat je tijd hebt vrijgemaakt, Erik, zullen we meteen beginnen.",  # dev2-151 as heard
    "Dus je wilt niet meer komen, ben je er klaar mee.",
    "Je bent moe van alles, wil je even pauze.",
])
def test_a_yes_no_question_after_whispers_comma_asks(nl, text):
    # Whisper's comma for a full stop: the verb-first part after a sentence of its own asks
    assert nl.label(text, (), "Ik weet het niet meer.").question == "closed"
    # after a subordinate clause the verb comes first in a statement (dev-077), or a condition
    for said in ("Dus zolang je niemand tot last bent, vind je dat anderen zich er niet mee moeten bemoeien.",
                 "Als je wilt, kunnen we het morgen bespreken.", "Je hebt het druk, heb je vragen, bel dan."):
        assert nl.label(said, (), "Ik weet het niet meer.").question is None
