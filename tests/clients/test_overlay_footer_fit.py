"""The Tk overlay's footer fits its line: the trainer's focus drops a chip (counted) or
whole words with "…", never a word cut off by the window's edge (Xvfb)."""

import time

import pytest

tk = pytest.importorskip("tkinter")
import tkinter.font  # noqa: E402

from tests.clients.test_overlay_tk import pump, screenshot  # noqa: E402

pytestmark = pytest.mark.display


def room(window):
    """The footer label's text width in px, as placed."""
    f = window.footer
    window.root.update_idletasks()
    pad = 2 * sum(f.winfo_pixels(str(f.cget(o))) for o in ("borderwidth", "padx", "highlightthickness"))
    return f.winfo_width() - pad


def shown(window):
    """The footer's text and its width in px in the footer's font."""
    text = window.footer.cget("text")
    return text, tk.font.Font(root=window.root, font=window.footer.cget("font")).measure(text)


@pytest.fixture
def overlay_in(xvfb, live_server):
    from pullcoach.clients.overlay import OverlayWindow
    made = []

    def make(lang):
        live_server.add_session("s1", token="tok-1", lang=lang)
        root = tk.Tk()
        window = OverlayWindow(root, f"ws://127.0.0.1:{live_server.port}/ws", "tok-1", "s1")
        made.append(window)
        pump(root, lambda: window.state.connection == "connected" and window.state.listening)
        live_server.wait_clients("overlay")
        return window
    yield make
    for window in made:
        if window.root.winfo_exists():
            window.destroy()


def focus(live_server, *messages):
    live_server.push("s1", {"type": "focus-changed", "t": 30.0, "rules": [f"r{i}" for i in range(len(messages))],
                            "by": "trainer", "messages": list(messages)})


def test_two_english_chips_that_do_not_fit_become_one_and_a_count(overlay_in, live_server, xvfb, tmp_path):
    """QA: 'listening · practising: Summarise · Let them fini' - cut mid-word."""
    window = overlay_in("en")
    focus(live_server, "Summarise", "Let them finish")
    pump(window.root, lambda: "practising" in window.footer.cget("text"))
    text, px = shown(window)
    assert text == "listening · practising: Summarise +1"
    assert px <= room(window)
    window.root.update()
    time.sleep(0.2)
    window.root.update()
    screenshot(xvfb, tmp_path / "footer-en.png")
    print("screenshot:", tmp_path / "footer-en.png")


@pytest.mark.parametrize("chips", [
    ("Stop: stel een vraag", "Voorstel zonder argument"),
    ("Voorstel zonder argument", "Stop: stel een vraag", "Eerst vragen"),
])
def test_long_dutch_chips_fit_by_whole_chips_or_words(overlay_in, live_server, xvfb, tmp_path, chips):
    window = overlay_in("nl")
    focus(live_server, "Vat samen", "Laat uitpraten")  # this one fits: both chips, whole
    pump(window.root, lambda: "oefent" in window.footer.cget("text"))
    text, px = shown(window)
    assert text == "luistert · oefent: Vat samen · Laat uitpraten" and px <= room(window)
    focus(live_server, *chips)
    pump(window.root, lambda: "Vat samen" not in window.footer.cget("text"))
    live_server.push("s1", {"type": "nudge-issued", "t": 40, "rule": "proposal-without-argument",
                            "message": "Voorstel zonder argument", "kind": "negative", "speaker": "coachee",
                            "delivered": True, "detail": {}})  # the footer on the amber band too
    pump(window.root, lambda: window.message.cget("text") == "Voorstel zonder argument")
    screenshot(xvfb, tmp_path / "footer-nl.png")
    print("screenshot:", tmp_path / "footer-nl.png")
    text, px = shown(window)
    assert px <= room(window), text
    assert text.startswith("luistert · oefent: ")
    rest = text[len("luistert · oefent: "):]
    count = f" +{len(chips) - 1}" if len(chips) > 1 else ""
    if rest.removesuffix(count) in chips:  # the first chip whole, the rest counted
        assert rest.endswith(count)
    else:  # the first chip's whole words and "…", the rest still counted
        cut = rest.removesuffix(count)
        assert cut.endswith("…"), text
        assert (chips[0] + " ").startswith(cut[:-1] + " "), text
    # every word shown is one of the chips' words (none cut in two)
    words = {w for chip in chips for w in chip.split()}
    assert all(w.rstrip("…") in words for w in rest.removesuffix(count).split() if w not in ("·",)), text


def test_a_long_problem_line_ends_on_a_whole_word(overlay_in, live_server):
    """A warning the overlay has no words of its own for shows the server's (up to 80 characters)."""
    window = overlay_in("en")
    said = "The speech model could not keep up with the audio: close other programs or pick one"
    live_server.push("s1", {"type": "pipeline-warning", "t": 5.0, "kind": "model-slow", "message": said,
                            "detail": {}})
    pump(window.root, lambda: window.footer.cget("text").startswith("The speech model"))
    text, px = shown(window)
    assert px <= room(window) and text.endswith("…")
    assert all(w in [x.rstrip(":,") for x in said[:80].split()] for w in text[:-1].split()), text


def test_footer_line_keeps_whole_words():
    from pullcoach.clients.overlay import footer_line
    measure = len  # one px a character
    assert footer_line("listening", "practising", ("Summarise", "Let them finish"), 60,
                       measure) == "listening · practising: Summarise · Let them finish"
    assert footer_line("listening", "practising", ("Summarise", "Let them finish"), 40,
                       measure) == "listening · practising: Summarise +1"
    assert footer_line("listening", "practising", ("Proposal without argument", "Summarise"), 40,
                       measure) == "listening · practising: Proposal… +1"
    assert footer_line("wrong token", "x", (), 40, measure) == "wrong token"
