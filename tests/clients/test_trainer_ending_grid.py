"""A training day's dashboard (QA, a Dutch day with two rounds):

- after "Sessie beëindigen" a reloaded, reopened or second trainer's page showed the session
  live again, with the button enabled, until its pipeline had drained (11 s to minutes);
- round 2's live pairs sat below round 1's five ended cards, below the fold;
- a pair without names read "Gijs ↔ partner" while the report says "Gesprekspartner", and
  a focus click said "focus staat".
"""

import asyncio
import time

import pytest

from pullcoach.rules import events as ev

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


class Draining:
    """A session controller like LiveSession: a stop is remembered (``stop_reason``) and
    the session ends only later, when its pipeline has caught up."""

    def __init__(self, server, session):
        self.server, self.session, self.stop_reason = server, session, ""

    def inject(self, event) -> None:
        self.server.hub.publish(self.session, event)

    def stop(self, reason: str = "stopped") -> None:
        self.stop_reason = reason


def add(server, sid, coachee, partner="Bram", *, wall=None, lang="nl"):
    async def declare():
        server.hub.declare(sid, "tok-" + sid, lang=lang, coachee=coachee, partner=partner,
                           controller=Draining(server, sid))
    server._call(declare())
    server.push(sid, {"type": "session-started", "t": 0.0, "lang": lang,
                      "wall_clock": time.time() if wall is None else wall,
                      "coachee": coachee, "partner": partner})


def trainer_url(server):
    return f"http://127.0.0.1:{server.port}/trainer#token={server.trainer_token}"


def test_an_end_asked_shows_on_a_reloaded_and_on_a_second_trainers_page(new_page, live_server):
    add(live_server, "s-eva", "Eva", "Frank")
    first, second = new_page(1280, 900), new_page(1280, 900)
    first.goto(trainer_url(live_server))
    second.goto(trainer_url(live_server))
    live_server.wait_clients("trainer", 2)
    first.locator('.card[data-session="s-eva"]').click()
    first.click("#end")
    first.click("#end")
    expect(first.locator("#end")).to_have_text("Wordt beëindigd…")
    assert live_server.hub.sessions["s-eva"].ending   # the hub's record knows, not only the page
    # the second trainer's page, open all along: told too
    card = second.locator('.card[data-session="s-eva"]')
    expect(card.locator(".badge")).to_have_text("● wordt beëindigd…")
    card.click()
    expect(second.locator("#end")).to_have_text("Wordt beëindigd…")
    expect(second.locator("#end")).to_be_disabled()
    # the first page reloaded (the QA's "● live" and an enabled button came back here)
    first.reload()
    card = first.locator('.card[data-session="s-eva"]')
    expect(card.locator(".badge")).to_have_text("● wordt beëindigd…")
    card.click()
    expect(first.locator("#end")).to_have_text("Wordt beëindigd…")
    expect(first.locator("#end")).to_be_disabled()
    expect(first.locator("#d-meta")).to_contain_text("wordt beëindigd")
    third = new_page(1280, 900)   # a page opened meanwhile
    third.goto(trainer_url(live_server))
    expect(third.locator('.card[data-session="s-eva"] .badge')).to_have_text("● wordt beëindigd…")
    live_server.push("s-eva", {"type": "session-ended", "t": 40.0, "reason": "stopped"})
    for page in (first, second, third):
        expect(page.locator('.card[data-session="s-eva"] .badge')).to_have_text("afgelopen")
        assert page.errors == []


def test_live_pairs_come_first_newest_first_and_the_ended_under_a_heading(new_page, live_server):
    now = time.time()
    for i, name in enumerate(["Anna", "Carla", "Eva", "Gijs", "Iris"]):   # round 1, ended
        add(live_server, f"r1-{i}", name, wall=now - 3600 + i)
        live_server.push(f"r1-{i}", {"type": "session-ended", "t": 600.0, "reason": "stopped"})
    for i, name in enumerate(["Jan", "Kees", "Lisa", "Mo"]):             # round 2, live
        add(live_server, f"r2-{i}", name, wall=now - 60 + i)
    page = new_page(1280, 700)
    page.goto(trainer_url(live_server))
    expect(page.locator(".card")).to_have_count(9)
    shown = page.locator("#grid > *").evaluate_all(
        "ns => ns.map(n => n.classList.contains('card') ? n.dataset.session : n.textContent)")
    assert shown == ["r2-3", "r2-2", "r2-1", "r2-0", "Afgelopen (5)",
                     "r1-4", "r1-3", "r1-2", "r1-1", "r1-0"]
    # the newest live pair is in view without scrolling
    top = page.locator('.card[data-session="r2-3"]').bounding_box()
    assert top["y"] + top["height"] < 700


def test_a_card_does_not_move_under_the_pointer_when_a_neighbour_ends(new_page, live_server):
    now = time.time()
    for i, name in enumerate(["Jan", "Kees", "Lisa"]):
        add(live_server, f"s-{i}", name, wall=now + i)
    page = new_page(1280, 900)
    page.goto(trainer_url(live_server))
    expect(page.locator(".card")).to_have_count(3)
    lisa = page.locator('.card[data-session="s-2"]')   # newest: first
    kees = page.locator('.card[data-session="s-1"]')
    place = lambda: {k: v for k, v in kees.bounding_box().items() if k in "xy"}  # noqa: E731
    before = place()
    kees.hover()   # about to click Kees: Lisa (before it) ends
    live_server.push("s-2", {"type": "session-ended", "t": 60.0, "reason": "stopped"})
    expect(lisa.locator(".badge")).to_have_text("afgelopen")
    page.wait_for_timeout(300)
    assert place() == before   # (its row may grow: the ended card got its report link)
    kees.click()
    expect(page.locator("#d-who")).to_have_text("Kees ↔ Bram")
    page.mouse.move(5, 5)   # the pointer off the cards: now the ended card goes after the live
    order = lambda: page.locator(".card").evaluate_all("ns => ns.map(n => n.dataset.session)")  # noqa: E731
    end = time.monotonic() + 5
    while order() != ["s-1", "s-0", "s-2"] and time.monotonic() < end:
        time.sleep(0.05)
    assert order() == ["s-1", "s-0", "s-2"]
    expect(page.locator(".grid-group")).to_have_text("Afgelopen (1)")
    assert page.errors == []


@pytest.mark.parametrize("lang, who, focus_set", [("nl", "Gijs ↔ Gesprekspartner", "focus ingesteld"),
                                                  ("en", "Gijs ↔ Partner", "focus set")])
def test_a_pair_without_names_reads_as_in_the_report(new_page, live_server, lang, who, focus_set):
    live_server.add_session("s-gijs", token="tok-g", lang=lang, coachee="Gijs", partner="partner")
    page = new_page(1280, 900)
    page.goto(trainer_url(live_server))
    card = page.locator('.card[data-session="s-gijs"]')
    expect(card.locator(".who")).to_have_text(who)
    card.click()
    expect(page.locator("#d-who")).to_have_text(who)
    live_server.push("s-gijs", {"type": "transcript-final", "t": 3.0, "speaker": "partner", "t0": 1.0,
                                "t1": 3.0, "text": "Ik heb er geen zin in"})
    expect(page.locator("#transcript .utt-partner .spk")).to_have_text(who.split(" ↔ ")[1])
    page.locator("#focus-rules .chip").nth(1).click()
    expect(page.locator("#focus-ack")).to_have_text(focus_set)
    live_server.wait_for(lambda sid, e: isinstance(e, ev.FocusChanged))
    assert page.errors == []
