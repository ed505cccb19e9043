"""righting-reflex: unasked fixing, not every piece of information (seed 004: "ongevraagd
informeren en adviseren"; "informeren op basis van behoefte" is the remedy)."""

import pytest

from pullcoach.rules.engine import EngineConfig

C, P = "coachee", "partner"
ALL = EngineConfig(plugins=False, budget_s=0.0)  # no budget: see every issued nudge
SMOKER = (P, 0.0, 3.0, "I've been smoking for twenty years and I don't really see the problem.")
ASKS = (P, 0.0, 2.0, "Is there anything that could help me with the cravings?")
# informing, as the English learned labels read it (input, not advice, question or reflection)
SHORT = "Well, there are patches, gum and lozenges at the pharmacy."  # 10 words
CHUNK = ("Well, there are a lot of products that can help you with the cravings, like patches and gum, "
         "and they replace the nicotine so the withdrawal is easier.")  # 28 words
LECTURE = CHUNK + (" Your doctor can also prescribe medication, which doubles your chances, and most people "
                   "need a few attempts before they stop for good.")  # 50 words


def righting(h, script, lang="en"):
    _, out = h.run(h.script(script), lang=lang, config=ALL)
    return h.nudges(out, "righting-reflex")


def test_a_short_statement_is_no_lecture(h):
    assert not righting(h, [SMOKER, (C, 3.5, 6.0, SHORT)])
    # told at length, unasked, it is
    assert [n.detail["by"] for n in righting(h, [SMOKER, (C, 3.5, 13.0, CHUNK)])] == ["input"]


def test_an_answer_in_a_small_chunk_is_informing_on_the_basis_of_need(h):
    assert not righting(h, [ASKS, (C, 2.5, 12.0, CHUNK)])
    assert righting(h, [ASKS, (C, 2.5, 20.0, LECTURE)])  # more than a chunk: a lecture again
    # the answer exempts informing only: advice still needs permission
    assert righting(h, [ASKS, (C, 2.5, 5.0, "There is the patch. You should start with it tomorrow.")])


def test_an_answer_told_in_pieces_counts_the_whole_turn(h):
    # the pipeline cuts a long turn into pieces, the partner's "mm-hmm" does not end it
    pieces = [ASKS, (C, 2.5, 6.0, "Well, there are a lot of products that can help you with the cravings,"),
              (P, 6.2, 6.6, "Mm-hmm."),
              (C, 7.0, 11.0, "like patches and gum, and they replace the nicotine so the withdrawal is easier."),
              (C, 11.3, 16.0, "Your doctor can also prescribe medication, which doubles your chances, and most "
                              "people need a few attempts before they stop for good.")]
    assert [n.evidence_t for n in righting(h, pieces)] == [11.3]  # where it went past a small chunk


@pytest.mark.parametrize("lang,first,backchannel,more", [
    ("en", "You should really stop smoking.", "Mm-hmm.", "And you need to stop buying cigarettes."),
    ("nl", "Je moet gewoon eerder naar bed gaan.", "Hm hm.", "En je moet die telefoon echt wegleggen."),
])
def test_one_telling_is_one_moment(h, lang, first, backchannel, more):
    ctx = SMOKER if lang == "en" else (P, 0.0, 3.0, "Ik slaap de laatste tijd heel slecht.")
    # the partner's backchannel does not end the turn: one telling, one nudge
    rr = righting(h, [ctx, (C, 3.5, 6.0, first), (P, 6.2, 6.6, backchannel), (C, 7.0, 9.5, more)], lang)
    assert [n.evidence_t for n in rr] == [3.5]
    # the partner says something: the advice that follows is a moment of its own
    reply = "I'll think about it, but it's hard." if lang == "en" else "Dat valt niet mee, hoor."
    rr = righting(h, [ctx, (C, 3.5, 6.0, first), (P, 6.2, 8.0, reply), (C, 8.5, 11.0, more)], lang)
    assert [n.evidence_t for n in rr] == [3.5, 8.5]


@pytest.mark.parametrize("script", [
    [(P, 0.0, 3.0, "Ik slaap de laatste tijd heel slecht."), (C, 3.5, 5.0, "Bel de huisarts.")],
    [(P, 0.0, 2.0, "Is dat echt zo erg dan?"), (C, 2.5, 5.0, "Je moet gewoon stoppen met roken.")],
])
def test_dutch_advice_counts_however_short_and_when_it_answers(h, script):
    # Dutch informing is never righting-reflex evidence (no learned labels): the word counts
    # and the answer exception leave Dutch advice as it was
    assert righting(h, script, "nl")


@pytest.mark.parametrize("lang,first,more", [
    ("en", "You should really stop smoking.", "And you need to stop buying cigarettes."),
    ("nl", "Je moet gewoon eerder naar bed gaan.", "En je moet die telefoon echt wegleggen."),
])
def test_a_new_start_after_a_lapse_is_a_new_telling(h, lang, first, more):
    ctx = SMOKER if lang == "en" else (P, 0.0, 3.0, "Ik slaap de laatste tijd heel slecht.")
    # half a minute of silence, then the coachee tells again: a moment of its own
    rr = righting(h, [ctx, (C, 3.5, 6.0, first), (C, 36.0, 38.5, more)], lang)
    assert [n.evidence_t for n in rr] == [3.5, 36.0]
    # a pause inside one telling is no new start
    rr = righting(h, [ctx, (C, 3.5, 6.0, first), (C, 7.0, 9.5, more)], lang)
    assert [n.evidence_t for n in rr] == [3.5]
