"""The dashboard across a server restart: a role-play the restarted server does not list (a
crash cut it off and its capture is not back) is shown ended, not "● live" forever, and its
report counts in the debrief link; if its capture goes on with it, it is live again."""

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_session_the_restarted_server_does_not_list_is_shown_ended(new_page, live_server):
    page = new_page(1280, 900)
    for sid, who in (("s-anna", "Anna"), ("s-broken", "Broken")):
        live_server.add_session(sid, token=f"tok-{sid}", coachee=who, partner="P")
        live_server.push(sid, {"type": "speech-started", "t": 1.0, "speaker": "coachee"})
        live_server.push(sid, {"type": "pipeline-warning", "t": 19.0, "kind": "asr-behind",
                               "message": "Transcription is behind", "detail": {}})
        live_server.push(sid, {"type": "tick", "t": 20.0})
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    broken = page.locator('.card[data-session="s-broken"]')
    expect(broken.locator(".badge")).to_have_text("● live")
    expect(broken.locator(".alerts")).to_contain_text("Transcriptie loopt achter")

    async def restart():   # the server is gone and back without these two: the page reconnects
        live_server.hub.sessions.clear()
        live_server.service._status_sent.clear()   # a new server has told nobody anything
        for client in list(live_server.service.trainers):
            await client.ws.close(1012, "service restart")
    live_server._call(restart())
    expect(broken.locator(".badge")).to_have_text("afgelopen")
    expect(broken.locator(".alerts")).to_be_hidden()   # no stale "Transcriptie loopt achter"
    expect(broken.locator(".report-link")).to_be_visible()
    expect(page.locator("#debrief")).to_have_text("Nabespreking (2) ›")
    assert "s-broken" in page.locator("#debrief").get_attribute("href")

    # Anna's capture goes on with hers: live again, out of the debrief
    live_server.add_session("s-anna", token="tok-s-anna", coachee="Anna", partner="P", start=False)
    live_server.hub.sessions["s-anna"].live = True
    live_server._call(_push_status(live_server, "s-anna"))
    anna = page.locator('.card[data-session="s-anna"]')
    expect(anna.locator(".badge")).to_have_text("● live")
    expect(anna.locator(".report-link")).to_have_count(0)
    expect(page.locator("#debrief")).to_have_text("Nabespreking (1) ›")
    assert page.errors == []


async def _push_status(server, sid):
    server.service._push_status(sid)
