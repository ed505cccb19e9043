"""The browser overlay in headless Chromium against a real protocol server."""

import time

import pytest

from pullcoach import tokens as tk

expect = pytest.importorskip("playwright.sync_api").expect


def open_overlay(page, live_server):
    """Session s1 (Dutch) and its overlay page, connected; returns its status line."""
    live_server.add_session("s1", token="tok-1", lang="nl")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    return page.locator("#status")
pytestmark = pytest.mark.browser


@pytest.fixture
def page(new_page):
    return new_page(420, 160)


def test_overlay_page_shows_a_pushed_nudge(page, live_server, tmp_path):
    live_server.add_session("s1", token="tok-1")
    live_server.add_session("s2", token="tok-2")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    assert len(live_server.service.overlays["s1"]) == 1 and not live_server.service.overlays["s2"]
    expect(page.locator("#rec.on")).to_have_count(1)   # the session is live: recording sign
    expect(page.locator("#eye")).to_be_hidden()
    live_server.watch("s1")
    live_server.push("s2", {"type": "nudge-issued", "t": 2.0, "rule": "talk_share", "message": "Luister",
                             "kind": "negative", "speaker": "coachee", "delivered": True, "detail": {}})
    live_server.push("s1", {"type": "nudge-issued", "t": 3.0, "rule": "interruption",
                             "message": "<b>Laat uitpraten</b>", "kind": "negative", "speaker": "coachee",
                             "evidence_t": 2.5, "delivered": True, "detail": {}})
    msg = page.locator("#msg")
    msg.wait_for(state="visible")
    expect(msg).to_have_text("<b>Laat uitpraten</b>")
    assert msg.text_content() == "<b>Laat uitpraten</b>"   # shown as text, never parsed as HTML
    assert page.locator("#msg b").count() == 0
    assert page.locator("#overlay").get_attribute("data-kind") == "negative"
    expect(page.locator("#eye")).to_be_visible()
    shot = tmp_path / "overlay-web.png"
    page.locator("#overlay").screenshot(path=str(shot))
    print("screenshot:", shot)
    assert shot.stat().st_size > 2000
    assert page.errors == []


def test_overlay_page_transparent_and_report_link(page, live_server):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/?bg=transparent&session=s1&token=tok-1")
    live_server.wait_clients("overlay")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgba(0, 0, 0, 0)"
    live_server.push("s1", {"type": "session-ended", "t": 9.0, "reason": "ended"})
    link = page.locator("#report")
    link.wait_for(state="visible")
    assert link.get_attribute("href") == f"/reports/s1?token={tk.view_token(live_server.trainer_token, 'coachee-report:s1')}"
    assert link.text_content() == "Rapport openen ›"
    # `run` ends its server with the session: still "ended", not "reconnecting…" for good
    live_server._call(live_server.service.close())
    page.wait_for_timeout(1500)
    expect(page.locator("#status")).to_have_text("sessie beëindigd")


def test_overlay_page_with_a_wrong_token_says_refused(page, live_server):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/#token=nope")
    # no session to go by: the server's language, which its refusal says (this browser's is English)
    expect(page.locator("#status")).to_have_text("verkeerd token: open de overlay-link die pullcoach afdrukte")
    assert page.evaluate("window.pullcoachOverlay.connection") == "refused"


def test_a_cue_from_the_partner_has_its_own_colour_and_icon(page, live_server, tmp_path):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    live_server.push("s1", {"type": "nudge-issued", "t": 3.0, "rule": "interrupted",
                             "message": "Weerstand: vraag door", "kind": "cue", "speaker": "partner",
                             "evidence_t": 2.5, "delivered": True, "detail": {}})
    expect(page.locator("#msg")).to_have_text("Weerstand: vraag door")
    assert page.locator("#overlay").get_attribute("data-kind") == "cue"
    expect(page.locator(".icon-cue")).to_be_visible()
    expect(page.locator(".icon-negative")).to_be_hidden()
    expect(page.locator("#overlay")).to_have_css("background-color", "rgb(58, 166, 160)")  # after the fade-in
    page.locator("#overlay").screenshot(path=str(tmp_path / "overlay-cue.png"))
    assert page.errors == []


def test_the_trainers_focus_shows_on_the_status_line_also_after_a_reload(page, live_server):
    status = open_overlay(page, live_server)
    live_server.push("s1", {"type": "focus-changed", "t": 30.0, "rules": ["too-few-summaries", "interruption"],
                             "by": "trainer", "messages": ["Vat samen", "Laat uitpraten"]})
    expect(status).to_have_text("luistert · oefent: Vat samen · Laat uitpraten")
    page.reload()   # a page that joins later gets the focus in force
    live_server.wait_clients("overlay")
    expect(status).to_have_text("luistert · oefent: Vat samen · Laat uitpraten")
    live_server.push("s1", {"type": "focus-changed", "t": 50.0, "rules": ["a", "b", "c", "d", "e"], "by": "trainer",
                             "messages": ["Eerst vragen", "Stop: stel een vraag", "Moeten?", "Open vraag", "Luister"]})
    expect(status).to_have_text("luistert · oefent: Eerst vragen +4")   # one line: none dropped unsaid
    live_server.push("s1", {"type": "focus-changed", "t": 60.0, "rules": [], "by": "trainer", "messages": []})
    expect(status).to_have_text("luistert")
    live_server.push("s1", {"type": "nudge-issued", "t": 61.0, "rule": "good-summary", "message": "✓ Samenvatting",
                             "kind": "positive", "speaker": "coachee", "delivered": True, "detail": {}})
    expect(page.locator("#msg")).to_have_text("Samenvatting")   # the band's icon is the check
    assert page.errors == []


def test_a_withdrawn_interruption_leaves_the_overlay(page, live_server):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    live_server.push("s1", {"type": "nudge-issued", "t": 3.7, "rule": "interruption",
                             "message": "Laat uitpraten", "kind": "negative", "speaker": "coachee",
                             "evidence_t": 3.0, "delivered": True, "detail": {}})
    expect(page.locator("#msg")).to_have_text("Laat uitpraten")
    live_server.push("s1", {"type": "nudge-withdrawn", "t": 4.7, "rule": "interruption", "evidence_t": 2.0,
                             "reason": "backchannel", "message": "Laat uitpraten", "delivered": True})
    page.wait_for_timeout(300)
    expect(page.locator("#msg")).to_have_text("Laat uitpraten")   # another nudge's withdrawal
    live_server.push("s1", {"type": "nudge-withdrawn", "t": 4.7, "rule": "interruption", "evidence_t": 3.0,
                             "reason": "backchannel", "message": "Laat uitpraten", "delivered": True})
    expect(page.locator("#msg")).to_have_text("")
    assert page.evaluate("window.pullcoachOverlay.seen.map(n => !!n.withdrawn)") == [True]
    assert page.evaluate("window.pullcoachOverlay.nudge") is None
    assert page.errors == []


def test_a_silent_partner_channel_shows_in_the_coachees_words_until_it_sounds_again(page, live_server):
    live_server.add_session("s1", token="tok-1", lang="nl")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    live_server.push("s1", {"type": "pipeline-warning", "t": 20.0, "kind": "channel-silent",
                             "message": "No sound at all from the partner's channel for 20 s",
                             "detail": {"speaker": "partner", "reason": "no-sound", "seconds": 20}})
    status = page.locator("#status")
    expect(status).to_have_text("Geen geluid van de ander (apparaat?)")
    live_server.push("s1", {"type": "pipeline-warning", "t": 21.0, "kind": "asr-error",
                             "message": "Could not transcribe", "detail": {"speaker": "coachee"}})
    expect(status).to_have_text("Could not transcribe")
    live_server.push("s1", {"type": "pipeline-warning", "t": 26.0, "kind": "channel-ok",
                             "message": "The partner's channel carries sound again.",
                             "detail": {"speaker": "partner"}})
    expect(status).not_to_have_text("Could not transcribe")
    expect(status).not_to_contain_text("Geen geluid")
    assert page.errors == []


def test_the_same_sound_on_both_channels_names_its_cause_for_coachee_and_trainer(page, live_server):
    status = open_overlay(page, live_server)
    for t, detail, text in [(9.0, {"cause": "acoustic"}, "Luidsprekers te hard: neem een headset"),
                            (20.0, {}, "Beide kanalen horen hetzelfde")]:   # an old session: no cause
        live_server.push("s1", {"type": "pipeline-warning", "t": t, "kind": "channels-same",
                                 "message": "Both channels carry the same sound", "detail": detail})
        expect(status).to_have_text(text)
        live_server.push("s1", {"type": "pipeline-warning", "t": t + 1, "kind": "channels-apart",
                                 "message": "apart", "detail": {}})
        expect(status).not_to_contain_text("hetzelfde")
    # the trainer page's longer words come from the same module
    they = page.evaluate("""async () => {
        const { theyText } = await import("/static/alerts.js");
        const msg = (cause) => ({ kind: "channels-same", message: "m", detail: cause ? { cause } : {} });
        return [theyText(msg("one-input"), "en", "Ann"), theyText(msg(null), "en", "Ann")];
    }""")
    assert they[0].startswith("Both channels hear the same: one input recorded twice; pick another device")
    assert they[1] == "Both channels hear the same: one mic twice, or speakers too loud"
    assert page.errors == []


def until(page, expression, value, timeout=10.0):
    """Poll ``expression`` in the page until it is ``value`` (the page's CSP forbids eval,
    so no wait_for_function on a string)."""
    end = time.monotonic() + timeout
    while (got := page.evaluate(expression)) != value:
        assert time.monotonic() < end, f"{expression} stayed {got!r}, not {value!r}"
        time.sleep(0.02)


def trainer_nudge(t, message):
    return {"type": "nudge-issued", "t": t, "rule": "trainer", "message": message, "kind": "trainer",
            "speaker": "coachee", "evidence_t": None, "delivered": True, "detail": {}}


def auto_nudge(t, message, kind="negative", rule="interruption"):
    return {"type": "nudge-issued", "t": t, "rule": rule, "message": message, "kind": kind,
            "speaker": "coachee", "evidence_t": t - 0.5, "delivered": True, "detail": {}}


def test_a_trainer_nudge_stays_its_nine_seconds_and_drops_automatic_ones_meanwhile(page, live_server):
    page.clock.install()    # the page's timers run on a clock the test moves on
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    msg, overlay = page.locator("#msg"), page.locator("#overlay")
    live_server.push("s1", trainer_nudge(10.0, "Vat eens samen"))
    expect(msg).to_have_text("Vat eens samen")
    page.clock.run_for(3000)
    live_server.push("s1", auto_nudge(13.0, "Laat uitpraten"))
    live_server.push("s1", auto_nudge(13.5, "Weerstand: vraag door", kind="cue", rule="interrupted"))
    until(page, "window.pullcoachOverlay.seen.length", 3)
    assert msg.text_content() == "Vat eens samen" and overlay.get_attribute("data-kind") == "trainer"
    assert page.evaluate("window.pullcoachOverlay.seen.map(n => !!n.dropped)") == [False, True, True]
    page.clock.run_for(4500)                       # 7.5 s in: still there
    assert msg.text_content() == "Vat eens samen"
    page.clock.run_for(2000)                       # 9.5 s: its time is over
    expect(msg).to_have_text("")
    page.clock.run_for(3000)                       # the dropped ones were not queued
    assert msg.text_content() == "" and overlay.get_attribute("data-kind") == ""
    live_server.push("s1", auto_nudge(30.0, "Laat uitpraten"))   # automatic nudges show again
    expect(msg).to_have_text("Laat uitpraten")
    live_server.push("s1", trainer_nudge(31.0, "Vraag door"))    # a trainer's replaces any
    expect(msg).to_have_text("Vraag door")
    assert page.errors == []


def test_live_problems_leave_the_overlay_when_the_session_ends(page, live_server):
    status = open_overlay(page, live_server)
    live_server.push("s1", {"type": "pipeline-warning", "t": 14.3, "kind": "language",
                             "message": "What is said sounds English", "detail": {"heard": "en", "lang": "nl"}})
    expect(status).to_have_text("Klinkt Engels: opnieuw met --lang en")   # it holds, in few words
    live_server.push("s1", {"type": "pipeline-warning", "t": 80.0, "kind": "asr-behind",
                             "message": "Speech recognition is 3.1 s behind real time", "detail": {"behind_s": 3.1}})
    expect(status).to_have_text("Transcriptie loopt achter")
    live_server.push("s1", {"type": "session-ended", "t": 90.0, "reason": "ended"})
    expect(status).to_have_text("sessie beëindigd")
    live_server.push("s1", {"type": "pipeline-warning", "t": 90.0, "kind": "channel-silent",
                             "message": "No sound", "detail": {"speaker": "partner", "reason": "no-sound"}})

    async def drop():   # the server goes away and comes back: the overlay reconnects
        for client in list(live_server.service.overlays["s1"]):
            await client.ws.close(1012, "service restart")
    live_server._call(drop())
    until(page, "window.pullcoachOverlay.connection", "reconnecting")
    until(page, "window.pullcoachOverlay.connection", "connected")
    expect(status).to_have_text("sessie beëindigd")
    assert page.evaluate("[window.pullcoachOverlay.alerts.size, window.pullcoachOverlay.problem]") == [0, ""]
    expect(page.locator("#report")).to_be_visible()
    assert page.errors == []


def test_an_overlay_that_connects_after_its_session_ended_says_so(page, live_server):
    # a server started again recalls the finished session: "sessie beëindigd", not an empty box
    live_server.add_session("s1", token="tok-1")
    live_server.push("s1", {"type": "session-ended", "t": 26.0, "reason": "server-stopped"})
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    expect(page.locator("#status")).to_have_text("sessie beëindigd")
    expect(page.locator("#report")).to_be_visible()
    assert page.errors == []


def test_the_overlay_token_leaves_the_address_and_a_reload_keeps_working(page, live_server):
    # a coachee shares their screen in the call: the address shows no token
    status = open_overlay(page, live_server)
    expect(status).to_have_text("luistert")
    assert "token" not in page.url and "session=s1" in page.url
    page.reload()
    expect(status).to_have_text("luistert")
    assert page.errors == []


def test_a_restarted_capture_is_said_calmly_and_its_gaps_stall_is_no_device_gone(page, live_server):
    """What `pullcoach serve` sends for a capture killed after 19 s and started again 26 s
    later: the resume, the stall its filling sets off on the channel filled second, its end."""
    status = open_overlay(page, live_server)
    live_server.push("s1", {"type": "pipeline-warning", "t": 19.0, "kind": "channel-stalled",
                            "message": "No audio from the coachee's channel for 2 s",
                            "detail": {"speaker": "coachee"}})   # said before the resume came
    expect(status).to_have_text("Je microfoon levert geen audio meer")
    live_server.push("s1", {"type": "pipeline-warning", "t": 19.2, "kind": "capture-resumed",
                            "message": "The capture went on with this session after 26 s without audio",
                            "detail": {"resumed_at": 44.918, "gap_s": 25.718}})
    live_server.push("s1", {"type": "pipeline-warning", "t": 19.2, "kind": "channel-stalled",
                            "message": "No audio from the partner's channel for 2 s",
                            "detail": {"speaker": "partner"}})
    expect(status).to_have_text("Opname hervat na 25 s onderbreking")
    live_server.push("s1", {"type": "pipeline-warning", "t": 44.2, "kind": "channel-ok",
                            "message": "Audio from the partner's channel again.",
                            "detail": {"speaker": "partner", "after": "channel-stalled"}})
    live_server.push("s1", {"type": "focus-changed", "t": 45.0, "rules": ["too-few-summaries"],
                            "messages": ["Vat samen"], "by": "trainer"})   # a marker: all is in
    page.wait_for_function("window.pullcoachOverlay.focus.length === 1")
    expect(status).to_have_text("Opname hervat na 25 s onderbreking")
    assert page.evaluate("[...window.pullcoachOverlay.alerts.keys()]") == ["resumed|"]
    assert page.errors == []


def test_a_resume_sent_again_after_a_reconnect_is_not_shown_again(page, live_server, resume_replayed):
    """The resume line counts its minute on the session's clock: two minutes into the session
    after it, an overlay that reconnects and gets the old warnings again stays calm."""
    status = open_overlay(page, live_server)
    expect(status).to_have_text("luistert")
    live_server.push("s1", {"type": "tick", "t": 170.0})   # the session goes on (no tick reaches an overlay)
    for client in list(live_server.service.overlays["s1"]):
        live_server._call(client.ws.close(1012, "restart"))   # a dropped connection
    expect(status).to_have_text("opnieuw verbinden…")
    expect(status).to_have_text("luistert")   # back, with the status that says 2:50
    live_server.wait_clients("overlay")
    for event in resume_replayed:
        live_server.push("s1", event)
    live_server.push("s1", {"type": "nudge-issued", "t": 171.0, "rule": "too-few-summaries",
                            "message": "Vat samen", "kind": "negative", "speaker": "coachee",
                            "evidence_t": 170.5, "delivered": True, "detail": {}})   # a marker: all is in
    expect(page.locator("#msg")).to_have_text("Vat samen")
    expect(status).to_have_text("luistert")
    assert page.errors == []


def test_an_overlay_that_joins_after_a_resume_shows_what_is_left_of_its_minute(page, live_server, resume_replayed):
    live_server.add_session("s1", token="tok-1", lang="nl")
    live_server.push("s1", {"type": "tick", "t": 101.0})   # the capture came back at 0:45, 56 s ago
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    status = page.locator("#status")
    expect(status).to_have_text("luistert")
    for event in resume_replayed:
        live_server.push("s1", event)
    expect(status).to_have_text("Opname hervat na 25 s onderbreking")
    start = time.monotonic()
    expect(status).to_have_text("luistert", timeout=10_000)   # at 1:45 on the session's clock
    assert 2.0 < time.monotonic() - start < 6.0
    assert page.errors == []


def test_the_coachees_replayed_file_that_broke_off_is_no_microphone_gone(page, live_server):
    status = open_overlay(page, live_server)
    live_server.push("s1", {"type": "pipeline-warning", "t": 2.3, "kind": "channel-stalled",
                            "message": "The coachee's file broke off at 0:02.3 (…)",
                            "detail": {"speaker": "coachee", "cause": "file-broken",
                                       "files": ["anna.flac", "bram.flac"]}})
    expect(status).to_have_text("Je bestand brak af: de sessie stopt hier")
    assert page.errors == []


def test_the_web_overlay_ends_saying_the_recording_broke_off_and_its_dot_goes_at_the_break(page, live_server):
    """As the Tk overlay: the red dot goes at the break (nothing more is heard), and the ended
    overlay keeps why ("sessie beëindigd" alone left the coachee guessing)."""
    status = open_overlay(page, live_server)
    expect(page.locator("#rec.on")).to_have_count(1)
    live_server.push("s1", {"type": "pipeline-warning", "t": 2.3, "kind": "channel-stalled",
                            "message": "The recording broke off at 0:02.3 (…)",
                            "detail": {"speaker": "coachee", "cause": "file-broken", "files": ["call.flac"]}})
    expect(status).to_have_text("De opname brak af: de sessie stopt hier")
    expect(page.locator("#rec.on")).to_have_count(0)
    live_server.push("s1", {"type": "session-ended", "t": 2.4, "reason": "source-ended"})
    expect(status).to_have_text("beëindigd: opname brak af")
    assert page.errors == []


def test_an_overlay_says_when_the_server_keeps_the_audio(page, live_server, tmp_path):
    live_server.service.keeps_audio = True  # serve --keep-audio: consent, before they talk
    status = open_overlay(page, live_server)
    expect(status).to_have_text("luistert · audio wordt bewaard")
    page.screenshot(path=str(tmp_path / "kept.png"))
    print("screenshot:", tmp_path / "kept.png")
    live_server.service.keeps_audio = False
    page.reload()
    expect(status).to_have_text("luistert")


def test_the_trainer_card_blames_the_recording_not_a_device_for_a_silent_replayed_side(page, live_server):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    they = page.evaluate("""async () => {
        const { theyText } = await import("/static/alerts.js");
        const msg = (files) => ({ kind: "channel-silent", message: "m",
                                  detail: { speaker: "partner", reason: "no-sound", ...(files ? { files } : {}) } });
        return [theyText(msg(["tom.flac"]), "nl", "Tom"), theyText(msg(null), "nl", "Tom")];
    }""")
    assert they == ["Geen geluid van Tom: staat die kant wel in de opname?",
                    "Geen geluid van Tom: gedempt of verkeerd apparaat?"]
    assert page.errors == []


def test_a_clipped_file_is_the_recordings_fault_and_a_clipped_mic_is_turned_down(page, live_server):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    said = page.evaluate("""async () => {
        const { youText, theyText } = await import("/static/alerts.js");
        const msg = (files) => ({ kind: "channel-clipped", message: "m",
                                  detail: { speaker: "coachee", share: 0.2, ...(files ? { files } : {}) } });
        return [youText(msg(["rec.wav"]), "nl"), youText(msg(null), "en"),
                theyText(msg(["rec.wav"]), "en", "Anna")];
    }""")
    assert said == ["De opname zelf is overstuurd", "Your mic clips: turn its level down",
                    "Anna's sound is clipped in the recording itself: transcripts and nudges there are less reliable"]
    assert page.errors == []
