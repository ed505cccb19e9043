"""The browser overlay's focus line fits one line, as the Tk overlay's footer does: the
trainer's focus with two chips, else one and the rest counted, else whole words with "…";
a warning wraps whole; the box fits a narrow window."""

import re

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

EN = ["Summarise", "Let them finish"]
NL = ["Stop: stel een vraag", "Voorstel zonder argument"]

# the status line's text, room and height; one line's height; the box's edge against the window
MEASURE = """(texts) => {
  const status = document.getElementById("status"), overlay = document.getElementById("overlay");
  const probe = document.createElement("span");   // in the footer: the line's own font
  probe.style.cssText = "position:absolute;visibility:hidden;white-space:pre";
  status.parentElement.append(probe);
  const wide = (text) => { probe.textContent = text; return probe.getBoundingClientRect(); };
  const out = { text: status.textContent, room: status.getBoundingClientRect().width,
                high: status.getBoundingClientRect().height, one: wide("Xg").height,
                scroll: status.scrollWidth, client: status.clientWidth,
                right: overlay.getBoundingClientRect().right, page: document.documentElement.scrollWidth,
                window: window.innerWidth,
                widths: Object.fromEntries(texts.map((t) => [t, wide(t).width])) };
  probe.remove();
  return out;
}"""


def measure(page, *texts):
    return page.evaluate(MEASURE, list(texts))


def open_with_focus(page, live_server, lang, focus):
    live_server.add_session("s1", token="tok-1", lang=lang)
    page.goto(f"http://127.0.0.1:{live_server.port}/?session=s1#token=tok-1")
    live_server.wait_clients("overlay")
    status = page.locator("#status")
    head = "listening" if lang == "en" else "luistert"
    expect(status).to_have_text(head)
    live_server.push("s1", {"type": "focus-changed", "t": 5.0, "rules": ["r"] * len(focus),
                            "messages": focus, "by": "trainer"})
    expect(status).not_to_have_text(head)
    return status


def lines(head, label, focus):
    """Every line the overlay may choose, best first: (text, counted rest)."""
    return [(f"{head} · {label}: " + " · ".join(focus[:n]), f" +{len(focus) - n}" if len(focus) > n else "")
            for n in range(min(2, len(focus)), 0, -1)]


@pytest.mark.parametrize("width", [420, 320])   # the default 340 px box; a narrow window (296 px box)
@pytest.mark.parametrize("lang,focus", [("en", EN), ("nl", NL), ("nl", [*NL, "Vat samen"]),
                                        ("nl", ["Vat samen", "Laat uitpraten"]),
                                        ("nl", ["Vraag door naar wat de ander echt wil", "Vat samen"])])
def test_the_focus_line_fits_one_line_in_whole_words(new_page, live_server, tmp_path, width, lang, focus):
    page = new_page(width, 160)
    open_with_focus(page, live_server, lang, focus)
    head, label = ("listening", "practising") if lang == "en" else ("luistert", "oefent")
    options = lines(head, label, focus)
    info = measure(page, *(t + m for t, m in options))
    page.locator("#overlay").screenshot(path=str(tmp_path / f"focus-{lang}-{len(focus)}-{width}.png"))
    text = info["text"]
    # one line, nothing hidden past its edge, the box inside the window (no sideways scroll)
    assert info["high"] <= info["one"] + 1, (text, info)
    assert info["scroll"] <= info["client"], (text, info)
    assert info["right"] <= info["window"] and info["page"] <= info["window"], info
    fitting = [t + m for t, m in options if info["widths"][t + m] <= info["room"] + 0.01]
    if fitting:   # the best whole line that fits is the one shown
        assert text == fitting[0]
    else:         # the one-chip line, whole words left off its end, the rest still counted
        body, more = options[-1]
        assert text.endswith("…" + more), text
        shown = text[:-len("…" + more)].split(" ")
        words = body.split(" ")
        assert shown[:-1] == words[:len(shown) - 1], text
        assert re.sub(r"[ ·:,]+$", "", words[len(shown) - 1]) == shown[-1], text   # a whole word
    assert page.errors == []


def test_a_narrower_then_wider_window_fits_the_line_again(new_page, live_server):
    page = new_page(320, 160)
    status = open_with_focus(page, live_server, "nl", ["Vat samen", "Laat uitpraten"])
    narrow = status.text_content()
    assert narrow.endswith(" +1"), narrow
    page.set_viewport_size({"width": 420, "height": 160})   # room for both now
    expect(status).to_have_text(narrow.removesuffix(" +1") + " · Laat uitpraten")
    page.set_viewport_size({"width": 320, "height": 160})
    expect(status).to_have_text(narrow)
    assert page.errors == []


def test_a_long_warning_wraps_whole_inside_a_narrow_window(new_page, live_server):
    """A warning says what to do in its last words: it wraps (between words), never cut off."""
    page = new_page(320, 160)
    page.goto(f"http://127.0.0.1:{live_server.port}/?lang=nl#token=nope")  # (the longer one)
    status = page.locator("#status")
    expect(status).to_have_text("verkeerd token: open de overlay-link die pullcoach afdrukte")
    info = measure(page)
    assert info["scroll"] <= info["client"], info
    assert info["right"] <= info["window"] and info["page"] <= info["window"], info
    # each line break falls between words: the words' boxes never straddle two lines
    tops = page.evaluate("""() => { const s = document.getElementById("status"), node = s.firstChild, out = [];
        let at = 0;
        for (const word of node.textContent.split(" ")) {
          const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + word.length);
          out.push(r.getClientRects().length); at += word.length + 1; }
        return out; }""")
    assert tops and all(n == 1 for n in tops), tops
    assert page.errors == []
