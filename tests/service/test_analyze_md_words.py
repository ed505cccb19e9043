"""`pullcoach analyze --format md` in Dutch words a nudge's kind as the report does ("wat
beter kan", "goede zet", "signaal van de ander"), not the log's English "(negative)"; an
English pack keeps the English kinds."""

from pathlib import Path

from pullcoach.cli import main

DATA = Path(__file__).parent.parent / "data" / "transcripts"


def nudge_lines(capsys, *args) -> list[str]:
    assert main(["analyze", *args]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("- ") and "**" in line]


def test_dutch_kinds_in_dutch(capsys):
    lines = nudge_lines(capsys, str(DATA / "push_kantoor.jsonl"), "--coachee", "Manager")
    assert "- 00:05.9 **Laat uitpraten** `interruption` (wat beter kan)" in lines
    assert any("`interrupted` (signaal van de ander)" in line for line in lines)
    lines += nudge_lines(capsys, str(DATA / "pull_kantoor.jsonl"), "--coachee", "Manager")
    assert any("`good-summary` (goede zet)" in line for line in lines)
    for english in ("(negative)", "(positive)", "(cue)"):
        assert not [line for line in lines if english in line]


def test_english_kinds_in_english(capsys):
    lines = nudge_lines(capsys, str(DATA / "nego_en_push.jsonl"), "--lang", "en")
    assert any("`righting-reflex` (negative)" in line for line in lines)
    assert any("`interrupted` (cue)" in line for line in lines)
    assert not [line for line in lines if "wat beter kan" in line or "signaal" in line]
