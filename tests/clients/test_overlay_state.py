"""The overlay's pure state: messages in, what to show out, time passed by hand."""

from pullcoach.clients.overlay_state import ALERTS, OverlayState, backoff, focus_chips, report_url


def nudge(message, kind="negative", **kw):
    return {"v": 1, "type": "nudge-issued", "t": 12.0, "rule": "interruption", "message": message,
            "kind": kind, "speaker": "coachee", "evidence_t": 11.5, "delivered": True, "detail": {},
            "session": "s1", **kw}


def state(**kw):
    st = OverlayState(token="tok", **kw)
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "pullcoach 0.1.0",
                "sessions": [{"session": "s1", "lang": "nl", "live": True}]}, 0.0)
    return st


def test_hello_carries_role_token_and_optional_session():
    assert OverlayState(token="abc").hello() == {"v": 1, "type": "hello", "role": "overlay",
                                                 "token": "abc", "client": "pullcoach-overlay"}
    assert OverlayState(token="abc", session="s9").hello()["session"] == "s9"


def test_welcome_connects_and_adopts_the_one_live_session():
    st = state()
    assert st.connection == "connected"
    assert st.session == "s1"


def test_an_overlay_started_for_its_session_speaks_that_session_s_language():
    """`run --lang en` opens the Tk overlay for its session: it said 'luistert' all call."""
    st = OverlayState(token="tok", session="s1")
    st.receive({"v": 1, "type": "welcome", "sessions": [{"session": "s0", "lang": "nl", "live": True},
                                                       {"session": "s1", "lang": "en", "live": True}]}, 0.0)
    assert st.session == "s1" and st.lang == "en"


def test_welcome_with_two_live_sessions_picks_none():
    st = OverlayState(token="tok")
    st.receive({"v": 1, "type": "welcome", "sessions": [{"session": "a", "live": True},
                                                       {"session": "b", "live": True}]}, 0.0)
    assert st.session is None


def test_nudge_shows_then_fades_then_goes():
    st = state()
    st.receive(nudge("Laat uitpraten"), now=100.0)
    assert (st.nudge.message, st.nudge.kind) == ("Laat uitpraten", "negative")
    assert st.nudge.opacity(104.0) == 1.0
    assert 0.4 < st.nudge.opacity(105.5) < 0.6   # fading in its last second
    st.tick(105.9)
    assert st.nudge is not None
    st.tick(106.0)
    assert st.nudge is None


def test_one_nudge_at_a_time_the_newest_wins():
    st = state()
    st.receive(nudge("Laat uitpraten"), 1.0)
    st.receive(nudge("✓ Samenvatting", kind="positive"), 2.0)
    assert st.nudge.message == "Samenvatting"   # the band draws the check (not "✓ ✓ Samenvatting")
    assert st.nudge.seconds < 6.0   # praise is quiet and short
    st.receive(nudge("Vraag door", kind="trainer"), 3.0)
    assert st.nudge.kind == "trainer" and st.nudge.seconds > 6.0


def test_undelivered_empty_and_foreign_nudges_are_not_shown():
    st = state()
    st.receive(nudge("report only", delivered=False), 1.0)
    st.receive(nudge("   "), 1.0)
    st.receive(nudge("other session", session="s2"), 1.0)
    st.receive({**nudge("v2"), "v": 2}, 1.0)
    assert st.nudge is None


def test_a_withdrawn_nudge_is_taken_down_but_only_that_one():
    st = state()
    st.receive(nudge("Laat uitpraten"), 1.0)
    gone = {"v": 1, "type": "nudge-withdrawn", "t": 12.8, "rule": "interruption", "evidence_t": 11.5,
            "reason": "backchannel", "message": "Laat uitpraten", "speaker": "coachee",
            "delivered": True, "session": "s1"}
    st.receive({**gone, "evidence_t": 3.0}, 1.5)     # an older one: not what is shown
    st.receive({**gone, "rule": "interrupted"}, 1.5)
    assert st.nudge is not None and st.nudge.message == "Laat uitpraten"
    st.receive(gone, 2.0)
    assert st.nudge is None
    st.receive(nudge("Vraag door", kind="trainer", rule="trainer", evidence_t=None), 3.0)
    st.receive(gone, 3.5)                              # too late: a newer nudge stays
    assert st.nudge.message == "Vraag door"


def test_unknown_kind_falls_back_to_negative():
    st = state()
    st.receive(nudge("Rustig", kind="weird"), 1.0)
    assert st.nudge.kind == "negative"


def test_status_sets_listening_and_watching():
    st = state()
    st.receive({"v": 1, "type": "status", "session": "s1", "t": 1, "listening": True,
                "trainer_watching": True}, 0)
    assert st.listening and st.watching
    st.receive({"v": 1, "type": "status", "session": "s1", "t": 2, "listening": False,
                "trainer_watching": False}, 0)
    assert not st.listening and not st.watching


def test_session_end_offers_the_report_link_with_token():
    st = state()
    st.receive({"v": 1, "type": "session-started", "session": "s1", "t": 0, "lang": "en"}, 0)
    assert st.listening and st.lang == "en"
    assert st.report_link("ws://127.0.0.1:8765/ws") is None
    st.receive({"v": 1, "type": "session-ended", "session": "s1", "t": 30, "reason": "ended"}, 0)
    assert not st.listening
    assert st.report_link("ws://127.0.0.1:8765/ws") == "http://127.0.0.1:8765/reports/s1?token=tok"


def test_the_servers_report_only_link_wins_over_the_overlay_token():
    st = state()
    st.receive({"v": 1, "type": "status", "session": "s1", "t": 1, "listening": True,
                "trainer_watching": False, "report": "/reports/s1?token=view"}, 0)
    st.receive({"v": 1, "type": "session-ended", "session": "s1", "t": 30, "reason": "ended"}, 0)
    assert st.report_link("wss://coach.example/ws") == "https://coach.example/reports/s1?token=view"
    # anything but a report path is ignored
    st.report = ""
    st.receive({"v": 1, "type": "status", "session": "s1", "t": 31, "listening": False,
                "trainer_watching": False, "report": "https://evil.example/"}, 0)
    assert st.report_link("ws://h/ws") == "http://h/reports/s1?token=tok"


def test_report_url_escapes_and_follows_tls():
    assert report_url("wss://coach.example:443/ws", "a/b", "t&x") == \
        "https://coach.example:443/reports/a%2Fb?token=t%26x"


def test_fatal_close_stops_reconnecting_other_closes_retry():
    st = state()
    st.receive({"v": 1, "type": "status", "session": "s1", "listening": True, "trainer_watching": True}, 0)
    assert st.disconnected(1006, "") is True
    assert st.connection == "reconnecting" and not st.listening and not st.watching
    assert st.disconnected(4401, "") is False
    assert st.connection == "refused" and st.problem == "wrong token"


def test_error_and_warning_become_the_problem_line():
    st = state()
    st.receive({"v": 1, "type": "pipeline-warning", "session": "s1", "t": 3, "kind": "asr-error",
                "message": "Could not transcribe partner 3.0-4.1 s"}, 0)
    assert st.problem == "Could not transcribe partner 3.0-4.1 s"
    st.receive({"v": 1, "type": "error", "code": "bad-token", "message": "wrong token"}, 0)
    assert st.problem == "wrong token"


def warning(kind, t, **detail):
    return {"v": 1, "type": "pipeline-warning", "session": "s1", "t": t, "kind": kind,
            "message": f"english text of {kind}", "detail": detail}


def test_a_set_up_problem_shows_in_the_coachees_words_until_it_is_put_right():
    st = state()
    st.receive(warning("channel-silent", 20.0, speaker="partner", reason="no-sound", seconds=20), 0)
    assert st.problem == "Geen geluid van de ander (apparaat?)"
    st.receive(warning("channels-same", 25.0), 0)
    assert "hetzelfde" in st.problem
    st.receive(warning("asr-error", 26.0, speaker="coachee"), 0)   # passing: shown once
    assert st.problem == "english text of asr-error"
    st.receive(warning("channels-apart", 30.0), 0)                 # the older problem is back
    assert st.problem == "Geen geluid van de ander (apparaat?)"
    st.disconnected(1006, "")
    st.connected()
    assert st.problem == "Geen geluid van de ander (apparaat?)"
    st.receive(warning("channel-ok", 31.0, speaker="coachee"), 0)  # another channel: no change
    assert st.problem.startswith("Geen geluid")
    st.receive(warning("channel-ok", 32.0, speaker="partner"), 0)
    assert st.problem == "" and st.alerts == {}
    st.lang = "en"
    st.receive(warning("channel-stalled", 40.0, speaker="coachee"), 0)
    assert st.problem == "Your mic stopped sending audio"
    st.receive(warning("session-resumed", 41.0, resumed_at=41.0), 0)   # passing, but worded
    assert st.problem == "Server restarted: coaching goes on"


def test_the_other_language_holds_on_the_overlay_in_few_words():
    st = state()
    st.receive(warning("language", 14.3, heard="en", lang="nl"), 0)
    assert st.problem == "Klinkt Engels: opnieuw met --lang en"
    st.receive(warning("asr-error", 20.0), 0)                     # passing: shown once
    st.receive(warning("channel-ok", 30.0, speaker="partner"), 0)  # closes nothing of it
    assert st.problem == "Klinkt Engels: opnieuw met --lang en"


def test_the_same_sound_on_both_channels_names_its_cause_in_few_words():
    st = state()
    st.receive(warning("channels-same", 9.0, share=0.9, cause="one-input"), 0)
    assert st.problem == "Eén ingang dubbel: kies ander apparaat"
    st.receive(warning("channels-apart", 12.0), 0)
    st.lang = "en"
    st.receive(warning("channels-same", 20.0, cause="acoustic"), 0)
    assert st.problem == "Speakers too loud: wear a headset"
    st.receive(warning("channels-apart", 22.0), 0)
    st.receive(warning("channels-same", 30.0, share=0.9), 0)        # an old session: no cause
    assert st.problem == "Both channels hear the same"
    st.receive(warning("channels-same", 30.0, cause="new-one"), 0)  # one this client does not know
    assert st.problem == "Both channels hear the same"
    assert all(len(text) <= 40 for table in ALERTS.values() for text in table.values())


def test_backoff_doubles_and_is_capped():
    assert [backoff(i) for i in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    assert backoff(1000) == 10.0


def test_no_session_yet_keeps_trying_and_says_so():
    st = state()
    assert st.disconnected(4404, "no live session") is True
    assert st.connection == "reconnecting" and "session" in st.problem
    st.connected()
    assert st.problem == ""


def test_a_cue_is_its_own_kind_shown_as_long_as_a_negative_nudge():
    st = state()
    st.receive(nudge("Weerstand: vraag door", kind="cue"), 1.0)
    assert st.nudge.kind == "cue" and st.nudge.seconds == 6.0


def test_a_trainer_nudge_stays_its_whole_time_automatic_ones_meanwhile_are_dropped():
    st = state()
    st.receive(nudge("Vat eens samen", kind="trainer", rule="trainer", evidence_t=None), 100.0)
    assert st.nudge.seconds == 9.0
    for now, kind in [(103.0, "negative"), (104.0, "cue"), (106.0, "positive"), (108.9, "negative")]:
        st.receive(nudge(f"auto {kind}", kind=kind), now)
        st.tick(now)
        assert (st.nudge.message, st.nudge.kind) == ("Vat eens samen", "trainer")
    assert st.nudge.opacity(107.5) == 1.0
    st.tick(109.0)
    assert st.nudge is None                       # its time is over: nothing queued comes up
    st.receive(nudge("Laat uitpraten"), 110.0)    # and automatic nudges show again
    assert st.nudge.message == "Laat uitpraten"


def test_a_newer_trainer_nudge_replaces_a_trainer_nudge():
    st = state()
    st.receive(nudge("Vat eens samen", kind="trainer", rule="trainer", evidence_t=None), 100.0)
    st.receive(nudge("Vraag door", kind="trainer", rule="trainer", evidence_t=None), 102.0)
    assert st.nudge.message == "Vraag door" and st.nudge.opacity(110.5) > 0.0
    # an automatic nudge over a stale trainer nudge nobody ticked away yet: shown
    st.receive(nudge("Laat uitpraten"), 111.0)
    assert st.nudge.message == "Laat uitpraten"


def test_live_problems_end_with_the_session_also_after_a_reconnect():
    st = state()
    st.receive(warning("asr-behind", 80.0, behind_s=3.1), 0)
    st.receive(warning("channel-silent", 81.0, speaker="partner", reason="no-sound", seconds=20), 0)
    assert st.problem == "Geen geluid van de ander (apparaat?)"
    st.receive({"v": 1, "type": "session-ended", "session": "s1", "t": 90, "reason": "ended"}, 0)
    assert st.problem == "" and st.alerts == {}
    st.receive(warning("asr-behind", 90.0, behind_s=3.1), 0)     # late: opens nothing
    assert st.problem == "" and st.alerts == {}
    st.disconnected(1006, "")                     # the server restarts; the overlay comes back
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "pullcoach 0.1.0",
                "sessions": [{"session": "s1", "lang": "nl", "live": False, "started_wall": 1.0}]}, 0)
    assert st.connection == "connected" and st.ended and st.problem == ""
    # a new session on the same overlay shows its problems again
    st.receive({"v": 1, "type": "session-started", "session": "s1", "t": 0, "lang": "nl"}, 0)
    st.receive(warning("asr-behind", 5.0, behind_s=3.1), 0)
    assert st.problem == "Transcriptie loopt achter"


def test_a_restarted_server_that_recalls_the_finished_session_shows_it_ended():
    st = OverlayState(token="tok", session="s1")
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "pullcoach 0.1.0",
                "sessions": [{"session": "s1", "lang": "nl", "live": False, "started_wall": 1.0e9}]}, 0.0)
    assert st.ended and not st.listening
    assert st.report_link("ws://127.0.0.1:8765/ws") == "http://127.0.0.1:8765/reports/s1?token=tok"
    # declared but not started yet (a capture about to begin): not ended
    st = OverlayState(token="tok", session="s2")
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "pullcoach 0.1.0",
                "sessions": [{"session": "s2", "lang": "nl", "live": False, "started_wall": None}]}, 0.0)
    assert not st.ended


def test_the_focus_line_names_two_and_counts_the_rest():
    st = state()
    st.receive({"v": 1, "type": "focus-changed", "t": 3.0, "rules": ["too-few-summaries"], "messages": ["Vat samen"]}, 1.0)
    assert "".join(focus_chips(st.focus, 2)) == "Vat samen"
    five = ["Eerst vragen", "Stop: stel een vraag", "Moeten?", "Open vraag", "Luister"]
    st.receive({"v": 1, "type": "focus-changed", "t": 9.0, "rules": ["a", "b", "c", "d", "e"], "messages": five}, 2.0)
    assert "".join(focus_chips(st.focus, 2)) == "Eerst vragen · Stop: stel een vraag +3"   # none dropped unsaid


# what `pullcoach serve` sends for a capture killed after 19 s and started again 26 s later:
# the resume, then the stall its filling sets off on the channel filled second, then its end
RESUMED = dict(resumed_at=44.918, gap_s=25.718)


def test_a_restarted_capture_says_so_calmly_and_its_gaps_stall_is_no_device_gone():
    st = state()
    st.receive(warning("capture-resumed", 19.2, **RESUMED), 100.0)
    assert st.problem == "Opname hervat na 25 s onderbreking"  # as long as 0:19 to 0:44 says
    st.receive(warning("channel-stalled", 19.2, speaker="partner"), 100.1)
    assert st.problem == "Opname hervat na 25 s onderbreking"  # not "Geen audio meer van de ander"
    st.tick(105.0)
    assert st.problem == "Opname hervat na 25 s onderbreking"
    st.receive(warning("channel-ok", 44.2, speaker="partner"), 100.3)
    assert list(st.alerts) == [("resumed", None)]
    st.tick(159.0)
    assert st.problem == "Opname hervat na 25 s onderbreking"
    st.tick(160.5)  # a minute on: said enough
    assert st.problem == ""
    st.receive(warning("channel-stalled", 80.0, speaker="partner"), 170.0)  # after the gap: a device
    assert st.problem == "Geen audio meer van de ander"


def test_a_stall_in_the_gap_that_lasts_is_said_and_one_said_before_the_resume_is_cleared():
    st = state()
    st.lang = "en"
    st.receive(warning("channel-stalled", 19.2, speaker="partner"), 100.0)  # came first
    assert st.problem == "No audio from the other side any more"
    st.receive(warning("capture-resumed", 19.2, **RESUMED), 100.1)
    assert st.problem == "Recording resumed after a 25 s break" and ("channel", "partner") not in st.alerts
    st.receive(warning("channel-stalled", 19.2, speaker="partner"), 100.2)  # filled, never ok again
    st.tick(110.0)
    assert st.problem == "Recording resumed after a 25 s break"
    st.tick(110.3)  # still gone after the capture came back: the device
    assert st.problem == "No audio from the other side any more"
    st.receive(warning("channel-ok", 60.0, speaker="partner"), 111.0)
    assert st.problem == "Recording resumed after a 25 s break"
    st.receive({"v": 1, "type": "error", "message": "something else"}, 112.0)
    st.tick(170.0)  # the line another message took stays its
    assert st.problem == "something else"


def status(t):
    return {"v": 1, "type": "status", "session": "s1", "t": t, "listening": True, "trainer_watching": False}


def replay_of_the_resume(st, now):
    """The resume, its gap's stall and its end, sent again (a reconnect) at ``now``."""
    st.receive(warning("capture-resumed", 19.2, **RESUMED), now)
    st.receive(warning("channel-stalled", 19.2, speaker="partner"), now)
    st.receive(warning("channel-ok", 44.2, speaker="partner"), now)


def test_a_resume_sent_again_on_a_reconnect_is_old_news_and_not_shown_again():
    st = state()
    st.receive(status(30.0), 90.0)
    replay_of_the_resume(st, 100.0)
    assert st.problem == "Opname hervat na 25 s onderbreking"
    st.tick(161.0)
    assert st.problem == ""
    assert st.disconnected(1006) is True
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "pullcoach 0.1.0",
                "sessions": [{"session": "s1", "lang": "nl", "live": True}]}, 300.0)
    st.receive(status(245.0), 300.0)
    replay_of_the_resume(st, 300.1)   # two minutes on in the session: not news
    assert st.problem == "" and st.shown_alerts(300.1) == []


def test_an_overlay_that_joins_after_a_resume_shows_what_is_left_of_its_minute():
    st = state()
    st.receive(status(80.0), 500.0)   # the capture came back at 0:45, 35 s ago
    replay_of_the_resume(st, 500.0)
    assert st.problem == "Opname hervat na 25 s onderbreking"
    st.tick(524.5)
    assert st.problem == "Opname hervat na 25 s onderbreking"
    st.tick(525.5)   # 0:45 + 60 s on the session's clock, not 60 s after it came
    assert st.problem == ""


def test_a_replayed_file_that_broke_off_is_no_microphone_gone():
    """`capture --replay`'s file broke off: the coachee's (two files) or a stereo one ended the
    session; the partner's is silence from there. None of them is a mic that stopped."""
    st = state()
    st.receive(warning("channel-stalled", 5.0, speaker="coachee", cause="file-broken",
                       files=["anna.flac", "bram.flac"]), 0)
    assert st.problem == "Je bestand brak af: de sessie stopt hier"
    st.lang = "en"
    st.receive(warning("channel-stalled", 6.0, speaker="coachee", cause="file-broken", files=["call.flac"]), 0)
    assert st.problem == "Recording broke off: session stops here"
    st.receive(warning("channel-stalled", 7.0, speaker="partner", cause="file-broken",
                       files=["anna.flac", "bram.flac"]), 0)
    assert st.problem == "Other side's file broke off: silence"
    st = state()
    st.receive(warning("channel-stalled", 8.0, speaker="coachee"), 0)  # a device: still the mic
    assert st.problem == "Je microfoon levert geen audio meer"
