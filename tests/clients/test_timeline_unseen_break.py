"""The timeline's hatch where a replayed file broke off and ended the session (the audio
nobody heard): one stereo file's break covers both lanes (it was only the coachee's), and a
break at the very end stays inside the lanes (it ran past their right edge)."""

import time

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def boxes(page) -> dict:
    return page.evaluate("""() => {
        const box = (n) => { const r = n.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
        const lanes = [...document.querySelectorAll("#timeline .tl-lane")].map(box);
        return {lanes, gap: box(document.querySelector("#timeline .tl-gap-channel-stalled"))};
    }""")


@pytest.mark.parametrize("files, both", [(["call.flac"], True), (["anna.flac", "bram.flac"], False)])
def test_a_break_that_ended_the_session_is_hatched_inside_the_lanes_of_the_sides_it_cut(
        new_page, live_server, tmp_path, files, both):
    page = new_page(1280, 900)
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for e in [{"type": "session-started", "t": 0.0, "lang": "nl", "wall_clock": time.time(),
               "coachee": "Anna", "partner": "Bram", "via": "capture"},
              {"type": "speech-started", "t": 1.0, "speaker": "partner"},
              {"type": "speech-ended", "t": 20.0, "speaker": "partner"},
              {"type": "pipeline-warning", "t": 29.2, "kind": "channel-stalled",
               "message": "The file broke off at 0:29.2 (…). (Said by the capture.)",
               "detail": {"speaker": "coachee", "cause": "file-broken", "file": files[0], "files": files,
                          "error": f"{files[0]}: broken audio data after 29.2 s"}},
              {"type": "session-ended", "t": 29.2, "reason": "ended"}]:
        live_server.push("s-anna", e)
    page.locator('.card[data-session="s-anna"]').click()
    expect(page.locator('.card[data-session="s-anna"] .badge')).to_have_text("afgelopen")
    expect(page.locator("#timeline .tl-gap-channel-stalled")).to_have_count(1)
    page.locator("#timeline").screenshot(path=str(tmp_path / "break.png"))
    seen = boxes(page)
    coachee, partner = seen["lanes"]
    gap = seen["gap"]
    assert gap["right"] <= coachee["right"] + 0.5 and gap["right"] - gap["left"] >= 3   # inside, and visible
    assert abs(gap["top"] - coachee["top"]) <= 0.5
    assert abs(gap["bottom"] - (partner["bottom"] if both else coachee["bottom"])) <= 0.5
    assert page.errors == []
