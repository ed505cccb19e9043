"""The debrief's negative nudges per 10 minutes: only for a call long enough for a rate."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pullcoach.debrief import RATE_MIN_MINUTES, build_debrief
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.report_data import build
from pullcoach.rules.engine import Engine
from pullcoach.rules.events import SessionEnded, SessionStarted
from pullcoach.transcripts import read_transcript, to_events

PUSH = Path(__file__).parent.parent / "data" / "transcripts" / "push_kantoor.jsonl"  # 0:40, pushy


def report(times: int) -> dict:
    """The report of a role-play that goes through push_kantoor ``times`` times in a row."""
    once = read_transcript(PUSH)
    step = max(s.end for s in once) + 1.0
    segments = [dataclasses.replace(s, start=s.start + i * step, end=s.end + i * step)
                for i in range(times) for s in once]
    engine = Engine(lang="nl")
    log = [SessionStarted(session=f"push-{times}", lang="nl", wall_clock=1_765_000_000.0,
                          coachee="Manager", partner="Medewerker")]
    events = to_events(segments, "Manager")
    for ev in events:
        log += [ev, *engine.feed(ev)]
    end = SessionEnded(t=events[-1].t, reason="ended")
    return build(log + [end, *engine.feed(end)])


@pytest.mark.parametrize("times", [2, 6])  # 1:21 and 4:05: a count, no rate
def test_a_short_call_shows_its_count_without_a_rate(times):
    r = report(times)
    assert 60 < r["session"]["duration"] < RATE_MIN_MINUTES * 60
    d = build_debrief([r])
    (row,) = d["sessions"]
    assert row["negative"] > 0 and row["negative_per_10min"] is None
    md = render_debrief_md(d)
    assert "per 10 min" not in md and f" | {row['negative']} |" in md
    html = render_debrief_html(d)
    assert "per 10 min" not in html and f"<td>{row['negative']}</td></tr>" in html


def test_a_call_of_five_minutes_and_more_shows_the_rate():
    r = report(8)  # 5:27
    assert r["session"]["duration"] >= RATE_MIN_MINUTES * 60
    d = build_debrief([r])
    (row,) = d["sessions"]
    per = round(row["negative"] / (r["session"]["duration"] / 60) * 10, 1)
    assert row["negative_per_10min"] == per
    shown = f"{per:.1f}".replace(".", ",")  # Dutch decimals
    assert f" | {row['negative']} ({shown} per 10 min) |" in render_debrief_md(d)
    assert f"<small>{shown} per 10 min</small>" in render_debrief_html(d)
