"""Ending a session from the dashboard: it ends once its pipeline has caught up (seconds,
more when the transcription is behind). Meanwhile the card said "live" and the button
"Sessie beëindigen" again, as if the two clicks had done nothing."""

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_the_card_says_ending_from_the_second_click_until_the_session_has_ended(new_page, live_server):
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram")
    asked = []
    live_server.hub.sessions["s-anna"].controller.stop = lambda reason="stopped": asked.append(reason)   # ends later
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    card = page.locator('.card[data-session="s-anna"]')
    card.click()
    end = page.locator("#end")
    end.click()
    expect(end).to_have_text("Zeker? Klik nogmaals")
    end.click()
    expect(card.locator(".badge")).to_have_text("● wordt beëindigd…")
    expect(end).to_have_text("Wordt beëindigd…")
    expect(end).to_be_disabled()
    expect(page.locator("#d-meta")).to_contain_text("wordt beëindigd")
    for _ in range(250):  # the page says it at the click; the server hears it a moment later
        if asked:
            break
        page.wait_for_timeout(20)
    assert asked == ["trainer"]  # the report and debrief say who ended it
    page.wait_for_timeout(4500)   # the armed button's 4 s are over: still ending, not "live" again
    expect(card.locator(".badge")).to_have_text("● wordt beëindigd…")
    expect(end).to_have_text("Wordt beëindigd…")
    live_server.push("s-anna", {"type": "session-ended", "t": 30.0, "reason": "stopped"})
    expect(card.locator(".badge")).to_have_text("afgelopen")
    expect(end).to_have_text("Afgelopen")  # not "Sessie beëindigen", greyed
    expect(end).to_be_disabled()
    assert page.errors == []
