"""Which of our languages a transcript is in, from its commonest function words.

Enough to catch ``analyze`` run on an English transcript with the Dutch pack (the default);
not a language identifier. Returns None when too few of either list are seen to tell.
"""

from __future__ import annotations

import re

from pullcoach.rules.events import PipelineWarning

__all__ = ["guess_lang", "LANG_NAMES", "AudioLangCheck", "language_warning"]

LANG_NAMES = {"nl": "Dutch", "en": "English"}
# rules that judge sound, not words: still right when the words are the other language
SOUND_RULES = frozenset({"interruption", "interrupted", "monologue"})

_WORDS = {
    "nl": frozenset("de het een en ik je jij u niet is dat wat we wij ze zij met voor op maar "
                    "ook dan nog wel heb hebt heeft ben zijn was naar er om te van dit die "
                    "moet kan wil zou als of".split()),
    "en": frozenset("the a an and i you not is that what we they with for on but also then "
                    "still have has am are was to there about this those must can want would "
                    "if or it of my your do don".split()),
}
_TOKEN = re.compile(r"[a-zà-ÿ]+")
MIN_HITS = 12  # function words of the winning language before we say anything
SHARE = 0.75   # ... and at least this share of all function words seen


def guess_lang(texts) -> str | None:
    counts = {lang: 0 for lang in _WORDS}
    for text in texts:
        for tok in _TOKEN.findall(text.lower()):
            for lang, words in _WORDS.items():
                counts[lang] += tok in words
    lang, hits = max(counts.items(), key=lambda kv: kv[1])
    total = sum(counts.values())
    return lang if hits >= MIN_HITS and hits >= SHARE * total else None


def language_warning(t: float, heard: str, lang: str) -> PipelineWarning:
    """The one warning a live session gives when it hears the other language."""
    return PipelineWarning(
        t=t, kind="language",
        message=(f"What is said sounds {LANG_NAMES[heard]}, but this session runs in "
                 f"{LANG_NAMES.get(lang, lang)} (--lang {lang}): the nudges about "
                 f"words will be wrong. End it and start again with --lang {heard}."),
        detail={"heard": heard, "lang": lang})


class AudioLangCheck:
    """Whisper's own language detection on the first few utterances, for what the words
    cannot tell: Dutch decoded with the English model pinned comes out as made-up English.
    Adds up each of our languages' probability; says the other one when it holds at least
    ``MIN_SUM`` (two confident utterances) and twice the pinned one's. Synthetic espeak Dutch
    scores 1.0 English against 0.24 Dutch over four utterances: below ``MIN_SUM``."""

    MIN_S = 3.0    # seconds of speech an utterance needs to be judged
    CLIP_S = 4.0   # ... and the most of it judged (three role-plays on one model felt more)
    CHECKS = 4     # utterances judged before it stops
    MIN_SUM = 1.5

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.sums = dict.fromkeys(LANG_NAMES, 0.0)
        self.checks = 0
        self.done = lang not in LANG_NAMES

    def add(self, probs: dict[str, float]) -> str | None:
        """One utterance's language probabilities; the other language once it is clear."""
        self.checks += 1
        for code in self.sums:
            self.sums[code] += probs.get(code, 0.0)
        other = max((c for c in self.sums if c != self.lang), key=self.sums.get)
        if self.sums[other] >= self.MIN_SUM and self.sums[other] >= 2 * self.sums[self.lang]:
            self.done = True
            return other
        self.done = self.checks >= self.CHECKS
        return None
