"""A small learned labeller for English: logistic regressions over word features.

Trained on the development part of AnnoMI (English, 53 transcripts of motivational
interviewing; Wu et al. 2022, uccollab/AnnoMI) by ``scripts/annomi_accuracy.py --train``;
the weights, per-head decision thresholds and their provenance are in
``packs/en_labels.json``. Inference is pure
Python: a dictionary lookup per feature, well under a millisecond per utterance. Dutch
uses the rule packs only.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources

from pullcoach.rules.text import normalise

__all__ = ["LabelModel", "Ensemble", "load_model", "features", "HEADS"]

# "question": any question; "open": open *given* a question (trained on question utterances
# only; AnnoMI dev CV: finding the question first, then its kind, beats two flat heads)
HEADS = ("reflection", "question", "open", "input", "advice")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\?")
_STOP = frozenset("the a an and of to in it is that i you me my your for on with this be "
                  "was are so but or at as do have just like um uh".split())


_STUTTER = re.compile(r"\b([a-z]+)-(?=\1)")
_FEEL = frozenset("feel feeling felt think thinking thought want wanted wanting wonder wondering seem seems sound sounds "
                  "believe know knew mean meant said saying worried concerned sure like love hate "
                  "struggle struggling wish hope hoping decide decided".split())
_MODAL = ("should", "could", "might", "must", "need", "ought", "recommend", "suggest", "try", "consider",
          "advise", "encourage", "important")
_SECOND = frozenset("you your you're you've you'd you'll yourself yours".split())
_FIRST = frozenset("i i'm i've i'd i'll my me".split())
_OPEN_WH = frozenset("what how why where when who which".split())
_SKIP = frozenset(("okay", "well", "so", "um", "uh", "yeah", "and", "mm", "hmm", "mm-hmm", "right", "oh",
                   "alright", "now", "but", "yes", "all"))


def _destutter(text: str) -> str:
    """'wh-what' -> 'what', 'i-i-i' -> 'i' (transcribed stutters)."""
    return _STUTTER.sub("", text)


def features(text: str, prev: str = "", keywords: tuple[str, ...] = ()) -> list[str]:
    """Features of one therapist utterance (``prev``: the client's last utterance;
    ``keywords``: names of the pack labels that fired, see labels.py)."""
    norm = _destutter(normalise(text))
    toks = _WORD.findall(norm)
    words = [t for t in toks if t != "?"]
    out = {"bias"}
    out.update("kw:" + k for k in keywords)
    out.update("w:" + w for w in words)
    out.update("b:" + a + "_" + b for a, b in zip(words, words[1:]))
    sents = [s for s in re.split(r"(?<=[.?!])\s+|\s*--\s*", norm) if _WORD.search(s)]
    openers = []
    for sent in sents:
        sw = [w for w in _WORD.findall(sent) if w != "?"]
        core = sw
        while core and core[0] in _SKIP:
            core = core[1:]
        if not core:
            continue
        q = sent.rstrip().endswith("?")
        openers.append((core, q))
        out.add("s1:" + core[0])
        if len(core) > 1:
            out.add("s2:" + core[0] + "_" + core[1])
        if q:
            out.add("q1:" + core[0])
            if len(core) > 1:
                out.add("q2:" + core[0] + "_" + core[1])
            out.add("qwh" if core[0] in _OPEN_WH else "qaux")
        if sw and sw[0] == "so" and len(sw) > 1 and sw[1] in _SECOND:
            out.add("so_you")
    if openers:
        first, last = openers[0], openers[-1]
        out.add("f1:" + first[0][0])
        out.add("l1:" + last[0][0] + ("?" if last[1] else "."))
        if last[1]:
            out.add("lastq:" + ("wh" if last[0][0] in _OPEN_WH else "aux"))
    nq = toks.count("?")
    out.add("nq:" + ("0" if nq == 0 else "1" if nq == 1 else "2+"))
    if norm.rstrip().endswith("?"):
        out.add("ends_q")
    n = len(words)
    out.add("len:" + ("1" if n <= 2 else "5" if n <= 5 else "12" if n <= 12 else "30" if n <= 30 else
                      "60" if n <= 60 else "more"))
    if n:
        you = sum(1 for w in words if w in _SECOND)
        me = sum(1 for w in words if w in _FIRST)
        out.add("you:" + ("0" if you == 0 else "lo" if you / n < 0.08 else "hi"))
        out.add("me:" + ("0" if me == 0 else "lo" if me / n < 0.08 else "hi"))
        if any(w == "we" or w == "we're" for w in words):
            out.add("we")
        for a, b in zip(words, words[1:]):
            if a in _SECOND and b in _FEEL:
                out.add("you_feel")
            if a in ("you're", "you've") or (a == "you" and b in ("are", "have", "were", "had")):
                out.add("you_are")
            if a in _SECOND and b in _MODAL:
                out.add("you_modal")
            if a in ("i", "we") and b in ("recommend", "suggest", "think", "want", "would", "know", "encourage"):
                out.add("i_" + b)
        if any(w in _MODAL for w in words):
            out.add("modal")
        if any(w.isdigit() or w in ("percent", "times", "week", "day") for w in words):
            out.add("quantity")
        if "sounds like" in norm or "sound like" in norm or "seems like" in norm:
            out.add("sounds_like")
    prev_toks = _WORD.findall(_destutter(normalise(prev)))
    prev_words = {w for w in prev_toks if w not in _STOP and w != "?"}
    if prev_toks:
        out.add("prevq" if "?" in prev_toks else "prev")
        pn = len(prev_toks)
        out.add("prevlen:" + ("5" if pn <= 5 else "20" if pn <= 20 else "more"))
    mine = {w for w in words if w not in _STOP}
    if prev_words and mine:
        common = mine & prev_words
        share = len(common) / len(mine)
        out.add("echo:" + ("0" if share == 0 else "lo" if share < 0.2 else "mid" if share < 0.4 else "hi"))
        out.add("echon:" + ("0" if not common else "1" if len(common) == 1 else "2" if len(common) <= 3 else "4+"))
    return sorted(out)


class LabelModel:
    def __init__(self, weights: dict[str, dict[str, float]], meta: dict | None = None,
                 thresholds: dict[str, float] | None = None) -> None:
        self.weights = weights
        self.meta = meta or {}
        # decision thresholds per head, chosen by cross-validation at training time
        self.thresholds = {h: 0.5 for h in HEADS} | dict(thresholds or {})

    def predict(self, text: str, prev: str = "", keywords: tuple[str, ...] = (),
                own: str = "") -> dict[str, float]:
        """``prev``: the client's last utterance; ``own``: the speaker's own previous one
        (the word model does not read it)."""
        return self.score(features(text, prev, keywords))

    def decide(self, probs: dict[str, float]) -> dict[str, bool]:
        """Each head's probability against its threshold."""
        return {h: probs[h] >= self.thresholds[h] for h in HEADS}

    def question(self, probs: dict[str, float]) -> str | None:
        """"open" | "closed" | None: a question first, then its kind."""
        on = self.decide(probs)
        return None if not on["question"] else "open" if on["open"] else "closed"

    def score(self, feats: list[str]) -> dict[str, float]:
        out = {}
        for head in HEADS:
            w = self.weights.get(head, {})
            z = sum(w.get(f, 0.0) for f in feats)
            out[head] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return out


class Ensemble(LabelModel):
    """The word model and the fine-tuned encoder (rules/encoder.py): each head's
    probability is the mean of the two. Thresholds: halfway between the word model's
    (chosen by inner CV) and 0.5 (where the encoder, trained with balanced classes, is
    calibrated)."""

    def __init__(self, words: LabelModel, encoder) -> None:
        super().__init__(words.weights, words.meta,
                         {h: round((words.thresholds[h] + 0.5) / 2, 3) for h in HEADS})
        self.encoder = encoder

    def predict(self, text: str, prev: str = "", keywords: tuple[str, ...] = (),
                own: str = "") -> dict[str, float]:
        a = self.score(features(text, prev, keywords))
        b = self.encoder.probs(text, prev, own)
        return {h: (a[h] + b[h]) / 2 for h in HEADS}


def load_model(encoder: bool = True) -> LabelModel | None:
    """The packaged English model (with the encoder when it is shipped and CTranslate2 is
    installed), or None if it is not shipped."""
    try:
        text = resources.files("pullcoach.rules").joinpath("packs", "en_labels.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(text)
    words = LabelModel(data["weights"], data.get("meta"), data.get("thresholds"))
    if encoder:
        from pullcoach.rules.encoder import load_encoder

        enc = load_encoder()
        if enc is not None:
            return Ensemble(words, enc)
    return words
