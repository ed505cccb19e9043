"""Hallucination guards for short-turn Whisper output: known silence phrases, repetition
loops, and the decoder's own confidence signals."""

from __future__ import annotations

import re
import unicodedata

# What Whisper says over silence or noise (subtitle credits in its training data).
KNOWN = {
    "nl": (
        "ondertitels ingediend door de amara.org gemeenschap",
        "ondertiteling ingediend door de amara.org gemeenschap",
        "ondertiteld door de amara.org gemeenschap",
        "ondertitels door de amara.org gemeenschap",
        "amara.org",
        "bedankt voor het kijken",
        "bedankt voor het luisteren",
        "dank u wel voor het kijken",
        "dankjewel voor het kijken",
        "tot de volgende keer",
        "abonneer op het kanaal",
        "ondertiteling tv-ondertiteling",
        "tv gelderland",
        "omroep brabant",
        "npo ondertiteling",
    ),
    "en": (
        "thanks for watching",
        "thank you for watching",
        "please subscribe",
        "like and subscribe",
        "subtitles by the amara.org community",
        "amara.org",
        "transcribed by",
        "see you next time",
        "see you in the next video",
    ),
}

# sound labels Whisper writes over noise: "MUZIEK", "(applaus)", "[Music]"
NOISE_TAGS = frozenset({"muziek", "applaus", "gelach", "lacht", "music", "applause", "laughter",
                        "laughs", "silence", "stilte"})


def is_noise_tag(word: str) -> bool:
    w = word.strip(" .,!?")
    bare = w.strip("()[]*♪ ").lower()
    # in capitals a cut-off tag counts too: "MUZIE" at the end of a clip (MBROLA Dutch)
    cut = w.isupper() and len(bare) >= 4 and any(t.startswith(bare) for t in NOISE_TAGS)
    return cut or bare in NOISE_TAGS and (w.isupper() or w[:1] in "([*♪") or bare == "" and bool(w)


_URL = re.compile(r"(www\.|https?://|\.(com|net|org|nl)\b)", re.IGNORECASE)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s.'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def is_known_hallucination(text: str, lang: str) -> bool:
    n = norm(text)
    if not n:
        return True
    if _URL.search(n):
        return True
    return any(k in n for k in KNOWN.get(lang, ()) + KNOWN["en"])


def repetition_cut(words: list[str], max_repeats: int = 3, max_ngram: int = 4) -> int:
    """Index at which a loop starts (an n-gram repeated more than ``max_repeats`` times
    in a row), or len(words) when there is none. Returns where to cut."""
    n_words = len(words)
    lowered = [norm(w) for w in words]
    for i in range(n_words):
        for n in range(1, max_ngram + 1):
            gram = lowered[i:i + n]
            if len(gram) < n or not any(gram):
                continue
            reps = 1
            j = i + n
            while lowered[j:j + n] == gram:
                reps += 1
                j += n
            if reps > max_repeats:
                return i + n  # keep one copy
    return n_words


def low_confidence(avg_logprob: float, no_speech_prob: float, compression_ratio: float,
                   *, logprob_threshold: float = -1.0, no_speech_threshold: float = 0.6,
                   compression_threshold: float = 2.4) -> bool:
    """Whisper's own skip rules, applied after a single temperature-0 decode."""
    if compression_ratio > compression_threshold:
        return True
    if no_speech_prob > no_speech_threshold and avg_logprob < logprob_threshold:
        return True
    return avg_logprob < 2 * logprob_threshold
