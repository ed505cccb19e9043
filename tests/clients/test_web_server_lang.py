"""Pages before any session speak the server's language (its --lang, from the welcome), and
before the server has said anything (a wrong token, no token) the browser's: `serve --lang en`
showed an English trainer a Dutch dashboard until an English role-play began."""

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


@pytest.fixture
def browser_in(chromium):
    contexts = []

    def make(locale):
        context = chromium.new_context(locale=locale, viewport={"width": 1100, "height": 500})
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def trainer(page, server, token=None):
    page.goto(f"http://127.0.0.1:{server.port}/trainer#token={token or server.trainer_token}")


def test_an_english_server_s_dashboard_with_no_sessions_is_english_in_a_dutch_browser(
        live_server, browser_in, tmp_path):
    live_server.service.lang = "en"
    page = browser_in("nl-NL")
    trainer(page, live_server)
    expect(page.locator("#conn")).to_have_text("connected")
    expect(page.locator("#grid .empty")).to_contain_text("No sessions yet")
    expect(page.locator("#sessions-title")).to_have_text("Sessions")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.screenshot(path=str(tmp_path / "empty_en.png"))
    print("screenshot:", tmp_path / "empty_en.png")


def test_a_tie_goes_to_the_server_s_language(live_server, browser_in):
    live_server.service.lang = "en"
    live_server.add_session("s-nl", token="t1", lang="nl", coachee="Anna", partner="Bram")
    live_server.add_session("s-en", token="t2", lang="en", coachee="Amy", partner="Ben")
    page = browser_in("nl-NL")
    trainer(page, live_server)
    expect(page.locator("#sessions-title")).to_have_text("Sessions")
    live_server.add_session("s-nl2", token="t3", lang="nl", coachee="Carla", partner="Dirk")
    expect(page.locator("#sessions-title")).to_have_text("Sessies")  # most sessions still win


def test_a_dutch_server_s_empty_dashboard_stays_dutch_in_an_english_browser(live_server, browser_in):
    page = browser_in("en-US")
    trainer(page, live_server)
    expect(page.locator("#grid .empty")).to_contain_text("Nog geen sessies")


@pytest.mark.parametrize("server_lang, locale, said", [
    ("nl", "en-US", "Verkeerd token: open de trainer-link die pullcoach afdrukte (/trainer#token=…)"),
    ("en", "nl-NL", "Wrong token: open the trainer link pullcoach printed (/trainer#token=…)")])
def test_a_refused_dashboard_speaks_the_server_s_language_not_the_browser_s(
        live_server, browser_in, server_lang, locale, said):
    # a Dutch trainer's browser often asks for English: the refusal says the server's --lang
    live_server.service.lang = server_lang
    page = browser_in(locale)
    trainer(page, live_server, token="wrong-token-0123456789")
    expect(page.locator("#conn")).to_have_text(said)


@pytest.mark.parametrize("server_lang, locale, notoken, bad", [
    ("nl", "en-US", "no token in the link", "verkeerd token: open de overlay-link die pullcoach afdrukte"),
    ("en", "nl-NL", "geen token in de link", "wrong token: open the overlay link pullcoach printed")])
def test_the_overlay_before_any_session_speaks_the_browser_s_language_till_the_server_refuses(
        live_server, browser_in, server_lang, locale, notoken, bad):
    live_server.service.lang = server_lang
    page = browser_in(locale)
    page.goto(f"http://127.0.0.1:{live_server.port}/")  # no token: it asks the server nothing
    expect(page.locator("#status")).to_have_text(notoken)
    page = browser_in(locale)  # (a new page: only the hash would change)
    page.goto(f"http://127.0.0.1:{live_server.port}/#token=nope")
    expect(page.locator("#status")).to_have_text(bad)


def test_a_hand_made_overlay_link_waiting_for_a_session_speaks_the_server_s_language(live_server, browser_in):
    # `serve --lang en`, a pair's own token, its session not (yet) on this server: the
    # server refuses with no-session and the page waits, in English in a Dutch browser
    from pullcoach import tokens as tk
    live_server.service.lang = "en"
    token = tk.session_token(live_server.trainer_token, "later")
    page = browser_in("nl-NL")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=later#token={token}")
    expect(page.locator("#status")).to_have_text("reconnecting…")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_the_overlay_of_an_english_link_or_session_is_english_in_a_dutch_browser(live_server, browser_in):
    live_server.add_session("s1", token="tok-1", lang="en")
    page = browser_in("nl-NL")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    expect(page.locator("#status")).to_have_text("listening")
    page = browser_in("nl-NL")
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1&lang=en#token=nope")
    expect(page.locator("#status")).to_have_text("wrong token: open the overlay link pullcoach printed")
