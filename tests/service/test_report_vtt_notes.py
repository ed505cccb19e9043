"""The WebVTT export keeps each cue what was said; the labels go in a NOTE before the cue. With
"[moeten, informatie]" in the cue text, `pullcoach analyze` read the label words as speech."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.cli import main
from pullcoach.report import render
from pullcoach.transcripts import parse_transcript

LINES = [("partner", 0.5, 3.0, "Ik werk liever thuis.", {}),
         ("coachee", 3.5, 7.0, "Je moet echt vaker naar kantoor komen.",
          {"push": ["moeten"], "input": True, "arguments": 2}),
         ("partner", 7.5, 9.0, "Waarom dan?", {}),
         ("coachee", 9.5, 12.0, "Wat maakt thuis fijn voor je?", {"question": "open"})]


def test_cues_hold_the_words_and_notes_the_labels():
    vtt = render(scripted(LINES), "vtt")
    blocks = vtt.split("\n\n")
    assert blocks[0] == "WEBVTT"
    assert "NOTE 2: moeten, informatie, argumenten ×2\n\n2\n00:00:03.500 --> 00:00:07.000\n" \
           "<v Anna>Je moet echt vaker naar kantoor komen.</v>\n" in vtt
    assert "NOTE 4: open vraag\n\n4\n" in vtt
    assert "[" not in vtt  # no labels in any cue
    for block in blocks:  # a comment never holds a cue's arrow (it would end the comment)
        if block.startswith("NOTE"):
            assert "-->" not in block and "\n" not in block.strip()
    # read back as a transcript: the words said, nothing more, by the same speakers
    segs = parse_transcript(vtt, suffix=".vtt")
    assert [(s.speaker, s.start, s.end, s.text) for s in segs] == [
        ("Bert" if sp == "partner" else "Anna", t0, t1, text) for sp, t0, t1, text, _ in LINES]


def test_analyze_reads_the_exported_vtt_back_with_the_same_text(tmp_path, capsys):
    path = tmp_path / "gesprek.vtt"
    path.write_text(render(scripted(LINES), "vtt"), encoding="utf-8")
    assert main(["analyze", str(path), "--coachee", "Anna", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    said = [u["text"] for u in out["utterances"]]
    assert said == [text for *_, text, _ in LINES]
