"""The Tk overlay for real (Xvfb, a real websocket server) when the coachee's replayed file
broke off: the red dot goes at the break, and the ended footer says why, on one line beside
the report link."""

import pytest

tk = pytest.importorskip("tkinter")
import tkinter.font  # noqa: E402
pytestmark = pytest.mark.display

from tests.clients.test_overlay_tk import pump  # noqa: E402

RED = "#e5484d"


def red_dot(window) -> bool:
    side = window.side
    return any(side.itemcget(i, "fill").lower() == RED for i in side.find_all())


def test_a_broken_replay_ends_without_the_red_dot_and_says_why(xvfb, live_server):
    from pullcoach.clients.overlay import OverlayWindow
    live_server.add_session("s1", token="tok-1")
    root = tk.Tk()
    window = OverlayWindow(root, f"ws://127.0.0.1:{live_server.port}/ws", "tok-1", open_url=lambda u: None)
    try:
        pump(root, lambda: window.state.connection == "connected")
        live_server.wait_clients("overlay")
        pump(root, lambda: red_dot(window))
        live_server.push("s1", {"type": "pipeline-warning", "t": 29.184, "kind": "channel-stalled",
                                "message": "The coachee's file broke off at 0:29.2",
                                "detail": {"speaker": "coachee", "cause": "file-broken",
                                           "file": "anna.flac", "error": "broken data"}})
        pump(root, lambda: window.footer.cget("text") == "Je bestand brak af: de sessie stopt hier")
        assert not red_dot(window)
        live_server.push("s1", {"type": "session-ended", "t": 29.184, "reason": "ended"})
        pump(root, lambda: window.report.winfo_ismapped())
        root.update()
        text = window.footer.cget("text")
        assert text == "beëindigd: bestand brak af" and not red_dot(window)
        # on one line, not under the report link
        width = tkinter.font.Font(root=root, font=window.footer.cget("font")).measure(text)
        assert width <= window.footer.winfo_width() <= window.report.winfo_x()
    finally:
        if root.winfo_exists():
            window.destroy()
