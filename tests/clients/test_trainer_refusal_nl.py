"""A command the server refuses is said in the dashboard's words: the server's refusal `code`
(and `detail`: which rule, since when) worded by i18n.js, not its English `message` on a
Dutch page ("niet gedaan, de server zegt: rule 'interruption' is off since 3:12 ...")."""

import re

import pytest

from pullcoach import protocol as p

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def open_dashboard(new_page, live_server, lang="nl", coachee="Anna"):
    page = new_page(1280, 900)
    live_server.add_session("s1", token="tok-1", lang=lang, coachee=coachee, partner="Bram")
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer#token={live_server.trainer_token}")
    live_server.wait_clients("trainer")
    page.locator('.card[data-session="s1"]').click()
    return page


def in_server(live_server, fn):
    """Change the server's state in its own thread, as its events would."""
    async def call():
        fn()
    live_server._call(call())


def test_a_focus_on_a_rule_gone_off_is_refused_in_dutch_with_its_chip_words_and_since_when(new_page, live_server):
    page = open_dashboard(new_page, live_server)
    chip = page.locator('#focus-rules .chip[data-rule="interruption"]')
    expect(chip).to_be_enabled()
    # the server knows the rule is off; its warning has not reached the page yet
    in_server(live_server, lambda: live_server.service.rules_off["s1"].update(
        interruption=(192.4, "error", "RuntimeError: boom")))
    chip.click()
    expect(page.locator("#focus-ack")).to_have_text(
        "niet gedaan: «Laat uitpraten» staat uit sinds 3:12 (de plugin faalde: RuntimeError: boom): "
        "geen seintjes meer deze sessie; laat die uit de focus")
    expect(page.locator("#focus-ack")).to_have_class(re.compile(r"\brefused\b"))
    expect(chip).to_have_attribute("aria-pressed", "false")
    assert page.errors == []


def test_a_nudge_for_a_session_that_just_ended_is_refused_in_the_sessions_language(new_page, live_server):
    for lang, coachee, said in (("nl", "Anna", "niet gedaan: deze sessie loopt niet meer"),
                                ("en", "Carl", "not done: this session is no longer live")):
        page = open_dashboard(new_page, live_server, lang, coachee)
        # over on the server, its session-ended still on the way: the page lets the trainer send
        in_server(live_server, lambda: setattr(live_server.hub.sessions["s1"], "ended", True))
        page.fill("#nudge-text", "Vat eens samen")
        page.click("#nudge-send")
        expect(page.locator("#nudge-ack")).to_have_text(said)
        assert page.errors == []
        page.close()
        in_server(live_server, lambda: live_server.hub.sessions.pop("s1"))


def test_every_refusal_code_has_dutch_and_english_words_and_an_unknown_one_shows_the_server_message(
        new_page, live_server):
    page = new_page(800, 600)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer")
    said = page.evaluate("""async (codes) => {
      const { refusalText, words } = await import('/static/i18n.js');
      const out = {};
      for (const lang of ['nl', 'en']) for (const code of codes)
        out[`${lang} ${code}`] = refusalText(words(lang), { code, message: 'ENGLISH' });
      out.unknown = refusalText(words('nl'), { code: 'rate-limited', message: 'slow down' });
      out.tooLong = refusalText(words('nl'), { code: 'malformed', message: 'x', detail: { reason: 'too-long', limit: 500 } });
      out.unknownRule = refusalText(words('nl'), { code: 'malformed', message: 'x',
        detail: { reason: 'unknown-rule', rules: ['jargon'], known: ['interruption', 'monologue', 'talk-ratio'] } },
        (r) => ({ interruption: 'Laat uitpraten', monologue: 'Luister', 'talk-ratio': 'Luister' })[r] || r);
      return out;
    }""", list(p.CODES))
    for lang in ("nl", "en"):
        for code in p.CODES:
            text = said[f"{lang} {code}"]
            assert text and "ENGLISH" not in text and code not in text, (lang, code, text)
    assert said["nl no-session"] == "deze sessie loopt niet meer"
    assert said["unknown"] == "slow down (rate-limited)"
    assert said["tooLong"] == "te lang: hoogstens 500 tekens"
    assert said["unknownRule"] == "deze sessie kent «jargon» niet; kies uit: «Laat uitpraten», «Luister»"
    assert page.errors == []


def test_an_english_refusal_quotes_the_nudges_in_english_quotes(new_page, live_server):
    """Dutch quotes nudge names «…»; an English page says “…” (an English trainer read «Listen»
    as translated), and "has been off since", not "is off since"."""
    page = new_page(800, 600)
    page.goto(f"http://127.0.0.1:{live_server.port}/trainer")
    said = page.evaluate("""async () => {
      const { refusalText, words } = await import('/static/i18n.js');
      const names = (r) => ({ interruption: 'Let them finish', monologue: 'Listen' })[r] || r;
      return {
        unknownRule: refusalText(words('en'), { code: 'malformed', message: 'x',
          detail: { reason: 'unknown-rule', rules: ['jargon'], known: ['interruption', 'monologue'] } }, names),
        off: refusalText(words('en'), { code: 'malformed', message: 'x', detail: { reason: 'rule-off',
          off: [{ rule: 'interruption', t: 192.4, cause: 'error', error: 'RuntimeError: boom' }] } }, names),
        nl: refusalText(words('nl'), { code: 'malformed', message: 'x',
          detail: { reason: 'unknown-rule', rules: ['jargon'], known: ['monologue'] } }, () => 'Luister'),
      };
    }""")
    assert said["unknownRule"] == "this session has no rule “jargon”; choose from: “Let them finish”, “Listen”"
    assert said["off"] == ("“Let them finish” has been off since 3:12 (its plugin failed: RuntimeError: boom): "
                           "no more nudges this session; leave it out of the focus")
    assert said["nl"] == "deze sessie kent «Luister» niet; kies uit: «Luister»"
    assert page.errors == []
