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



def test_what_a_trainer_reads_names_sources_they_can_find(capsys):
    """`rules new` and `rules show` cite the published sources by name, not the project's
    own files or issue numbers (COACHING.md, "seed 001", "issue 3" are not in the package)."""
    for args in (["rules", "new", "--lang", "nl"], ["rules", "new", "--lang", "en"],
                 ["rules", "show", "nl"], ["rules", "show", "en"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        assert not re.search(r"COACHING\.md|seed 00\d|issue 3", out), (args, re.findall(r".*(?:COACHING|seed 00|issue 3).*", out)[:3])
    assert main(["rules", "show", "nl"]) == 0
    assert "Hertoghs" in capsys.readouterr().out
