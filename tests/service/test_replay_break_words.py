"""A local replay (``run``/``replay``) whose coachee's file, or stereo file, breaks off is
logged as the structured file-broken warning a capture's is: the report words it in the
session's language, with no decoder's English text in a Dutch banner. (A partner's file
breaking: test_replay_breaks, test_report; an error that is no file's, a device's, keeps
its text: test_scheduler.)"""

from __future__ import annotations

import asyncio
import html
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from pullcoach.asr import AsrConfig, Transcript
from pullcoach.audio_file import FileSource
from pullcoach.errors import AudioError
from pullcoach.report import render
from pullcoach.rules.events import PipelineWarning, SessionEnded
from pullcoach.session import LiveSession

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
DECODER = "broken audio data"  # the decoder's own (English) words for the break


class NoWords:
    config = AsrConfig(lang="nl")

    def transcribe(self, audio, *, final=True, offset=0.0, lang=None):
        return Transcript(text="", words=(), decode_s=0.0)


def cut_flac(tmp_path) -> Path:
    path = tmp_path / "cut.flac"
    path.write_bytes((AUDIO / "nl_push.flac").read_bytes()[:20_000])  # breaks 2.3 s in
    return path


def head_wav(tmp_path, seconds: float) -> Path:
    with av.open(str(AUDIO / "nl_push.flac")) as c:
        pcm = np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1).reshape(-1, 2)
    path = tmp_path / "head.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(pcm[: int(seconds * 16000)].astype("<i2").tobytes())
    return path


def replayed(source, lang: str = "nl") -> tuple[list, Exception | None]:
    seen: list = []
    session = LiveSession(source, transcriber=NoWords(), session_id="s", lang=lang, pace="max")
    session.add_sink(lambda sid, e: seen.append(e))
    try:
        asyncio.run(session.run())
    except AudioError as err:
        return seen, err
    return seen, None


def banners(page: str) -> list[str]:
    return [html.unescape(b.split("</div>")[0]) for b in page.split('<div class="banner">')[1:]]


@pytest.mark.parametrize("shape", ["stereo", "coachee"])
def test_a_broken_coachee_or_stereo_file_is_the_structured_break(tmp_path, shape):
    cut = cut_flac(tmp_path)
    source = FileSource(cut) if shape == "stereo" else FileSource(cut, head_wav(tmp_path, 6.0))
    seen, err = replayed(source)
    assert DECODER in str(err)  # the command still gets the error, and says it
    warnings = [e for e in seen if isinstance(e, PipelineWarning)]
    (broke,) = [w for w in warnings if w.kind == "channel-stalled"]
    assert not [w for w in warnings if w.kind == "audio-error"]  # said once, structured
    (end,) = [e for e in seen if isinstance(e, SessionEnded)]
    assert end.reason == "error" and broke.t == pytest.approx(end.t, abs=0.01)
    assert broke.t == pytest.approx(2.3, abs=0.05)
    assert broke.detail["speaker"] == "coachee" and broke.detail["cause"] == "file-broken"
    assert broke.detail["file"] == str(cut) and DECODER in broke.detail["error"]
    assert ("files" in broke.detail) == (shape == "stereo")  # one stereo file: both sides
    # the console's line: a local replay, not a capture, stopped there
    assert "The replay stopped there" in broke.message and "capture" not in broke.message

    page, md = render(seen, "html"), render(seen, "md")
    # said once, first, with the file's name (no status line above a problem line saying it)
    said = ("De opname brak op 0:02 af: cut.flac is beschadigd of afgekapt. Beide kanten stopten daar"
            if shape == "stereo" else
            "De opname brak op 0:02 af: het bestand van de coachee (cut.flac) is beschadigd of afgekapt")
    assert banners(page)[0].startswith(said) and [b for b in banners(page) if "brak" in b] == banners(page)[:1]
    assert f"> {said}" in md and md.count("brak") == 1
    assert DECODER not in page and DECODER not in md and "re-export" not in md


def test_an_english_session_says_the_break_in_english(tmp_path):
    seen, _ = replayed(FileSource(cut_flac(tmp_path)), lang="en")
    md = render(seen, "md")
    assert ("> The recording broke off at 0:02: cut.flac is damaged or cut short. Both sides stopped "
            "there, as they are in one stereo file; the report runs to then.") in md
    assert md.count("broke off") == 1
    assert DECODER not in md
