"""The dashboard's live timeline stays legible in a long session: at 18 minutes one strip of
the page's width was 1.2 px a second and the nudges of the first minutes ran together into
one band. Past a minimum scale the strip grows and scrolls sideways, showing its newest end
unless the trainer scrolled back; a short session looks as it did. The overlap row's name
touched the partner's name above it."""

import os
import re
import time
from pathlib import Path

import pytest

from tests.clients.test_web_trainer import open_anna

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PULLCOACH_SHOTS", "/tmp/pullcoach-shots"))


def talk(start: float, end: float, nudge_every: float = 0.0, nudge_until: float = 0.0):
    """Turns of 5 s from ``start`` to ``end``, each speaker in turn; a nudge every
    ``nudge_every`` s up to ``nudge_until``."""
    t, who = start, "partner"
    nudge = start + 2.0 if nudge_every else float("inf")
    while t + 5.0 <= end:
        yield {"type": "speech-started", "t": t + 0.2, "speaker": who}
        while nudge < min(t + 5.0, nudge_until):
            yield {"type": "nudge-issued", "t": nudge, "rule": "interruption", "message": "Laat uitpraten",
                   "kind": "negative", "speaker": "coachee", "evidence_t": nudge, "delivered": True, "detail": {}}
            nudge += nudge_every
        yield {"type": "speech-ended", "t": t + 4.8, "speaker": who}
        t, who = t + 5.0, "coachee" if who == "partner" else "partner"
    yield {"type": "tick", "t": end}


def drawn(page, clock):
    """The timeline drawn up to ``clock`` (its name says how long it runs)."""
    expect(page.locator("#timeline")).to_have_attribute("aria-label", re.compile(f"^Tijdlijn van {clock}:"))


def push(live_server, events):
    for event in events:
        live_server.push("s-anna", event)


GEOMETRY = """() => {
    const box = document.querySelector(".tl-scroll"), svg = document.getElementById("timeline");
    const view = box.getBoundingClientRect();
    const inView = (r) => r.left >= view.left - 0.5 && r.right <= view.right + 0.5;
    const nudges = [...svg.querySelectorAll(".tl-nudge")].map((n) => n.getBoundingClientRect())
        .map((r) => (r.left + r.right) / 2);
    const ticks = [...svg.querySelectorAll(".tl-tick")].map((t) => t.getBoundingClientRect());
    const names = [...svg.querySelectorAll(".tl-name")].map((t) => t.getBoundingClientRect());
    const label = (cls) => [...svg.querySelectorAll(".tl-name")].find((t) => t.textContent === cls)
        .getBoundingClientRect();
    return {
        client: box.clientWidth, scroll: box.scrollWidth, left: box.scrollLeft,
        svg: svg.getBoundingClientRect().width, viewBox: svg.getAttribute("viewBox"),
        nudges, now: svg.querySelector(".tl-now").getBoundingClientRect().left,
        view: [view.left, view.right],
        ticksInView: ticks.filter(inView).length,
        tickGaps: ticks.slice(1).map((r, i) => r.left - ticks[i].right),
        namesInView: names.every(inView),
        bram: [label("Bram").top, label("Bram").bottom], overlap: [label("overlap").top, label("overlap").bottom],
        lane: svg.querySelector(".tl-lane").getBoundingClientRect().left,
        tabindex: box.getAttribute("tabindex"),
    };
}"""


def geometry(page):
    return page.evaluate(GEOMETRY)


def test_a_twenty_minute_session_keeps_nudges_apart_and_shows_its_newest_end(new_page, live_server):
    page = new_page(1280, 900)
    open_anna(page, live_server)
    # the first seven minutes with a nudge every 4 s (as the role-play's), then talk to 20:00
    push(live_server, talk(0.0, 420.0, nudge_every=4.0, nudge_until=420.0))
    push(live_server, talk(420.0, 1200.0))
    nudges = page.locator("#timeline .tl-nudge")
    expect(nudges).to_have_count(105)
    drawn(page, "20:00")
    time.sleep(0.3)
    g = geometry(page)
    # nudges 4 s apart stay apart on screen: one triangle each (they ran together at 4 px apart)
    gaps = [b - a for a, b in zip(g["nudges"], g["nudges"][1:])]
    assert min(gaps) >= 12, (min(gaps), g)
    # the strip is wider than the page and scrolls; it shows its newest end, the now-line in view
    assert g["scroll"] > g["client"] + 2000, g
    assert g["left"] + g["client"] >= g["scroll"] - 4, g
    assert g["view"][0] < g["now"] < g["view"][1], g
    # the names stay at the left, over the scrolled strip; the time axis reads in view
    assert g["namesInView"], g
    assert g["ticksInView"] >= 3 and min(g["tickGaps"]) > 20, g
    assert g["tabindex"] == "0"                       # the keyboard can scroll it
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "timeline-20min-end.png"))

    # the trainer scrolls back to the first minutes: it stays there while the session goes on
    page.evaluate("() => { document.querySelector('.tl-scroll').scrollLeft = 0; }")
    time.sleep(0.2)
    page.locator(".tl-scroll").screenshot(path=str(SHOTS / "timeline-20min-start.png"))
    push(live_server, talk(1200.0, 1290.0))
    drawn(page, "21:30")
    time.sleep(1.2)
    g = geometry(page)
    assert g["left"] == 0, g
    assert g["namesInView"], g
    # back at the end, it follows the live end again
    page.evaluate("() => { const b = document.querySelector('.tl-scroll'); b.scrollLeft = b.scrollWidth; }")
    time.sleep(0.2)
    before = geometry(page)["scroll"]
    push(live_server, talk(1290.0, 1350.0))
    drawn(page, "22:30")
    time.sleep(1.2)
    g = geometry(page)
    assert g["scroll"] > before and g["left"] + g["client"] >= g["scroll"] - 4, (before, g)
    assert g["view"][0] < g["now"] < g["view"][1], g
    # the keyboard scrolls it too
    page.locator(".tl-scroll").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    time.sleep(0.3)
    assert geometry(page)["left"] < g["left"] - 60
    # still one image named by its counts
    expect(page.locator("#timeline")).to_have_attribute("aria-label", "Tijdlijn van 22:30: 105 seintjes over wat "
                                                                      "beter kan, 0 goede zetten, 0 signalen van de "
                                                                      "ander, 0 seintjes van jou, 0 keer tegelijk "
                                                                      "gepraat, 0 bladwijzers")
    assert page.get_by_role("img", name="Tijdlijn van 22:30", exact=False).count() == 1
    assert page.errors == []


def test_a_one_minute_session_looks_as_it_did_and_the_row_names_do_not_touch(new_page, live_server):
    page = new_page(1280, 900)
    open_anna(page, live_server)
    push(live_server, talk(0.0, 60.0, nudge_every=10.0, nudge_until=60.0))
    expect(page.locator("#timeline .tl-nudge")).to_have_count(6)
    expect(page.locator("#timeline .tl-tick").last).to_have_text("1:10")
    time.sleep(0.3)
    g = geometry(page)
    # one strip the page's width, no sideways scrolling
    assert g["viewBox"].startswith("0 0 1000 ")
    assert g["scroll"] <= g["client"] + 1 and abs(g["svg"] - g["client"]) <= 1, g
    assert g["left"] == 0 and g["tabindex"] is None, g
    # the overlap row's name clear of the partner's name above it (they touched)
    assert g["overlap"][0] - g["bram"][1] >= 4, g
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".tl-scroll").screenshot(path=str(SHOTS / "timeline-1min.png"))
    assert page.errors == []
