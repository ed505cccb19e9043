"""Labels against tests/data/{nl,en}_labels: utterances written and labelled by someone who
had not seen the rule packs (dev.jsonl may tune the packs, test.jsonl only measures)."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _rows(lang, name):
    path = DATA / f"{lang}_labels" / name
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_scorer_counts_hits_and_misses(script):
    mod = script("label_accuracy")
    rows = [{"id": "a", "prev": "", "text": "Wat maakt het zo lastig voor je?",
             "labels": {"reflection": False, "question": "open", "input": False, "advice": False, "push": False}},
            {"id": "b", "prev": "", "text": "Je moet gewoon eerder vertrekken.",
             "labels": {"reflection": True, "question": None, "input": True, "advice": True, "push": True}}]
    f1, wrong = mod.score(rows, "nl")
    assert f1["open"] == (1.0, 1) and f1["advice"] == (1.0, 1) and f1["push"] == (1.0, 1)
    assert f1["reflection"] == (0.0, 1)  # gold says reflection, the pack rightly says it pushes
    assert [(r["id"], bad) for r, bad in wrong] == [("b", {"missed reflection"})]


def test_scorer_labels_heard_lines_with_their_word_probabilities(script):
    mod = script("label_accuracy")
    gold = {"reflection": True, "question": None, "input": False, "advice": False, "push": False}
    text = "Je wilt je werk eigenlijk niet kwijt."
    words = [[w, i * 0.3, i * 0.3 + 0.3, 0.95] for i, w in enumerate(text.split())]
    heard = {"id": "h", "prev": "Ik weet het niet meer.", "text": text, "labels": gold, "words": words}
    assert mod.score([heard], "nl")[0]["reflection"] == (1.0, 1)
    # the same words barely heard (Whisper's first word is underrated, so 0.05 for it):
    # a reflection inferred from a statement needs them heard
    unsure = {**heard, "words": [[w, a, b, 0.05 if a == 0 else 0.3] for w, a, b, _ in words]}
    assert mod.score([unsure], "nl")[0]["reflection"] == (0.0, 1)


def test_an_open_question_survives_whispers_doubt_about_its_first_word(script):
    mod = script("label_accuracy")
    # test-065 as Whisper base heard it from MBROLA's nl2 voice, probabilities as it gave them
    words = [["wat", 0.0, 0.2, 0.30], ["kost", 0.2, 0.5, 0.99], ["dat", 0.5, 0.7, 0.99], ["je", 0.7, 0.8, 0.89],
             ["al", 0.8, 0.9, 0.62], ["dat", 0.9, 1.0, 0.60], ["doorwerken?", 1.0, 1.6, 0.58]]
    gold = {"reflection": False, "question": "open", "input": False, "advice": False, "push": False}
    heard = {"id": "q", "prev": "", "text": "wat kost dat je al dat doorwerken?", "labels": gold, "words": words}
    f1, wrong = mod.score([heard], "nl")
    assert f1["open"] == (1.0, 1) and not wrong


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_held_out_sets_are_well_formed(lang):
    more = ("dev2.jsonl", "dev3.jsonl", "dev4.jsonl", "test2.jsonl") if lang == "nl" else ()
    for name in ("dev.jsonl", "test.jsonl") + more:
        rows = _rows(lang, name)
        assert len(rows) == (180 if name in ("dev2.jsonl", "dev3.jsonl", "dev4.jsonl") else 120)
        assert len({r["id"] for r in rows}) == len(rows)
        assert all(set(r["labels"]) == {"reflection", "question", "input", "advice", "push"} for r in rows)


@pytest.mark.parametrize("lang,name,label,floor", [
    # measured (scripts/label_accuracy.py tests/data/nl_labels/test.jsonl) after tuning on
    # dev4.jsonl: reflection 0.866, open 0.951, closed 0.933, input 0.800, advice 0.706, push
    # 0.833 (after dev3: advice 0.593, push 0.800; after dev2: 0.836, 0.915, 0.933, 0.764,
    # 0.593, 0.800; before: 0.818, 0.900, 0.909, 0.702, 0.538, 0.800)
    ("nl", "test", "reflection", 0.83), ("nl", "test", "open", 0.91), ("nl", "test", "closed", 0.88),
    ("nl", "test", "input", 0.76), ("nl", "test", "advice", 0.66), ("nl", "test", "push", 0.78),
    # test2.jsonl (written blind with dev4, 2026-11-22): before tuning on dev4 reflection 0.874,
    # open 0.958, closed 0.944, input 0.784, advice 0.621, push 0.846; after 0.897, 0.958,
    # 0.944, 0.811, 0.750, 0.963
    ("nl", "test2", "reflection", 0.86), ("nl", "test2", "open", 0.92), ("nl", "test2", "closed", 0.9),
    ("nl", "test2", "input", 0.77), ("nl", "test2", "advice", 0.7), ("nl", "test2", "push", 0.92),
    # English (word model + encoder): reflection 0.916, open 0.903, closed 0.837, input 0.769,
    # advice 0.629, push 0.812
    ("en", "test", "reflection", 0.88), ("en", "test", "open", 0.87), ("en", "test", "closed", 0.8),
    ("en", "test", "input", 0.73), ("en", "test", "advice", 0.58), ("en", "test", "push", 0.77),
])
def test_labels_on_the_held_out_sets(script, lang, name, label, floor):
    f1, _ = script("label_accuracy").score(_rows(lang, f"{name}.jsonl"), lang)
    assert f1[label][0] >= floor


@pytest.mark.parametrize("label,floor", [
    # measured with every "?" made "." (label_accuracy.py --no-question-marks), as Whisper writes
    # most Dutch questions: open 0.893, closed 0.737, reflection 0.817 (before the word-order
    # rules: open 0.0, closed 0.0, reflection 0.727); closed 0.769 since "Hebt u", "Mag ik",
    # past-tense verbs after a question word (blind test2: closed 0.615 -> 0.733)
    ("open", 0.85), ("closed", 0.72), ("reflection", 0.78),
])
def test_dutch_questions_without_question_marks_on_the_held_out_set(script, label, floor):
    mod = script("label_accuracy")
    f1, _ = mod.score(mod.unmarked(_rows("nl", "test.jsonl")), "nl")
    assert f1[label][0] >= floor


HEARD = Path(__file__).parent / "heard"


@pytest.mark.parametrize("name,label,floor", [
    # tests/data/nl_labels spoken by MBROLA nl2 and heard by Whisper base as the pipeline decodes
    # it (scripts/speak_labels.py --voice mb-nl2, kept in tests/rules/heard/, 2026-12-07), scored
    # with the words' probabilities. dev tuned the tolerance for what Whisper hears: reflection
    # 0.746 -> 0.844, input 0.877 -> 0.941, push 0.800 -> 0.857; test and test2 only measure it
    # (test 0.754 / 0.912 / 0.800 / 0.788 / 0.727 / 0.848 unchanged, test2 reflection 0.657 -> 0.676)
    ("dev", "reflection", 0.82), ("dev", "input", 0.92), ("dev", "push", 0.84),
    ("dev2", "open", 0.965), ("dev2", "closed", 0.87), ("dev2", "advice", 0.64),  # 0.959 -> 0.972,
    # 0.842 -> 0.881, 0.619 -> 0.651
    ("test", "reflection", 0.73), ("test", "open", 0.89), ("test", "closed", 0.78),
    ("test", "input", 0.76), ("test", "advice", 0.70), ("test", "push", 0.82),
    ("test2", "reflection", 0.65), ("test2", "open", 0.89), ("test2", "closed", 0.62),
    ("test2", "input", 0.72), ("test2", "advice", 0.62), ("test2", "push", 0.90),
])
def test_dutch_labels_on_what_whisper_heard(script, name, label, floor):
    path = HEARD / f"{name}.mb-nl2.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert all(r["words"] and r["written"] for r in rows)
    f1, _ = script("label_accuracy").score(rows, "nl")
    assert f1[label][0] >= floor
