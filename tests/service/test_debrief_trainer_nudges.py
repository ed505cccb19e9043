"""The debrief lists the nudges the trainer typed and sent live beside the bookmarks: what
was sent, to whom, when, and what was said just before (it listed the bookmarks only)."""

import json

from pullcoach.cli import main
from pullcoach.debrief import build_debrief
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.report_data import build
from pullcoach.rules.events import (
    Bookmarked, NudgeIssued, SessionEnded, SessionStarted, TranscriptFinal,
)
from pullcoach.store import Store


def session(sid: str, wall: float, coachee: str, nudge_at: float | None) -> list:
    log = [SessionStarted(session=sid, wall_clock=wall, lang="nl", coachee=coachee, partner="Joost"),
           TranscriptFinal(t=3.0, speaker="partner", t0=1.0, t1=2.8, text="Ik heb er echt geen tijd voor."),
           TranscriptFinal(t=6.0, speaker="coachee", t0=3.2, t1=5.5, text="Je moet het gewoon doen."),
           Bookmarked(t=8.0, note="Hier duwt ze", by="trainer")]
    if nudge_at is not None:
        log.append(NudgeIssued(t=nudge_at, rule="trainer", kind="trainer", message="Vraag wat hem tegenhoudt"))
    return [*log, SessionEnded(t=90.0, reason="ended")]


def test_trainer_nudges_stand_beside_the_bookmarks_with_what_was_said_before():
    d = build_debrief([build(session("s1", 1_000_000.0, "Sanne", 6.5)),
                       build(session("s2", 1_000_600.0, "Bram", None))])
    (n,) = d["trainer_nudges"]
    assert (n["session"]["id"], n["t"], n["message"], n["to"]) == ("s1", 6.5, "Vraag wat hem tegenhoudt", "Sanne")
    assert [u["text"] for u in n["around"]] == ["Ik heb er echt geen tijd voor.", "Je moet het gewoon doen."]
    md = render_debrief_md(d)
    assert "## Jouw bladwijzers en seintjes" in md
    # by role-play, then time: Sanne's nudge at 0:06 before her bookmark at 0:08, then Bram's
    sent = md.index("- **0:06 Seintje «Vraag wat hem tegenhoudt»** — aan Sanne · ")
    assert sent < md.index("- **0:08 Hier duwt ze** — Sanne") < md.index("- **0:08 Hier duwt ze** — Bram")
    assert "  > **Sanne:** Je moet het gewoon doen." in md[sent:]
    html = render_debrief_html(d)
    assert "Seintje «Vraag wat hem tegenhoudt»" in html and "aan Sanne · " in html
    en = render_debrief_html(build_debrief([build(session("s1", 1_000_000.0, "Sanne", 6.5))], "en"))
    assert "Your bookmarks and nudges" in en and "Nudge “Vraag wat hem tegenhoudt”" in en and "to Sanne · " in en
    # without any, the heading stays the bookmarks'
    assert "## Jouw bladwijzers\n" in render_debrief_md(build_debrief([build(session("s2", 1.0, "Bram", None))]))


def test_cli_json_carries_the_trainer_nudges(tmp_path, capsys):
    with Store(tmp_path) as store:
        for e in session("s1", 1_000_000.0, "Sanne", 6.5):
            store.append("s1", e)
    out = tmp_path / "d.json"
    assert main(["debrief", "s1", "--data-dir", str(tmp_path), "-o", str(out)]) == 0
    (n,) = json.loads(out.read_text())["trainer_nudges"]
    assert (n["t"], n["message"], n["to"], n["delivered"]) == (6.5, "Vraag wat hem tegenhoudt", "Sanne", True)
    assert n["around"][-1]["text"] == "Je moet het gewoon doen."


def test_a_plugins_good_move_is_named_by_its_nudge_not_its_id():
    log = [SessionStarted(session="s1", wall_clock=1_000_000.0, lang="nl", coachee="Anna", partner="Joost"),
           TranscriptFinal(t=3.0, speaker="partner", t0=1.0, t1=2.8, text="Ik heb er echt geen tijd voor."),
           TranscriptFinal(t=6.0, speaker="coachee", t0=3.2, t1=5.5, text="Dus het is je gewoon te veel."),
           NudgeIssued(t=6.2, rule="so-praise", kind="positive", message="✓ Mooi dat dus", evidence_t=3.2),
           SessionEnded(t=90.0, reason="ended")]
    d = build_debrief([build(log)])
    assert [m["nudge"]["rule"] for m in d["good_moments"]] == ["so-praise"]
    for text in (render_debrief_md(d), render_debrief_html(d)):
        assert "✓ Mooi dat dus" in text and "so-praise" not in text
