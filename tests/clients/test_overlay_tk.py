"""The Tk overlay for real: Xvfb, a real websocket server, a screenshot of the screen."""

import shutil
import subprocess
import time

import pytest

tk = pytest.importorskip("tkinter")
import tkinter.font  # noqa: E402
pytestmark = pytest.mark.display


def pump(root, until, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        root.update()
        if until():
            return
        time.sleep(0.02)
    raise AssertionError("the overlay did not get there in time")


def screenshot(display, path):
    if not shutil.which("import"):
        pytest.skip("imagemagick's `import` is not installed")
    subprocess.run(["import", "-display", display, "-window", "root", str(path)], check=True, timeout=20)


def pixels(root, path, box, step=2):
    """RGB tuples of the screenshot inside box=(x0, y0, x1, y1), read with Tk's PNG reader."""
    img = tk.PhotoImage(master=root, file=str(path))
    x0, y0, x1, y1 = box
    return [tuple(img.get(x, y)) for y in range(y0, y1, step) for x in range(x0, x1, step)]


def near(c, rgb, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(c, rgb))


@pytest.fixture
def overlay(xvfb, live_server):
    from pullcoach.clients.overlay import OverlayWindow

    live_server.add_session("s1", token="tok-1")
    opened = []
    root = tk.Tk()
    window = OverlayWindow(root, f"ws://127.0.0.1:{live_server.port}/ws", "tok-1", open_url=opened.append)
    window.opened = opened
    pump(root, lambda: window.state.connection == "connected")
    live_server.wait_clients("overlay")
    yield window
    if root.winfo_exists():
        window.destroy()


def test_nudge_from_the_server_is_shown_and_on_screen(overlay, live_server, xvfb, tmp_path):
    root = overlay.root
    # borderless, on top, never steals focus
    assert root.overrideredirect() and root.attributes("-topmost")
    live_server.watch("s1")   # a trainer opens this session: the overlay shows the eye
    live_server.push("s1", {"type": "nudge-issued", "t": 12.3, "rule": "interruption",
                             "message": "Laat uitpraten", "kind": "negative", "speaker": "coachee",
                             "evidence_t": 11.8, "delivered": True, "detail": {}})
    pump(root, lambda: overlay.message.cget("text") == "Laat uitpraten" and overlay.state.watching)
    assert overlay.state.listening
    assert root.focus_get() is None  # nothing in the overlay took the keyboard focus
    root.update()
    time.sleep(0.2)
    root.update()

    shot = tmp_path / "overlay-tk.png"
    screenshot(xvfb, shot)
    print("screenshot:", shot)
    x, y, w, h = root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(), root.winfo_height()
    inside = pixels(root, shot, (x, y, x + w, y + h))
    outside = pixels(root, shot, (0, 0, max(1, x - 10), 200), step=8)
    amber = sum(near(c, (0xF0, 0xA0, 0x20)) for c in inside)
    dark_text = sum(near(c, (0x1F, 0x14, 0x00), tol=60) for c in inside)
    red_dot = sum(near(c, (0xE5, 0x48, 0x4D)) for c in inside)
    assert amber > len(inside) * 0.3, "the amber nudge band is not on screen"
    assert dark_text > 40, "no text drawn on the nudge band"
    assert red_dot > 5, "no red listening dot"
    assert len(set(outside)) == 1, "the overlay drew outside its window"


def test_the_nudge_fades_and_goes(overlay, live_server):
    overlay.state.seconds["positive"] = 1.2
    live_server.push("s1", {"type": "nudge-issued", "t": 5, "rule": "summary", "message": "✓ Samenvatting",
                             "kind": "positive", "speaker": "coachee", "delivered": True, "detail": {}})
    pump(overlay.root, lambda: overlay.message.cget("text") == "Samenvatting")   # the icon is the check
    first = overlay.message.cget("fg")
    pump(overlay.root, lambda: overlay.message.cget("fg") != first, timeout=3)
    pump(overlay.root, lambda: overlay.message.cget("text") == "", timeout=3)


def test_session_end_shows_a_report_link_that_opens_the_browser(overlay, live_server):
    live_server.push("s1", {"type": "session-ended", "t": 60.0, "reason": "ended"})
    pump(overlay.root, lambda: overlay.report.winfo_ismapped())
    assert overlay.report.cget("text") == "Rapport openen ›"
    overlay.report.event_generate("<Button-1>")
    overlay.root.update()
    from pullcoach import tokens
    view = tokens.view_token(live_server.trainer_token, "coachee-report:s1")  # not the overlay token
    assert overlay.opened == [f"http://127.0.0.1:{live_server.port}/reports/s1?token={view}"]


def test_a_silent_partner_channel_is_said_in_the_footer_until_it_sounds(overlay, live_server):
    live_server.push("s1", {"type": "pipeline-warning", "t": 20.0, "kind": "channel-silent",
                             "message": "No sound at all from the partner's channel for 20 s",
                             "detail": {"speaker": "partner", "reason": "no-sound", "seconds": 20}})
    pump(overlay.root, lambda: overlay.footer.cget("text") == "Geen geluid van de ander (apparaat?)")
    live_server.push("s1", {"type": "pipeline-warning", "t": 26.0, "kind": "channel-ok",
                             "message": "The partner's channel carries sound again.",
                             "detail": {"speaker": "partner"}})
    pump(overlay.root, lambda: "Geen geluid" not in overlay.footer.cget("text"))


def test_the_trainers_focus_is_said_in_the_footer_while_listening(overlay, live_server):
    live_server.push("s1", {"type": "focus-changed", "t": 30.0, "rules": ["too-few-summaries"], "by": "trainer",
                             "messages": ["Vat samen"]})
    pump(overlay.root, lambda: overlay.footer.cget("text") == "luistert · oefent: Vat samen")
    live_server.push("s1", {"type": "focus-changed", "t": 60.0, "rules": [], "by": "trainer", "messages": []})
    pump(overlay.root, lambda: overlay.footer.cget("text") == "luistert")


def test_a_wrong_token_is_refused_and_said(xvfb, live_server):
    from pullcoach.clients.overlay import OverlayWindow

    live_server.add_session("s1", token="tok-1")
    root = tk.Tk()
    window = OverlayWindow(root, f"ws://127.0.0.1:{live_server.port}/ws", "nope")
    try:
        pump(root, lambda: window.state.connection == "refused")
        assert "token" in window.footer.cget("text")
    finally:
        window.destroy()


def test_reconnects_after_the_server_comes_back(xvfb):
    """Start with no server on the port; the overlay keeps trying and connects when it appears."""
    import socket

    from pullcoach.clients.overlay import OverlayWindow

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    root = tk.Tk()
    window = OverlayWindow(root, f"ws://127.0.0.1:{port}/ws", "tok-1")
    try:
        pump(root, lambda: window.state.connection == "reconnecting")
        assert window.footer.cget("text") == "opnieuw verbinden…"
        from websockets.sync.server import serve

        def handler(ws):
            ws.recv()
            ws.send('{"v":1,"type":"welcome","role":"overlay","sessions":[]}')
            for _ in ws:
                pass

        with serve(handler, "127.0.0.1", port) as server:
            import threading
            threading.Thread(target=server.serve_forever, daemon=True).start()
            pump(root, lambda: window.state.connection == "connected", timeout=15)
            window.thread.stop()
            server.shutdown()
    finally:
        window.destroy()


def test_a_cue_shows_on_a_teal_band_with_a_question_mark(overlay, live_server):
    live_server.push("s1", {"type": "nudge-issued", "t": 5, "rule": "interrupted",
                             "message": "Weerstand: vraag door", "kind": "cue", "speaker": "partner",
                             "delivered": True, "detail": {}})
    pump(overlay.root, lambda: overlay.message.cget("text") == "Weerstand: vraag door"
         and overlay.band.cget("bg").lower() == "#3aa6a0")
    texts = [overlay.icon.itemcget(i, "text") for i in overlay.icon.find_all()
             if overlay.icon.type(i) == "text"]
    assert texts == ["?"]
    # a longer message takes a smaller size and stays on one line
    font = tk.font.Font(root=overlay.root, font=overlay.message.cget("font"))
    assert font.measure("Weerstand: vraag door") <= int(overlay.message.cget("wraplength"))
    assert overlay.message.winfo_reqheight() < 2 * font.metrics("linespace")
    assert overlay.close.cget("fg").lower() == overlay.message.cget("fg").lower()


def test_after_run_ends_the_overlay_stays_with_the_report_file(xvfb, live_server, tmp_path):
    """`run` ends its server with the session: the Tk overlay vanished (run terminated it) and
    the web one said 'reconnecting' with a link to a server that was gone. Given the report
    file, the overlay stays: 'sessie beëindigd', and the link opens the file."""
    from pullcoach.clients.overlay import OverlayWindow
    server = live_server
    server.add_session("s1", token="tok-1")
    report = tmp_path / "reports" / "s1.html"
    opened = []
    root = tk.Tk()
    window = OverlayWindow(root, f"ws://127.0.0.1:{server.port}/ws", "tok-1", "s1",
                           open_url=opened.append, report_file=str(report))
    try:
        pump(root, lambda: window.state.connection == "connected")
        server.wait_clients("overlay")
        server.push("s1", {"type": "session-ended", "t": 55.0, "reason": "ended"})
        pump(root, lambda: window.report.winfo_ismapped())
        server._call(server.service.close())  # run is over: its server goes
        pump(root, lambda: window.state.connection == "ended")
        time.sleep(1.5)  # no reconnecting meanwhile
        root.update()
        assert window.state.connection == "ended" and window.footer.cget("text") == "sessie beëindigd"
        window.report.event_generate("<Button-1>")
        root.update()
        assert opened == [report.resolve().as_uri()]
    finally:
        if root.winfo_exists():
            window.destroy()


def test_a_restarted_capture_is_said_in_the_footer_not_a_device_gone(overlay, live_server):
    """A capture killed after 19 s and started again 26 s later: the resume, the stall its
    filling sets off on the channel filled second, and its end, as `pullcoach serve` sends them."""
    live_server.push("s1", {"type": "pipeline-warning", "t": 19.2, "kind": "capture-resumed",
                            "message": "The capture went on with this session after 26 s without audio",
                            "detail": {"resumed_at": 44.918, "gap_s": 25.718}})
    live_server.push("s1", {"type": "pipeline-warning", "t": 19.2, "kind": "channel-stalled",
                            "message": "No audio from the partner's channel for 2 s",
                            "detail": {"speaker": "partner"}})
    live_server.push("s1", {"type": "pipeline-warning", "t": 44.2, "kind": "channel-ok",
                            "message": "Audio from the partner's channel again.",
                            "detail": {"speaker": "partner", "after": "channel-stalled"}})
    pump(overlay.root, lambda: overlay.footer.cget("text") == "Opname hervat na 25 s onderbreking"
         and list(overlay.state.alerts) == [("resumed", None)])


def test_a_resume_sent_again_after_a_reconnect_is_not_shown_again(overlay, live_server, resume_replayed):
    """The resume line counts its minute on the session's clock: two minutes into the session
    after it, an overlay that reconnects and gets the old warnings again stays calm."""
    live_server.push("s1", {"type": "tick", "t": 170.0})   # the session goes on (no tick reaches an overlay)
    for client in list(live_server.service.overlays["s1"]):
        live_server._call(client.ws.close(1012, "restart"))   # a dropped connection
    pump(overlay.root, lambda: overlay.state.connection == "reconnecting")
    pump(overlay.root, lambda: overlay.state.connection == "connected" and overlay.state.listening)  # its status
    live_server.wait_clients("overlay")
    for event in resume_replayed:
        live_server.push("s1", event)
    live_server.push("s1", {"type": "nudge-issued", "t": 171.0, "rule": "too-few-summaries",
                            "message": "Vat samen", "kind": "negative", "speaker": "coachee",
                            "evidence_t": 170.5, "delivered": True, "detail": {}})  # a marker: all is in
    pump(overlay.root, lambda: overlay.message.cget("text") == "Vat samen")
    assert overlay.footer.cget("text") == "luistert"
    assert not overlay.state.shown_alerts(overlay.clock())
