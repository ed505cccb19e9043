"""``pullcoach sessions ...`` and ``pullcoach report`` through cli.main, on a real store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import session_events  # noqa: E402

from pullcoach.cli import main
from pullcoach.rules.events import SessionStarted, from_json
from pullcoach.store import Store


@pytest.fixture
def data(tmp_path):
    with Store(tmp_path) as store:
        for e in session_events():
            store.append("rollenspel-1", e)
        store.append("other-2", SessionStarted(session="other-2", wall_clock=1_700_000_000.0))
    return str(tmp_path)


def test_list_text_and_json(data, capsys):
    assert main(["sessions", "list", "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "rollenspel-1" in out and "ended" in out and "interrupted" in out
    assert "Anna ↔ Bert" in out  # who practised: the ids alone do not tell sessions apart
    assert main(["sessions", "list", "--format", "json", "--data-dir", data]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in items] == ["rollenspel-1", "other-2"]
    assert items[0]["counts"]["nudge-issued"] == 5


def test_sessions_without_an_action_lists_and_takes_data_dir_on_either_side(data, tmp_path, capsys):
    assert main(["sessions", "--data-dir", data]) == 0
    listed = capsys.readouterr().out
    assert "rollenspel-1" in listed and "other-2" in listed
    assert main(["sessions", "--data-dir", data, "list"]) == 0
    assert capsys.readouterr().out == listed
    assert main(["sessions", "--data-dir", data, "show", "rollen", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "rollenspel-1"
    # the ACTION's own --data-dir wins
    assert main(["sessions", "--data-dir", data, "list", "--data-dir", str(tmp_path / "none")]) == 0
    assert "no sessions" in capsys.readouterr().out


def test_list_of_an_empty_dir(tmp_path, capsys):
    assert main(["sessions", "list", "--data-dir", str(tmp_path)]) == 0
    assert "no sessions" in capsys.readouterr().out


def test_show_by_prefix(data, capsys):
    assert main(["sessions", "show", "rollen", "--format", "json", "--data-dir", data]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["id"] == "rollenspel-1" and info["figures"]["push_words"]["value"] == 1
    assert main(["sessions", "show", "last", "--data-dir", data]) == 0
    assert "talk_share" in capsys.readouterr().out


def test_export_round_trips_the_log(data, tmp_path, capsys):
    out = tmp_path / "log.jsonl"
    assert main(["sessions", "export", "rollenspel-1", "-o", str(out), "--data-dir", data]) == 0
    events = [from_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert events == session_events()


def test_report_formats_and_output_file(data, tmp_path, capsys):
    assert main(["report", "last", "--format", "vtt", "--data-dir", data]) == 0
    assert capsys.readouterr().out.startswith("WEBVTT")
    html = tmp_path / "r.html"
    assert main(["report", "rollenspel", "-o", str(html), "--data-dir", data]) == 0
    assert "Gespreksverslag" in html.read_text(encoding="utf-8")
    md = tmp_path / "r.md"
    assert main(["report", "rollenspel", "-o", str(md), "--data-dir", data]) == 0
    assert md.read_text(encoding="utf-8").startswith("# Gespreksverslag")
    txt = tmp_path / "r.txt"  # readable text, not HTML under a .txt name
    assert main(["report", "rollenspel", "-o", str(txt), "--data-dir", data]) == 0
    assert txt.read_text(encoding="utf-8").startswith("# Gespreksverslag")
    # a name that says another format is refused, not filled with HTML or VTT
    for out, extra, says in (("r.pdf", [], "not pdf; for a PDF, open the HTML in a browser"),
                             ("r2.html", ["--format", "vtt"], "the file would be vtt under a .html name")):
        assert main(["report", "last", "-o", str(tmp_path / out), *extra, "--data-dir", data]) == 2
        assert says in capsys.readouterr().err and not (tmp_path / out).exists()


def test_on_a_terminal_delete_last_names_the_session_and_asks(data, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: print(prompt) or "n")
    assert main(["sessions", "delete", "last", "--data-dir", data]) == 1
    out = capsys.readouterr().out
    assert "delete " in out and "? [y/N]" in out and out.rstrip().endswith("kept")
    assert main(["sessions", "list", "--format", "json", "--data-dir", data]) == 0
    before = json.loads(capsys.readouterr().out)
    monkeypatch.setattr("builtins.input", lambda prompt: "ja")
    assert main(["sessions", "delete", "last", "--data-dir", data]) == 0
    assert f"deleted {before[0]['id']}" in capsys.readouterr().out
    assert main(["sessions", "delete", "other", "--yes", "--data-dir", data]) == 0  # no question


def test_delete_and_unknown_session(data, capsys):
    assert main(["sessions", "delete", "other", "--data-dir", data]) == 0
    assert "deleted other-2" in capsys.readouterr().out
    assert main(["report", "other", "--data-dir", data]) == 6  # StoreError
    err = capsys.readouterr().err
    assert err.startswith("pullcoach: no session 'other'") and "sessions list" in err


def test_retention_setting(data, capsys):
    import time
    with Store(data) as store:
        store.append("fresh-3", SessionStarted(session="fresh-3", wall_clock=time.time()))
    assert main(["sessions", "retention", "--data-dir", data]) == 0
    assert "forever" in capsys.readouterr().out
    assert main(["sessions", "retention", "30", "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "deleted 2 finished session(s) older than 30 days" in out and "kept for 30 days" in out
    assert main(["sessions", "list", "--format", "json", "--data-dir", data]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)] == ["fresh-3"]  # both others are older
    assert main(["sessions", "retention", "soon", "--data-dir", data]) == 2
    assert main(["sessions", "retention", "nan", "--data-dir", data]) == 2  # parsed as a float
    assert main(["sessions", "retention", "inf", "--data-dir", data]) == 2
    assert main(["sessions", "retention", "0", "--data-dir", data]) == 2  # not "delete all", not "off"
    assert "'off' keeps every session" in capsys.readouterr().err


def test_output_cut_short_by_head_is_no_traceback(data):
    import os
    import subprocess
    script = (f'"{sys.executable}" -m pullcoach sessions show last --data-dir "{data}" | head -1; '
              f'"{sys.executable}" -m pullcoach report last --format md --data-dir "{data}" | head -1')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONUNBUFFERED="1"))
    assert done.stdout.splitlines() == ["id         rollenspel-1", "# Gespreksverslag"]
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
