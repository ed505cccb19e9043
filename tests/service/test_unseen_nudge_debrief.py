"""A nudge sent while a capture's session had no overlay open reached no one, and nothing in
the stored events said so: the debrief listed the trainer's "Vraag door" as sent "aan Anna".
Now each nudge shown live in a capture's session carries how many overlays showed it."""

import asyncio
import json
import time

from websockets.asyncio.client import connect

from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.cli import main
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service
from pullcoach.store import Store

TRAINER = "trainer-token-0123456789"
TOK = "overlay-token-aaaaaaaaaa"


async def hello(port, role, token, session=None):
    ws = await connect(f"ws://127.0.0.1:{port}/ws")
    await ws.send(p.encode(p.Hello(role=role, token=token, session=session, client="test")))
    return ws


async def until(ws, pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        msg = p.decode(await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic())))
        if pred(msg):
            return msg


def trainer_nudge(msg, text):
    return (isinstance(msg, p.SessionEvent) and isinstance(msg.event, ev.NudgeIssued)
            and msg.event.message == text)


async def role_play(store: Store, sid: str, via: str, wall: float) -> list[ev.NudgeIssued]:
    """A session on a real server (port 0) whose events go to ``store`` as in `serve`: the
    trainer sends one nudge with no overlay open, one with the coachee's overlay open, and a
    rule nudge fires with none open again. Returns the nudges the trainer received."""
    hub = Hub()
    hub.subscribe(store.sink)  # as the runtime does: the store hears every event first
    service = await Service(hub, tk.Tokens(trainer=TRAINER), port=0, ping_interval=None).start()
    try:
        hub.declare(sid, TOK, lang="nl", coachee="Anna", partner="Bram")
        hub.publish(sid, ev.SessionStarted(session=sid, wall_clock=wall, lang="nl", coachee="Anna",
                                           partner="Bram", via=via))
        hub.publish(sid, ev.TranscriptFinal(t=4.0, speaker="partner", t0=1.0, t1=3.5, text="Ik weet het niet."))
        tr = await hello(service.port, "trainer", TRAINER)
        got = []
        await tr.send(p.encode(p.SendNudge(session=sid, message="Vraag door")))
        got.append((await until(tr, lambda m: trainer_nudge(m, "Vraag door"))).event)
        ov = await hello(service.port, "overlay", TOK, sid)
        await until(tr, lambda m: isinstance(m, p.Status) and m.session == sid and m.overlays == 1)
        await tr.send(p.encode(p.SendNudge(session=sid, message="Vat eens samen")))
        got.append((await until(tr, lambda m: trainer_nudge(m, "Vat eens samen"))).event)
        await ov.close()
        await until(tr, lambda m: isinstance(m, p.Status) and m.session == sid and m.overlays == 0)
        hub.publish(sid, ev.NudgeIssued(t=5.0, rule="interruption", message="Laat uitpraten", evidence_t=4.8))
        got.append((await until(tr, lambda m: trainer_nudge(m, "Laat uitpraten"))).event)
        hub.publish(sid, ev.SessionEnded(t=60.0, reason="ended"))
        await tr.close()
        return got
    finally:
        await service.close()


def test_a_capture_sessions_nudges_say_how_many_overlays_showed_them_and_the_debrief_says_which_nobody_saw(
        tmp_path, capsys):
    with Store(tmp_path) as store:
        got = asyncio.run(asyncio.wait_for(role_play(store, "s-cap", "capture", 1_000_000.0), 30))
        # `run` opens its own overlay or prints the nudges: the server's overlays are not all
        run = asyncio.run(asyncio.wait_for(role_play(store, "s-run", "", 1_000_050.0), 30))
        # stored by an older pullcoach: a capture's session whose nudges carry no count
        for e in [ev.SessionStarted(session="s-old", wall_clock=1_000_100.0, lang="nl", coachee="Bram",
                                    partner="Anna", via="capture"),
                  ev.NudgeIssued(t=3.0, rule="trainer", kind="trainer", message="Luister"),
                  ev.SessionEnded(t=30.0, reason="ended")]:
            store.append("s-old", e)
        store.flush()
    assert [n.detail.get("overlays") for n in got] == [0, 1, 0]
    assert [n.detail.get("overlays") for n in run] == [None, None, None]
    with Store(tmp_path) as store:   # stored so: the report and the debrief read it later
        stored = [e.detail.get("overlays") for e in store.events("s-cap") if isinstance(e, ev.NudgeIssued)]
    assert stored == [0, 1, 0]

    assert main(["debrief", "s-cap", "--data-dir", str(tmp_path), "--format", "md"]) == 0
    md = capsys.readouterr().out
    said = {line.split("»**")[0].split("«")[1]: line for line in md.splitlines() if "Seintje «" in line}
    assert said["Vraag door"].startswith("- **0:04 Seintje «Vraag door»** — aan Anna · ")
    assert said["Vraag door"].endswith(" · niet gezien: geen overlay open")
    assert "niet gezien" not in said["Vat eens samen"]   # the overlay was open: seen

    out = tmp_path / "d.json"
    assert main(["debrief", "s-cap", "s-run", "s-old", "--data-dir", str(tmp_path), "-o", str(out)]) == 0
    assert [(n["message"], n["unseen"]) for n in json.loads(out.read_text())["trainer_nudges"]] == [
        ("Vraag door", True), ("Vat eens samen", False), ("Vraag door", False), ("Vat eens samen", False),
        ("Luister", False)]
    assert main(["debrief", "s-cap", "--data-dir", str(tmp_path), "--lang", "en", "--format", "md"]) == 0
    en = capsys.readouterr().out
    assert "Nudge “Vraag door”** — to Anna · " in en and en.count(" · not seen: no overlay open") == 1
