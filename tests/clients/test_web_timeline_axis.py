"""The dashboard's timeline axis ends near the session's end: it grew in 30 s steps from a
minute on, so a one-minute session's axis ran to 1:30 (a third of it empty), also once the
session had ended."""

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def talk(end: float):
    """Turns of 8 s, each speaker in turn, up to ``end``."""
    yield {"type": "session-started", "t": 0.0, "lang": "nl", "wall_clock": 1.0, "coachee": "Anna", "partner": "Bram"}
    t, who = 0.5, "partner"
    while t + 8.0 <= end:
        yield {"type": "speech-started", "t": t, "speaker": who}
        yield {"type": "speech-ended", "t": t + 7.5, "speaker": who}
        t, who = t + 8.0, "coachee" if who == "partner" else "partner"
    yield {"type": "tick", "t": end}


def axis(page) -> dict:
    return page.evaluate("""() => {
        const svg = document.getElementById("timeline"), box = svg.getBoundingClientRect();
        const ticks = [...svg.querySelectorAll(".tl-tick")];
        const lane = svg.querySelector(".tl-lane").getBoundingClientRect();
        const last = ticks.at(-1).getBoundingClientRect();
        return {labels: ticks.map((t) => t.textContent), inside: last.right <= box.right + 0.5,
                lane_right: lane.right, now: svg.querySelector(".tl-now").getBoundingClientRect().right};
    }""")


@pytest.mark.parametrize("end, live_last, ended_labels", [
    (20.0, "0:30", ["0:00", "0:05", "0:10", "0:15", "0:20"]),
    (60.0, "1:10", ["0:00", "0:10", "0:20", "0:30", "0:40", "0:50", "1:00"]),
    (965.0, "16:00", [f"{m}:00" for m in range(17)]),  # a long call scrolls: a label a minute
])
def test_the_axis_ends_near_the_sessions_end(new_page, live_server, tmp_path, end, live_last, ended_labels):
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for event in talk(end):
        live_server.push("s-anna", event)
    page.locator('.card[data-session="s-anna"]').click()
    ticks = page.locator("#timeline .tl-tick")
    # live: a little room ahead of now (at 1:00 it ran to 1:30)
    expect(ticks.last).to_have_text(live_last)
    live_server.push("s-anna", {"type": "session-ended", "t": end, "reason": "ended"})
    expect(page.locator('.card[data-session="s-anna"] .badge')).to_have_text("afgelopen")
    expect(ticks.last).to_have_text(ended_labels[-1])
    seen = axis(page)
    assert seen["labels"] == ended_labels
    # the axis ends where the session did: the now-line at the lanes' right edge, the last
    # label inside the SVG
    assert abs(seen["now"] - seen["lane_right"]) <= 1.5 and seen["inside"]
    page.locator("#timeline").screenshot(path=str(tmp_path / f"axis-{int(end)}.png"))
    assert page.errors == []
