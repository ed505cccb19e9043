"""The timeline marks a nudge nobody saw (sent while the capture's session had no overlay
open): a hollow triangle in its kind's colour, its tooltip saying so. The card's list said
"niet gezien", but the timeline drew it as one that was shown, and the card's list keeps
only the last few."""

import time

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def triangles(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll("#timeline .tl-nudge")].map((n) => {
        const st = getComputedStyle(n);
        return {title: n.textContent, fill: st.fill, stroke: st.stroke, width: parseFloat(st.strokeWidth)};
    })""")


def test_the_timeline_draws_a_nudge_nobody_saw_hollow_with_a_tooltip(new_page, live_server, tmp_path):
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    live_server.push("s-anna", {"type": "session-started", "t": 0.0, "lang": "nl", "wall_clock": time.time(),
                                "coachee": "Anna", "partner": "Bram", "via": "capture"})
    page.locator('.card[data-session="s-anna"]').click()
    page.fill("#nudge-text", "Vraag eens door")   # no overlay open: nobody sees it
    page.click("#nudge-send")
    expect(page.locator("#timeline .tl-nudge")).to_have_count(1)

    overlay = new_page(420, 160)
    overlay.goto(f"http://127.0.0.1:{live_server.port}/?session=s-anna#token=tok-a")
    live_server.wait_clients("overlay")
    page.fill("#nudge-text", "Vat eens samen")
    page.click("#nudge-send")
    expect(overlay.locator("#msg")).to_contain_text("Vat eens samen")
    expect(page.locator("#timeline .tl-nudge")).to_have_count(2)
    page.locator("#timeline").screenshot(path=str(tmp_path / "unseen.png"))

    unseen, seen = triangles(page)
    assert "Vraag eens door" in unseen["title"] and "(niet gezien: geen overlay open)" in unseen["title"]
    assert "Vat eens samen" in seen["title"] and "niet gezien" not in seen["title"]
    # hollow: the outline in the trainer's blue, the inside not; a seen one is filled
    assert unseen["fill"] != unseen["stroke"] and unseen["width"] >= 1
    assert seen["fill"] == unseen["stroke"] and seen["width"] == 0
    expect(page.locator("#timeline .tl-unseen")).to_have_count(1)

    later = new_page(1280, 900)   # a trainer who opens the dashboard now: the history says it
    later.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    later.locator('.card[data-session="s-anna"]').click()
    expect(later.locator("#timeline .tl-nudge")).to_have_count(2)
    assert [n["title"].endswith("(niet gezien: geen overlay open)") for n in triangles(later)] == [True, False]
    assert page.errors == [] and later.errors == [] and overlay.errors == []


def test_live_timeline_marks_differ_by_shape_as_the_report_s(new_page, live_server):
    page = new_page(1280, 900)
    live_server.add_session("s1", token="tok-1", coachee="Anna", partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s1"]').click()
    for t, kind in ((3.0, "negative"), (6.0, "positive"), (9.0, "cue")):
        live_server.push("s1", {"type": "nudge-issued", "t": t, "rule": "x", "message": kind, "kind": kind,
                                 "speaker": "coachee", "evidence_t": t, "delivered": True, "detail": {}})
    expect(page.locator("#timeline .tl-nudge")).to_have_count(3)
    d = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#timeline .tl-nudge")]
                           .map((n) => [n.classList[1], n.getAttribute("d")]))""")
    assert " h10 l-5 9 z" in d["tl-negative"] and " l5 9 h-10 z" in d["tl-positive"] and " a4.5 " in d["tl-cue"]
    assert page.errors == []
