"""A session ``pullcoach sessions rescue`` gave back with a stretch lost: the report dates the
stretch and says its figures and transcript are missing, in both languages, in every form.
The files are damaged for real, as in test_rescue.py."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import sys
from html import unescape
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_rescue import WALL, page_size, role_play  # noqa: E402

from pullcoach.cli import main
from pullcoach.rescue import rescue
from pullcoach.report_text import clock
from pullcoach.rules.events import PipelineWarning
from pullcoach.store import Store

LOST = {"nl": "ontbreekt een stuk van het gesprek ({n} gebeurtenissen): het sessiebestand was "
              "beschadigd",
        "en": "part of the conversation is missing ({n} events): the session file was damaged"}
MISSING = {"nl": "Wat er toen gezegd en gesignaleerd is, ontbreekt in de cijfers en het transcript.",
           "en": "What was said and nudged then is missing from the figures and the transcript."}
SPAN = {"nl": "Van {t0} tot {t1} ", "en": "From {t0} to {t1} "}
REST = {"nl": "Vanaf {t0} ontbreekt de rest van het gesprek: het sessiebestand was beschadigd",
        "en": "From {t0} on the rest of the conversation is missing: the session file was damaged"}
DISK_FULL = {"nl": "schijf", "en": "disk"}


def store_in(path: Path, lang: str) -> None:
    """Sessions a, b, c in ``lang``, as test_rescue.make_store writes them."""
    with Store(path) as store:
        for n, sid in enumerate(("a", "b", "c")):
            events = role_play(sid, WALL + 3600 * n)
            events[0] = dataclasses.replace(events[0], lang=lang)
            for e in events:
                store.append(sid, e)


def report(tmp_path, capsys, sid: str, fmt: str) -> str:
    assert main(["report", sid, "--format", fmt, "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    return unescape(out) if fmt == "html" else out.replace("\\", "")  # md escapes > and _


def rescued_warnings(path: Path, sid: str) -> list[PipelineWarning]:
    with Store(path) as store:
        return [e for e in store.events(sid)
                if isinstance(e, PipelineWarning) and e.kind == "store-rescued"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_stretch_lost_to_a_page_of_garbage_is_dated_in_the_report(tmp_path, capsys, lang):
    store_in(tmp_path, lang)
    db = tmp_path / "sessions.db"
    with open(db, "r+b") as f:  # a page in the middle of session a's events
        f.seek(page_size(db) * 40)
        f.write(random.Random(7).randbytes(page_size(db)))
    assert main(["sessions", "rescue", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    [gap] = rescued_warnings(tmp_path, "a")
    t0, t1, n = clock(gap.detail["t0"]), clock(gap.detail["t1"]), gap.detail["events"]
    assert t0 != t1 and n > 1
    said = SPAN[lang].format(t0=t0, t1=t1) + LOST[lang].format(n=n)
    for fmt in ("md", "html"):
        out = report(tmp_path, capsys, "a", fmt)
        assert said in out and MISSING[lang] in out, fmt
        assert DISK_FULL[lang] not in out  # that is the store-gap's cause, not this one's
    problems = json.loads(report(tmp_path, capsys, "a", "json"))["problems"]
    assert [(p["kind"], p["t0"], p["t1"], p["events"]) for p in problems] == [
        ("store-rescued", gap.detail["t0"], gap.detail["t1"], n)]
    assert "store-rescued" not in report(tmp_path, capsys, "b", "md")  # whole: nothing said


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_session_whose_end_was_cut_off_says_the_rest_is_missing(tmp_path, capsys, lang):
    store_in(tmp_path, lang)
    db = tmp_path / "sessions.db"
    os.truncate(db, db.stat().st_size * 6 // 10)
    cut = [s for s in rescue(tmp_path).sessions if s.tail_lost]
    assert cut
    for s in cut:
        gap = rescued_warnings(tmp_path, s.id)[-1]
        assert gap.detail["t1"] is None
        out = report(tmp_path, capsys, s.id, "md")
        assert REST[lang].format(t0=clock(gap.detail["t0"])) in out
        assert DISK_FULL[lang] not in out


def test_lost_within_one_second_is_said_at_that_time(tmp_path, capsys):
    """Rows lost between two events in the same second: "Om 9:55", not "Van 9:55 tot 9:55"."""
    from pullcoach.report_data import build
    from pullcoach.report_text import problem_text, speaker_names, words
    events = role_play("a", WALL, rounds=1)
    events.insert(5, PipelineWarning(t=595.2, kind="store-rescued", message="lost",
                                     detail={"t0": 595.2, "t1": 595.7, "events": 1}))
    r = build(events)
    w = words("nl")
    [p] = r["problems"]
    assert problem_text(p, w, speaker_names(r["session"], w)).startswith(
        "Om 9:55 ontbreekt een stuk van het gesprek (1 gebeurtenis):")
