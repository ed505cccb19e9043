"""Cues without words ([muziek], (laughter), ♪, empty) are skipped with one line on stderr;
a cue with words but no speaker is refused with every speaker form; WebVTT's NOTE, STYLE and
REGION blocks are no cues. Dutch `analyze --format md` says "seintjes", as the report does."""

import pytest

from pullcoach.cli import main
from pullcoach.cmd_analyze import load_rule_pack
from pullcoach.errors import ConfigError
from pullcoach.transcripts import TranscriptError, parse_transcript

SRT_SOUNDS = """1
00:00:00,000 --> 00:00:04,000
[Anna] Hoe gaat het met je?

2
00:00:05,500 --> 00:00:06,000
[muziek]

3
00:00:06,000 --> 00:00:09,000
Bram: Goed, ik werk liever thuis.

4
00:00:10,000 --> 00:00:11,000
(laughter)

5
00:00:12,000 --> 00:00:13,000
♪ ♪

6
00:00:41,200 --> 00:00:43,000
<i>[gelach]</i>

7
00:00:44,000 --> 00:00:46,000
Anna: Wat maakt dat?
"""

VTT_TEAMS = """WEBVTT

NOTE Teams export, meeting 12 --> recording 3

STYLE
::cue { color: white }

a1/1-0
00:00:01.000 --> 00:00:03.000
<v Marco de Vries (Guest)>Ik denk dat je echt moet gaan sporten.</v>

a1/2-0
00:00:03.500 --> 00:00:04.000
<v Bram></v>

a1/3-0
00:00:04.000 --> 00:00:04.500

NOTE
labels: open vraag
00:00:04.500 --> 00:00:05.000 also a note

a1/4-0
00:00:05.000 --> 00:00:07.000
<v Bram>Wat maakt dat je dat denkt &amp; zegt?</v>
"""


def test_srt_sound_cues_are_skipped_and_named():
    skipped: list[float] = []
    segs = parse_transcript(SRT_SOUNDS, suffix=".srt", skipped=skipped)
    assert [(s.speaker, s.start) for s in segs] == [("Anna", 0.0), ("Bram", 6.0), ("Anna", 44.0)]
    assert skipped == [5.5, 10.0, 12.0, 41.2]


def test_vtt_empty_cues_and_note_style_blocks():
    skipped: list[float] = []
    segs = parse_transcript(VTT_TEAMS, suffix=".vtt", skipped=skipped)
    assert [(s.speaker, s.text) for s in segs] == [
        ("Marco de Vries (Guest)", "Ik denk dat je echt moet gaan sporten."),
        ("Bram", "Wat maakt dat je dat denkt & zegt?")]
    assert skipped == [3.5, 4.0]  # the NOTE with an arrow in it is no cue


@pytest.mark.parametrize("suffix,hint", [
    (".srt", "has no speaker; start the text with 'Name:' or '[Name]'"),
    (".vtt", "has no speaker; mark speakers with <v Name> tags, or start the text with 'Name:' or '[Name]'")])
def test_words_without_a_speaker_are_refused_with_every_form(suffix, hint):
    text = ("WEBVTT\n\n" if suffix == ".vtt" else "1\n") + (
        "00:00:01.000 --> 00:00:02.000\nAnna: Hallo.\n\n00:00:03.000 --> 00:00:04.000\nhallo daar\n")
    with pytest.raises(TranscriptError) as err:
        parse_transcript(text, suffix=suffix)
    msg = str(err.value)
    assert "cue at 00:00:03.000 --> 00:00:04.000" in msg and msg.endswith(hint), msg


def test_a_named_line_in_parentheses_is_said_not_a_sound_tag():
    text = ("1\n00:00:01,000 --> 00:00:02,000\nBram: (Dat meen je niet.)\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\nBram: (lacht)\n\n"
            "3\n00:00:05,000 --> 00:00:06,000\n(speaks very softly to himself)\n\n"
            "4\n00:00:07,000 --> 00:00:08,000\nAnna: Wat bedoel je?\n")
    skipped: list[float] = []
    segs = parse_transcript(text, suffix=".srt", skipped=skipped)
    assert [(s.speaker, s.text) for s in segs] == [("Bram", "(Dat meen je niet.)"),
                                                    ("Anna", "Wat bedoel je?")]
    assert skipped == [3.0, 5.0]  # a speakerless aside is skipped, not refused


def test_only_sound_cues_say_so():
    with pytest.raises(TranscriptError, match="hold no words"):
        parse_transcript("1\n00:00:01,000 --> 00:00:02,000\n[muziek]\n", suffix=".srt")


def test_cli_skips_with_one_stderr_line(tmp_path, capsys):
    p = tmp_path / "music.srt"
    p.write_text(SRT_SOUNDS, encoding="utf-8")
    assert main(["analyze", str(p), "--coachee", "Anna"]) == 0
    out, err = capsys.readouterr()
    assert "music.srt: 4 cues without words skipped: 0:05, 0:10, 0:12, 0:41" in err.splitlines()
    assert "Bram: Goed, ik werk liever thuis." in out


def test_dutch_markdown_says_seintjes(tmp_path, capsys):
    p = tmp_path / "call.srt"
    p.write_text(SRT_SOUNDS, encoding="utf-8")
    main(["analyze", str(p), "--coachee", "Anna", "--lang", "nl"])
    out = capsys.readouterr().out
    assert "## Seintjes" in out and "negatieve seintjes:" in out
    assert "nudge" not in out.lower()


def test_an_english_pack(tmp_path):
    pack = tmp_path / "en.toml"
    pack.write_text('extends = "en"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is an English pack"):
        load_rule_pack(str(pack), "nl", keep_last=False)
