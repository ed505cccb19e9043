"""The websocket service for real: a server on 127.0.0.1 port 0, real websockets clients."""

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import replace

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.rules.engine import Engine
from pullcoach.rules.pack import parse_pack
from pullcoach.server import Service

TRAINER = "trainer-token-0123456789"
TOK_A = "overlay-token-aaaaaaaaaa"
TOK_B = "overlay-token-bbbbbbbbbb"


class FakeSession:
    """Stands in for LiveSession: publishes what it is told to, records trainer actions."""

    def __init__(self, hub, session):
        self.hub, self.session, self.injected, self.stopped = hub, session, [], False

    def inject(self, event):
        self.injected.append(event)
        self.hub.publish(self.session, event)

    def stop(self, reason="stopped"):
        self.stopped = True
        self.hub.publish(self.session, ev.SessionEnded(t=9.0, reason=reason))


async def start(**kw):
    hub = Hub()
    service = await Service(hub, tk.Tokens(trainer=TRAINER), port=0, ping_interval=None, **kw).start()
    fakes = {}
    for sid, tok in (("A", TOK_A), ("B", TOK_B)):
        hub.declare(sid, tok)
        fakes[sid] = FakeSession(hub, sid)
        hub.attach(sid, fakes[sid])
        hub.publish(sid, ev.SessionStarted(session=sid, wall_clock=time.time()))
    return hub, service, fakes


def url(service, path="/ws"):
    return f"ws://127.0.0.1:{service.port}{path}"


async def hello(service, role, token, session=None, **kw):
    ws = await connect(url(service), **kw)
    await ws.send(p.encode(p.Hello(role=role, token=token, session=session, client="test")))
    return ws


async def recv(ws, timeout=2.0):
    return p.decode(await asyncio.wait_for(ws.recv(), timeout))


async def until(ws, pred, timeout=2.0):
    """Read messages until one matches; return it."""
    deadline = time.monotonic() + timeout
    while True:
        msg = await recv(ws, max(0.01, deadline - time.monotonic()))
        if pred(msg):
            return msg


async def closed_with(ws):
    """(error code, close code) of a connection the server refuses."""
    err = await recv(ws)
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 2)
    return err.code, ws.close_code


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def nudge(msg, **kw):
    return ev.NudgeIssued(t=kw.pop("t", 5.0), rule=kw.pop("rule", "interruption"), message=msg, **kw)


def test_overlay_handshake_welcome_then_status():
    async def main():
        hub, service, _ = await start()
        ws = await hello(service, "overlay", TOK_B)  # no session: the one its token opens
        welcome = await recv(ws)
        assert isinstance(welcome, p.Welcome) and welcome.role == "overlay"
        assert [s.session for s in welcome.sessions] == ["B"]
        assert welcome.sessions[0].live and welcome.sessions[0].started_wall > 0
        status = await recv(ws)
        assert status == p.Status(session="B", t=0.0, listening=True, trainer_watching=False,
                                  report=f"/reports/B?token={tk.view_token(TRAINER, 'coachee-report:B')}")
        await ws.close()
        await service.close()
    run(main())


def test_a_trainers_status_names_each_focus_rule_in_the_words_its_coachee_reads():
    async def main():
        hub, service, fakes = await start()
        pack = parse_pack('extends = "nl"\n[messages]\ntoo-few-summaries = "Even samenvatten"\n')
        fakes["A"].engine = Engine(pack=pack)   # a trainer's own pack: its words, not the code's
        tr = await hello(service, "trainer", TRAINER)
        st = await until(tr, lambda m: isinstance(m, p.Status) and m.session == "A")
        named = dict(st.focus_rules)
        assert named["too-few-summaries"] == "Even samenvatten" and named["interruption"] == "Laat uitpraten"
        assert named["talk-ratio"] == named["monologue"] == "Luister"
        assert "good-summary" not in named   # praise follows its cue: no focus of its own
        await tr.send(p.encode(p.SetFocus(session="A", rules=("too-few-summaries",))))
        await until(tr, lambda m: isinstance(m, p.SessionEvent) and isinstance(m.event, ev.FocusChanged))
        assert fakes["A"].injected[-1].messages == ("Even samenvatten",)   # the overlay's words: the same
        ov = await hello(service, "overlay", TOK_A, "A")
        await recv(ov)
        assert (await until(ov, lambda m: isinstance(m, p.Status))).focus_rules == ()   # the trainer's only
        await service.close()
    run(main())


def test_overlay_gets_only_its_sessions_delivered_nudges_trainer_gets_all():
    async def main():
        hub, service, _ = await start()
        ov = await hello(service, "overlay", TOK_A, "A")
        tr = await hello(service, "trainer", TRAINER)
        w = await recv(tr)
        assert [s.session for s in w.sessions] == ["A", "B"]
        await recv(ov), await recv(ov)  # welcome, status
        hub.publish("B", nudge("for B"))
        hub.publish("A", nudge("held back", delivered=False))
        hub.publish("A", ev.TranscriptFinal(t=4.0, speaker="partner", t0=1, t1=3, text="hoi"))
        hub.publish("A", nudge("for A"))
        msg = await until(ov, lambda m: isinstance(m, p.SessionEvent))
        assert msg == p.SessionEvent(session="A", event=nudge("for A"))
        gone = ev.NudgeWithdrawn(t=6.0, rule="interruption", evidence_t=4.0, reason="backchannel")
        hub.publish("A", replace(gone, delivered=False))
        hub.publish("A", gone)
        msg = await until(ov, lambda m: isinstance(m, p.SessionEvent))
        assert msg == p.SessionEvent(session="A", event=gone)
        seen = []
        while len(seen) < 6:
            m = await recv(tr)
            # (the sessions' starts come first, as history: see the late-joiner test)
            if isinstance(m, p.SessionEvent) and not isinstance(m.event, ev.SessionStarted):
                seen.append((m.session, ev.type_name(m.event)))
        assert seen == [("B", "nudge-issued"), ("A", "nudge-issued"), ("A", "transcript-final"),
                        ("A", "nudge-issued"), ("A", "nudge-withdrawn"), ("A", "nudge-withdrawn")]
        await ov.close(), await tr.close()
        await service.close()
    run(main())


def test_a_trainer_who_joins_late_catches_up_first_then_goes_live():
    async def main():
        hub, service, _ = await start()
        hub.publish("A", ev.Tick(t=1.0))
        hub.publish("A", ev.TranscriptPartial(t=1.5, speaker="coachee", t0=0, t1=1.5, text="ik"))
        hub.publish("A", ev.TranscriptFinal(t=2.0, speaker="coachee", t0=0, t1=1.8, text="ik vind"))
        hub.publish("A", nudge("earlier"))
        tr = await hello(service, "trainer", TRAINER)
        hub.publish("B", nudge("live"))
        got = []
        while not got or got[-1] != ("B", "nudge-issued"):
            m = await recv(tr)
            if isinstance(m, p.SessionEvent):
                got.append((m.session, ev.type_name(m.event)))
        # history without ticks and partials, in order, before what happens live
        assert got == [("A", "session-started"), ("A", "transcript-final"), ("A", "nudge-issued"),
                       ("B", "session-started"), ("B", "nudge-issued")]
        await tr.close()
        await service.close()
    run(main())


def test_trainers_get_ticks_twice_a_second_and_overlays_none():
    async def main():
        hub, service, _ = await start()
        ov = await hello(service, "overlay", TOK_A, "A")
        tr = await hello(service, "trainer", TRAINER)
        await recv(ov), await recv(ov)  # welcome, status
        for i in range(1, 31):  # 1.5 s of the pipeline's 50 ms ticks
            hub.publish("A", ev.Tick(t=round(i * 0.05, 3)))
        hub.publish("A", nudge("after the ticks", t=1.6))
        ticks = []
        while True:
            m = await recv(tr)
            if isinstance(m, p.SessionEvent) and isinstance(m.event, ev.Tick):
                ticks.append(m.event.t)
            if isinstance(m, p.SessionEvent) and isinstance(m.event, ev.NudgeIssued):
                break
        assert ticks == [0.5, 1.0, 1.5]
        assert (await until(ov, lambda m: isinstance(m, p.SessionEvent))).event.message == "after the ticks"
        await ov.close(), await tr.close()
        await service.close()
    run(main())


def test_a_full_queue_drops_ticks_and_partials_before_what_matters():
    from pullcoach.server import Client

    client = Client(None, "trainer", None, queue_size=3)
    partial = ev.TranscriptPartial(t=1.0, speaker="coachee", t0=0.0, t1=1.0, text="ik")
    client.offer("final 1")
    client.offer(p.encode(p.SessionEvent(session="A", event=partial)), expendable=True)
    client.offer("tick 1.5", expendable=True)
    client.offer("nudge")  # full: the partial goes, not "final 1"
    client.offer("final 2")  # then the tick
    assert [text for text, _ in client.queue] == ["final 1", "nudge", "final 2"]
    client.offer("final 3")  # nothing expendable left: the oldest goes
    assert [text for text, _ in client.queue] == ["nudge", "final 2", "final 3"]
    assert client.dropped == 3


def test_trainer_nudge_reaches_that_coachee_only_and_any_trainer_lights_every_eye():
    async def main():
        hub, service, fakes = await start()
        ov_a = await hello(service, "overlay", TOK_A, "A")
        ov_b = await hello(service, "overlay", TOK_B, "B")
        for ws in (ov_a, ov_b):
            await recv(ws)
            assert not (await recv(ws)).trainer_watching
        tr = await hello(service, "trainer", TRAINER)
        # a dashboard gets every role-play's transcript, whichever card is open: every eye
        for ws in (ov_a, ov_b):
            assert (await until(ws, lambda m: isinstance(m, p.Status))).trainer_watching
        hub.publish("A", ev.Tick(t=12.5))
        await tr.send(p.encode(p.Watch(session="A")))
        await tr.send(p.encode(p.SendNudge(session="A", message="Vat eens samen")))
        await tr.send(p.encode(p.AddBookmark(session="A", note="mooi")))
        got = await until(ov_a, lambda m: isinstance(m, p.SessionEvent))
        assert got.event == ev.NudgeIssued(t=12.5, rule="trainer", kind="trainer",
                                           message="Vat eens samen")
        assert [type(e) for e in fakes["A"].injected] == [ev.NudgeIssued, ev.Bookmarked]
        assert fakes["A"].injected[1].t == 12.5 and fakes["A"].injected[1].by == "trainer"
        with pytest.raises(asyncio.TimeoutError):  # B's overlay gets nothing
            await asyncio.wait_for(ov_b.recv(), 0.3)
        await tr.close()  # trainer gone: nobody watching
        st = await until(ov_a, lambda m: isinstance(m, p.Status))
        assert not st.trainer_watching
        await service.close()
    run(main())


def test_an_empty_trainer_nudge_is_refused_and_a_blank_or_null_bookmark_note_is_no_note():
    async def main():
        hub, service, fakes = await start()
        ov = await hello(service, "overlay", TOK_A, "A")
        tr = await hello(service, "trainer", TRAINER)
        await recv(ov), await recv(ov)
        for blank in ("   ", "\t\n "):
            await tr.send(p.encode(p.SendNudge(session="A", message=blank)))
            err = await until(tr, lambda m: isinstance(m, p.Error))
            assert err.code == "malformed" and "empty" in err.message
        await tr.send(json.dumps({"v": 1, "type": "bookmark", "session": "A", "note": None}))
        await tr.send(p.encode(p.AddBookmark(session="A", note="   ")))
        await tr.send(p.encode(p.SendNudge(session="A", message=" Vat eens samen ")))
        got = await until(ov, lambda m: isinstance(m, p.SessionEvent))
        assert got.event.message == "Vat eens samen"  # the first thing the overlay gets
        assert [(type(e), getattr(e, "note", None)) for e in fakes["A"].injected] == [
            (ev.Bookmarked, ""), (ev.Bookmarked, ""), (ev.NudgeIssued, None)]
        await service.close()
    run(main())


def test_trainer_sets_a_focus_the_session_and_its_overlay_get_it_a_wrong_rule_is_refused():
    async def main():
        hub, service, fakes = await start()
        ov = await hello(service, "overlay", TOK_A, "A")
        tr = await hello(service, "trainer", TRAINER)
        await recv(ov), await recv(ov)
        hub.publish("A", ev.Tick(t=30.0))
        await tr.send(json.dumps({"v": 1, "type": "set-focus", "session": "A", "rules": ["interruptoin"]}))
        err = await until(tr, lambda m: isinstance(m, p.Error))
        assert err.code == "malformed" and "'interruptoin'" in err.message and "too-few-summaries" in err.message
        await tr.send(json.dumps({"v": 1, "type": "set-focus", "session": "A", "rules": "interruption"}))
        err = await until(tr, lambda m: isinstance(m, p.Error))
        assert err.code == "malformed" and "list" in err.message
        await tr.send(p.encode(p.SetFocus(session="A", rules=("too-few-summaries", "interruption"))))
        got = await until(ov, lambda m: isinstance(m, p.SessionEvent))
        assert got.event == ev.FocusChanged(t=30.0, rules=("too-few-summaries", "interruption"), by="trainer")
        await tr.send(p.encode(p.SetFocus(session="A", rules=())))  # every rule again
        got = await until(ov, lambda m: isinstance(m, p.SessionEvent))
        assert got.event.rules == ()
        assert fakes["A"].injected == [ev.FocusChanged(t=30.0, rules=("too-few-summaries", "interruption")),
                                       ev.FocusChanged(t=30.0, rules=())]
        await tr.send(p.encode(p.SetFocus(session="A", rules=("interruption",))))
        late = await hello(service, "overlay", TOK_A, "A")  # an overlay that joins later learns it
        got = await until(late, lambda m: isinstance(m, p.SessionEvent) and isinstance(m.event, ev.FocusChanged))
        assert got.event.rules == ("interruption",)
        await ov.send(p.encode(p.SetFocus(session="A", rules=("interruption",))))
        err = await until(ov, lambda m: isinstance(m, p.Error))
        assert err.code == "bad-token"
        await service.close()
    run(main())


def test_end_session_stops_it_and_overlay_sees_the_end():
    async def main():
        hub, service, fakes = await start()
        ov = await hello(service, "overlay", TOK_A, "A")
        tr = await hello(service, "trainer", TRAINER)
        await recv(ov), await recv(ov)
        await tr.send(p.encode(p.EndSession(session="A")))
        end = await until(ov, lambda m: isinstance(m, p.SessionEvent))
        assert end.event == ev.SessionEnded(t=9.0, reason="trainer") and fakes["A"].stopped
        st = await until(ov, lambda m: isinstance(m, p.Status))
        assert not st.listening
        await tr.send(p.encode(p.SendNudge(session="A", message="te laat")))
        err = await until(tr, lambda m: isinstance(m, p.Error))
        assert err.code == "no-session"
        await service.close()
    run(main())


@pytest.mark.parametrize("role, token, session, code, close", [
    ("overlay", "nope-nope-nope-nope", None, "bad-token", 4401),
    ("overlay", TOK_A, "B", "bad-token", 4401),
    ("trainer", TOK_A, None, "bad-token", 4401),
    ("overlay", TOK_A, "Z", "no-session", 4404),
])
def test_refused_hellos(role, token, session, code, close):
    async def main():
        hub, service, _ = await start()
        ws = await hello(service, role, token, session)
        assert await closed_with(ws) == (code, close)
        await service.close()
    run(main())


@pytest.mark.parametrize("first, code, close", [
    ("{not json", "malformed", 4400),
    ('{"v":1,"type":"watch","session":"A"}', "malformed", 4400),  # not hello
    ('{"v":1,"type":"dance"}', "unknown-type", 4400),
    ('{"v":2,"type":"hello","role":"overlay","token":"x"}', "bad-version", 4426),
])
def test_bad_first_message(first, code, close):
    async def main():
        hub, service, _ = await start()
        ws = await connect(url(service))
        await ws.send(first)
        assert await closed_with(ws) == (code, close)
        await service.close()
    run(main())


def test_foreign_origin_and_wrong_host_get_4403():
    async def main():
        hub, service, _ = await start()
        ws = await connect(url(service), origin="http://evil.example")
        assert await closed_with(ws) == ("bad-origin", 4403)
        ws = await connect(f"ws://evil.example:{service.port}/ws", host="127.0.0.1")
        assert await closed_with(ws) == ("bad-origin", 4403)
        ok = await connect(url(service), origin=f"http://localhost:{service.port}")
        await ok.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
        assert isinstance(await recv(ok), p.Welcome)
        await service.close()
    run(main())


def test_after_handshake_bad_messages_get_errors_and_the_connection_stays():
    async def main():
        hub, service, _ = await start()
        ov = await hello(service, "overlay", TOK_A, "A")
        await recv(ov), await recv(ov)
        for text, code in (("{oops", "malformed"), ('{"v":1,"type":"dance"}', "unknown-type"),
                           ('{"v":7,"type":"watch"}', "bad-version"),
                           (p.encode(p.SendNudge(session="A", message="hack")), "bad-token")):
            await ov.send(text)
            err = await recv(ov)
            assert isinstance(err, p.Error) and err.code == code
        hub.publish("A", nudge("still here"))
        assert (await recv(ov)).event.message == "still here"
        await service.close()
    run(main())


def test_ten_megabyte_message_closes_1009_and_others_keep_being_served():
    async def main():
        hub, service, _ = await start()
        other = await hello(service, "overlay", TOK_A, "A")
        await recv(other), await recv(other)
        big = await hello(service, "overlay", TOK_A, "A", max_size=None)
        await recv(big), await recv(big)
        with pytest.raises(ConnectionClosed):
            await big.send("x" * 10_000_000)
            await asyncio.wait_for(big.recv(), 5)
        assert big.close_code == 1009
        hub.publish("A", nudge("after the flood"))
        assert (await recv(other)).event.message == "after the flood"
        await service.close()
    run(main())


def test_a_client_that_stops_reading_does_not_delay_the_others():
    async def main():
        hub, service, _ = await start(queue_size=64, stall_timeout=1.0)
        tr = await hello(service, "trainer", TRAINER)
        await until(tr, lambda m: isinstance(m, p.Status) and m.session == "B")
        # a stalled client: its transport stops reading from the socket
        healthy = set(service.trainers)
        stuck = await hello(service, "trainer", TRAINER, max_queue=1)
        await recv(stuck)
        stuck.transport.pause_reading()
        (stuck_client,) = service.trainers - healthy
        payload = "x" * 40_000
        for i in range(400):  # 16 MB: far more than the socket buffers hold
            hub.publish("A", nudge(payload, t=float(i)))
            if i % 4 == 0:
                await asyncio.sleep(0)
        assert stuck_client.sending_since is not None  # blocked in a send
        assert stuck_client.dropped > 0  # and its queue overflowed: oldest dropped
        t0 = time.monotonic()
        hub.publish("A", nudge("last", t=9999.0))
        last = await until(tr, lambda m: isinstance(m, p.SessionEvent)
                           and isinstance(m.event, ev.NudgeIssued) and m.event.message == "last", 5)
        assert last.event.t == 9999.0 and time.monotonic() - t0 < 1.0
        await asyncio.sleep(2.5)  # the watchdog closes the stalled one
        assert service.counters["closed_slow"] == 1
        stuck.transport.abort()
        await asyncio.sleep(0.1)
        assert len(service.trainers) == 1
        await service.close()
    run(main())


def test_no_page_may_be_framed_by_another_site():
    async def main():
        hub, service, _ = await start()
        base = f"http://127.0.0.1:{service.port}"
        for path in ("/trainer", "/", "/reports/A", "/debrief"):
            try:
                r = await asyncio.to_thread(urllib.request.urlopen, base + path, timeout=5)
            except urllib.error.HTTPError as e:
                r = e
            assert r.headers["X-Frame-Options"] == "DENY", path
            assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path
        await service.close()
    run(main())


def test_healthz_and_http_routes():
    async def main():
        hub, service, _ = await start()
        base = f"http://127.0.0.1:{service.port}"

        def get(path, headers=None):
            req = urllib.request.Request(base + path, headers=headers or {})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()

        status, body = await asyncio.to_thread(get, "/healthz")
        assert status == 200 and json.loads(body)["ok"] is True and json.loads(body)["sessions"] == 2
        status, _ = await asyncio.to_thread(get, "/healthz", {"Host": "evil.example"})
        assert status == 403
        status, _ = await asyncio.to_thread(get, "/static/../../etc/passwd")
        assert status == 404
        status, body = await asyncio.to_thread(get, "/reports/A")
        assert status == 401 and b"trainer token" in body
        # a Dutch browser is told in Dutch where the link comes from
        status, body = await asyncio.to_thread(get, "/reports/A", {"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})
        assert status == 401 and "vanaf de trainerpagina" in body.decode()
        status, body = await asyncio.to_thread(get, "/reports/A?token=" + TRAINER)
        assert status == 404 and b"store" in body
        # a coachee's overlay token opens its own session's report, not another's
        status, body = await asyncio.to_thread(get, "/reports/A?token=" + TOK_A)
        assert status == 404 and b"store" in body
        status, _ = await asyncio.to_thread(get, "/reports/B?token=" + TOK_A)
        assert status == 401
        # a link's view token opens its own report only
        view_a = tk.view_token(TRAINER, "report:A")
        status, body = await asyncio.to_thread(get, "/reports/A?token=" + view_a)
        assert status == 404 and b"store" in body
        status, _ = await asyncio.to_thread(get, "/reports/B?token=" + view_a)
        assert status == 401
        status, _ = await asyncio.to_thread(get, "/nothing")
        assert status == 404
        await service.close()
    run(main())


def test_a_long_running_service_forgets_the_oldest_ended_sessions():
    async def main():
        hub, service, _ = await start()
        hub.keep_ended = 2
        for i in range(5):  # five more sessions come and go
            sid = f"S{i}"
            hub.declare(sid, f"overlay-token-{i:010d}")
            hub.publish(sid, ev.SessionStarted(session=sid, wall_clock=time.time()))
            hub.publish(sid, nudge(f"nudge {i}"))
            hub.publish(sid, ev.SessionEnded(t=9.0, reason="ended"))
        assert sorted(hub.sessions) == ["A", "B", "S3", "S4"]  # live ones stay
        assert sorted(service.history) == ["A", "B", "S3", "S4"]
        tr = await hello(service, "trainer", TRAINER)
        welcome = await until(tr, lambda m: isinstance(m, p.Welcome))
        assert [s.session for s in welcome.sessions] == ["A", "B", "S3", "S4"]
        await tr.close()
        await service.close()
    run(main())


def test_a_trainer_whose_connection_was_reset_is_not_written_to_again(caplog):
    """A browser tab closed mid-role-play (TCP reset): the events published before the
    server hears of it are not written on and on (asyncio logged one warning per write)."""
    import base64
    import os
    import socket
    import struct

    from websockets.frames import Frame, Opcode

    def handshake(port: int) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 101")
        hello = p.encode(p.Hello(role="trainer", token=TRAINER, client="test"))
        sock.sendall(Frame(Opcode.TEXT, hello.encode()).serialize(mask=True))
        return sock

    async def main():
        hub, service, fakes = await start()
        sock = await asyncio.to_thread(handshake, service.port)
        while not service.trainers:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # welcome and history written
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # RST now: the server's socket has it, its loop not yet
        for i in range(40):  # one busy burst of the pipeline
            hub.publish("A", nudge(f"n{i}", t=1.0 + i))
        await asyncio.sleep(0.2)
        await service.close()

    with caplog.at_level("WARNING"):
        run(main())
    assert "socket.send() raised exception" not in caplog.text
