"""A stereo file holds both sides: when it breaks off, the recording broke off there, not
"the coachee's file" ("het bestand van Anna brak daar af", said of a capture's stereo
replay). Two files keep naming whose file it was."""

import sys
from pathlib import Path

from pullcoach.audio_file import file_broken
from pullcoach.report import build, render
from pullcoach.rules.events import PipelineWarning, SessionStarted

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import session_events  # noqa: E402

ERROR = "stereo.wav: the audio ends at 10.0 s but the file says it runs 30.0 s: it is cut short or damaged"


def test_a_stereo_files_break_is_the_recordings():
    w = file_broken(10.0, "coachee", "stereo.wav", ERROR, files=["stereo.wav"],
                    said_by=" (Said by the capture.)")
    assert w.message == (f"The recording broke off at 0:10.0 ({ERROR}); it holds both sides (one stereo "
                         "file). The capture stopped there: the session ends with the audio before it. "
                         "(Said by the capture.)")
    assert w.detail == {"speaker": "coachee", "cause": "file-broken", "file": "stereo.wav",
                        "error": ERROR, "files": ["stereo.wav"]}
    # the coachee's own file of two: still the coachee's file, and no "files" said
    two = file_broken(10.0, "coachee", "anna.wav", ERROR, files=["anna.wav", "bram.wav"])
    assert two.message.startswith("The coachee's file broke off at 0:10.0")
    assert "files" not in two.detail and "one stereo file" not in two.message
    assert file_broken(10.0, "coachee", "anna.wav", ERROR).message == two.message  # (not known: as before)


def report(lang: str, warning: PipelineWarning, fmt: str = "md"):
    events = session_events()
    events[0] = SessionStarted(t=0.0, session="s", lang=lang, wall_clock=0.0, coachee="Anna",
                               partner="Bram")
    return render(events + [warning], fmt) if fmt else build(events + [warning])


def test_the_report_says_the_recording_broke_off_not_annas_file():
    stereo = file_broken(10.0, "coachee", "stereo.wav", ERROR, files=["stereo.wav"])
    nl, en = report("nl", stereo), report("en", stereo)
    assert ("Vanaf 0:10 ontbreekt de rest: de opname (stereo.wav) brak daar af (beschadigd of afgekapt); beide kanten "
            "stopten, want ze staan in één stereobestand. Het verslag loopt tot dan.") in nl
    assert "het bestand van Anna" not in nl
    assert ("From 0:10 on the rest is missing: the recording (stereo.wav) broke off there (damaged or cut short); "
            "both sides stopped, as they are in one stereo file.") in en
    assert "Anna's file" not in en
    # as a stored warning says it (a server's, from a capture: the file's name only)
    stored = PipelineWarning(t=10.0, kind="channel-stalled", message="broke",
                             detail={"speaker": "coachee", "cause": "file-broken", "file": "stereo.wav",
                                     "error": ERROR, "files": ["stereo.wav"]})
    assert "de opname (stereo.wav) brak daar af" in report("nl", stored)
    # two files: the coachee's file broke, and it still says so
    two = file_broken(10.0, "coachee", "anna.wav", ERROR, files=["anna.wav", "bram.wav"])
    assert "Vanaf 0:10 ontbreekt de rest: het bestand van Anna (anna.wav) brak daar af" in report("nl", two)
