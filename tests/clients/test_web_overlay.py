"""The browser overlay in headless Chromium against a real protocol server."""

import pytest

from pullcoach import tokens as tk

expect = pytest.importorskip("playwright.sync_api").expect
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
    assert link.get_attribute("href") == f"/reports/s1?token={tk.view_token(live_server.trainer_token, 'report:s1')}"
    assert link.text_content() == "Rapport openen ›"


def test_overlay_page_with_a_wrong_token_says_refused(page, live_server):
    live_server.add_session("s1", token="tok-1")
    page.goto(f"http://127.0.0.1:{live_server.port}/#token=nope")
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
    live_server.add_session("s1", token="tok-1", lang="nl")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    status = page.locator("#status")
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
