"""The trainer dashboard in headless Chromium against a real protocol server."""

import re
import time

import pytest

from pullcoach import tokens as tk

from pullcoach.rules import events as ev
from pullcoach.rules.engine import Engine

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def conversation(lang, coachee, partner, *, share, nudge):
    """A short scripted session: speech with an overlap, labelled utterances, metrics, a nudge."""
    yield {"type": "session-started", "t": 0.0, "lang": lang, "wall_clock": time.time(),
           "coachee": coachee, "partner": partner}
    yield {"type": "speech-started", "t": 0.5, "speaker": "partner"}
    yield {"type": "speech-started", "t": 3.2, "speaker": "coachee"}
    yield {"type": "speech-ended", "t": 3.9, "speaker": "partner"}
    yield {"type": "transcript-final", "t": 4.2, "speaker": "partner", "t0": 0.5, "t1": 3.9,
           "text": "Ik weet het niet zo goed", "words": [], "language": lang}
    yield {"type": "utterance-labeled", "t": 4.2, "speaker": "partner", "t0": 0.5, "t1": 3.9,
           "text": "Ik weet het niet zo goed", "labels": {"question": None}}
    yield {"type": "speech-ended", "t": 7.0, "speaker": "coachee"}
    yield {"type": "utterance-labeled", "t": 7.4, "speaker": "coachee", "t0": 3.2, "t1": 7.0,
           "text": "Wat maakt het lastig voor je?", "labels": {"question": "open", "reflection": False}}
    yield {"type": "nudge-issued", "t": 4.0, "rule": "interruption", "message": nudge, "kind": "negative",
           "speaker": "coachee", "evidence_t": 3.2, "delivered": True, "detail": {}}
    yield {"type": "metrics-updated", "t": 7.5, "metrics": {
        "talk_share": share, "reflections": 2, "questions": {"open": 3, "closed": 1}}}
    yield {"type": "bookmarked", "t": 7.6, "note": "mooie vraag", "by": "trainer"}


@pytest.fixture
def page(new_page):
    return new_page(1280, 900)


def test_dashboard_shows_two_live_sessions_and_sends_a_nudge(page, live_server, tmp_path):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    live_server.add_session("s-carl", token="tok-c", lang="en", coachee="Carl", partner="Dana", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for event in conversation("nl", "Anna", "Bram", share=0.62, nudge="Laat uitpraten"):
        live_server.push("s-anna", event)
    for event in conversation("en", "Carl", "Dana", share=0.31, nudge="Let them finish"):
        live_server.push("s-carl", event)

    anna = page.locator('.card[data-session="s-anna"]')
    carl = page.locator('.card[data-session="s-carl"]')
    expect(page.locator(".card.live")).to_have_count(2)
    expect(carl.locator(".fig-talk .value")).to_have_text("31%")
    # nothing ended on this page yet: the debrief is the server's choice (the newest day's)
    debrief = page.locator("#debrief")
    expect(debrief).to_be_visible()
    assert debrief.text_content().endswith("›") and "(" not in debrief.text_content()
    assert "sessions=" not in debrief.get_attribute("href")
    # the link carries the debrief's read-only token, never the trainer's
    assert debrief.get_attribute("href").startswith(
        f"/debrief?token={tk.view_token(live_server.trainer_token, 'debrief')}&")
    assert live_server.trainer_token not in debrief.get_attribute("href")
    assert anna.locator(".who").text_content() == "Anna ↔ Bram"
    assert anna.locator(".fig-talk .value").text_content() == "62%"
    # rated as the report rates it: 62% is poor, Carl's 31% good (the bar was plain up to 45%)
    assert anna.locator(".fig-talk .fill").get_attribute("class") == "fill poor"
    assert carl.locator(".fig-talk .fill").get_attribute("class") == "fill"
    assert anna.locator(".fig-reflections .value").text_content() == "2"
    assert anna.locator(".fig-questions .value").text_content() == "3/1"
    assert anna.locator(".fig-interruptions .value").text_content() == "1"
    assert anna.locator(".last-nudges .m").first.text_content() == "Laat uitpraten"
    assert carl.locator(".fig-talk .label").text_content() == "Coachee talk share"   # English session
    assert anna.locator(".fig-talk .label").text_content() == "Spreektijd coachee"
    assert carl.locator(".last-nudges .m").first.text_content() == "Let them finish"

    anna.click()
    watching = lambda: [c.watching for c in live_server.service.trainers]   # noqa: E731
    expect(page.locator("#d-who")).to_have_text("Anna ↔ Bram")
    end = time.monotonic() + 5  # the page's "watch" reaches the server a moment after the click
    while watching() != ["s-anna"] and time.monotonic() < end:
        time.sleep(0.02)
    assert watching() == ["s-anna"]
    page.locator("#transcript .utt").nth(1).wait_for()
    rows = page.locator("#transcript .utt")
    assert rows.nth(0).locator(".text").text_content() == "Ik weet het niet zo goed"
    assert rows.nth(1).locator(".tag-open").text_content() == "open vraag"
    assert page.locator("#timeline .tl-coachee").count() == 1
    assert page.locator("#timeline .tl-partner").count() == 1
    assert page.locator("#timeline .tl-overlap").count() == 1     # 3.2 .. 3.9
    assert page.locator("#timeline .tl-nudge").count() == 1
    assert page.locator("#timeline .tl-bookmark").count() == 1
    assert page.locator("#timeline .tl-row").all_text_contents() == ["overlap", "seintjes"]  # named rows

    page.fill("#nudge-text", "Vat eens samen")
    page.click("#nudge-send")
    sid, nudge = live_server.wait_for(lambda sid, e: isinstance(e, ev.NudgeIssued))
    assert (sid, nudge.message, nudge.kind, nudge.rule) == ("s-anna", "Vat eens samen", "trainer", "trainer")
    expect(anna.locator(".last-nudges .m").first).to_have_text("Vat eens samen")
    assert carl.locator(".last-nudges .m").first.text_content() == "Let them finish"

    page.fill("#mark-note", "hier ging het mis")
    page.click("#mark-send")
    sid, mark = live_server.wait_for(lambda sid, e: isinstance(e, ev.Bookmarked))
    assert (sid, mark.note, mark.by) == ("s-anna", "hier ging het mis", "trainer")
    expect(page.locator("#timeline .tl-bookmark")).to_have_count(2)

    shot = tmp_path / "trainer.png"
    page.screenshot(path=str(shot), full_page=True)
    print("screenshot:", shot)
    assert page.errors == []


def test_a_withdrawn_interruption_leaves_the_card_and_the_timeline(page, live_server):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for event in conversation("nl", "Anna", "Bram", share=0.5, nudge="Laat uitpraten"):
        live_server.push("s-anna", event)
    anna = page.locator('.card[data-session="s-anna"]')
    expect(anna.locator(".last-nudges .m")).to_have_count(1)
    anna.click()
    expect(page.locator("#timeline .tl-nudge")).to_have_count(1)
    live_server.push("s-anna", {"type": "nudge-withdrawn", "t": 7.4, "rule": "interruption", "evidence_t": 3.2,
                                "reason": "backchannel", "message": "Laat uitpraten", "delivered": True})
    expect(anna.locator(".last-nudges .m")).to_have_count(0)
    expect(page.locator("#timeline .tl-nudge")).to_have_count(0)
    assert page.errors == []


def test_a_set_up_problem_shows_on_the_card_and_in_the_detail_until_put_right(page, live_server):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    live_server.add_session("s-carl", token="tok-c", lang="en", coachee="Carl", partner="partner", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for sid, lang, names in (("s-anna", "nl", ("Anna", "Bram")), ("s-carl", "en", ("Carl", ""))):
        live_server.push(sid, {"type": "session-started", "t": 0.0, "lang": lang, "wall_clock": time.time(),
                               "coachee": names[0], "partner": names[1]})
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 20.0, "kind": "channel-silent",
                                "message": "No sound at all from the partner's channel for 20 s",
                                "detail": {"speaker": "partner", "reason": "no-sound", "seconds": 20}})
    live_server.push("s-carl", {"type": "pipeline-warning", "t": 8.0, "kind": "channels-same",
                                "message": "Both channels carry the same sound", "detail": {"share": 0.95}})
    live_server.push("s-carl", {"type": "pipeline-warning", "t": 9.0, "kind": "asr-error",
                                "message": "Could not transcribe", "detail": {}})
    anna = page.locator('.card[data-session="s-anna"]')
    carl = page.locator('.card[data-session="s-carl"]')
    expect(anna.locator(".alert")).to_have_text("⚠ Geen geluid van Bram: gedempt of verkeerd apparaat?")
    expect(carl.locator(".alert")).to_have_count(1)   # a passing asr-error is no standing problem
    assert carl.locator(".alert").text_content().startswith("⚠ Both channels hear the same")
    anna.click()
    expect(page.locator("#d-alerts .alert")).to_have_count(1)
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 27.0, "kind": "channel-ok",
                                "message": "The partner's channel carries sound again.",
                                "detail": {"speaker": "partner"}})
    expect(anna.locator(".alert")).to_have_count(0)
    expect(page.locator("#d-alerts .alert")).to_have_count(0)
    expect(carl.locator(".alert")).to_have_count(1)
    assert page.errors == []


def test_end_session_needs_two_clicks_and_ended_sessions_link_their_report(page, live_server):
    live_server.add_session("s-anna", token="tok-a", coachee="Anna", partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer?token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s-anna"]').click()
    page.click("#end")
    time.sleep(0.3)
    assert live_server.stopped == []
    page.click("#end")
    link = page.locator('.card[data-session="s-anna"] .report-link')
    link.wait_for()
    assert live_server.stopped == ["s-anna"]
    # a token that opens this one report: the trainer's stays out of history and screenshots
    view = tk.view_token(live_server.trainer_token, "report:s-anna")
    assert link.get_attribute("href") == f"/reports/s-anna?token={view}"
    assert page.locator("#nudge-send").is_disabled()


def test_dashboard_with_a_wrong_token_says_which_link_to_open(page, live_server):
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token=wrong-token-0123456789")
    expect(page.locator("#conn")).to_have_text(  # no welcome: the refusal's server language (Dutch)
        "Verkeerd token: open de trainer-link die pullcoach afdrukte (/trainer#token=…)")
    # refused: no "no sessions yet", no debrief link, nothing to pick (it looked like an empty day)
    expect(page.locator("#grid .empty")).to_have_count(0)
    expect(page.locator("#debrief")).to_be_hidden()
    expect(page.locator("#pick")).to_be_hidden()


def test_dashboard_without_sessions_names_both_ways_to_start_one(page, live_server):
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    expect(page.locator("#grid .empty code")).to_have_text(["pullcoach run", "pullcoach capture"])


def test_dashboard_without_token_says_how_to_open_it(page, live_server):
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer")
    assert "token" in page.locator("#conn").text_content()
    time.sleep(0.3)
    assert not live_server.service.trainers


def open_anna(page, live_server):
    """Anna's session, open on the dashboard."""
    live_server.add_session("s-anna", token="tok-a", coachee="Anna", partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s-anna"]').click()
    expect(page.locator("#d-who")).to_have_text("Anna ↔ Bram")
    return page


def test_a_partial_keeps_its_place_above_the_final_of_someone_who_cut_in(page, live_server):
    open_anna(page, live_server)
    # the token left the address (a dashboard on a projector showed it to the room); the
    # open session is there, and a reload opens it again, still connected
    assert "token" not in page.url and "session=s-anna" in page.url
    page.reload()
    expect(page.locator("#d-who")).to_have_text("Anna ↔ Bram")
    expect(page.locator("#conn")).to_have_text("verbonden")
    live_server.push("s-anna", {"type": "transcript-partial", "t": 12.0, "speaker": "partner",
                                "t0": 10.0, "t1": 11.8, "text": "Ik wil eigenlijk gewoon",
                                "words": [], "language": "nl"})
    live_server.push("s-anna", {"type": "transcript-final", "t": 14.0, "speaker": "coachee",
                                "t0": 11.0, "t1": 13.5, "text": "Maar je moet toch komen",
                                "words": [], "language": "nl"})
    live_server.push("s-anna", {"type": "utterance-labeled", "t": 14.0, "speaker": "coachee",
                                "t0": 11.0, "t1": 13.5, "text": "Maar je moet toch komen",
                                "labels": {"push": True}})
    rows = page.locator("#transcript .utt")
    expect(rows).to_have_count(2)
    # said first, shown first: the partner's open utterance, then the coachee who cut in
    assert rows.nth(0).locator(".text").text_content() == "Ik wil eigenlijk gewoon"
    assert "partial" in rows.nth(0).get_attribute("class")
    assert rows.nth(1).locator(".text").text_content() == "Maar je moet toch komen"
    assert rows.nth(1).locator(".tag").count() == 1  # the coachee's push
    # the partner's line, labelled like any final, shows no coachee behaviour codes
    live_server.push("s-anna", {"type": "utterance-labeled", "t": 15.0, "speaker": "partner",
                                "t0": 10.0, "t1": 14.5, "text": "Ik wil eigenlijk gewoon thuis werken",
                                "labels": {"input": True, "reflection": True}})
    expect(rows.nth(0)).not_to_have_class("utt utt-partner partial")
    assert rows.nth(0).locator(".text").text_content() == "Ik wil eigenlijk gewoon thuis werken"
    assert rows.nth(0).locator(".tag").count() == 0
    assert page.errors == []


def drop_trainer_connections(server) -> None:
    """The server side closes every trainer page's websocket (as a restart would); the pages
    reconnect by themselves and get the welcome and each session's history again."""
    async def close():
        for client in list(server.service.trainers):
            await client.ws.close(1012, "service restart")
    server._call(close())
    end = time.monotonic() + 5
    while server.service.trainers and time.monotonic() < end:
        time.sleep(0.02)
    assert not server.service.trainers


def what_the_page_shows(page, sid):
    card = page.locator(f'.card[data-session="{sid}"]')
    return {
        "figs": card.locator(".figs .value").all_text_contents(),
        "nudges": card.locator(".last-nudges li").all_text_contents(),
        "alerts": card.locator(".alert").all_text_contents(),
        "transcript": page.locator("#transcript .utt .text").all_text_contents(),
        "timeline": {cls: page.locator(f"#timeline .{cls}").count()
                     for cls in ("tl-coachee", "tl-partner", "tl-overlap", "tl-nudge", "tl-bookmark")},
        "detail-alerts": page.locator("#d-alerts .alert").all_text_contents(),
    }


def test_a_reconnect_shows_what_a_fresh_page_shows_not_every_figure_twice(new_page, live_server):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    page = new_page(1280, 900)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for event in conversation("nl", "Anna", "Bram", share=0.5, nudge="Laat uitpraten"):
        live_server.push("s-anna", event)
    for i in range(4):   # five interruptions in all; metrics carry no count, the nudges do
        live_server.push("s-anna", {"type": "nudge-issued", "t": 10.0 + i, "rule": "interruption",
                                    "message": "Laat uitpraten", "kind": "negative", "speaker": "coachee",
                                    "evidence_t": 9.5 + i, "delivered": i == 0, "detail": {}})
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 14.0, "kind": "asr-behind",
                                "message": "Speech recognition is 3.1 s behind real time",
                                "detail": {"behind_s": 3.1}})
    anna = page.locator('.card[data-session="s-anna"]')
    expect(anna.locator(".fig-interruptions .value")).to_have_text("5")
    expect(anna.locator(".alert")).to_have_count(1)
    anna.click()
    expect(page.locator("#transcript .utt")).to_have_count(2)
    before = what_the_page_shows(page, "s-anna")

    drop_trainer_connections(live_server)
    live_server.wait_clients("trainer")
    # a marker after the history: once it shows, the page has taken in everything sent again
    live_server.push("s-anna", {"type": "nudge-issued", "t": 15.0, "rule": "trainer", "message": "Vat samen",
                                "kind": "trainer", "speaker": "coachee", "evidence_t": None,
                                "delivered": True, "detail": {}})
    expect(anna.locator(".last-nudges .m").first).to_have_text("Vat samen")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    after = what_the_page_shows(page, "s-anna")
    assert after["figs"] == before["figs"]                       # 5 interruptions, not 10
    assert anna.locator(".fig-interruptions .value").text_content() == "5"
    assert after["transcript"] == before["transcript"]
    assert after["timeline"] == {**before["timeline"], "tl-nudge": before["timeline"]["tl-nudge"] + 1}
    assert after["alerts"] == before["alerts"] and len(after["alerts"]) == 1   # still open, once
    assert page.locator("#d-who").text_content() == "Anna ↔ Bram"              # still selected

    fresh = new_page(1280, 900)
    fresh.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    fresh_anna = fresh.locator('.card[data-session="s-anna"]')
    expect(fresh_anna.locator(".last-nudges .m").first).to_have_text("Vat samen")
    fresh_anna.click()
    expect(fresh.locator("#transcript .utt")).to_have_count(2)
    assert what_the_page_shows(fresh, "s-anna") == after
    assert page.errors == [] and fresh.errors == []


def test_an_ended_session_shows_no_live_problems_also_after_a_reconnect(new_page, live_server):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram")
    page = new_page(1280, 900)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 14.0, "kind": "asr-behind",
                                "message": "Speech recognition is 3.1 s behind real time",
                                "detail": {"behind_s": 3.1}})
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 20.0, "kind": "channel-silent",
                                "message": "No sound at all from the partner's channel for 20 s",
                                "detail": {"speaker": "partner", "reason": "no-sound", "seconds": 20}})
    anna = page.locator('.card[data-session="s-anna"]')
    expect(anna.locator(".alert")).to_have_count(2)
    anna.click()
    expect(page.locator("#d-alerts .alert")).to_have_count(2)
    live_server.push("s-anna", {"type": "session-ended", "t": 30.0, "reason": "stopped"})
    expect(anna.locator(".report-link")).to_be_visible()
    expect(anna.locator(".alert")).to_have_count(0)
    expect(page.locator("#d-alerts .alert")).to_have_count(0)
    # a late warning of an ended session opens nothing either
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 30.0, "kind": "asr-behind",
                                "message": "Speech recognition is 3.1 s behind real time",
                                "detail": {"behind_s": 3.1}})

    drop_trainer_connections(live_server)     # the history (with the warnings) comes again
    live_server.wait_clients("trainer")
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    # a marker after the history: once it shows, the page has taken in everything sent again
    live_server.push("s-anna", {"type": "bookmarked", "t": 30.0, "note": "na afloop", "by": "trainer"})
    expect(page.locator("#timeline .tl-bookmark")).to_have_count(1)
    expect(anna.locator(".report-link")).to_be_visible()
    assert anna.locator(".alert").count() == 0
    assert page.locator("#d-alerts .alert").count() == 0
    assert anna.locator(".badge").text_content() == "afgelopen"

    fresh = new_page(1280, 900)   # a page opened after the end (or after a server restart)
    fresh.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    fresh_anna = fresh.locator('.card[data-session="s-anna"]')
    fresh_anna.click()
    expect(fresh.locator("#timeline .tl-bookmark")).to_have_count(1)   # the whole history is in
    expect(fresh_anna.locator(".report-link")).to_be_visible()
    assert fresh_anna.locator(".alert").count() == 0
    assert fresh.locator("#d-alerts .alert").count() == 0
    assert page.errors == [] and fresh.errors == []


def test_the_timeline_shows_a_long_name_whole_or_ellipsized_with_a_tooltip(page, live_server, tmp_path):
    long = "Maximiliaan Alexander van Oldenbarnevelt-Rijckevorsel"
    live_server.add_session("s-sanne", token="tok-s", coachee="Sanne de Vries", partner="Bram")
    live_server.add_session("s-max", token="tok-m", coachee=long, partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for sid in ("s-sanne", "s-max"):
        live_server.push(sid, {"type": "speech-started", "t": 0.0, "speaker": "coachee"})
        live_server.push(sid, {"type": "speech-ended", "t": 6.0, "speaker": "coachee"})

    def labels():
        """Each name label's text, its right edge, the lanes' left edge and its tooltip."""
        return page.evaluate("""() => {
            const lane = document.querySelector("#timeline .tl-lane").getBBox().x;
            return [...document.querySelectorAll("#timeline .tl-label")].map((g) => {
                const t = g.querySelector("text"), box = t.getBBox();
                return { text: t.textContent, right: box.x + box.width, lane,
                         title: g.querySelector("title")?.textContent ?? null };
            });
        }""")

    page.locator('.card[data-session="s-sanne"]').click()
    expect(page.locator("#timeline .tl-coachee")).to_have_count(1)
    sanne, bram = labels()
    assert (sanne["text"], bram["text"]) == ("Sanne de Vries", "Bram")    # whole, not "Sanne de Vri"
    assert sanne["right"] < sanne["lane"] and bram["right"] < bram["lane"]  # the lane covers none of it
    assert sanne["title"] is None
    page.locator("#timeline").screenshot(path=str(tmp_path / "timeline-sanne.png"))

    page.locator('.card[data-session="s-max"]').click()
    expect(page.locator("#d-who")).to_contain_text("Maximiliaan")
    expect(page.locator("#timeline .tl-label title")).to_have_count(1)
    maxi, bram = labels()
    assert maxi["text"].endswith("…") and long.startswith(maxi["text"][:-1].rstrip())
    assert len(maxi["text"]) > 12                    # as much of it as the column holds
    assert maxi["title"] == long                     # the whole name on hover
    assert maxi["right"] < maxi["lane"] and bram["text"] == "Bram"
    assert maxi["lane"] <= 230                       # the lanes keep most of the width
    page.locator("#timeline").screenshot(path=str(tmp_path / "timeline-long.png"))
    print("screenshots:", tmp_path)
    assert page.errors == []


# every redraw the page schedules (requestAnimationFrame) timed, from before the page's own script
TIME_REDRAWS = """
window.__redraws = [];
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (cb) => raf((ts) => {
  const t0 = performance.now();
  try { cb(ts); } finally { window.__redraws.push(performance.now() - t0); }
});
"""


def steady_talk(start, end, step=6.0):
    """A steady conversation from `start` to `end` s: every `step` s the partner says a line and
    the coachee answers (cutting in every third turn), with partials, labels, metrics and now and
    then a nudge. Line i reads 'Bram regel i' / 'Anna regel i'."""
    i = round(start / step)
    while i * step < end:
        t = i * step
        p0, p1 = t + 0.3, t + 2.8
        c0 = p1 - 0.4 if i % 3 == 0 else p1 + 0.3
        c1 = c0 + 2.4
        yield {"type": "speech-started", "t": p0, "speaker": "partner"}
        yield {"type": "transcript-partial", "t": p0 + 1.0, "speaker": "partner", "t0": p0, "t1": p0 + 0.9,
               "text": f"Bram regel {i}", "words": [], "language": "nl"}
        if c0 < p1:
            yield {"type": "speech-started", "t": c0, "speaker": "coachee"}
        yield {"type": "speech-ended", "t": p1, "speaker": "partner"}
        yield {"type": "transcript-final", "t": p1 + 0.2, "speaker": "partner", "t0": p0, "t1": p1,
               "text": f"Bram regel {i}", "words": [], "language": "nl"}
        if c0 >= p1:
            yield {"type": "speech-started", "t": c0, "speaker": "coachee"}
        if i % 10 == 0:
            yield {"type": "nudge-issued", "t": c0 + 0.5, "rule": "interruption", "message": "Laat uitpraten",
                   "kind": "negative", "speaker": "coachee", "evidence_t": c0, "delivered": True, "detail": {}}
        yield {"type": "speech-ended", "t": c1, "speaker": "coachee"}
        yield {"type": "transcript-final", "t": c1 + 0.2, "speaker": "coachee", "t0": c0, "t1": c1,
               "text": f"Anna regel {i}", "words": [], "language": "nl"}
        yield {"type": "utterance-labeled", "t": c1 + 0.3, "speaker": "coachee", "t0": c0, "t1": c1,
               "text": f"Anna regel {i}", "labels": {"question": "open" if i % 2 else "closed"}}
        if i % 5 == 0:
            yield {"type": "metrics-updated", "t": c1 + 0.4, "metrics": {
                "talk_share": 0.4, "reflections": i // 7, "questions": {"open": i // 2, "closed": i // 2}}}
        i += 1


def push_paced(server, sid, events, pause):
    for event in events:
        server.push(sid, event)
        time.sleep(pause)


def redraws(page):
    """The redraws (ms) since the last call."""
    return page.evaluate("() => window.__redraws.splice(0)")


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def open_timed(new_page, live_server):
    """Anna's session open on a dashboard whose redraws are timed (see ``redraws``)."""
    page = new_page(1280, 900)
    page.add_init_script(TIME_REDRAWS)
    return open_anna(page, live_server)


def test_a_twenty_minute_session_keeps_every_line_the_readers_place_and_a_flat_redraw_cost(new_page, live_server):
    page = open_timed(new_page, live_server)
    rows = page.locator("#transcript .utt")

    time.sleep(0.3)
    redraws(page)
    push_paced(live_server, "s-anna", steady_talk(0, 60), 0.03)   # the first minute, as it comes
    expect(rows.last.locator(".text")).to_have_text("Anna regel 9")
    early = redraws(page)

    for n, event in enumerate(steady_talk(60, 1140)):   # minutes 1 to 19, quickly
        live_server.push("s-anna", event)
        if n % 20 == 0:
            time.sleep(0.01)
    expect(rows.last.locator(".text")).to_have_text("Anna regel 189", timeout=30_000)
    assert sum(c.dropped for c in live_server.service.trainers) == 0
    time.sleep(1.2)
    redraws(page)
    push_paced(live_server, "s-anna", steady_talk(1140, 1200), 0.03)   # minute 20, as it comes
    expect(rows.last.locator(".text")).to_have_text("Anna regel 199")
    late = redraws(page)
    print(f"redraw ms at minute 1: n={len(early)} p50={pct(early, .5):.2f} p90={pct(early, .9):.2f} "
          f"max={max(early):.2f}; at minute 20: n={len(late)} p50={pct(late, .5):.2f} "
          f"p90={pct(late, .9):.2f} max={max(late):.2f}")
    print("DOM nodes:", page.evaluate("() => document.getElementsByTagName('*').length"))

    # the whole conversation, from its first line
    expect(rows).to_have_count(400)
    assert rows.first.locator(".text").text_content() == "Bram regel 0"
    assert rows.nth(1).locator(".tag-closed").count() == 1
    # the timeline has it all too (drawn at most a second later)
    expect(page.locator("#timeline .tl-coachee")).to_have_count(200)
    expect(page.locator("#timeline .tl-overlap")).to_have_count(67)
    assert page.locator("#timeline .tl-nudge").count() == 20
    assert page.locator("#timeline .tl-tick").last.text_content() == "20:00"
    # a redraw at minute 20 costs about what one cost at minute 1 (it used to grow to 40 ms)
    assert pct(late, .5) <= 2 * pct(early, .5) + 3, (early, late)
    assert pct(late, .9) <= 2 * pct(early, .9) + 6, (early, late)

    # a reader scrolled up keeps the same line in view while new lines come in
    scroll_transcript(page, "box.scrollHeight / 2")
    before = in_view(page)
    push_paced(live_server, "s-anna", steady_talk(1200, 1230), 0.01)
    expect(rows.last.locator(".text")).to_have_text("Anna regel 204")
    # also a line that comes late, above the reader (a final for an earlier start)
    live_server.push("s-anna", {"type": "transcript-final", "t": 1231.0, "speaker": "partner", "t0": 1.0,
                                "t1": 1.5, "text": "laat binnen", "words": [], "language": "nl"})
    expect(rows.nth(1).locator(".text")).to_have_text("laat binnen")
    time.sleep(0.2)
    assert in_view(page) == before
    # back at the bottom, it follows the newest line again
    scroll_transcript(page, "box.scrollHeight")
    push_paced(live_server, "s-anna", steady_talk(1230, 1236), 0.01)
    expect(rows.last.locator(".text")).to_have_text("Anna regel 205")
    time.sleep(0.2)
    assert below_view(page) < 2
    assert page.errors == []


def in_view(page):
    """The transcript's first line in view and how far its top is from the box's top (px)."""
    return page.evaluate("""() => {
        const box = document.getElementById("transcript"), top = box.getBoundingClientRect().top;
        const row = [...box.querySelectorAll(".utt")].find((r) => r.getBoundingClientRect().bottom > top + 1);
        return [row.querySelector(".text").textContent, Math.round(row.getBoundingClientRect().top - top)];
    }""")


def below_view(page):
    """How much of the transcript is below its visible part (px)."""
    return page.evaluate("""() => { const box = document.getElementById("transcript");
                                    return box.scrollHeight - box.scrollTop - box.clientHeight; }""")


def scroll_transcript(page, to):
    page.evaluate(f"() => {{ const box = document.getElementById('transcript'); box.scrollTop = {to}; }}")
    time.sleep(0.2)


def test_past_its_cap_the_transcript_drops_its_oldest_lines_and_the_reader_keeps_their_place(page, live_server):
    open_anna(page, live_server)
    page.evaluate("() => Object.assign(window.pullcoachTrainer.limits, { cap: 60, trim: 10 })")
    rows = page.locator("#transcript .utt")
    push_paced(live_server, "s-anna", steady_talk(0, 180), 0.0)
    expect(rows.last.locator(".text")).to_have_text("Anna regel 29")
    assert rows.count() == 60 and rows.first.locator(".text").text_content() == "Bram regel 0"
    scroll_transcript(page, "box.scrollHeight / 2")
    before = in_view(page)
    push_paced(live_server, "s-anna", steady_talk(180, 240), 0.01)
    expect(rows.last.locator(".text")).to_have_text("Anna regel 39")
    time.sleep(0.2)
    assert 60 <= rows.count() <= 70                  # the oldest went, in batches
    assert rows.first.locator(".text").text_content() != "Bram regel 0"
    assert in_view(page) == before                   # what the reader reads stays put
    scroll_transcript(page, "box.scrollHeight")
    push_paced(live_server, "s-anna", steady_talk(240, 300), 0.01)
    expect(rows.last.locator(".text")).to_have_text("Anna regel 49")
    time.sleep(0.2)
    assert below_view(page) < 2
    assert 60 <= rows.count() <= 70
    assert page.errors == []


def test_on_a_phone_the_timeline_keeps_its_width_and_scrolls_sideways(new_page, live_server, tmp_path):
    live_server.add_session("s-anna", token="tok-a", coachee="Anna", partner="Bram")
    for event in steady_talk(0, 960):   # 16 minutes, there before the page opens
        live_server.push("s-anna", event)
    page = new_page(390, 844)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    page.locator('.card[data-session="s-anna"]').click()
    expect(page.locator("#timeline .tl-coachee")).to_have_count(160)
    box = page.evaluate("""() => { const s = document.querySelector(".tl-scroll");
        const svg = document.getElementById("timeline");
        s.scrollLeft = 150;
        return { client: s.clientWidth, scroll: s.scrollWidth, svg: svg.getBoundingClientRect().width,
                 left: s.scrollLeft, page: document.documentElement.scrollWidth }; }""")
    assert box["svg"] >= 680 and box["scroll"] >= 680 > box["client"] + 200, box
    assert box["left"] == 150, box            # it scrolls sideways
    assert box["page"] <= 390, box            # the page itself does not
    page.screenshot(path=str(tmp_path / "trainer-390.png"), full_page=True)
    print("screenshot:", tmp_path)
    assert page.errors == []


def test_ticks_never_schedule_a_redraw(new_page, live_server):
    page = open_timed(new_page, live_server)
    expect(page.locator("#d-meta")).to_contain_text("0:00")
    time.sleep(1.2)   # a throttled timeline draw may still be due
    redraws(page)
    for n in range(50):   # five seconds' worth, from a session shown and one nobody declared
        live_server.push("s-anna", {"type": "tick", "t": 37.0 + n / 10})
        live_server.push("s-ghost", {"type": "tick", "t": 1.0 + n / 10})
    time.sleep(0.5)
    assert redraws(page) == []
    assert "0:00" in page.locator("#d-meta").text_content()
    # they did arrive: the next redraw shows the clock they moved (and no card for a ghost)
    live_server.push("s-anna", {"type": "bookmarked", "t": 5.0, "note": "", "by": "trainer"})
    expect(page.locator("#d-meta")).to_contain_text("0:41")
    expect(page.locator(".card")).to_have_count(1)
    assert page.errors == []


def test_the_page_keeps_its_language_when_an_english_role_play_is_picked(page, live_server):
    """A Dutch training day with one English pair: picking it turned the whole page English
    and its debrief link into an English debrief (`&lang=en`)."""
    for sid, lang, who in (("s-a", "nl", "Anna"), ("s-b", "nl", "Bert"), ("s-e", "en", "Eve")):
        live_server.add_session(sid, token=f"tok-{sid}", lang=lang, coachee=who, partner="P")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s-e"]').click()
    expect(page.locator('.card[data-session="s-e"]')).to_have_class(re.compile("selected"))
    assert page.evaluate("document.documentElement.lang") == "nl"
    expect(page.locator("#sessions-title")).to_have_text("Sessies")
    assert page.locator("#debrief").get_attribute("href").endswith("lang=nl")
    assert page.errors == []


def test_the_trainer_picks_a_focus_on_chips_the_card_shows_it_and_a_reload_keeps_it(page, live_server, tmp_path):
    open_anna(page, live_server)
    chips = page.locator("#focus-rules .chip")
    expect(chips.first).to_have_text("Alles")
    assert chips.first.get_attribute("aria-pressed") == "true"   # no focus: every rule live
    page.locator("#focus-rules .chip", has_text="Vat samen").click()
    sid, got = live_server.wait_for(lambda sid, e: isinstance(e, ev.FocusChanged))
    assert (sid, got.rules, got.by) == ("s-anna", ("too-few-summaries",), "trainer")
    summary = page.locator("#focus-rules .chip", has_text="Vat samen")
    expect(summary).to_have_attribute("aria-pressed", "true")
    expect(page.locator('.card[data-session="s-anna"] .card-focus')).to_have_text("Focus: Vat samen")
    page.locator("#focus-rules .chip", has_text="Laat uitpraten").click()
    expect(page.locator('.card[data-session="s-anna"] .card-focus')).to_have_text("Focus: Vat samen, Laat uitpraten")
    assert [e.rules for s, e in live_server.injected if isinstance(e, ev.FocusChanged)][-1] == (
        "too-few-summaries", "interruption")
    page.screenshot(path=str(tmp_path / "focus.png"), full_page=True)
    page.reload()   # the server's history tells a fresh page the focus in force
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s-anna"]').click()
    expect(page.locator("#focus-rules .chip", has_text="Laat uitpraten")).to_have_attribute("aria-pressed", "true")
    page.locator("#focus-rules .chip", has_text="Vat samen").click()   # off again
    expect(page.locator('.card[data-session="s-anna"] .card-focus')).to_have_text("Focus: Laat uitpraten")
    page.locator("#focus-rules .chip", has_text="Alles").click()
    expect(page.locator('.card[data-session="s-anna"] .card-focus')).to_have_count(0)
    assert [e.rules for s, e in live_server.injected if isinstance(e, ev.FocusChanged)][-1] == ()
    live_server.push("s-anna", {"type": "session-ended", "t": 9.0, "reason": "ended"})
    expect(page.locator("#focus-rules .chip").first).to_be_disabled()   # over: nothing to focus
    assert page.errors == []


def test_the_talk_bar_is_rated_on_the_percentage_it_shows_as_the_report_does(page, live_server):
    open_anna(page, live_server)
    fill = page.locator('.card[data-session="s-anna"] .fig-talk .fill')
    # the report's bands: good to 35%, fair to 50% (more than the partner: poor)
    for share, shown, rating in ((0.354, "35%", "fill"), (0.356, "36%", "fill high"), (0.454, "45%", "fill high"),
                                 (0.49, "49%", "fill high"), (0.504, "50%", "fill high"), (0.506, "51%", "fill poor")):
        live_server.push("s-anna", {"type": "metrics-updated", "t": 10.0, "metrics": {"talk_share": share}})
        expect(page.locator('.card[data-session="s-anna"] .fig-talk .value')).to_have_text(shown)
        expect(fill).to_have_attribute("class", rating)


def test_focus_chips_take_quick_clicks_and_the_keyboard_and_stop_at_three(new_page, live_server):
    page = open_anna(new_page(780, 900), live_server)
    # one column: the actions come before the transcript (they were below all of it)
    assert page.locator("#focus-box").bounding_box()["y"] < page.locator("#transcript").bounding_box()["y"]
    chip = lambda text: page.locator("#focus-rules .chip", has_text=text)   # noqa: E731
    chip("Vat samen").click()
    chip("Laat uitpraten").click()    # before the server's answer: builds on the first click
    expect(chip("Laat uitpraten")).to_have_attribute("aria-pressed", "true")
    end = time.monotonic() + 5
    while time.monotonic() < end and not [e for s, e in live_server.injected
                                          if isinstance(e, ev.FocusChanged) and len(e.rules) == 2]:
        time.sleep(0.05)
    assert [e.rules for s, e in live_server.injected if isinstance(e, ev.FocusChanged)][-1] == (
        "too-few-summaries", "interruption")
    chip("Moeten?").focus()
    page.keyboard.press("Enter")   # the chips are redrawn: the keyboard stays on this one
    expect(chip("Moeten?")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.activeElement.dataset.rule") == "push-words"
    expect(chip("Luister")).to_be_disabled()   # three chosen: no fourth
    expect(chip("Alles")).to_be_enabled()
    page.keyboard.press("Enter")   # off again: a fourth can be chosen
    expect(chip("Luister")).to_be_enabled()
    assert page.errors == []


def test_a_focus_chip_says_the_nudge_the_coachee_reads_as_the_overlay_and_the_debrief_do(new_page, live_server):
    # the chips said "Samenvatten", the overlay "oefent: Vat samen", the debrief "focus: Vat
    # samen": the chips now take the session's rule pack words from the server's status
    page = open_anna(new_page(1280, 900), live_server)
    live_server.hub.sessions["s-anna"].controller.engine = Engine("nl")   # what LiveSession has
    overlay = new_page(480, 200)
    overlay.goto(f"http://127.0.0.1:{live_server.port}/?session=s-anna#token=tok-a")
    live_server.wait_clients("overlay")
    chip = lambda text: page.locator("#focus-rules .chip", has_text=text)   # noqa: E731
    chips = page.locator("#focus-rules .chip").all_text_contents()
    assert chips[:4] == ["Alles", "Laat uitpraten", "Eerst vragen", "Stop: stel een vraag"]
    assert chips.count("Luister") == 1 and "Samenvatten" not in chips   # one chip per nudge the coachee sees
    chip("Vat samen").click()
    expect(page.locator('.card[data-session="s-anna"] .card-focus')).to_have_text("Focus: Vat samen")
    expect(overlay.locator("body")).to_contain_text("oefent: Vat samen")
    chip("Luister").click()   # talk share and monologue both say "Luister": one chip sets both
    sid, got = live_server.wait_for(lambda sid, e: isinstance(e, ev.FocusChanged) and len(e.rules) == 3)
    assert got.rules == ("too-few-summaries", "talk-ratio", "monologue")
    expect(page.locator('.card[data-session="s-anna"] .card-focus')).to_have_text("Focus: Vat samen, Luister")
    expect(overlay.locator("body")).to_contain_text("oefent: Vat samen · Luister")
    expect(chip("Moeten?")).to_be_enabled()   # two chosen (three rules): a third may come
    assert page.errors == [] and overlay.errors == []


class DroppedCapture:
    """The server's record of a pair's capture (ingest.Ingest) whose connection dropped."""
    attached = False

    def finish(self):
        pass


def test_a_card_says_when_its_capture_is_gone_or_the_server_is_not_heard(page, live_server):
    # a capture killed mid-session, or the server gone: the card went on saying "● live"
    open_anna(page, live_server)
    badge = page.locator('.card[data-session="s-anna"] .badge')
    expect(badge).to_have_text("● live")
    service = live_server.service

    async def capture(state):
        if state is None:
            service.ingests.pop("s-anna", None)
        else:
            service.ingests["s-anna"] = state
        service._push_status("s-anna")
    live_server._call(capture(DroppedCapture()))
    expect(badge).to_have_text("● opname weg")
    expect(page.locator('.card[data-session="s-anna"] .alert')).to_contain_text("binnen 2 minuten opnieuw")
    expect(page.locator("#d-meta")).to_contain_text("opname weg")
    live_server._call(capture(None))   # it came back
    expect(badge).to_have_text("● live")
    expect(page.locator('.card[data-session="s-anna"] .alert')).to_have_count(0)
    live_server._call(service.close())   # the server stopped: what the card showed is not live news
    expect(badge).to_have_text("? geen verbinding")
    expect(page.locator("#conn")).to_have_text("opnieuw verbinden…")


def test_a_held_nudge_on_the_timeline_says_why_it_was_held(page, live_server):
    open_anna(page, live_server)
    live_server.push("s-anna", {"type": "nudge-issued", "t": 4.0, "rule": "push-words", "message": "Moeten?",
                                "kind": "negative", "speaker": "coachee", "evidence_t": 3.0, "delivered": False,
                                "detail": {"held": "focus"}})
    expect(page.locator("#timeline .tl-quiet")).to_have_count(1)
    assert page.locator("#timeline .tl-quiet").text_content() == "4.0 s · Moeten? (alleen voor het verslag: buiten de focus)"


def resumed_capture(live_server, sid, *, ok=True):
    """What `pullcoach serve` sends for a capture killed after 19 s and started again 26 s
    later: the resume, the stall its filling sets off on the channel filled second, its end."""
    live_server.push(sid, {"type": "pipeline-warning", "t": 19.2, "kind": "capture-resumed",
                           "message": "The capture went on with this session after 26 s without audio",
                           "detail": {"resumed_at": 44.918, "gap_s": 25.718}})
    live_server.push(sid, {"type": "pipeline-warning", "t": 19.2, "kind": "channel-stalled",
                           "message": "No audio from the partner's channel for 2 s",
                           "detail": {"speaker": "partner"}})
    if ok:
        live_server.push(sid, {"type": "pipeline-warning", "t": 44.2, "kind": "channel-ok",
                               "message": "Audio from the partner's channel again.",
                               "detail": {"speaker": "partner", "after": "channel-stalled"}})


def test_a_restarted_capture_is_a_calm_line_on_the_card_not_a_device_gone(page, live_server):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram")
    live_server.add_session("s-carl", token="tok-c", lang="en", coachee="Carl", partner="Dana")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    anna = page.locator('.card[data-session="s-anna"]')
    carl = page.locator('.card[data-session="s-carl"]')
    resumed_capture(live_server, "s-anna")
    resumed_capture(live_server, "s-carl", ok=False)   # Dana's channel stays gone after it
    expect(anna.locator(".alert")).to_have_text(["↻ Opname hervat na 25 s onderbreking: die tijd telt als stilte"])
    expect(anna.locator(".alert.notice")).to_have_count(1)
    # a notice, not a warning: the calm colour, not the warning's orange
    expect(anna.locator(".alert.notice")).to_have_css("background-color", "rgb(234, 241, 251)")
    expect(carl.locator(".alert")).to_have_text(["↻ Recording resumed after a 25 s break: that time counts as silence"])
    anna.click()
    expect(page.locator("#d-alerts .alert")).to_have_count(1)

    def metrics(sid, t):   # the session's clock moves on (metrics redraw the card; ticks do not)
        live_server.push(sid, {"type": "metrics-updated", "t": t, "metrics": {"talk_share": 0.4}})

    metrics("s-carl", 52.0)
    metrics("s-anna", 52.0)
    expect(anna.locator(".fig-talk .value")).not_to_have_text("—")
    assert carl.locator(".alert").count() == 1   # within 10 s of the resume: still the gap's
    metrics("s-carl", 55.5)   # still none from Dana after that: her device, said as such
    expect(carl.locator(".alert")).to_have_text([
        "↻ Recording resumed after a 25 s break: that time counts as silence",
        "⚠ No audio from Dana any more: device gone?"])
    metrics("s-anna", 105.0)  # a minute on: said enough
    expect(anna.locator(".alert")).to_have_count(0)
    expect(page.locator("#d-alerts .alert")).to_have_count(0)
    assert page.errors == []


def test_a_stall_said_before_the_resume_clears_when_the_capture_resumes(page, live_server):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    anna = page.locator('.card[data-session="s-anna"]')
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 19.2, "kind": "channel-stalled",
                                "message": "No audio from the partner's channel for 2 s",
                                "detail": {"speaker": "partner"}})
    expect(anna.locator(".alert")).to_have_text(["⚠ Geen audio meer van Bram: apparaat weg?"])
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 19.2, "kind": "capture-resumed",
                                "message": "…", "detail": {"resumed_at": 44.918, "gap_s": 25.718}})
    expect(anna.locator(".alert")).to_have_text(["↻ Opname hervat na 25 s onderbreking: die tijd telt als stilte"])
    assert page.errors == []


def test_the_timeline_marks_a_server_restart_and_a_capture_gap_as_the_report_does(page, live_server, tmp_path):
    open_anna(page, live_server)
    for t in (20.0, 60.0, 80.0):
        live_server.push("s-anna", {"type": "speech-started", "t": t, "speaker": "coachee"})
        live_server.push("s-anna", {"type": "speech-ended", "t": t + 5, "speaker": "coachee"})
    # the server was killed at 1:01.5 and started again: coaching goes on from there
    restart = {"type": "pipeline-warning", "t": 61.5, "kind": "session-resumed",
               "message": "The server restarted; coaching goes on from 1:01.5.",
               "detail": {"resumed_at": 61.5, "open": ["coachee"]}}
    live_server.push("s-anna", restart)
    resumed_capture(live_server, "s-anna")   # and a capture away from 0:19 to 0:44
    # killed again, with the capture: its audio from 1:10 to 1:20 never arrived
    live_server.push("s-anna", {**restart, "t": 70.0, "detail": {"resumed_at": 80.0, "open": []}})
    gaps = page.locator("#timeline .tl-gap")
    expect(gaps).to_have_count(3)
    expect(page.locator("#timeline .tl-gap-session-resumed")).to_have_text([
        "1:01 server herstart: wat toen gezegd werd, staat niet in het transcript",
        "1:10–1:20 server herstart: wat toen gezegd werd, staat niet in het transcript"])
    expect(page.locator("#timeline .tl-gap-capture-resumed")).to_have_text(
        "0:19–0:44 geen audio: de opname was gestopt")
    # hatched over both speakers' lanes; the restart, which lasts no time, still visible
    restart_box = page.locator("#timeline .tl-gap-session-resumed").first.bounding_box()
    lanes = page.locator("#timeline .tl-lane")
    top, bottom = lanes.first.bounding_box(), lanes.last.bounding_box()
    assert restart_box["width"] >= 6
    assert abs(restart_box["y"] - top["y"]) < 1
    assert abs(restart_box["y"] + restart_box["height"] - bottom["y"] - bottom["height"]) < 1
    gap_box = page.locator("#timeline .tl-gap-capture-resumed").bounding_box()
    assert gap_box["width"] > 4 * restart_box["width"]
    live_server.push("s-anna", restart)   # said again (a reconnect): still one mark
    live_server.push("s-anna", {"type": "session-ended", "t": 90.0, "reason": "ended"})
    expect(page.locator('.card[data-session="s-anna"] .badge')).to_have_text("afgelopen")
    expect(gaps).to_have_count(3)
    page.screenshot(path=str(tmp_path / "gaps.png"), full_page=True)
    print("screenshot:", tmp_path / "gaps.png")
    assert page.errors == []


def test_the_timeline_hatches_a_stalled_device_on_its_speakers_lane_until_its_audio_is_back(page, live_server):
    open_anna(page, live_server)
    for t in (10.0, 40.0):
        live_server.push("s-anna", {"type": "speech-started", "t": t, "speaker": "coachee"})
        live_server.push("s-anna", {"type": "speech-ended", "t": t + 5, "speaker": "coachee"})
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 30.0, "kind": "channel-stalled",
                                "message": "No audio from the partner's channel for 2 s",
                                "detail": {"speaker": "partner"}})
    stall = page.locator("#timeline .tl-gap-channel-stalled")
    # open: it grows with the session's clock
    expect(stall).to_have_text("0:30–0:45 geen audio van Bram: het apparaat leverde niets")
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 52.0, "kind": "channel-ok",
                                "message": "Audio from the partner's channel again.",
                                "detail": {"speaker": "partner", "after": "channel-stalled"}})
    live_server.push("s-anna", {"type": "speech-started", "t": 70.0, "speaker": "coachee"})
    expect(stall).to_have_text("0:30–0:52 geen audio van Bram: het apparaat leverde niets")
    # Bram's lane only: Anna's microphone went on
    box = stall.bounding_box()
    coachee_lane, partner_lane = (b.bounding_box() for b in page.locator("#timeline .tl-lane").all())
    assert abs(box["y"] - partner_lane["y"]) < 2 and abs(box["height"] - partner_lane["height"]) < 2
    assert box["y"] >= coachee_lane["y"] + coachee_lane["height"] - 1
    # said again on a reconnect: still one mark
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 30.0, "kind": "channel-stalled",
                                "message": "…", "detail": {"speaker": "partner"}})
    live_server.push("s-anna", {"type": "speech-ended", "t": 75.0, "speaker": "coachee"})
    expect(stall).to_have_count(1)
    expect(stall).to_have_text("0:30–0:52 geen audio van Bram: het apparaat leverde niets")
    assert page.errors == []


def test_a_trainer_nudge_on_the_card_says_it_was_the_trainers_not_an_automatic_one(page, live_server, tmp_path):
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram")
    live_server.add_session("s-carl", token="tok-c", lang="en", coachee="Carl", partner="Dana")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for sid, said in (("s-anna", "Vat samen"), ("s-carl", "Summarise")):
        live_server.push(sid, {"type": "nudge-issued", "t": 25.0, "rule": "trainer", "message": said,
                               "kind": "trainer", "speaker": "coachee", "evidence_t": 25.0,
                               "delivered": True, "detail": {}})
        live_server.push(sid, {"type": "nudge-issued", "t": 50.0, "rule": "too-few-summaries", "message": said,
                               "kind": "negative", "speaker": "coachee", "evidence_t": 50.0,
                               "delivered": True, "detail": {}})
    anna = page.locator('.card[data-session="s-anna"] .last-nudges li')
    carl = page.locator('.card[data-session="s-carl"] .last-nudges li')
    expect(anna).to_have_text(["0:50Vat samen", "0:25jij:Vat samen"])
    expect(carl).to_have_text(["0:50Summarise", "0:25you:Summarise"])
    assert page.locator('.card[data-session="s-anna"] .last-nudges .m').all_text_contents() == ["Vat samen"] * 2
    # the timeline's mark says so too
    page.locator('.card[data-session="s-anna"]').click()
    expect(page.locator("#timeline .tl-trainer")).to_have_text("25.0 s · jij: Vat samen")
    expect(page.locator("#timeline .tl-negative")).to_have_text("50.0 s · Vat samen")
    page.locator('.card[data-session="s-anna"]').screenshot(path=str(tmp_path / "card.png"))
    print("screenshot:", tmp_path / "card.png")
    assert page.errors == []


def test_a_card_counts_the_negative_nudges_as_the_debrief_does_with_the_held_ones(page, live_server, tmp_path):
    from pullcoach.debrief import build_debrief
    from pullcoach.report_data import build
    live_server.add_session("s-anna", token="tok-a", lang="nl", coachee="Anna", partner="Bram", start=False)
    live_server.add_session("s-carl", token="tok-c", lang="en", coachee="Carl", partner="Dana", start=False)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")

    def nudge(t, rule, message, kind="negative", delivered=True, held=None):
        return {"type": "nudge-issued", "t": t, "rule": rule, "message": message, "kind": kind,
                "speaker": "coachee", "evidence_t": t - 1.0, "delivered": delivered,
                "detail": {"held": held} if held else {}}
    events = [*conversation("nl", "Anna", "Bram", share=0.5, nudge="Laat uitpraten"),
              nudge(30.0, "push-words", "Moeten?", delivered=False, held="focus"),
              nudge(40.0, "righting-reflex", "Eerst vragen", delivered=False, held="budget"),
              nudge(50.0, "too-few-summaries", "Vat samen"),
              nudge(55.0, "trainer", "Vat samen", kind="trainer"),
              nudge(58.0, "summary", "Samenvatting", kind="positive"),
              nudge(60.0, "interruption", "Laat uitpraten"),
              {"type": "nudge-withdrawn", "t": 61.0, "rule": "interruption", "evidence_t": 59.0,
               "reason": "backchannel"}]
    for e in events:
        live_server.push("s-anna", e)
    anna = page.locator('.card[data-session="s-anna"] .nudge-count')
    expect(anna).to_have_text("Negatieve seintjes 4 · 2 alleen verslag")   # the withdrawn one is no nudge
    assert anna.locator(".held").get_attribute("title") == "alleen voor het verslag"
    # the debrief's "Negatieve seintjes" column of the same session says the same number
    report = build([ev.from_dict({"v": 1, **e, **({"session": "s-anna"} if e["type"] == "session-started" else {})})
                    for e in events])
    assert build_debrief([report])["sessions"][0]["negative"] == 4
    for e in conversation("en", "Carl", "Dana", share=0.3, nudge="Let them finish"):
        live_server.push("s-carl", e)
    expect(page.locator('.card[data-session="s-carl"] .nudge-count')).to_have_text("Negative nudges 1")
    page.locator('.card[data-session="s-anna"]').screenshot(path=str(tmp_path / "count.png"))
    print("screenshot:", tmp_path / "count.png")
    assert page.errors == []


def file_broke(live_server, speaker: str, files: list[str]) -> None:
    """What a capture says when a replayed file broke off at 2.3 s (cause file-broken)."""
    file = files[0] if speaker == "coachee" else files[-1]
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 2.304, "kind": "channel-stalled",
                                "message": f"The {speaker}'s file broke off at 0:02.3 (…). (Said by the capture.)",
                                "detail": {"speaker": speaker, "cause": "file-broken", "file": file,
                                           "files": files, "error": f"{file}: broken audio data after 2.3 s"}})


@pytest.mark.parametrize("talking, broke, files, alert, gap", [
    # the partner's file: no device gone, and that side is silence from there
    ("coachee", "partner", ["anna.flac", "bram.flac"],
     "⚠ Geen audio meer van Bram vanaf 0:02: het bestand brak daar af (beschadigd of afgekapt); "
     "de rest van die kant telt als stilte",
     "0:02–0:09 geen audio van Bram: het bestand brak daar af (beschadigd of afgekapt)"),
    # one stereo file holds both sides: its break is the recording's, not Anna's file's
    ("partner", "coachee", ["call.flac"],
     "⚠ De opname brak af op 0:02 (beschadigd of afgekapt): beide kanten, één stereobestand; "
     "de sessie stopte daar",
     "geen audio: de opname brak daar af (beschadigd of afgekapt), beide kanten (één stereobestand)"),
])
def test_a_replayed_file_that_broke_off_is_said_as_such_not_as_a_device_gone(page, live_server, talking,
                                                                              broke, files, alert, gap):
    open_anna(page, live_server)
    live_server.push("s-anna", {"type": "speech-started", "t": 1.0, "speaker": talking})
    file_broke(live_server, broke, files)
    live_server.push("s-anna", {"type": "speech-ended", "t": 9.0, "speaker": talking})
    expect(page.locator('.card[data-session="s-anna"] .alert')).to_have_text([alert])
    expect(page.locator("#timeline .tl-gap-channel-stalled")).to_contain_text(gap)
    assert page.errors == []


def test_the_coachees_file_that_broke_off_ended_the_session_and_the_ended_card_says_so(page, live_server):
    """The coachee's replayed file breaking ends the capture: the card said "the rest of that
    side counts as silence", as for the partner's file, though the session had stopped; and
    once ended it cleared every alert, so it no longer said why it ended at 0:02. Live
    problems (transcription behind) still go with the session."""
    open_anna(page, live_server)
    live_server.push("s-anna", {"type": "pipeline-warning", "t": 1.0, "kind": "asr-behind",
                                "message": "behind", "detail": {"lag_s": 4.0}})
    file_broke(live_server, "coachee", ["anna.flac", "bram.flac"])
    said = ("⚠ Geen audio meer van Anna vanaf 0:02: het bestand brak daar af (beschadigd of afgekapt); "
            "de sessie stopte daar")
    alerts = page.locator('.card[data-session="s-anna"] .alert')
    expect(alerts.filter(has_text="Geen audio meer van Anna")).to_have_text(said)
    live_server.push("s-anna", {"type": "session-ended", "t": 2.4, "reason": "source-ended"})
    expect(alerts).to_have_text([said])
    assert page.errors == []



def test_a_false_start_is_no_row_of_the_debrief_link(page, live_server):
    """A pair's capture started and stopped at once (nothing said): the dashboard's debrief
    link leaves it out, as `pullcoach debrief` does (it names every session it lists)."""
    for sid, who in (("s-a", "Anna"), ("s-g", "Gus")):
        live_server.add_session(sid, token=f"tok-{sid}", lang="nl", coachee=who, partner="P")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    for event in conversation("nl", "Anna", "P", share=0.4, nudge="Laat uitpraten"):
        live_server.push("s-a", event)
    live_server.push("s-a", {"type": "session-ended", "t": 60.0, "reason": "stopped"})
    live_server.push("s-g", {"type": "session-ended", "t": 1.2, "reason": "stopped"})
    expect(page.locator('.card[data-session="s-g"] .report-link')).to_be_visible()
    expect(page.locator("#debrief")).to_have_text(re.compile(r"\(1\) ›$"))
    href = page.locator("#debrief").get_attribute("href")
    assert "sessions=s-a&" in href and "s-g" not in href
    assert page.errors == []
