"""A pair's capture shows no nudges itself: without an overlay opened from its link, the
nudges (the trainer's own too) reach no one. The trainer's card said nothing of it."""

import time

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def started(lang="nl", coachee="Anna", via="capture"):
    event = {"type": "session-started", "t": 0.0, "lang": lang, "wall_clock": time.time(),
             "coachee": coachee, "partner": "Bram"}
    return {**event, "via": via} if via else event


def test_the_card_says_no_overlay_is_open_until_one_is_and_a_nudge_then_says_report_only(new_page, live_server):
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    live_server.add_session("s-run", token="tok-r", lang="nl", coachee="Carla", partner="Daan", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    live_server.push("s-anna", started())
    live_server.push("s-run", started(coachee="Carla", via=None))   # `run` opens its own overlay
    anna = page.locator('.card[data-session="s-anna"]')
    no_overlay = anna.locator('.alert[data-kind="no-overlay"]')
    expect(no_overlay).to_have_text("⚠ Geen overlay open: Anna ziet de seintjes niet. De overlay-link "
                                    "staat in de console van pullcoach capture.")
    expect(page.locator('.card[data-session="s-run"] .alert')).to_have_count(0)
    anna.click()
    expect(page.locator('#d-alerts .alert[data-kind="no-overlay"]')).to_have_count(1)
    page.fill("#nudge-text", "Vraag eens door")
    page.click("#nudge-send")
    expect(page.locator("#nudge-ack")).to_have_text("verstuurd, maar er is geen overlay open: alleen in het verslag")

    overlay = new_page(420, 160)   # the coachee opens the link capture printed
    overlay.goto(f"http://127.0.0.1:{live_server.port}/?session=s-anna#token=tok-a")
    expect(no_overlay).to_have_count(0)
    expect(page.locator("#d-alerts .alert")).to_have_count(0)
    page.fill("#nudge-text", "Vat eens samen")
    page.click("#nudge-send")
    expect(page.locator("#nudge-ack")).to_have_text("verstuurd")
    overlay.close()   # and closes it again
    expect(no_overlay).to_have_count(1)
    live_server.push("s-anna", {"type": "session-ended", "t": 60.0, "reason": "ended"})
    expect(no_overlay).to_have_count(0)   # over: nothing more to show
    assert page.errors == []
