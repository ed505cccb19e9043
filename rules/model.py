"""A small learned labeller for English: logistic regressions over word features.

Trained on the development part of AnnoMI (English, 53 transcripts of motivational
interviewing; Wu et al. 2022, uccollab/AnnoMI) by ``scripts/annomi_accuracy.py --train``;
the weights and their provenance are in ``packs/en_labels.json``. Inference is pure
Python: a dictionary lookup per feature, well under a millisecond per utterance. Dutch
uses the rule packs only.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources

from pullcoach.rules.text import normalise

__all__ = ["LabelModel", "load_model", "features", "HEADS"]

HEADS = ("reflection", "open", "closed", "input", "advice")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\?")
_STOP = frozenset("the a an and of to in it is that i you me my your for on with this be "
                  "was are so but or at as do have just like um uh".split())


def features(text: str, prev: str = "", keywords: tuple[str, ...] = ()) -> list[str]:
    """Word, bigram, opening-word, length, echo and rule-pack features for one therapist
    utterance; ``keywords`` are the names of the pack labels that fired (see labels.py)."""
    toks = _WORD.findall(normalise(text))
    words = [t for t in toks if t != "?"]
    out = {"bias"}
    out.update("kw:" + k for k in keywords)
    out.update("w:" + w for w in words)
    out.update("b:" + a + "_" + b for a, b in zip(words, words[1:]))
    for sent in re.split(r"(?<=[.?!])\s+", normalise(text)):
        sw = _WORD.findall(sent)
        sw = [w for w in sw if w not in ("okay", "well", "so", "um", "uh", "yeah", "and", "mm", "hmm")]
        if sw:
            out.add("s1:" + sw[0])
            if len(sw) > 1:
                out.add("s2:" + sw[0] + "_" + sw[1])
            if sent.rstrip().endswith("?"):
                out.add("q1:" + sw[0])
    if "?" in toks:
        out.add("has_q")
    if text.rstrip().endswith("?"):
        out.add("ends_q")
    n = len(words)
    out.add("len:" + ("1" if n <= 2 else "5" if n <= 5 else "12" if n <= 12 else "30" if n <= 30 else "more"))
    prev_words = {w for w in _WORD.findall(normalise(prev)) if w not in _STOP and w != "?"}
    mine = {w for w in words if w not in _STOP}
    if prev_words and mine:
        share = len(mine & prev_words) / len(mine)
        out.add("echo:" + ("0" if share == 0 else "lo" if share < 0.2 else "mid" if share < 0.4 else "hi"))
    return sorted(out)


class LabelModel:
    def __init__(self, weights: dict[str, dict[str, float]], meta: dict | None = None) -> None:
        self.weights = weights
        self.meta = meta or {}

    def predict(self, text: str, prev: str = "", keywords: tuple[str, ...] = ()) -> dict[str, float]:
        feats = features(text, prev, keywords)
        out = {}
        for head in HEADS:
            w = self.weights.get(head, {})
            z = sum(w.get(f, 0.0) for f in feats)
            out[head] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return out


def load_model() -> LabelModel | None:
    """The packaged English model, or None if it is not shipped."""
    try:
        text = resources.files("pullcoach.rules").joinpath("packs", "en_labels.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(text)
    return LabelModel(data["weights"], data.get("meta"))
