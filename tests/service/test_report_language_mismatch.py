"""A session coached in the other language than was spoken (its ``language`` warning: an
English speaker run with the Dutch rules) is treated like one whose audio broke off: never the
baseline of "since your previous conversation" ("Open vragen: 0% → 100% beter" was the Dutch
rules on English words), marked in the debrief, its figures about the words not counted and its lines no
example; its report says so in both languages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pullcoach.cli import main
from pullcoach.debrief import build_debrief
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.lang_guess import language_warning
from pullcoach.report import render
from pullcoach.report_data import GOOD, WORD_FIGURES, build
from pullcoach.report_progress import previous_session, progress, wrong_language
from pullcoach.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from test_debrief import DAY, coached, stored  # noqa: E402


def misheard(name: str, coachee: str, sid: str, wall: float) -> list:
    """A call whose words sounded English in a Dutch session (the live warning at 20 s)."""
    log = coached(name, coachee, sid, wall)
    at = next(i for i, e in enumerate(log) if getattr(e, "t", 0.0) >= 20.0)
    return log[:at] + [language_warning(20.0, "en", "nl")] + log[at:]


def test_a_session_coached_in_the_other_language_is_no_baseline(tmp_path, capsys):
    stored(tmp_path, ("m-1", coached("push_kantoor.jsonl", "Manager", "m-1", DAY)),
           ("m-2", misheard("push_kantoor.jsonl", "Manager", "m-2", DAY + 600)),
           ("m-3", coached("pull_kantoor.jsonl", "Manager", "m-3", DAY + 1200)))
    with Store(tmp_path) as store:
        infos = store.sessions()
        assert previous_session(infos, "m-3", events=store.events) == "m-1"
        wrong, pull = build(store.events("m-2")), build(store.events("m-3"))
    assert wrong_language(wrong) == {"heard": "en", "lang": "nl"} and wrong_language(pull) is None
    assert progress(pull, wrong) is None and progress(wrong, pull) is None
    assert main(["report", "m-3", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["progress"]["session"]["id"] == "m-1"


def test_the_report_says_the_language_mismatch_in_both_languages():
    log = misheard("push_kantoor.jsonl", "Manager", "m-2", DAY)
    md = render(log, "md")
    banner = next(line for line in md.splitlines() if "klonk Engels" in line)
    assert "The conversation sounded English, but was coached with the Dutch rules" in banner
    html = render(log, "html")
    assert "The conversation sounded English, but was coached with the Dutch rules" in html


def test_the_debrief_marks_it_and_takes_no_figure_or_example_from_it():
    pull = build(coached("pull_kantoor.jsonl", "Manager", "m-1", DAY))
    wrong = build(misheard("push_kantoor.jsonl", "Manager", "m-2", DAY + 600))
    d = build_debrief([pull, wrong], "en")
    row = next(r for r in d["sessions"] if r["session"]["id"] == "m-2")
    assert row["wrong_lang"] == {"heard": "en", "lang": "nl"}
    md, html = render_debrief_md(d), render_debrief_html(d)
    for text in (md, html):
        assert "coached in Dutch, but it sounded English" in text
    nl = render_debrief_md(build_debrief([pull, wrong], "nl"))
    assert "gecoacht in het Nederlands, maar het klonk Engels" in nl
    # its figures about the words count for nothing: only the other session rates them
    assert all(d["tally"][k]["rated"] <= 1 for k in WORD_FIGURES)
    # no example, praised moment or first-to-last comparison from it
    assert all((p["example"] or {}).get("session", {}).get("id") != "m-2" for p in d["work_on"])
    assert all(m["session"]["id"] != "m-2" for m in d["good_moments"])
    assert d["progress"] == []


def test_what_went_well_says_what_is_true_for_two_conversations():
    """One good call and one poor: no figure was good in both, but something went well in
    one; "Nothing went well" was untrue. With nothing good anywhere it says that."""
    good = build(coached("pull_kantoor.jsonl", "Manager", "m-1", DAY))
    poor = build(coached("push_kantoor.jsonl", "Bert", "m-2", DAY + 600))
    for r in (good, poor):  # good only in the pull call
        for f in r["figures"].values():
            f["rating"] = GOOD if r is good else "poor"
    md = render_debrief_md(build_debrief([good, poor], "en"))
    said = md.split("## What went well")[1].split("##")[0].strip()
    assert said == ("No figure was good in both conversations; what went well in one is in the "
                    "table above and in its report.")
    for f in good["figures"].values():
        f["rating"] = "poor"
    md = render_debrief_md(build_debrief([good, poor], "en"))
    assert "No figure was good in any of the 2 conversations." in md
