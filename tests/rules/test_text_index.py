"""PhraseSet.find tries a phrase only where its first word may match (an index by first word):
every tolerant reading text.py allows must still come through, with the same matches as
trying every phrase at every token."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pullcoach.rules.pack import load_pack
from pullcoach.rules.text import Match, PhraseSet, Token, _starts, tokens


def every_phrase_everywhere(ps: PhraseSet, toks, *, at_clause_start=False, skip_fillers=frozenset(),
                            at_part_start=False) -> list[Match]:
    """find without the index: each phrase tried at each token (the matcher before the index)."""
    out, i = [], 0
    starts = _starts(toks, skip_fillers, at_part_start) if at_clause_start else None
    while i < len(toks):
        best = None
        if starts is None or i in starts:
            for ph in ps.phrases:
                end = ph.match_at(toks, i)
                if end is not None and end > i and (best is None or end > best[0]):
                    best = (end, ph)
        if best is None:
            i += 1
            continue
        end, ph = best
        ps_ = [t.p for t in toks[i:end]]
        out.append(Match(ph.text, i, end, sum(ps_) / len(ps_), ph.match_at(toks, i, fuzzy=False) == end))
        i = end
    return out


# (phrase, heard): each is one tolerance of text.py on the phrase's first word
VARIANTS = [
    ("wat vind je", "nou wat vind je ervan"),                # exact
    ("begrijp* je", "ik begrijpelijk je"),                    # prefix
    ("begrijp* het", "dus begri jp het"),                     # prefix, heard split
    ("daarnaast is", "en darnast is het"),                    # doubled letters written single
    ("moeten we", "dan moetten we"),                          # doubled letter added
    ("bovendien is", "en bovedien is het"),                   # one letter dropped (7+)
    ("wanneer ga", "wankeer ga je"),                          # a doubled letter heard as another
    ("bovendien is", "en boven dien is het"),                 # split in two
    ("iedereen moet", "In de reen moet weer komen"),          # split in three, one edit off
    ("jezelf", "doe het je zelf"),                            # split, 6 letters
    ("je zou ... moeten", "je zou gewoon moeten gaan"),       # gap after the first word
    ("... moeten", "ik denk moeten"),                         # a phrase that opens with a gap
    ("misschien kun je", "misschien kunnen we"),              # no match: the index must not add one
]


@pytest.mark.parametrize("phrase,heard", VARIANTS)
def test_each_tolerance_still_matches_through_the_index(phrase, heard):
    decoy = ["bovenop", "waarom", "daar", "jij", "begin", "in de", "moet"]  # same first letters
    ps = PhraseSet(decoy + [phrase])
    toks = tokens(heard)
    want = every_phrase_everywhere(ps, toks)
    assert ps.find(toks) == want
    if phrase != "misschien kun je":
        assert any(m.phrase == phrase for m in want)


def test_list_order_breaks_ties_as_before():
    # two phrases match the same span: the first in the list wins, index or not
    for phrases, heard, first in ((["darnast", "daarnaast", "daar*"], "darnast", "darnast"),
                                  (["wat*", "wat"], "wat", "wat*"),  # a prefix before a plain word
                                  (["... wat", "wat"], "nou wat", "... wat")):  # a gap before a plain word
        ps, toks = PhraseSet(phrases), tokens(heard)
        assert [m.phrase for m in ps.find(toks)] == [first] == [m.phrase for m in every_phrase_everywhere(ps, toks)]


def test_odd_tokens_made_by_hand():
    # tokens need not come from tokens(): empty or upper-case text still gets the same answer
    toks = [Token("boven"), Token(""), Token("dien"), Token("Wat"), Token(""), Token("vind")]
    for phrases in (["bovendien"], ["boven*"], ["wat vind"], ["... dien"], ["bovendien", "Wat"]):
        ps = PhraseSet(phrases)
        assert ps.find(toks) == every_phrase_everywhere(ps, toks)


WORDS = ["bovendien", "daarnaast", "iedereen", "wanneer", "moeten", "jezelf", "begrijp*", "als",
         "ik", "je", "goed", "...", "misschien", "eigenlijk", "natuurlijk", "thinking", "feel*"]


def _slip(draw, word: str) -> str:
    """A Whisper-like slip of ``word``: doubled, dropped or changed letter, or split."""
    word = word.rstrip("*")
    if len(word) < 2:
        return word
    j = draw(st.integers(1, len(word) - 1))
    kind = draw(st.sampled_from(["same", "double", "drop", "change", "split", "split3", "longer"]))
    if kind == "double":
        return word[:j] + word[j] + word[j:]
    if kind == "drop":
        return word[:j] + word[j + 1:]
    if kind == "change":
        return word[:j] + draw(st.sampled_from("aeiounrstk")) + word[j + 1:]
    if kind == "split":
        return word[:j] + " " + word[j:]
    if kind == "split3" and len(word) > 3:
        k = draw(st.integers(j + 1, len(word) - 1)) if j + 1 < len(word) else j
        return word[:j] + " " + word[j:k] + " " + word[k:]
    if kind == "longer":
        return word + draw(st.sampled_from(["en", "e", "s", "lijk"]))
    return word


@st.composite
def phrases_and_text(draw):
    phrases = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
                            min_size=1, max_size=6))
    said = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.sampled_from(phrases)).split()
        said += [_slip(draw, w) for w in words if w != "..."]
        said.append(draw(st.sampled_from(["", ",", ".", "?", "en", "nou"])))
    return phrases, " ".join(said)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrases_and_text())
def test_index_finds_what_every_phrase_everywhere_finds(case):
    phrases, text = case
    ps, toks = PhraseSet(phrases), tokens(text)
    fill = frozenset({"en", "nou"})
    for kw in ({}, {"at_clause_start": True, "skip_fillers": fill},
               {"at_clause_start": True, "skip_fillers": fill, "at_part_start": True}):
        assert ps.find(toks, **kw) == every_phrase_everywhere(ps, toks, **kw)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pack_lists_on_their_own_phrases_misheard(lang):
    # every pack phrase, said with its long words split or doubled, in every list
    pack = load_pack(lang)
    for name, ps in pack.sets.items():
        for ph in ps.phrases:
            words = [w.rstrip("*") for w in ph.pats if w != "..."]
            for heard in (" ".join(words),
                          " ".join(w[:3] + " " + w[3:] if len(w) >= 6 else w for w in words),
                          " ".join(w[:2] + w[1:] if len(w) >= 6 else w for w in words)):
                toks = tokens("nou " + heard + " toch")
                assert ps.find(toks) == every_phrase_everywhere(ps, toks), (name, ph.text, heard)


def test_a_phrase_is_tried_only_where_its_first_word_may_match(monkeypatch):
    # the point of the index: find costs the live loop 10-50 ms per utterance when every
    # phrase of a pack list is tried at every token
    from pullcoach.rules.text import Phrase
    tried: list[tuple[str, int]] = []
    real = Phrase.match_at
    monkeypatch.setattr(Phrase, "match_at", lambda self, toks, i, fuzzy=True: (
        tried.append((self.text, i)), real(self, toks, i, fuzzy))[1])
    ps = PhraseSet(["bovendien", "wat vind je", "vind*", "je zou ... moeten"])
    found = ps.find(tokens("nou wat vind je ervan, zou je dat doen"))
    assert [m.phrase for m in found] == ["wat vind je"]
    assert not [t for t in tried if t[0] == "bovendien"]  # no word starts with b
    assert sorted({i for p, i in tried if p == "je zou ... moeten"}) == [6]  # only at the "je" after the match
    push = load_pack("nl").phrases("push")
    tried.clear()
    toks = tokens("Ik denk dat het voor iedereen beter is als we er nog eens goed naar kijken")
    push.find(toks)
    assert len(tried) < len(push.phrases) * len(toks) / 10
