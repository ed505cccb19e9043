"""A wrong link to a report or the debrief is refused in Dutch and English on one page: a
Dutch trainer's browser often asks for English, and the old page then spoke English only."""

import urllib.error
import urllib.request

import pytest


def get(server, path, lang=None):
    headers = {"Accept-Language": lang} if lang else {}
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    return info.value.code, info.value.headers.get("Content-Type"), info.value.read().decode()


@pytest.mark.parametrize("path", ["/reports/s1?token=wrong", "/reports/s1", "/debrief?token=wrong"])
def test_an_english_browser_on_a_dutch_setup_reads_dutch_first_then_english(live_server, path):
    live_server.add_session("s1", token="tok-1", lang="nl")
    status, ctype, body = get(live_server, path, "en-US,en;q=0.9")
    assert status == 401 and ctype.startswith("text/html")
    assert '<html lang="nl">' in body
    nl, en = body.index("vanaf de trainerpagina"), body.index("from the trainer page")
    assert nl < en  # Dutch first, English under it
    assert "trainer-token" in body and "trainer token" in body  # the other way in, both languages


def test_an_english_setup_reads_english_first_and_a_dutch_browser_dutch_first(live_server):
    live_server.add_session("s1", token="tok-1", lang="en")
    live_server.add_session("s2", token="tok-2", lang="en")
    _, _, body = get(live_server, "/debrief?token=wrong", "en-GB")
    assert '<html lang="en">' in body
    assert body.index("from the trainer page") < body.index("vanaf de trainerpagina")
    _, _, body = get(live_server, "/debrief?token=wrong", "nl-NL,nl;q=0.9")
    assert body.index("vanaf de trainerpagina") < body.index("from the trainer page")


@pytest.mark.browser
def test_the_refusal_page_in_chromium(live_server, chromium, tmp_path):
    live_server.add_session("s1", token="tok-1", lang="nl")
    context = chromium.new_context(locale="en-US", viewport={"width": 800, "height": 420})
    try:
        page = context.new_page()
        answer = page.goto(f"http://127.0.0.1:{live_server.port}/reports/s1?token=old-link")
        assert answer.status == 401
        page.screenshot(path=str(tmp_path / "refused.png"))
        print("screenshot:", tmp_path / "refused.png")
        headings = page.locator("h1").all_inner_texts()
        assert headings == ["Dit verslag opent alleen met een geldige link",
                            "This report opens only with a valid link"]
        assert page.locator("section").nth(1).get_attribute("lang") == "en"
        assert "Rapport openen ›" in page.locator("section").nth(0).inner_text()
    finally:
        context.close()
