"""Issue 5's acceptance test, for real: `pullcoach serve` + two `pullcoach capture --replay`
of recorded fixtures at real-time speed; the trainer dashboard in Chromium shows both
sessions live; a trainer nudge reaches that coachee's overlay and no other."""

import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = [pytest.mark.browser, pytest.mark.model]

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
TRAINER = "trainer-token-e2e-0123456789"
INGEST = "ingest-token-e2e-0123456789"


def read_until(proc, pattern, timeout):
    """Read the process's stderr line by line until ``pattern`` matches; return the match."""
    end = time.monotonic() + timeout
    lines = []
    while time.monotonic() < end:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError(f"{pattern!r} not seen; stderr so far:\n{''.join(lines)}")


@pytest.fixture
def service(tmp_path):
    if not (AUDIO / "nl_push.flac").exists():
        pytest.skip("the audio fixtures are missing (scripts/make_fixtures.sh)")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PULLCOACH_TRAINER_TOKEN=TRAINER,
               PULLCOACH_TOKEN=INGEST, PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    procs = []

    def start(*args):
        proc = subprocess.Popen([sys.executable, "-m", "pullcoach", *args], env=env, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(proc)
        return proc

    serve = start("serve", "--port", "0", "--data-dir", str(tmp_path / "data"))
    port = int(read_until(serve, r"serving on http://127\.0\.0\.1:(\d+)", 180).group(1))

    def capture(fixture, lang, coachee, partner):
        proc = start("capture", "--server", f"ws://127.0.0.1:{port}", "--token", INGEST,
                     "--replay", str(AUDIO / fixture), "--lang", lang,
                     "--coachee-name", coachee, "--partner-name", partner)
        sid = read_until(proc, r"^session (\S+)", 60).group(1)
        token = read_until(proc, r"^overlay token (\S+)", 10).group(1)
        return sid, token

    yield port, capture
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in reversed(procs):
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def blue_pixels(display, path):
    """Pixels of the trainer-blue nudge band in the top right of an Xvfb screenshot."""
    tk = pytest.importorskip("tkinter")
    subprocess.run(["import", "-display", display, "-window", "root", str(path)], check=True, timeout=20)
    root = tk.Tk()
    try:
        img = tk.PhotoImage(master=root, file=str(path))
        w = img.width()
        px = [img.get(x, y) for y in range(0, 140, 2) for x in range(w - 420, w, 2)]
        return sum(all(abs(a - b) <= 40 for a, b in zip(c, (0x2F, 0x7F, 0xD8))) for c in px)
    finally:
        root.destroy()
        del root
        gc.collect()  # here, not from the service's threads mid-test (Tcl aborts then)


def test_two_replays_live_on_the_dashboard_and_a_trainer_nudge_reaches_one_overlay(service, chromium, tmp_path,
                                                                                     request):
    port, capture = service
    base = f"http://127.0.0.1:{port}"
    anna, anna_token = capture("nl_push.flac", "nl", "Anna", "Bram")
    carl, carl_token = capture("en_push.flac", "en", "Carl", "Dana")
    # Anna also has the Tk overlay (`pullcoach overlay`, the CLI) on a private X display
    tk_overlay = display = None
    if shutil.which("Xvfb") and shutil.which("import"):
        display = request.getfixturevalue("xvfb")
        env = dict(os.environ, DISPLAY=display, PULLCOACH_TOKEN=anna_token)
        tk_overlay = subprocess.Popen([sys.executable, "-m", "pullcoach", "overlay", "--url",
                                       f"ws://127.0.0.1:{port}/ws", "--session", anna], env=env)
        request.addfinalizer(lambda: (tk_overlay.terminate(), tk_overlay.wait(10)))

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        errors = []
        context.on("weberror", lambda e: errors.append(str(e.error)))
        overlay_a, overlay_c, trainer = context.new_page(), context.new_page(), context.new_page()
        overlay_a.goto(f"{base}/?session={anna}#token={anna_token}")
        overlay_c.goto(f"{base}/?session={carl}#token={carl_token}")
        trainer.goto(f"{base}/trainer#token={TRAINER}")

        card_a = trainer.locator(f'.card[data-session="{anna}"]')
        card_c = trainer.locator(f'.card[data-session="{carl}"]')
        expect(trainer.locator(".card.live")).to_have_count(2, timeout=60_000)
        # live figures: talk share needs transcribed, labelled speech from both sessions
        for card in (card_a, card_c):
            expect(card.locator(".fig-talk .value")).to_have_text(re.compile(r"^\d+%$"), timeout=90_000)
        assert card_a.locator(".who").text_content() == "Anna ↔ Bram"
        assert card_c.locator(".who").text_content() == "Carl ↔ Dana"
        assert card_c.locator(".fig-talk .label").text_content() == "Coachee talk share"

        card_a.click()
        expect(trainer.locator("#transcript .utt").first).to_be_visible(timeout=30_000)
        # the dashboard reads every role-play's transcript: both coachees see the eye
        expect(overlay_a.locator("#eye")).to_be_visible(timeout=10_000)
        expect(overlay_c.locator("#eye")).to_be_visible(timeout=10_000)
        trainer.fill("#nudge-text", "Vat eens samen")
        trainer.click("#nudge-send")
        expect(overlay_a.locator("#msg")).to_have_text("Vat eens samen", timeout=10_000)
        assert overlay_a.locator("#overlay").get_attribute("data-kind") == "trainer"
        expect(card_a.locator(".last-nudges .nudge-trainer .m")).to_have_text("Vat eens samen")
        overlay_a.locator("#overlay").screenshot(path=str(tmp_path / "overlay-anna.png"))
        trainer.screenshot(path=str(tmp_path / "trainer-live.png"), full_page=True)
        print("screenshots:", tmp_path)
        if tk_overlay is not None:
            shot = tmp_path / "tk-overlay-anna.png"
            assert blue_pixels(display, shot) > 2000, "the Tk overlay does not show the trainer nudge"
            assert tk_overlay.poll() is None
        time.sleep(1.0)  # give a wrongly routed nudge time to arrive
        seen_c = overlay_c.evaluate("window.pullcoachOverlay.seen")
        assert all(n["kind"] != "trainer" and n["text"] != "Vat eens samen" for n in seen_c), seen_c

        # the trainer ends both role-plays and opens the debrief of the two
        trainer.fill("#mark-note", "Hier stapelt ze")
        trainer.click("#mark-send")
        expect(trainer.locator("#mark-ack")).not_to_be_empty()
        for card in (card_a, card_c):
            card.click()
            trainer.click("#end")
            trainer.click("#end")
            expect(card.locator(".report-link")).to_be_visible(timeout=30_000)
        link = trainer.locator("#debrief")
        expect(link).to_have_text(re.compile(r"\(2\)"))
        with context.expect_page() as popup:
            link.click()
        debrief = popup.value
        debrief.wait_for_load_state()
        rows = debrief.locator("table.debrief tbody tr")
        expect(rows).to_have_count(2)
        assert rows.nth(0).locator("td").first.text_content().startswith("Anna")
        assert rows.nth(1).locator("td").first.text_content().startswith("Carl")
        assert "Hier stapelt ze" in debrief.locator("main").text_content()
        debrief.screenshot(path=str(tmp_path / "debrief.png"), full_page=True)
        rows.nth(0).locator("a").click()   # each row opens that role-play's report
        debrief.wait_for_url(re.compile(rf"/reports/{anna}\?token="))
        assert debrief.locator("h1").text_content() == "Gespreksverslag"
        assert errors == []
    finally:
        context.close()
