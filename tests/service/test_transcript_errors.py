"""A broken WebVTT or SRT transcript: the error names the file, the line and what to write."""

from __future__ import annotations

import pytest

from pullcoach.cli import main
from pullcoach.transcripts import TranscriptError, parse_transcript

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna>Hallo daar.\n\n"
SRT = "1\n00:00:01,000 --> 00:00:03,000\nAnna: Hallo daar.\n\n"


@pytest.mark.parametrize("suffix, text, line, says", [
    # a timing with a mistyped arrow: the cue was left out without a word
    (".vtt", VTT + "00:00:04.000 -> 00:00:05.000\n<v Bert>Hoi.\n", 6,
     "bad cue timing '00:00:04.000 -> 00:00:05.000'; expected '-->' between the times, "
     "as 00:00:01.000 --> 00:00:04.000"),
    (".srt", SRT + "2\n00:00:04,000 - 00:00:05,000\nBert: Hoi.\n", 6,
     "expected '-->' between the times, as 00:00:01,000 --> 00:00:04,000"),
    (".vtt", VTT + "00:00:04.000 --> 00:00:0x.000\n<v Bert>Hoi.\n", 6,
     "bad cue timing '00:00:04.000 --> 00:00:0x.000'; expected start --> end as "
     "00:00:01.000 --> 00:00:04.000"),
    (".srt", SRT + "2\n00:00:04,000 --> 5\nBert: Hoi.\n", 6,
     "expected start --> end as 00:00:01,000 --> 00:00:04,000"),
    (".srt", SRT + "2\n00:00:04,000 --> 00:00:05,000\nzonder spreker\n", 7,
     "cue at 00:00:04,000 --> 00:00:05,000 has no speaker; start the text with 'Name:' or '[Name]'"),
    (".srt", SRT + "2\n00:00:09,000 --> 00:00:05,000\nBert: Hoi.\n", 6,
     "start 9.0 and end 5.0 must satisfy 0 <= start <= end; fix the times there"),
    # no empty line between two cues: Anna's text ran on with Bert's timing and words in it
    (".vtt", VTT.rstrip("\n") + "\n00:00:04.000 --> 00:00:05.000\n<v Bert>Hoi.\n", 5,
     "expected an empty line before this cue timing (the cue of line 3 runs on into it)"),
], ids=["vtt-arrow", "srt-arrow", "vtt-time", "srt-time", "srt-no-speaker", "srt-backwards",
        "vtt-no-empty-line"])
def test_the_error_names_the_line_and_what_to_write(suffix, text, line, says):
    for form in (text, text.replace("\n", "\r\n")):  # Windows line ends count the same
        with pytest.raises(TranscriptError) as err:
            parse_transcript(form, name=f"gesprek{suffix}", suffix=suffix)
        assert str(err.value).startswith(f"gesprek{suffix}:{line}: "), err.value
        assert says in str(err.value), err.value


def test_analyze_says_the_file_and_line(tmp_path, capsys):
    f = tmp_path / "teams.vtt"
    f.write_text("\ufeff" + VTT + "NOTE klopt\n\n00:00:04.000 --> 00:00:05.000\nhallo\n", encoding="utf-8")
    assert main(["analyze", str(f)]) == 2
    assert f"pullcoach: {f}:9: cue at 00:00:04.000 --> 00:00:05.000 has no speaker" in capsys.readouterr().err
