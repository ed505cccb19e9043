"""``push-words``: "moeten", "je moet", "must", "have to" from the coachee.

Seed 002: "bij het woord 'moeten' gaan mijn haren overeind staan"; push creates resistance.

Fires mid-turn from a partial transcript once the push is already there: the utterance so far
labelled as its final will be (the partner's last words, the turn before it), its push still
found with every word heard under ``partial_min_p`` taken out, and still found with a "?"
at its end (no open question begun; with ``in_questions`` off, no question at all). Once per
utterance: its final then fires nothing, and withdraws the nudge when its labels say no push
after all (a reflection, an open question, the push word misheard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pullcoach.rules.base import COACHEE, PARTNER, Candidate, Withdrawal
from pullcoach.rules.events import TranscriptFinal, TranscriptPartial
from pullcoach.rules.text import FIRST_WORD_GAMMA, normalise

__all__ = ["PushWordsConfig", "PushWords"]

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class PushWordsConfig:
    in_questions: bool = True  # "Moet je dat niet eens proberen?" pushes too (seed 002)
    # but an open question evokes: "What do you think you need to do?", "Wat moet er volgens
    # jou gebeuren?" (MI: the partner names the change). AnnoMI dev 5-fold CV: 4 of the 6
    # push-word nudges in high-quality sessions were open questions, none of the 5 in low
    in_open_questions: bool = False
    # a partial (beam 1, its last words still moving) nudges only when each word of its push is
    # heard this sure (the first word calibrated, see text.py): the labels' own bar (min_p), but
    # for every word, not their mean ("je" 0.9 + "moet" 0.2 passes the final's labels)
    partial_min_p: float = 0.5
    from_partials: bool = True


class PushWords:
    name = "push-words"
    kind = "negative"

    def __init__(self, config: PushWordsConfig = PushWordsConfig()) -> None:
        self.config = config
        self.early: set[float] = set()  # starts of utterances that fired from a partial

    def feed(self, event, ctx) -> list:
        if getattr(event, "speaker", None) != COACHEE:
            return []
        if isinstance(event, TranscriptPartial):
            if event.t0 in self.early or not self.config.from_partials or not self._heard(event, ctx):
                return []
            self.early.add(event.t0)
            return [Candidate(self.name, event.t, event.t0, detail={"partial": True})]
        if not isinstance(event, TranscriptFinal):
            return []
        why = self._no_push(ctx.utterances[-1].labels)
        if event.t0 in self.early:  # fired mid-turn already: take it back if the final says no
            self.early.discard(event.t0)
            return [Withdrawal(self.name, event.t0, why)] if why else []
        return [] if why else [Candidate(self.name, event.t, event.t0)]

    def _no_push(self, lab) -> str | None:
        """Why labels give no push nudge (``None``: they do)."""
        c = self.config
        if lab.question == "open" and not c.in_open_questions:
            return "open question"
        if lab.reflection:
            return "reflection"
        if lab.question is not None and not c.in_questions:
            return "question"
        return None if lab.push else "misheard push word"

    def _heard(self, event: TranscriptPartial, ctx) -> bool:
        """Does the utterance so far push, as its final would be labelled, on sure words?"""
        said = _WORD.findall(normalise(event.text))
        if (said[-1:] == ["must"] or said[-2:] == ["must", "be"]) and not event.text.rstrip().endswith((".", "!", "?")):
            return False  # "You must be" may go on to guess how they are ("... exhausted"): wait for the word
        prev = ctx.last(PARTNER)
        own = ctx.last(COACHEE, skip_backchannels=False)
        turn = " ".join(u.text for u in ctx.turn_before(COACHEE, event.t0) if not u.labels.backchannel)
        kw = {"prev_partner": prev.text if prev else "", "prev_own": own.text if own else "", "turn": turn}
        # every word as heard (a doubted "wat" still opens a question), and so it stays if its
        # clause ends with "?": no open question begun ("So what do you need to"), no push word
        # that pushes only told ("Moet je niet gewoon komen?" does not)
        for text in (event.text, event.text.rstrip() + "?"):
            if self._no_push(ctx.label(text, event.words, **kw)):
                return False
        # the push itself on sure words only: an unsure word is read as no word
        if event.words and not ctx.label(event.text, _unsure_out(event.words, self.config.partial_min_p), **kw).push:
            return False
        # English: the learned labels may read it as their duty said back (a reflection)
        return not self._no_push(ctx.label(event.text, event.words, use_model=True, **kw))


def _unsure_out(words, min_p: float) -> tuple:
    """``words`` with each one heard below ``min_p`` (the first as calibrated: Whisper
    underrates it) written as a token no phrase has, its punctuation kept."""
    out = []
    for i, w in enumerate(words):
        p = w.p ** FIRST_WORD_GAMMA if i == 0 else w.p
        out.append(w if p >= min_p else replace(w, text=_WORD.sub("xq", normalise(w.text))))
    return tuple(out)
