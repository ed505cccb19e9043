"""`pullcoach analyze` without --coachee coaches the first speaker: the md output says so at
its top (not only stderr), the JSON has a field for it, and the md nudge list is in time order
with its withdrawals."""

import json
import re
from pathlib import Path

from pullcoach.cli import main

DATA = Path(__file__).parent.parent / "data" / "transcripts"


def md(capsys, *args):
    assert main(["analyze", *args]) == 0
    return capsys.readouterr().out


def test_a_guessed_coachee_is_said_at_the_top_of_the_md_in_its_language(capsys):
    nl = md(capsys, str(DATA / "push_kantoor.jsonl")).splitlines()
    assert nl[2] == ("_Coachee gegokt: Medewerker, de eerste spreker; coach je een ander, "
                     "geef dan `--coachee Manager`._")
    en = md(capsys, str(DATA / "nego_en_push.jsonl"), "--lang", "en").splitlines()
    assert en[2] == "_Coachee guessed: Mark, the first speaker; to coach another, give `--coachee Sarah`._"
    chosen = md(capsys, str(DATA / "push_kantoor.jsonl"), "--coachee", "Manager")
    assert "gegokt" not in chosen and "Coachee: **Manager**" in chosen


def test_the_json_says_whether_the_coachee_was_guessed(capsys):
    def run(*args):
        assert main(["analyze", str(DATA / "push_kantoor.jsonl"), "--format", "json", *args]) == 0
        return json.loads(capsys.readouterr().out)
    guessed, chosen = run(), run("--coachee", "Medewerker")
    assert guessed["metrics"]["coachee_guessed"] is True and chosen["metrics"]["coachee_guessed"] is False
    # the same coachee either way: nothing else differs
    del guessed["metrics"]["coachee_guessed"], chosen["metrics"]["coachee_guessed"]
    assert guessed == chosen


def test_the_md_nudges_and_withdrawals_are_in_time_order(capsys):
    out = md(capsys, str(DATA / "nego_en_push.jsonl"), "--lang", "en", "--coachee", "Mark")
    nudges = out.split("## Nudges")[1].split("## Utterances")[0]
    times = re.findall(r"^- (\d\d):(\d\d\.\d)", nudges, re.M)
    assert any("withdrawn" in line for line in nudges.splitlines())
    clock = [int(m) * 60 + float(s) for m, s in times]
    assert len(clock) >= 5 and clock == sorted(clock)
