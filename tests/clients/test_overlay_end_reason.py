"""The overlay's end when the coachee's replayed file broke off: the red dot goes at the
break, and once ended the footer keeps why ("beëindigd: bestand brak af")."""

from pullcoach.clients.overlay_state import OverlayState


def state(lang="nl"):
    st = OverlayState(token="tok")
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "pullcoach 0.1.0",
                "sessions": [{"session": "s1", "lang": lang, "live": True}]}, 0.0)
    st.receive({"v": 1, "type": "session-started", "session": "s1", "t": 0.0, "lang": lang}, 0.0)
    return st


def broke(t, files, speaker="coachee"):
    return {"v": 1, "type": "pipeline-warning", "session": "s1", "t": t, "kind": "channel-stalled",
            "message": "The coachee's file broke off", "detail": {
                "speaker": speaker, "cause": "file-broken", "file": files[0], "error": "broken data",
                **({"files": files} if len(files) == 1 else {})}}


def status(listening):
    return {"v": 1, "type": "status", "session": "s1", "t": 29.0, "listening": listening,
            "trainer_watching": True}


def ended(t, reason="ended"):
    return {"v": 1, "type": "session-ended", "session": "s1", "t": t, "reason": reason}


def test_the_coachees_file_that_broke_off_stops_the_dot_and_the_end_says_why():
    st = state()
    st.receive(status(True), 1.0)
    assert st.listening
    st.receive(broke(29.2, ["anna.flac", "bram.flac"]), 2.0)
    assert st.problem == "Je bestand brak af: de sessie stopt hier"
    assert not st.listening            # the red dot goes at the break ...
    st.receive(status(True), 2.1)      # ... and a status sent meanwhile does not bring it back
    assert not st.listening and st.watching
    st.receive(ended(29.2), 2.5)
    assert st.ended and st.ended_text() == "beëindigd: bestand brak af"
    # a new session on the same overlay ends plainly again
    st.receive({"v": 1, "type": "session-started", "session": "s1", "t": 0.0, "lang": "nl"}, 3.0)
    assert st.listening
    st.receive(ended(60.0), 4.0)
    assert st.ended_text() == "sessie beëindigd"


def test_one_stereo_file_that_broke_and_runs_own_audio_say_the_recording_broke_off():
    st = state("en")
    st.receive(broke(14.3, ["call.flac"]), 1.0)
    st.receive(ended(14.3), 1.5)
    assert st.ended_text() == "ended: recording broke off"
    st = state()
    st.receive(ended(21.0, reason="error"), 1.0)   # `run`'s own file broke: an audio error
    assert st.ended_text() == "beëindigd: opname brak af"


def test_the_other_sides_file_is_no_end_and_a_plain_end_says_no_reason():
    st = state()
    st.receive(status(True), 0.5)
    st.receive(broke(12.5, ["anna.flac", "bram.flac"], speaker="partner"), 1.0)
    assert st.listening                 # the coachee's side goes on
    st.receive(ended(60.0), 2.0)
    assert st.ended_text() == "sessie beëindigd"


def test_the_end_texts_are_short_enough_for_the_footer_beside_the_report_link():
    # 40 characters is the alerts' limit; the footer beside the link holds about 26
    from pullcoach.clients.overlay_state import ENDED
    assert all(len(t) <= 26 for table in ENDED.values() for t in table.values())
