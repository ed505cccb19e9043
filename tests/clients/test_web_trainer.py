"""The trainer dashboard in headless Chromium against a real protocol server."""

import time

import pytest

from pullcoach import tokens as tk

from pullcoach.rules import events as ev

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
    assert page.locator("#timeline .tl-row").all_text_contents() == ["overlap", "nudges"]  # named rows

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
    expect(page.locator("#conn")).to_have_text(
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


def test_a_partial_keeps_its_place_above_the_final_of_someone_who_cut_in(page, live_server):
    live_server.add_session("s-anna", token="tok-a", coachee="Anna", partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s-anna"]').click()
    expect(page.locator("#d-who")).to_have_text("Anna ↔ Bram")
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
