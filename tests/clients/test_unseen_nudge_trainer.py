"""The card's list of nudges says which nobody saw: sent while the capture's session had no
overlay open (the server counts the overlays on each nudge). The flash "alleen in het verslag"
was gone after six seconds, and a trainer who came later could not tell at all."""

import time

import pytest

from pullcoach.rules import events as ev

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def started(via="capture"):
    event = {"type": "session-started", "t": 0.0, "lang": "nl", "wall_clock": time.time(),
             "coachee": "Anna", "partner": "Bram"}
    return {**event, "via": via} if via else event


def test_the_cards_list_says_which_nudges_nobody_saw_also_to_a_trainer_who_comes_later(new_page, live_server):
    stored = []
    live_server.hub.subscribe(lambda sid, e: stored.append(e) if isinstance(e, ev.NudgeIssued) else None)
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    live_server.push("s-anna", started())
    card = page.locator('.card[data-session="s-anna"]')
    card.click()
    page.fill("#nudge-text", "Vraag eens door")
    page.click("#nudge-send")
    last = card.locator(".last-nudges li")
    expect(last).to_have_count(1)
    expect(last.first.locator(".unseen")).to_have_text("niet gezien: geen overlay open")

    overlay = new_page(420, 160)   # the coachee opens the link capture printed
    overlay.goto(f"http://127.0.0.1:{live_server.port}/?session=s-anna#token=tok-a")
    expect(card.locator('.alert[data-kind="no-overlay"]')).to_have_count(0)
    page.fill("#nudge-text", "Vat eens samen")
    page.click("#nudge-send")
    expect(overlay.locator("#msg")).to_contain_text("Vat eens samen")
    expect(last).to_have_count(2)
    expect(last.nth(0)).to_contain_text("Vat eens samen")   # newest first: seen
    expect(last.nth(0).locator(".unseen")).to_have_count(0)
    expect(last.nth(1).locator(".unseen")).to_have_count(1)
    assert [n.detail.get("overlays") for n in stored] == [0, 1]   # what the store keeps

    # a `run` session's nudges carry no count: its own overlay shows them, or they are printed
    live_server.add_session("s-run", token="tok-r", lang="nl", coachee="Carla", partner="Daan", start=False)
    live_server.push("s-run", started(via=None))
    run_card = page.locator('.card[data-session="s-run"]')
    run_card.click()
    page.fill("#nudge-text", "Luister")
    page.click("#nudge-send")
    expect(run_card.locator(".last-nudges li")).to_contain_text(["Luister"])
    expect(run_card.locator(".unseen")).to_have_count(0)

    later = new_page(1280, 900)   # a trainer who opens the dashboard now: the history says it
    later.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    expect(later.locator('.card[data-session="s-anna"] .last-nudges .unseen')).to_have_count(1)
    assert page.errors == [] and later.errors == []

