"""``pullcoach sessions list``: a header names the columns, and the values line up under it."""

from __future__ import annotations

import json

from pullcoach.cli import main
from pullcoach.rules.events import SessionEnded, SessionStarted, TranscriptFinal
from pullcoach.store import Store

HEAD = ["session", "started", "duration", "lang", "status", "utterances", "nudges", "coachee ↔ partner"]


def test_the_list_has_a_header_and_its_columns_line_up(tmp_path, capsys):
    with Store(tmp_path) as store:
        store.append("kort", SessionStarted(session="kort", lang="en", wall_clock=1_765_000_000.0,
                                            coachee="Anna", partner="Bert"))
        for i in range(12):
            store.append("kort", TranscriptFinal(t=i + 1.0, speaker="coachee", t0=i, t1=i + 1.0, text="ja"))
        store.append("kort", SessionEnded(t=754.0, reason="ended"))
        long_id = "rollenspel-met-een-heel-lange-naam-7"  # longer than the old fixed width
        store.append(long_id, SessionStarted(session=long_id, wall_clock=1_765_003_600.0))
    assert main(["sessions", "list", "--data-dir", str(tmp_path)]) == 0
    head, *rows = capsys.readouterr().out.splitlines()
    assert [h.strip() for h in head.split("  ") if h.strip()] == HEAD
    assert len(rows) == 2 and rows[0].startswith(long_id)  # newest first
    at = {h: head.index(h) for h in HEAD}
    ended = next(r for r in rows if r.startswith("kort"))
    # left-aligned values start under their name, numbers end under its last letter
    assert ended.index("ended") == at["status"] and ended.index("en ") == at["lang"]
    assert ended.index("Anna ↔ Bert") == at["coachee ↔ partner"]
    assert ended[:at["utterances"] + len("utterances")].endswith(" 12")
    assert ended[:at["duration"] + len("duration")].endswith(" 12:34")
    assert rows[0].index("interrupted") == at["status"]
    # the machine-readable form has no header
    assert main(["sessions", "list", "--format", "json", "--data-dir", str(tmp_path)]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)] == [long_id, "kort"]
