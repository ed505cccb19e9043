"""The set-up problems the channel check finds reach the report and the overlays in words:
a clipped channel (the speech hits full scale) and no speech on either channel (one
warning about both, no speaker). Before, the report said nothing of clipping, and a
speakerless no-speech warning read as the partner's."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_no_sound import both  # noqa: E402

from clients.overlay_state import alert_text
from pullcoach.report import render
from pullcoach.rules.events import PipelineWarning

WALL = 1_760_000_000.0


def clipped(files=None) -> PipelineWarning:
    detail = {"speaker": "coachee", "share": 0.22, "seconds": 10.0}
    if files:
        detail["files"] = files
    return PipelineWarning(t=30.0, kind="channel-clipped", message="The coachee's channel is clipped",
                           detail=detail)


def with_warning(w: PipelineWarning) -> list:
    events = both(WALL)
    events.insert(-1, w)
    return events


def test_a_clipped_microphone_is_in_the_report_from_where_it_was_heard():
    md = render(with_warning(clipped()), "md")
    line = next(x for x in md.splitlines() if "overstuurd" in x)
    assert "0:20" in line and "zet het opnameniveau van dat apparaat voortaan lager" in line


def test_a_clipped_recording_is_said_of_the_recording_not_a_device():
    md = render(with_warning(clipped(files=["rollenspel.wav"])), "md")
    line = next(x for x in md.splitlines() if "overstuurd" in x)
    assert "in de opname zelf" in line and "apparaat" not in line


def test_no_speech_on_either_channel_is_one_problem_about_both():
    w = PipelineWarning(t=60.0, kind="channel-silent", message="No speech on either channel for 60 s",
                        detail={"reason": "no-speech", "cause": "nobody", "seconds": 60.0})
    md = render(with_warning(w), "md")
    assert "op geen van beide kanalen spraak" in md
    assert "geen spraak van de gesprekspartner" not in md.lower()


def test_the_overlay_says_both_problems_in_a_few_words():
    nobody = {"kind": "channel-silent", "detail": {"reason": "no-speech", "cause": "nobody"}}
    assert alert_text(nobody, "nl") == "Geen spraak op beide kanalen: apparaten?"
    clip = {"kind": "channel-clipped", "detail": {"speaker": "coachee"}}
    assert alert_text(clip, "en") == "Your mic clips: turn its level down"


def test_the_overlay_blames_the_recording_not_the_mic_for_a_clipped_file():
    clip = {"kind": "channel-clipped", "detail": {"speaker": "coachee", "files": ["rollenspel.wav"]}}
    assert alert_text(clip, "nl") == "De opname zelf is overstuurd"
    assert alert_text(clip, "en") == "The recording itself clips"
