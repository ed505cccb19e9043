"""A local replay whose coachee's or stereo file broke off says so once, at the top of its
report, with the file's name (not its path): no status line "De opname brak op 0:02 af"
above a problem line "Vanaf 0:02 ontbreekt de rest: de opname brak daar af …" saying the
same. And a session whose own audio broke off is not set beside the previous one ("Spreektijd
51% → 89% slechter" for a call half missing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pullcoach.audio_file import FileSource
from pullcoach.cli import main
from pullcoach.report import build, render
from pullcoach.report_progress import broke_off, progress

sys.path.insert(0, str(Path(__file__).parent))
from test_debrief import DAY, coached  # noqa: E402
from test_replay_break_words import DECODER, banners, cut_flac, head_wav, replayed  # noqa: E402
from test_report_baseline_broken import error_ended, partner_cut, stored  # noqa: E402

SAID = {
    ("nl", "stereo"): "De opname brak op 0:02 af: cut.flac is beschadigd of afgekapt. Beide kanten "
                      "stopten daar, want ze staan in één stereobestand; het verslag loopt tot dan.",
    ("nl", "coachee"): "De opname brak op 0:02 af: het bestand van de coachee (cut.flac) is beschadigd "
                       "of afgekapt. Het verslag loopt tot dan.",
    ("en", "stereo"): "The recording broke off at 0:02: cut.flac is damaged or cut short. Both sides "
                      "stopped there, as they are in one stereo file; the report runs to then.",
    ("en", "coachee"): "The recording broke off at 0:02: the coachee's file (cut.flac) is damaged or "
                       "cut short. The report runs to then.",
}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("shape", ["stereo", "coachee"])
def test_the_break_is_said_once_with_the_files_name(tmp_path, shape, lang):
    cut = cut_flac(tmp_path)
    source = FileSource(cut) if shape == "stereo" else FileSource(cut, head_wav(tmp_path, 6.0))
    seen, err = replayed(source, lang)
    assert DECODER in str(err)
    page, md = render(seen, "html"), render(seen, "md")
    said = SAID[(lang, shape)]
    broke = "brak" if lang == "nl" else "broke off"
    # the page: one banner about the break, the first
    about = [b for b in banners(page) if broke in b]
    assert about == [said] and banners(page)[0] == said
    # the Markdown: the same line, once
    quoted = [line for line in md.splitlines() if line.startswith("> ") and broke in line]
    assert quoted == [f"> {said}"]
    assert str(tmp_path) not in page and str(tmp_path) not in md  # its name, not its path
    assert DECODER not in page and DECODER not in md
    # the data still holds the break (the debrief, the timeline and "since last time" read it)
    report = build(seen)
    (p,) = [p for p in report["problems"] if p.get("cause") == "file-broken"]
    assert p["speaker"] == "coachee" and p["file"] == "cut.flac" and p["t1"] is None
    assert broke_off(report)


def test_a_break_that_did_not_end_the_session_keeps_its_line():
    """A partner's file that broke off: the coachee was coached on; its own line, no status."""
    log = partner_cut("m-1", DAY)
    md = render(log, "md")
    assert "Vanaf 0:15 ontbreekt de audio van Medewerker: het bestand (partner.wav) brak daar af" in md
    assert "De opname brak op" not in md


@pytest.mark.parametrize("broken", [partner_cut, error_ended])
def test_a_session_whose_audio_broke_off_is_not_compared_with_the_last(tmp_path, capsys, broken):
    whole = coached("push_kantoor.jsonl", "Manager", "m-1", DAY)
    now = broken("m-2", DAY + 600)
    assert broke_off(build(now))
    assert progress(build(now), build(whole)) is None
    # a whole one after it is still compared with the whole one before
    assert progress(build(coached("pull_kantoor.jsonl", "Manager", "m-3", DAY + 1200)), build(whole))
    stored(tmp_path, ("m-1", whole), ("m-2", now))
    for fmt in ("md", "html"):
        assert main(["report", "m-2", "--format", fmt, "--data-dir", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "Sinds je vorige gesprek" not in out
