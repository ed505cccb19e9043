"""Remote capture end to end (capture.stream -> /ingest -> a session), tokens, run wiring."""

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import stat
import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest
from websockets.asyncio.client import connect

from pullcoach import capture, ingest, tokens as tk
from pullcoach import protocol as p
from pullcoach.errors import ConfigError, ProtocolError
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"


class CountingSession:
    """A LiveSession stand-in: reads the source to the end, reports what it got."""

    def __init__(self, hub, source, session_id):
        self.hub, self.source, self.id = hub, source, session_id
        self.samples = {"coachee": 0, "partner": 0}
        self.starts = []

    def stop(self, reason="stopped"):
        self.source.close()

    def inject(self, event):
        self.hub.publish(self.id, event)

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
        async for block in self.source.blocks():
            self.samples[block.speaker] += len(block.samples)
            self.starts.append((block.speaker, block.start))
        self.hub.publish(self.id, ev.SessionEnded(t=self.samples["coachee"] / 16000))


class ListSource:
    def __init__(self, blocks):
        self._blocks, self.closed = blocks, False

    async def blocks(self):
        for b in self._blocks:
            if self.closed:
                return
            yield b

    def close(self):
        self.closed = True


def test_frame_format_round_trips():
    x = np.linspace(-1, 1, 1600, dtype=np.float32)
    block = ingest.unpack_block(ingest.pack_block("partner", 48000, x))
    assert block.speaker == "partner" and block.start == 48000
    assert np.abs(block.samples - x).max() < 1e-4
    for bad in (b"", b"\x00" * 8, b"\x05" + b"\x00" * 10, b"\x00" * 10):
        with pytest.raises(ProtocolError):
            ingest.unpack_block(bad)


def test_capture_streams_a_session_to_the_server():
    async def main():
        hub = Hub()
        made = {}

        def factory(source, *, session_id, lang, coachee, partner):
            made["session"] = CountingSession(hub, source, session_id)
            made["meta"] = (lang, coachee, partner)
            return made["session"]

        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None, session_factory=factory).start()
        blocks = [ingest.AudioBlock(speaker=s, start=i * 800, samples=np.zeros(800, np.float32))
                  for i in range(20) for s in ("coachee", "partner")]
        welcomes = []
        sid = await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, ListSource(blocks),
                                   lang="en", coachee="Anna", partner="Bram", on_welcome=welcomes.append)
        sess = made["session"]
        assert sid == sess.id and made["meta"] == ("en", "Anna", "Bram")
        assert sess.samples == {"coachee": 16000, "partner": 16000}
        assert hub.sessions[sid].ended
        # the welcome's overlay token opens exactly that session
        assert tk.same(welcomes[0].token, hub.sessions[sid].token)
        # ... and its report link opens the coachee's report of that session only
        view = tk.view_token(TRAINER, f"coachee-report:{sid}")
        assert welcomes[0].report == f"/reports/{sid}?token={view}" and TRAINER not in welcomes[0].report
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def refused_start(error: Exception) -> tuple[str, Hub]:
    """What a capture is told (and the hub left) when the server's session factory raises
    ``error`` for its hello."""
    hub = Hub()

    def factory(source, **kw):
        raise error

    async def main():
        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None, session_factory=factory).start()
        blocks = [ingest.AudioBlock(speaker="coachee", start=0, samples=np.zeros(800, np.float32))]
        try:
            with pytest.raises(ProtocolError) as err:
                await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, ListSource(blocks),
                                     lang="nl", coachee="Anna", partner="Bram")
        finally:
            await service.close()
        return str(err.value)
    return asyncio.run(asyncio.wait_for(main(), 30)), hub


def test_a_session_the_server_cannot_start_is_refused_with_its_reason_and_the_server_goes_on():
    from pullcoach.rules.pack import PackError
    # a trainer's rule pack that does not load
    said, hub = refused_start(PackError("nl.toml: unknown phrase lists ['discord']"))
    assert "could not start a session (nl.toml: unknown phrase lists ['discord'])" in said
    assert hub.sessions == {}  # no card for a session that never started


def test_a_capture_in_a_language_the_server_cannot_coach_is_told_which_without_a_traceback(caplog):
    """`serve --rules en.toml` and a `capture --lang nl`: the capture read "this server takes
    no captures (it is a `run`, not a `serve`?)" and serve logged a traceback."""
    import logging
    with caplog.at_level(logging.WARNING):
        said, _ = refused_start(ConfigError("this server coaches in 'en' only (its --rules pack en.toml "
                                            "is 'en'): start capture with --lang en"))
    assert "start capture with --lang en" in said and "not a `serve`" not in said
    assert not [r for r in caplog.records if r.exc_info]


def test_a_capture_of_a_calls_output_asks_for_no_near_gate_on_the_partner():
    async def main():
        hub, made = Hub(), []

        def factory(source, *, session_id, lang, coachee, partner, **kw):
            made.append(kw)
            return CountingSession(hub, source, session_id)

        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None, session_factory=factory).start()
        blocks = [ingest.AudioBlock(speaker="coachee", start=0, samples=np.zeros(800, np.float32))]
        for loopback in (True, False, None):
            src = ListSource(blocks)
            if loopback is not None:
                src.partner_loopback = loopback
            await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, src)
        assert made == [{"partner_loopback": True}, {}, {}]
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_capture_with_a_wrong_token_is_refused():
    async def main():
        hub = Hub()
        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None, session_factory=lambda *a, **k: None).start()
        with pytest.raises(ProtocolError, match="bad-token"):
            await capture.stream(f"ws://127.0.0.1:{service.port}/ws", "wrong-token-123456",
                                 ListSource([]))
        assert not hub.sessions
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_capture_reaching_the_server_by_an_address_it_was_not_given_says_which_to_allow():
    """A training day without --allow-host: the pair's capture names the flag and the address."""
    async def main():
        service = await Service(Hub(), tk.Tokens(trainer=TRAINER, session=INGEST), host="0.0.0.0",
                                port=0, ping_interval=None, session_factory=lambda *a, **k: None).start()
        # 127.0.0.2 reaches a 0.0.0.0 server like a LAN address would: not a name it accepts
        with pytest.raises(ProtocolError, match="with --allow-host 127.0.0.2$"):
            await capture.stream(f"ws://127.0.0.2:{service.port}", INGEST, ListSource([]))
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_port_in_use_says_what_to_do(tmp_path, monkeypatch):
    """A second `run`, `demo` or `serve` on the same port: a line that says what to do."""
    from pullcoach.runtime import Runtime
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    args = argparse.Namespace(host="127.0.0.1", port=0, allow_host=[], data_dir=str(tmp_path / "d"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        args.port = busy.getsockname()[1]
        rt = Runtime(args, {})
        with pytest.raises(ConfigError, match=rf"port {args.port} on 127.0.0.1 is in use .* add --port N"):
            asyncio.run(rt._start())
        rt.store.close()


@pytest.mark.parametrize("host,port,says", [
    ("127.0.0.1", 99999, r"--port 99999: a port is 1-65535"),
    ("8.8.8.8", 0, r"--host 8.8.8.8: cannot listen there .* 0.0.0.0 for all"),
    ("nosuchhost.invalid", 0, r"--host nosuchhost.invalid: cannot listen there")])
def test_a_bad_port_or_host_says_what_to_give(tmp_path, monkeypatch, host, port, says):
    """They gave OverflowError, OSError and gaierror tracebacks (after the model had loaded)."""
    from pullcoach.runtime import Runtime
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    args = argparse.Namespace(host=host, port=port, allow_host=[], data_dir=str(tmp_path / "d"))
    rt = Runtime(args, {"PULLCOACH_TRAINER_TOKEN": "trainer-token-0123456789abcdef",
                        "PULLCOACH_TOKEN": "overlay-token-0123456789abcdef"})
    with pytest.raises(ConfigError, match=says):
        asyncio.run(rt._start())
    rt.store.close()


def test_when_the_overlay_window_closes_mid_session_the_nudges_are_printed_instead(tmp_path, monkeypatch, capsys):
    """Its × ended the coaching for the rest of the call, without a word."""
    import subprocess

    from pullcoach.runtime import Runtime
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    rt = Runtime(argparse.Namespace(host="127.0.0.1", port=0, allow_host=[], data_dir=None), {})
    window = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])  # the × at 0.3 s

    async def main():
        await rt._watch_overlay(window, "http://127.0.0.1:1/?session=s#token=t", printing=False, every=0.05)
        rt.hub.declare("s", "t")
        rt.hub.publish("s", ev.NudgeIssued(t=65.0, rule="interruption", message="Laat uitpraten"))
    asyncio.run(asyncio.wait_for(main(), 10))
    out = capsys.readouterr()
    assert "the overlay was closed: the nudges are printed here from now on" in out.err
    assert "http://127.0.0.1:1/?session=s#token=t" in out.err
    assert "[01:05.0] ! Laat uitpraten  (interruption)" in out.out


def test_the_terminal_shows_what_the_overlay_would_and_counts_the_rest_at_the_end(capsys):
    """It printed every held nudge live ('kept for the report, not shown live'): a coachee
    reading the terminal saw what the trainer's focus and the 20 s budget held back."""
    from pullcoach.runtime import NudgePrinter
    printer = NudgePrinter()
    for e in (ev.NudgeIssued(t=5.0, rule="too-few-summaries", message="Vat samen"),
              ev.NudgeIssued(t=9.0, rule="push-words", message="Moeten?", delivered=False,
                             detail={"held": "focus"}),
              ev.NudgeIssued(t=12.0, rule="righting-reflex", message="Eerst vragen", delivered=False,
                             detail={"held": "focus"}),
              ev.NudgeIssued(t=14.0, rule="too-few-summaries", message="Vat samen", delivered=False,
                             detail={"held": "budget"}),
              ev.SessionEnded(t=20.0)):
        printer("s", e)
    out = capsys.readouterr().out
    assert "[00:05.0] ! Vat samen  (too-few-summaries)" in out
    assert "Moeten?" not in out and "Eerst vragen" not in out
    assert "3 more nudges are in the report only (2 outside the trainer's focus, 1 just after another nudge)" in out


def test_one_nudge_held_back_is_said_in_the_singular(capsys):
    from pullcoach.runtime import NudgePrinter
    printer = NudgePrinter()
    printer("s", ev.NudgeIssued(t=9.0, rule="push-words", message="Moeten?", delivered=False,
                                detail={"held": "budget"}))
    printer("s", ev.SessionEnded(t=20.0))
    assert "1 more nudge is in the report only (1 just after another nudge)" in capsys.readouterr().out


@pytest.mark.parametrize("text,says", [
    ("[phrases\n", "is not valid TOML"),
    ('extends = "nl"\nfoo = 1\n', "unknown key 'foo'")])
def test_serve_with_a_broken_rule_pack_refuses_to_start_before_the_model(tmp_path, monkeypatch, capsys,
                                                                          text, says):
    """It started, printed the capture line, then refused every capture with no-session."""
    from pullcoach.cli import main
    from pullcoach.runtime import Runtime
    started = []

    async def serve_forever(self):
        started.append(self)
        return 0

    monkeypatch.setattr(Runtime, "serve_forever", serve_forever)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    bad = tmp_path / "broken.toml"
    bad.write_text(text)
    assert main(["serve", "--rules", str(bad), "--data-dir", str(tmp_path / "d"), "--port", "0"]) == 2
    assert started == [] and says in capsys.readouterr().err
    good = tmp_path / "ok.toml"
    good.write_text('extends = "nl"\n')
    assert main(["serve", "--rules", str(good), "--data-dir", str(tmp_path / "d"), "--port", "0"]) == 0
    assert len(started) == 1


def test_the_lan_address_suggested_for_allow_host_is_not_loopback():
    from pullcoach.runtime import lan_address
    ip = lan_address()  # None on a machine with no network route
    assert ip is None or (all(p.isdigit() for p in ip.split(".")) and not ip.startswith("127."))


def test_ingest_url_and_bad_server():
    assert capture.ingest_url("ws://h:1/ws") == "ws://h:1/ingest"
    assert capture.ingest_url("wss://h/") == "wss://h/ingest"
    with pytest.raises(ConfigError):
        capture.ingest_url("http://h:1")


def test_websocket_source_drops_late_and_overflowing_blocks():
    async def main():
        src = ingest.WebSocketSource(max_blocks=2)
        z = np.zeros(10, np.float32)
        src.feed(ingest.AudioBlock("coachee", 0, z))
        src.feed(ingest.AudioBlock("coachee", 5, z))  # overlaps: late
        src.feed(ingest.AudioBlock("partner", 0, z))
        src.feed(ingest.AudioBlock("partner", 10, z))  # queue full
        src.close()
        got = [(b.speaker, b.start) async for b in src.blocks()]
        return got, src.stats()
    got, stats = asyncio.run(main())
    assert stats["late"] == 1 and stats["overflow"] == 1
    assert got == [("coachee", 0), ("partner", 0)]  # what was queued is still delivered


def test_tokens_env_beats_saved_and_file_is_private(tmp_path):
    t = tk.from_env({"PULLCOACH_TRAINER_TOKEN": "t" * 16}, {"trainer": "s" * 16})
    assert t.trainer == "t" * 16 and not t.explicit
    assert tk.from_env({}, {"trainer": "s" * 16}).trainer == "s" * 16
    assert tk.from_env({"PULLCOACH_TRAINER_TOKEN": "a" * 12, "PULLCOACH_TOKEN": "b" * 12}).explicit
    with pytest.raises(ConfigError):
        tk.from_env({"PULLCOACH_TOKEN": "short"})
    path = tk.save(tmp_path / "cfg", {"trainer": "x" * 16})
    # capture clients get a token of their own, kept across restarts, never the trainer's
    t = tk.from_env({}, {"trainer": "s" * 16})
    assert t.ingest != t.trainer and len(t.ingest) >= 12
    assert tk.from_env({}, {"trainer": "s" * 16, "capture": t.ingest}).ingest == t.ingest
    assert tk.from_env({}, {"trainer": "s" * 16, "capture": "s" * 16}).ingest != "s" * 16
    assert tk.from_env({"PULLCOACH_TOKEN": "b" * 12}).ingest == "b" * 12
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tk.load(tmp_path / "cfg") == {"trainer": "x" * 16}
    assert not tk.same("x" * 16, "") and not tk.same(None, "abc") and tk.same("é" * 3, "é" * 3)


def test_serve_refuses_a_public_bind_without_tokens(tmp_path, monkeypatch):
    from pullcoach.cli import main
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("PULLCOACH_TOKEN", raising=False)
    monkeypatch.delenv("PULLCOACH_TRAINER_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == ConfigError.exit_code


def test_serve_public_bind_says_saved_tokens_are_not_enough(tmp_path, monkeypatch, capsys):
    """Tokens saved by an earlier run do not open a public bind: the refusal says to export
    both in this shell (it used to say "with generated tokens", though they were saved)."""
    from pullcoach.cli import main
    from pullcoach.paths import config_dir
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("PULLCOACH_TOKEN", raising=False)
    monkeypatch.delenv("PULLCOACH_TRAINER_TOKEN", raising=False)
    tk.save(config_dir(), {"trainer": "t" * 16, "capture": "c" * 16})
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == ConfigError.exit_code
    err = capsys.readouterr().err
    assert "PULLCOACH_TRAINER_TOKEN and PULLCOACH_TOKEN set in this shell" in err
    assert "saved tokens count on 127.0.0.1 only" in err


@pytest.mark.model
def test_run_replay_serves_clients_and_ends_cleanly(tmp_path, excerpt):
    """`pullcoach run --replay` for real: a trainer sees speech, its nudge comes back through
    the LiveSession, Ctrl-C ends the session (session-ended reaches the client), exit 0."""
    wav = excerpt(tmp_path / "two.wav", 20.0)
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PULLCOACH_TRAINER_TOKEN=TRAINER)
    env.pop("DISPLAY", None)

    async def main():
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pullcoach", "run", "--replay", str(wav), "--port", "0",
            "--data-dir", str(tmp_path / "data"), "--no-overlay", env=env,
            stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        port = None
        while port is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 120)).decode()
            assert line, "run exited early"
            if line.startswith("pullcoach on http://"):
                port = int(line.split()[2].rsplit(":", 1)[1])
        saved = json.loads((tmp_path / "cfg" / "pullcoach" / "tokens.json").read_text())
        assert saved["trainer"] == TRAINER and saved["port"] == port
        ws = await connect(f"ws://127.0.0.1:{port}/ws")
        await ws.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
        seen = []
        sid = None
        async for raw in ws:
            msg = p.decode(raw)
            if not isinstance(msg, p.SessionEvent):
                continue
            seen.append(ev.type_name(msg.event))
            sid = msg.session
            if isinstance(msg.event, ev.SpeechStarted) and "nudge-issued" not in seen:
                await ws.send(p.encode(p.SendNudge(session=sid, message="Vat eens samen")))
            if isinstance(msg.event, ev.NudgeIssued) and msg.event.kind == "trainer":
                proc.send_signal(signal.SIGINT)  # Ctrl-C
            if isinstance(msg.event, ev.SessionEnded):
                break
        out = (await asyncio.wait_for(proc.stdout.read(), 30)).decode()
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        # no overlay: the nudges are printed where the coachee started it
        assert "T Vat eens samen  (trainer)" in out and "session ended (stopped)" in out
        return seen
    seen = asyncio.run(asyncio.wait_for(main(), 180))
    assert seen[0] == "session-started" and "speech-started" in seen
    assert "nudge-issued" in seen and seen[-1] == "session-ended"


def _capture_service(hub, made, session_cls=None):
    def factory(source, *, session_id, lang, coachee, partner):
        made.setdefault("sessions", []).append((session_cls or CountingSession)(hub, source, session_id))
        return made["sessions"][-1]
    return Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0, ping_interval=None,
                   session_factory=factory)


class DroppingSource(ListSource):
    """Live-like: a block every few ms; the network drops (server side aborts) at ``drop_at``."""

    def __init__(self, blocks, service, drop_at):
        super().__init__(blocks)
        self.service, self.drop_at = service, drop_at

    async def blocks(self):
        for i, b in enumerate(self._blocks):
            if i == self.drop_at:
                for conn in list(self.service._server.connections):
                    conn.transport.abort()  # no close frame: a dropped network
            await asyncio.sleep(0.002)
            yield b


def test_a_dropped_capture_reconnects_and_the_session_loses_no_audio():
    async def main():
        hub, made = Hub(), {}
        service = await _capture_service(hub, made).start()
        blocks = [ingest.AudioBlock(speaker=s, start=i * 800, samples=np.full(800, 0.1, np.float32))
                  for i in range(60) for s in ("coachee", "partner")]
        sid = await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST,
                                   DroppingSource(blocks, service, drop_at=50))
        assert len(made["sessions"]) == 1  # resumed, not a second session
        sess = made["sessions"][0]
        assert sid == sess.id and hub.sessions[sid].ended
        # every block exactly once and in order: resent ones were ignored, none went missing
        assert sess.samples == {"coachee": 48000, "partner": 48000}
        for speaker in ("coachee", "partner"):
            starts = [s for sp, s in sess.starts if sp == speaker]
            assert starts == [i * 800 for i in range(60)]
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


class SlowSource(ListSource):
    async def blocks(self):
        for b in self._blocks:
            if self.closed:
                return
            await asyncio.sleep(0.01)
            yield b


def test_a_capture_whose_server_is_stopped_returns_the_session_without_a_traceback(caplog):
    async def main():
        hub, made = Hub(), {}
        service = await _capture_service(hub, made).start()
        blocks = [ingest.AudioBlock(speaker="coachee", start=i * 800, samples=np.zeros(800, np.float32))
                  for i in range(500)]
        task = asyncio.create_task(capture.stream(f"ws://127.0.0.1:{service.port}", INGEST,
                                                  SlowSource(blocks)))
        while not made.get("sessions"):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        await service.close()  # Ctrl-C on `pullcoach serve`: it ends its sessions
        sid = await asyncio.wait_for(task, 10)
        assert sid == made["sessions"][0].id
    asyncio.run(asyncio.wait_for(main(), 30))
    assert "the server stopped and ended session" in caplog.text


def test_a_capture_whose_session_the_trainer_ends_stops_and_says_so(caplog):
    async def main():
        hub, made = Hub(), {}
        service = await _capture_service(hub, made).start()
        task, sid, trainer, source = await _trainer_ends(service, made)
        assert await asyncio.wait_for(task, 3) == sid  # the capture stops, long before its audio
        assert source.closed and hub.sessions[sid].ended
        await trainer.close()
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))
    assert "the trainer ended session" in caplog.text
    assert "the server stopped" not in caplog.text


async def _trainer_ends(service, made):
    """A capture streaming 25 s of audio in 5 s, and a trainer who ends its session 0.3 s in:
    the capture's task, the session id, the trainer's connection and the capture's source."""
    blocks = [ingest.AudioBlock(speaker="coachee", start=i * 800, samples=np.zeros(800, np.float32))
              for i in range(500)]
    source = SlowSource(blocks)
    task = asyncio.create_task(capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, source))
    while not made.get("sessions"):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    trainer = await connect(f"ws://127.0.0.1:{service.port}/ws")
    await trainer.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
    sid = made["sessions"][0].id
    await trainer.send(p.encode(p.EndSession(session=sid)))  # "Sessie beëindigen"
    return task, sid, trainer, source


class DrainingSession(CountingSession):
    """A session whose transcription is behind: it ends 4 s after it was told to stop."""

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
        async for block in self.source.blocks():
            self.samples[block.speaker] += len(block.samples)
        await asyncio.sleep(4.0)  # the ASR backlog
        self.hub.publish(self.id, ev.SessionEnded(t=self.samples["coachee"] / 16000))


def test_the_trainer_s_end_stops_the_capture_at_once_while_the_server_catches_up(caplog):
    # a loaded laptop: the pair's capture streamed on for minutes after "Sessie beëindigen"
    async def main():
        hub, made = Hub(), {}
        service = await _capture_service(hub, made, DrainingSession).start()
        task, sid, trainer, _ = await _trainer_ends(service, made)
        assert await asyncio.wait_for(task, 2) == sid  # not after the 4 s catching up
        assert not hub.sessions[sid].ended  # the server still finishes it ...
        for _ in range(100):
            if hub.sessions[sid].ended:
                break
            await asyncio.sleep(0.1)
        assert hub.sessions[sid].ended  # ... and ends it as the trainer's
        assert sid not in service.ingests
        await trainer.close()
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))
    assert "the trainer ended session" in caplog.text
    assert "dropped" not in caplog.text  # not taken for a capture that went away


def test_a_capture_that_never_comes_back_ends_its_session_after_the_grace():
    async def main():
        hub, made = Hub(), {}
        service = await _capture_service(hub, made).start()
        service.resume_grace_s = 0.3
        ws = await connect(f"ws://127.0.0.1:{service.port}/ingest")
        await ws.send(p.encode(p.Hello(role="capture", token=INGEST)))
        welcome = p.decode(await ws.recv())
        sid = welcome.sessions[0].session
        await ws.send(ingest.pack_block("coachee", 0, np.zeros(1600, np.float32)))
        await asyncio.sleep(0.1)
        ws.transport.abort()
        await asyncio.sleep(0.15)
        assert not hub.sessions[sid].ended  # still waiting for the capture
        await asyncio.sleep(0.5)
        assert hub.sessions[sid].ended and made["sessions"][0].samples["coachee"] == 1600
        # too late to resume: a clear refusal
        with pytest.raises(ProtocolError, match="no-session"):
            async with connect(f"ws://127.0.0.1:{service.port}/ingest") as late:
                await late.send(p.encode(p.Hello(role="capture", token=INGEST, session=sid,
                                                 resume=welcome.resume)))
                reply = p.decode(await late.recv())
                raise ProtocolError(reply.code)
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_low_open_file_limit_is_lifted_and_loop_errors_do_not_flood_the_log(caplog):
    """With `ulimit -n 256` (macOS's default) 400 clients left serve unable to accept, and
    asyncio logged the same error with its traceback 100 times a second."""
    import resource

    from pullcoach.runtime import quiet_repeats, raise_fd_limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        raise_fd_limit()
        now = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        assert now == (8192 if hard == resource.RLIM_INFINITY else min(8192, hard))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    loop = asyncio.new_event_loop()
    try:
        quiet_repeats(loop, every_s=0.2)
        with caplog.at_level("ERROR"):
            for _ in range(100):
                loop.call_exception_handler({"message": "socket.accept() out of system resource"})
            time.sleep(0.25)
            loop.call_exception_handler({"message": "socket.accept() out of system resource"})
    finally:
        loop.close()
    said = [r.getMessage() for r in caplog.records]
    assert said == ["socket.accept() out of system resource",
                    "socket.accept() out of system resource (and 99 more like it in the last 0 s)"]


def test_a_server_with_a_rule_pack_says_which_language_a_capture_must_use(tmp_path, monkeypatch):
    """`serve --rules team.toml` (Dutch) refused an English capture with the pack loader's
    'drop one' — about flags the capture's user does not have."""
    from pullcoach.runtime import Runtime
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    pack = tmp_path / "team.toml"
    pack.write_text('extends = "nl"\n', encoding="utf-8")
    args = argparse.Namespace(host="127.0.0.1", port=0, allow_host=[], data_dir=str(tmp_path / "d"),
                              rules=str(pack), lang="nl")
    rt = Runtime(args, {})
    with pytest.raises(ConfigError, match="coaches in 'nl' only .* start capture with --lang nl"):
        rt._make_session(None, session_id="s-en", lang="en")


def test_serve_tries_a_report_again_once_the_disk_has_room(tmp_path, monkeypatch, caplog):
    """A session that ended while the disk was full got no report until someone ran
    `pullcoach report`; serve now tries again (run, which ends, does not wait)."""
    from pullcoach import report as report_mod
    from pullcoach import runtime
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(runtime, "REPORT_RETRY_S", 0.01)
    calls = []

    def write(store, session):
        calls.append(session)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database or disk is full")
        return tmp_path / "r.html"

    monkeypatch.setattr(report_mod, "write_session_report", write)
    args = argparse.Namespace(host="127.0.0.1", port=0, allow_host=[], data_dir=str(tmp_path / "d"))
    rt = runtime.Runtime(args, {})
    rt.store = SimpleNamespace(flush=lambda: None)
    assert asyncio.run(rt._write_report("s1")) is None and calls == ["s1"]  # run: no retry
    calls.clear()
    rt.report_retries = 5
    with caplog.at_level("WARNING"):
        assert asyncio.run(rt._write_report("s1")) == tmp_path / "r.html" and len(calls) == 3
    assert sum("waits for disk space" in r.getMessage() for r in caplog.records) == 1


class _Devices:
    """A live source as capture_line sees it: described devices and their stats."""

    def __init__(self, **speakers):
        self.speakers = speakers

    def describe(self):
        return []

    def stats(self):
        return {"speakers": {name: {"samples": 16000 * secs, "dropped": 0, "overflows": 0, **kw}
                             for name, (secs, kw) in self.speakers.items()}}


def test_the_capture_line_gives_a_clock_rate_only_once_it_was_learnt():
    from pullcoach.runtime import capture_line
    short = _Devices(coachee=(11, {"drift_ppm": -0.0, "drift_known": False}),
                     partner=(11, {"drift_ppm": 0.0, "drift_known": False}))
    assert capture_line(short) == ("captured: coachee 11.0 s, 0 dropped, 0 overflows, clock not learnt "
                                   "(it needs about a minute of steady audio); partner 11.0 s, 0 dropped, 0 overflows, "
                                   "clock not learnt (it needs about a minute of steady audio)")
    learnt = _Devices(coachee=(90, {"drift_ppm": -0.3, "drift_known": True}),
                      partner=(90, {"drift_ppm": 148.6, "drift_known": True}))
    assert capture_line(learnt) == ("captured: coachee 90.0 s, 0 dropped, 0 overflows, clock +0 ppm; "
                                    "partner 90.0 s, 0 dropped, 0 overflows, clock +149 ppm")


def test_the_overlay_run_opens_gets_the_sessions_token_in_its_own_variable(tmp_path, monkeypatch):
    """A stale PULLCOACH_OVERLAY_TOKEN in the shell (it wins over PULLCOACH_TOKEN in
    `pullcoach overlay`) must not shadow the token of the session `run` just started."""
    import subprocess

    from pullcoach.runtime import Runtime
    monkeypatch.setenv("PULLCOACH_OVERLAY_TOKEN", "stale-token")
    seen = {}
    monkeypatch.setattr(subprocess, "Popen", lambda argv, env, **kw: seen.update(env=env) or "proc")
    rt = Runtime(argparse.Namespace(host="127.0.0.1", port=0, allow_host=[], data_dir=None,
                                    no_overlay=False), {"DISPLAY": ":9"})
    rt.service = argparse.Namespace(port=8765)
    assert rt._start_overlay("s", "session-token") == "proc"
    assert seen["env"]["PULLCOACH_OVERLAY_TOKEN"] == "session-token"
