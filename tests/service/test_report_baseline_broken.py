""""Since your previous conversation" is never measured against a session whose audio broke
off: a partner's file cut at 15 s left the coachee talking 89% of a one-sided call, and the
next report headlined "89% → 51% beter"."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pullcoach.audio_file import file_broken
from pullcoach.cli import main
from pullcoach.report_data import build
from pullcoach.report_progress import broke_off, previous_session, progress
from pullcoach.rules.events import SessionEnded
from pullcoach.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from test_debrief import DAY, coached, stored  # noqa: E402


def partner_cut(sid: str, wall: float) -> list:
    """A push call whose partner's replayed file broke off at 15 s (its real warning)."""
    log = coached("push_kantoor.jsonl", "Manager", sid, wall)
    at = next(i for i, e in enumerate(log) if getattr(e, "t", 0.0) >= 15.0)
    return log[:at] + [file_broken(15.0, "partner", "partner.wav", "cut short")] + log[at:]


def error_ended(sid: str, wall: float) -> list:
    """A push call ended by an audio error (the coachee's file broke)."""
    log = coached("push_kantoor.jsonl", "Manager", sid, wall, ended=False)
    return log + [SessionEnded(t=log[-1].t, reason="error")]


def test_a_session_whose_partner_file_broke_off_is_no_baseline(tmp_path, capsys):
    stored(tmp_path, ("m-1", coached("push_kantoor.jsonl", "Manager", "m-1", DAY)),
           ("m-2", partner_cut("m-2", DAY + 600)),
           ("m-3", coached("pull_kantoor.jsonl", "Manager", "m-3", DAY + 1200)))
    with Store(tmp_path) as store:
        infos = store.sessions()
        # with the events at hand, the whole session before the broken one is the baseline
        assert previous_session(infos, "m-3", events=store.events) == "m-1"
        assert previous_session(infos, "m-2", events=store.events) == "m-1"
        broken, pull = build(store.events("m-2")), build(store.events("m-3"))
    assert broke_off(broken) and not broke_off(pull)
    assert progress(pull, broken) is None  # handed the broken one anyway: no comparison
    assert progress(pull, build(coached("push_kantoor.jsonl", "Manager", "m-1", DAY))) is not None
    # as the user reads it: never "since" the broken session
    assert main(["report", "m-3", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    since = json.loads(capsys.readouterr().out)["progress"]
    assert since is not None, "the whole session before the broken one is the baseline"
    assert since["session"]["id"] == "m-1"
    assert main(["report", "m-3", "--format", "md", "--data-dir", str(tmp_path)]) == 0
    assert "Sinds je vorige gesprek (04-12-2026 09:10)" not in capsys.readouterr().out


def test_a_session_ended_by_an_audio_error_is_passed_over_by_its_row(tmp_path):
    stored(tmp_path, ("m-1", coached("push_kantoor.jsonl", "Manager", "m-1", DAY)),
           ("m-2", error_ended("m-2", DAY + 600)),
           ("m-3", coached("pull_kantoor.jsonl", "Manager", "m-3", DAY + 1200)))
    with Store(tmp_path) as store:
        infos = store.sessions()
        broken = build(store.events("m-2"))
    assert next(s for s in infos if s["id"] == "m-2")["reason"] == "error"
    assert previous_session(infos, "m-3") == "m-1"  # the row says so: no events needed
    assert broke_off(broken)
    # only broken ones: the whole ones before are found as before
    assert previous_session(infos, "m-2") == "m-1"
    assert previous_session([s for s in infos if s["id"] != "m-1"], "m-3") is None
