"""Tolerant phrase matching for noisy ASR text.

Whisper base mishears and splits words ("boven dien" for "bovendien", "Als ik je goed
met mij" for "Als ik je goed begrijp"). A phrase therefore matches when each of its
tokens matches the text token by token with some slack:

- exact token, or a prefix pattern (``begrijp*``),
- for tokens of 6+ letters, the same once doubled letters are written single
  ("daarnaast" ~ "darnast", "moeten" ~ "moetten"): Whisper's spelling slips;
- one edit away for tokens of 7+ letters that keep their first and last letter
  ("bovendien" ~ "bovedien", "wanneer" ~ "wankeer"). Not shorter words: one edit from a
  6-letter word is often another word ("thinks" ~ "things", "think", "thanks"; "waarom"
  ~ "waarop"; "moeten" ~ "meten"). Not another ending: that is another form or word
  ("doorgaans" ~ "doorgaan", "vertel" ~ "vertelt"); a pack lists the forms it means.
  A letter changed (not dropped or added) only inside a doubled letter or a vowel pair, or
  for its voiced / voiceless twin (v/w, v/f, s/z, d/t, b/p: "samenvat" ~ "samen wat"), and
  never a vowel for a vowel ("wanneer" ~ "wankeer", "iedereen" ~ "in de reen"; not
  "bedankt" ~ "bedenkt", "bewezen" ~ "bewegen", "hearing" ~ "healing"),
- a final "dt" written "d", in a word of any length ("vindt je" ~ "vind je"),
- two or three adjacent text tokens joined, for tokens of 6+ letters ("boven dien" ->
  "bovendien", "je zelf" -> "jezelf"; "om dat" stays two words), and for 7+ letters then
  one edit away too ("in de reen" -> "iedereen"). That also reads "wel kom" as "welkom",
  so the Dutch word-order question check looks for a greeting at a clause's start only,
- ``...`` in a phrase skips up to eight text tokens of the same clause ("je zou gewoon de
  trein van zeven uur moeten": Dutch puts the verb last).

Every token carries the recogniser's probability; a match reports the mean, so callers
can ignore a match that hangs on uncertain words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Token", "Match", "Phrase", "normalise", "tokens", "clauses", "PhraseSet", "FIRST_WORD_GAMMA"]

_WORD = re.compile(r"[a-z0-9]+")
# Whisper underrates the first word it writes: Dutch MBROLA speech through base, decoded with
# the pipeline's pre-roll (scripts/speak_labels.py --voice mb-nl2, dev-dev4, 659 first words),
# a first word at p 0.2-0.6 was right 60% of the time, a later word 39%. p ** 0.45 fits the
# first word (maximum likelihood); later words are about calibrated as they come (1.15).
FIRST_WORD_GAMMA = 0.45
_GAP = 8  # tokens a "..." may skip, never past the end of its clause
_SPLIT_LEN = 6  # a word this long may be heard split in two or three ("je zelf")
_EDIT_LEN = 7   # a word this long may be heard one edit off (see the module doc)
_INDEX_WORDS = 5000  # words a PhraseSet remembers its candidate phrases for


def normalise(text: str) -> str:
    """Lowercase, strip accents, unify apostrophes; keep sentence punctuation."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("\u2019", "'").replace("`", "'")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    p: float = 1.0
    clause_start: bool = False  # first token of a clause (after . ? ! ; or text start)
    question: bool = False      # its clause ends with "?"
    part_start: bool = False    # first token after a comma or dash inside a clause ("Your wife, what ...?")


def tokens(text: str, probs: list[tuple[str, float]] | None = None) -> list[Token]:
    """Tokens of ``text``; with ``probs`` (word, p) pairs, each token gets its word's p."""
    out: list[Token] = []
    if probs:
        probs = [(w, p ** FIRST_WORD_GAMMA if i == 0 else p) for i, (w, p) in enumerate(probs)]
        for word, p in probs:
            for piece in _clause_tokens(normalise(word)):
                out.append(Token(piece[0], p, piece[1], piece[2], piece[3]))
        # clause marks from the full text are more reliable than per word: redo them
        marks = _clause_tokens(normalise(text))
        if len(marks) == len(out):
            out = [Token(t.text, t.p, m[1], m[2], m[3]) for t, m in zip(out, marks)]
        return out
    return [Token(w, 1.0, s, q, ps) for w, s, q, ps in _clause_tokens(_destutter(normalise(text)))]


_STUTTER = re.compile(r"\b([a-z]+)-(?=\1)")


def _destutter(text: str) -> str:
    """Transcribed stutters: "wh-what" -> "what", "and-and" -> "and"."""
    return _STUTTER.sub("", text)


_PART = re.compile(r",|:(?!\d)|\s-+\s|--+|\u2014|\u2013")


def _clause_tokens(text: str) -> list[tuple[str, bool, bool, bool]]:
    out: list[tuple[str, bool, bool, bool]] = []
    for clause in clauses(text):
        q = clause.rstrip().endswith("?")
        first = True
        for part in _PART.split(clause):
            words = _WORD.findall(part)
            out.extend((w, first and i == 0, q, i == 0 and not first) for i, w in enumerate(words))
            first = first and not words
    return out


def clauses(text: str) -> list[str]:
    """Split on sentence ends and semicolons, keeping the closing mark."""
    return [c for c in re.findall(r"[^.?!;]+[.?!;]*", text) if _WORD.search(c)]


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


_VOWELS = frozenset("aeiouy")
# consonants Whisper hears for each other in Dutch speech (voiced and voiceless twins, v / w):
# MBROLA nl2 through base, dev.jsonl ("als ik het even samen wat" for "samenvat")
_TWINS = frozenset(frozenset(p) for p in ("vw", "vf", "sz", "dt", "bp"))


def _slip(pat: str, word: str) -> bool:
    """``word`` is ``pat`` with one letter dropped or added, or with one letter of a doubled
    letter or a vowel pair heard as another ("wanneer" ~ "wankeer", "iedereen" ~ "in de reen"),
    not a vowel for a vowel. A single letter changed is another word: "bedankt" / "bedenkt",
    "bewezen" / "bewegen", "hearing" / "healing", "feeling" / "fueling"."""
    if len(pat) != len(word):
        return _one_edit(pat, word)
    diff = [i for i, (a, b) in enumerate(zip(pat, word)) if a != b]
    if len(diff) != 1:
        return not diff
    i = diff[0]
    if frozenset((pat[i], word[i])) in _TWINS:
        return True  # "samenvat" ~ "samen wat", "verzekeraar" ~ "versekeraar"
    if pat[i] in _VOWELS and word[i] in _VOWELS:
        return False
    near = pat[i - 1:i] + pat[i + 1:i + 2]
    return pat[i] in near or (pat[i] in _VOWELS and any(c in _VOWELS for c in near))


def _tok_eq(pat: str, word: str, fuzzy: bool = True) -> bool:
    if pat.endswith("*"):
        return word.startswith(pat[:-1])
    if pat == word:
        return True
    if fuzzy and _dt(pat) == _dt(word):
        return True  # "vindt je" ~ "vind je": a final "d" / "dt" is one sound
    if not (fuzzy and len(pat) >= _SPLIT_LEN and len(word) >= 5 and pat[0] == word[0]):
        return False
    # the same but for doubled letters ("darnast", "moetten"), with no further edit, since
    # "meteen" read as "meten" is one edit from "moeten"
    if _single(pat) == _single(word):
        return True
    return len(pat) >= _EDIT_LEN and pat[-1] == word[-1] and _slip(pat, word)


def _dt(word: str) -> str:
    """A final "dt" written "d" ("vindt" -> "vind", "wordt" -> "word"): Dutch says them alike,
    and Whisper writes either."""
    return word[:-1] if word.endswith("dt") and len(word) > 3 else word


_DOUBLE = re.compile(r"([a-z])\1")


@lru_cache(maxsize=8192)
def _single(word: str) -> str:
    """Doubled letters written single ("daarnaast" -> "darnast", "moetten" -> "moeten"):
    Whisper drops or adds the doubling."""
    return _DOUBLE.sub(r"\1", word)


@dataclass(frozen=True, slots=True)
class Match:
    phrase: str
    start: int  # token index
    end: int    # exclusive
    p: float    # mean probability of the matched tokens
    exact: bool = True  # no misspelt or split word in it


class Phrase:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pats: list[str] = []
        for part in normalise(text).split():
            if part == "...":
                self.pats.append("...")
            else:
                star = part.endswith("*")
                for w in _WORD.findall(part):
                    self.pats.append(w)
                if star and self.pats:
                    self.pats[-1] += "*"

    def may_start(self, word: str) -> bool:
        """False only if no match can start at a token ``word``, whatever follows it: what
        :meth:`match_at`'s first token allows (exact, prefix, doubled letters, one edit) or,
        for a word of 6+ letters, ``word`` as its split first part (same first letter, at most
        one letter longer). The ``PhraseSet`` index tries a phrase only where this holds."""
        if not self.pats or self.pats[0] == "...":
            return True
        pat = self.pats[0]
        if _tok_eq(pat, word):
            return True
        if len(pat) < _SPLIT_LEN:
            return False
        stem = pat.rstrip("*")
        if not word or not stem:
            return True
        if len(pat) < _EDIT_LEN or pat.endswith("*"):  # joined, then exact or prefix: it starts with word
            return stem.startswith(word)
        return word[0] == stem[0] and len(word) <= len(stem) + 1

    def match_at(self, toks: list[Token], i: int, fuzzy: bool = True) -> int | None:
        """End index if the phrase matches starting at token ``i``; ``fuzzy``: also with a
        word one edit off or split in two or three."""
        return self._match(toks, i, 0, fuzzy)

    def _match(self, toks: list[Token], i: int, k: int, fuzzy: bool = True) -> int | None:
        if k == len(self.pats):
            return i
        pat = self.pats[k]
        if pat == "...":
            for skip in range(0, _GAP + 1):
                if i + skip >= len(toks) or toks[i + skip].clause_start:
                    break  # the rest of the phrase must be in this clause
                end = self._match(toks, i + skip, k + 1, fuzzy)
                if end is not None:
                    return end
            return None
        if i >= len(toks) or (k and toks[i].clause_start):
            return None  # a phrase does not run on into the next sentence ("Ja. Maar ik ...")
        if _tok_eq(pat, toks[i].text, fuzzy):
            end = self._match(toks, i + 1, k + 1, fuzzy)
            if end is not None:
                return end
        joined = toks[i].text
        for n in (2, 3) if len(pat) >= _SPLIT_LEN and fuzzy else ():  # split words: "boven dien" -> "bovendien";
            # not short ones: "om dat te doen" is no "omdat"
            if i + n > len(toks) or toks[i + n - 1].clause_start:
                break
            joined += toks[i + n - 1].text
            if len(joined) > len(pat.rstrip("*")) + 1:
                break
            if _tok_eq(pat, joined, len(pat) >= _EDIT_LEN):  # split and misheard at once: "In de reen" ~ "Iedereen"
                end = self._match(toks, i + n, k + 1, fuzzy)
                if end is not None:
                    return end
        return None


class PhraseSet:
    """A named list of phrases, matched anywhere or only at clause starts."""

    def __init__(self, phrases: list[str]) -> None:
        self.phrases = [Phrase(p) for p in phrases if p.strip()]
        # an index of the phrases by their first word, so find tries a phrase only where it
        # may match (Phrase.may_start): a short plain word matches only itself; a prefix or a
        # word of 6+ letters (one edit off, split) keeps its first letter; "..." goes anywhere
        self._exact: dict[str, list[int]] = {}
        self._letter: dict[str, list[int]] = {}
        self._anywhere: list[int] = []
        for n, ph in enumerate(self.phrases):
            pat = ph.pats[0] if ph.pats else "..."
            stem = pat.rstrip("*")
            if pat == "..." or not stem:
                self._anywhere.append(n)
            elif len(pat) < _SPLIT_LEN and pat == stem:
                self._exact.setdefault(_dt(pat), []).append(n)
            else:
                self._letter.setdefault(stem[0], []).append(n)
        self._by_word: dict[str, tuple[Phrase, ...]] = {}  # word -> phrases that may start at it

    def _candidates(self, word: str) -> tuple[Phrase, ...]:
        """The phrases (in list order) that may match from a token ``word`` on."""
        got = self._by_word.get(word)
        if got is None:
            if len(self._by_word) >= _INDEX_WORDS:
                self._by_word.clear()
            if word:
                ns = (self._exact.get(_dt(word), []) + self._anywhere
                      + [n for n in self._letter.get(word[0], ()) if self.phrases[n].may_start(word)])
                got = tuple(self.phrases[n] for n in sorted(ns))
            else:
                got = tuple(ph for ph in self.phrases if ph.may_start(word))
            self._by_word[word] = got
        return got

    def find(self, toks: list[Token], *, at_clause_start: bool = False,
             skip_fillers: frozenset[str] = frozenset(), at_part_start: bool = False) -> list[Match]:
        """Non-overlapping matches, leftmost-longest first. ``at_clause_start``: only where a
        clause starts (after leading fillers and stutters); ``at_part_start`` also after a
        comma or dash inside a clause."""
        out: list[Match] = []
        i = 0
        starts = _starts(toks, skip_fillers, at_part_start) if at_clause_start else None
        while i < len(toks):
            if starts is not None and i not in starts:
                i += 1
                continue
            best: tuple[int, Phrase] | None = None
            for ph in self._candidates(toks[i].text):
                end = ph.match_at(toks, i)
                if end is not None and end > i and (best is None or end > best[0]):
                    best = (end, ph)
            if best is None:
                i += 1
                continue
            end, ph = best
            ps = [t.p for t in toks[i:end]]
            out.append(Match(ph.text, i, end, sum(ps) / len(ps), ph.match_at(toks, i, fuzzy=False) == end))
            i = end
        return out


def _starts(toks: list[Token], fillers: frozenset[str], parts: bool = False) -> set[int]:
    """Clause starts, also after leading fillers ("en", "so", "okay", ...); with ``parts``
    also the starts of comma/dash parts."""
    out: set[int] = set()
    for i, t in enumerate(toks):
        if t.clause_start or (parts and t.part_start):
            j = i
            out.add(j)
            while j < len(toks) and toks[j].text in fillers and (j == i or not toks[j].clause_start):
                j += 1
                out.add(j)
    return out

