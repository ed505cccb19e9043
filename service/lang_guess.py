"""Which of our languages a transcript is in, from its commonest function words.

Enough to catch ``analyze`` run on an English transcript with the Dutch pack (the default);
not a language identifier. Returns None when too few of either list are seen to tell.
"""

from __future__ import annotations

import re

__all__ = ["guess_lang", "LANG_NAMES"]

LANG_NAMES = {"nl": "Dutch", "en": "English"}

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
