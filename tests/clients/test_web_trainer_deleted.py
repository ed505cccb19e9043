"""A privacy QA review: `pullcoach sessions delete` while serve ran took a role-play out of the
store, but a trainer page already open (the dashboard on the beamer) kept its card, transcript
and report link until it was reloaded. Now every open page drops it within seconds; the pane
that had it open says it was deleted (in the page's language) and keeps nothing of it."""

import asyncio
import time

import pytest

from pullcoach.rules import events as ev
from pullcoach.store import Store
from tests.clients.test_web_trainer import conversation

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

WAIT_MS = 15_000  # the server looks every 5 s


def ended_role_play(server, store, sid, coachee, partner):
    server.add_session(sid, token="tok-" + sid, coachee=coachee, partner=partner, start=False)
    for event in conversation("nl", coachee, partner, share=0.4, nudge="Laat uitpraten"):
        server.push(sid, event)
    server.push(sid, {"type": "session-ended", "t": 9.0, "reason": "trainer"})
    store.append(sid, ev.SessionStarted(session=sid, lang="nl", wall_clock=time.time(),
                                        coachee=coachee, partner=partner))
    store.append(sid, ev.SessionEnded(t=9.0, reason="trainer"))
    store.flush()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data") as store:
        yield store


def test_an_open_dashboard_drops_a_role_play_deleted_in_another_shell(new_page, live_server, store, tmp_path):
    ended_role_play(live_server, store, "s-eva", "Eva", "Frank")
    ended_role_play(live_server, store, "s-fenna", "Fenna", "Hugo")
    live_server.add_session("s-gijs", token="tok-g", coachee="Gijs", partner="Ilse")

    async def with_store():  # as serve has it: a store, and these two known to be in it
        live_server.service.store = store
        live_server.service.stored.update({"s-eva", "s-fenna"})
    live_server._call(with_store())

    base = f"http://127.0.0.1:{live_server.port}/trainer"
    nl, en, other = new_page(1280, 900), new_page(1280, 900), new_page(1280, 900)
    nl.goto(f"{base}#token={live_server.trainer_token}")
    en.goto(f"{base}?lang=en#token={live_server.trainer_token}")
    other.goto(f"{base}#token={live_server.trainer_token}")
    live_server.wait_clients("trainer", 3)
    for page, open_ in ((nl, "s-fenna"), (en, "s-fenna"), (other, "s-eva")):
        page.locator(f'.card[data-session="{open_}"]').click()
        page.locator("#transcript .utt").nth(1).wait_for()
    assert "s-fenna" in nl.url and "sessions=s-eva,s-fenna" in nl.locator("#debrief").get_attribute("href")
    nl.screenshot(path=str(tmp_path / "before.png"), full_page=True)

    assert store.delete("s-fenna")  # what `pullcoach sessions delete s-fenna` does

    for page in (nl, en, other):
        expect(page.locator('.card[data-session="s-fenna"]')).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator(".card")).to_have_count(2)   # Eva's (ended) and Gijs's (live) stay
        expect(page.locator('.card.live[data-session="s-gijs"]')).to_have_count(1)
        assert "s-fenna" not in page.locator("#debrief").get_attribute("href")
        assert "s-fenna" not in page.url   # a reload opens no pane for it
        html = page.content()   # nothing of it left, not even in the hidden pane
        assert "Fenna" not in html and "Hugo" not in html and "s-fenna" not in html
        assert page.errors == []
    for page, said in ((nl, "Dit gesprek is verwijderd."), (en, "This conversation was deleted.")):
        expect(page.locator("#pick")).to_be_visible()
        expect(page.locator("#pick")).to_contain_text(said)
        expect(page.locator("#detail")).to_be_hidden()
        assert page.locator("#transcript .utt").count() == 0
    nl.screenshot(path=str(tmp_path / "after.png"), full_page=True)
    print("screenshots:", tmp_path / "before.png", tmp_path / "after.png")

    # the page that had another open keeps its pane as it was
    expect(other.locator("#d-who")).to_have_text("Eva ↔ Frank")
    expect(other.locator("#pick")).to_be_hidden()
    # opening another role-play: the notice goes
    nl.locator('.card[data-session="s-eva"]').click()
    expect(nl.locator("#d-who")).to_have_text("Eva ↔ Frank")
    expect(nl.locator("#pick")).to_be_hidden()
    nl.locator("#transcript .utt").nth(1).wait_for()
    assert "s-fenna" not in live_server.service.history
