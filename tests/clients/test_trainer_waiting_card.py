"""The dashboard card of a role-play whose capture is away, or that a restarted server holds
until its capture goes on with it: "opname weg", without the old pipeline's problems (no
pipeline hears it); once a restarted server goes on with it, what the old pipeline said
is gone (the new one says again what still holds)."""

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_waiting_card_shows_no_stale_pipeline_problem_and_the_revived_one_neither(new_page, live_server):
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-anna", coachee="Anna", partner="Bram")
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 19.0, "kind": "asr-behind",
                                "message": "Transcription is behind", "detail": {}})
    live_server.push("s-anna", {"type": "tick", "t": 20.0})
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    anna = page.locator('.card[data-session="s-anna"]')
    expect(anna.locator(".alerts")).to_contain_text("Transcriptie loopt achter")

    async def wait_for_capture(waiting: bool):  # as a restarted server holds it (runtime._recall_today)
        (live_server.service.waiting.add if waiting else live_server.service.waiting.discard)("s-anna")
        live_server.service._push_status("s-anna")
    live_server._call(wait_for_capture(True))
    expect(anna.locator(".badge")).to_have_text("● opname weg")
    expect(anna.locator(".alerts")).to_be_hidden()

    # its capture is back: the restarted server's pipeline goes on with it
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 20.0, "kind": "session-resumed",
                                "message": "The server restarted", "detail": {"resumed_at": 20.0, "open": []}})
    live_server._call(wait_for_capture(False))
    expect(anna.locator(".badge")).to_have_text("● live")
    expect(anna).not_to_contain_text("Transcriptie loopt achter")
    assert page.errors == []
