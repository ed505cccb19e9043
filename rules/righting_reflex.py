"""``righting-reflex``: advice or solutions nobody asked for.

Seed 004: the herstelreflex, "ongevraagd informeren en adviseren"; seed 003: "ongevraagd
oplossingen bedenkt". Asking "mag ik een tip geven?" (or the partner asking for advice)
unlocks advice for the next few coachee turns. Informing is the reflex only as a lecture:
a short statement, or an answer to the partner's question in a small chunk, is not (seed
004's remedy: "informeren op basis van behoefte"). One telling is one moment: the pieces of
one coachee turn (the partner saying no more than "mm-hmm" between) nudge once."""

from __future__ import annotations

from dataclasses import dataclass

from pullcoach.rules.base import PARTNER, Candidate
from pullcoach.rules.events import TranscriptFinal

__all__ = ["RightingReflexConfig", "RightingReflex"]


@dataclass
class _Turn:
    answers: bool  # it follows a question of the partner's
    told: int = 0  # words of its pieces that inform (statements labelled input)
    nudged: bool = False
    t1: float = 0.0  # where its last piece ended


@dataclass(frozen=True)
class RightingReflexConfig:
    unlock_turns: int = 3  # permission holds for this many coachee turns (MI: ask, then offer)
    # The label thresholds are tuned for F1; a nudge needs more evidence. An advice phrase
    # from the pack counts 1.0; the learned English model gives its probability. Its advice
    # head is weak (AnnoMI dev 5-fold CV F1 ~0.24): 0.3 let 7 learned-advice nudges into
    # high-quality sessions for 2 in low-quality ones; 0.7 keeps the confident ones.
    min_advice_p: float = 0.7
    # Informing or persuading counts too (seed 004: "ongevraagd informeren en adviseren"),
    # when the model is sure and the utterance neither asks nor reflects (elicit-provide-
    # elicit wraps information in a question; a lecture does not). Learned labels only.
    min_input_p: float = 0.6
    inform: bool = True
    # Informing right after reflecting the partner is MI's "elicit-provide-elicit", not the
    # righting reflex: informing (not advice) is fine when one of the last N coachee turns
    # was a reflection
    after_reflection_turns: int = 2
    # MI-adherent information giving is not the righting reflex (COACHING.md: "ongevraagd";
    # seed 002: information "vrijblijvend"): answering the partner's question, and advice or
    # information framed autonomy-supportively ("it's up to you", "some people find") are
    # fine. A learned advice label inside a question or a reflection ("You're more focused
    # on...?") is no telling; a pack advice phrase ("why don't you") still counts.
    # Off by default: on AnnoMI dev, exempting every answer to a client question dropped the
    # low-vs-high AUC from 0.97 to 0.84 (low-quality sessions lecture in reply to questions);
    # an explicit request for advice (pack list advice_request) still unlocks.
    answer_ok: bool = False
    autonomy_ok: bool = True
    # An advice phrase inside a question asks rather than tells ("Why not a one or a two?",
    # "What do you need to change?"); suggestion-questions (pack list advice_question: "why
    # don't you", "waarom ga je niet") still count. AnnoMI dev CV: 7 of the 34 righting-reflex
    # nudges in high-quality sessions were such questions, 2 of 21 in low-quality ones.
    question_ok: bool = True
    # Informing is the righting reflex when it is unasked and talks *at* the other (seed 004:
    # "ongevraagd informeren", "praten tegen ipv praten met"; its remedy: "informeren op basis
    # van behoefte"; MI's elicit-provide-elicit gives information in small chunks). Words count
    # per coachee turn: its pieces (the pipeline cuts a turn at ~4 s, AnnoMI at each client
    # "mm-hmm") until the partner says more than a backchannel. Learned labels only (English).
    # Righting-reflex nudges in AnnoMI dev's high / low-quality sessions (2026-12-06, in-sample
    # shipped model; 5-fold CV word model in brackets), each step on top of the one before:
    # before 55 / 39 (20 / 26); one_per_turn 49 / 38 (20 / 26); answer_words 40: 43 / 36
    # (19 / 24); lecture_words 25: 30 / 35 (19 / 24).
    # - One telling, one moment: a turn's later pieces add no nudge once one was issued (a
    #   lecture cut by the partner's "mm-hmm"s is one lecture; told again in another turn, it
    #   counts again).
    one_per_turn: bool = True
    # - Answering the partner's question is informing on the basis of need, in a small chunk:
    #   up to `answer_words` words of the answering turn ("Does it really work?" "It does
    #   really work."); more is a lecture again (a low-quality pharmacist answered "Are you
    #   the pharmacist?" with 54 words of dosage and half-life). 30 left CV high at 20, 50
    #   took none more. 0: an answer is no exception. Advice is not exempt (answer_ok).
    answer_words: int = 40
    # - A short statement is no lecture: informing counts once the turn has told
    #   `lecture_words` words ("Blood pressure's a little on the high side.", "We'll get you
    #   hooked up."): 15 / 20 left 39 / 37 high in-sample, 30 took none more.
    lecture_words: int = 25
    # - A turn also ends when the coachee speaks again after a lapse this long with nobody
    #   speaking: a new start that tells again is a new telling (a trainer who lifts the
    #   focus a minute later sees it nudged). Well over the pauses inside a telling
    #   (the pipeline ends an utterance at a 0.4 s pause).
    lapse_s: float = 10.0


class RightingReflex:
    name = "righting-reflex"
    kind = "negative"

    def __init__(self, config: RightingReflexConfig = RightingReflexConfig()) -> None:
        self.config = config
        self.unlocked = 0
        self.reflected: list[bool] = []  # the last coachee turns: reflections?
        self.asked = False  # the partner's last utterance was a question
        self.turn: _Turn | None = None  # the coachee's turn since the partner last said something

    def feed(self, event, ctx) -> list[Candidate]:
        if not isinstance(event, TranscriptFinal):
            return []
        c = self.config
        lab = ctx.utterances[-1].labels
        if event.speaker == PARTNER:
            if lab.advice_request:
                self.unlocked = c.unlock_turns
            if lab.backchannel:
                return []  # "mm-hmm": the coachee's turn goes on
            self.asked = lab.question is not None
            self.turn = None
            return []
        if lab.permission:
            self.unlocked = c.unlock_turns
            return []
        if lab.backchannel:
            return []
        unlocked = self.unlocked > 0
        self.unlocked = max(0, self.unlocked - 1)
        n = c.after_reflection_turns
        just_reflected = bool(n) and any(self.reflected[-n:])
        self.reflected.append(lab.reflection)
        del self.reflected[:-max(1, n)]
        asked, self.asked = self.asked, False
        if self.turn is None or event.t0 - self.turn.t1 > c.lapse_s:
            self.turn = _Turn(answers=asked)
        turn = self.turn
        turn.t1 = event.t1
        if (c.answer_ok and asked) or (c.autonomy_ok and lab.autonomy):
            return []
        phrase = lab.advice and lab.advice_p >= 1.0 and not (c.question_ok and lab.advice_asked)
        advice = lab.advice and lab.advice_p >= c.min_advice_p and (
            phrase or (lab.question is None and not lab.reflection))
        tells = c.inform and lab.input and lab.question is None and not lab.reflection
        turn.told += lab.words if tells else 0
        inform = (tells and lab.input_p >= c.min_input_p and not just_reflected and turn.told >= c.lecture_words
                  and not (turn.answers and turn.told <= c.answer_words))
        if (advice or inform) and not unlocked:
            if c.one_per_turn and turn.nudged:
                return []
            turn.nudged = True
            return [Candidate(self.name, event.t, event.t0, detail={"by": "advice" if advice else "input"})]
        return []
