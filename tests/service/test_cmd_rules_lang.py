"""`pullcoach rules new --lang en` explains its lists with the English pack's own phrases and
nudge texts, not the Dutch ones ('moeten', the Moeten? nudge, 'Vijf uur.')."""

from __future__ import annotations

import re

from pullcoach.cli import main
from pullcoach.rules.pack import load_pack

DUTCH = ("moeten", "je moet", "samenvat", "Samenvatting", "'wat'", "'hoe'", "'want'", "bovendien",
         "je zou", "Eerst vragen", "slecht voor je", "Vijf uur", "Weerstand", "woord*", "'heb je'")


def test_the_english_starter_has_english_examples(capsys):
    assert main(["rules", "new", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert [w for w in DUTCH if w in text] == []
    en = load_pack("en")
    lists = dict(re.findall(r"^#   (\w+): (.*)$", text, re.M))
    assert f"(the {en.messages['push-words']} nudge)" in lists["push"]
    assert f"({en.messages['good-summary']})" in lists["summary"]
    assert f"({en.messages['righting-reflex']})" in lists["advice"]
    # every quoted example is a phrase of the English list it explains
    for name, what in lists.items():
        for phrase in re.findall(r"(?<!\w)'([^']+)'", what):
            assert phrase.lower() in en.lists[name], (name, phrase)


def test_the_dutch_starter_keeps_its_dutch_examples(capsys):
    assert main(["rules", "new", "--lang", "nl"]) == 0
    text = capsys.readouterr().out
    assert "push words: 'moeten', 'je moet' (the Moeten? nudge)" in text
    assert "(Eerst vragen)" in text and '"woord*"' in text

