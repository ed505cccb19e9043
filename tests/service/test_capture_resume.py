"""A capture *process* started again goes on with the session the one before it left:
real websockets on 127.0.0.1, a real Service, captures that die without ending."""

import asyncio
import json
import os
import signal
import stat
import sys
import time

import numpy as np
import pytest

from pullcoach import capture, ingest, tokens as tk
from pullcoach import protocol as p
from pullcoach.capture_state import Remembered, StateFile
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service
from websockets.asyncio.client import connect

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"
RATE = ingest.RATE
BLOCK = 800  # 50 ms


class Live:
    """A live-like source: 50 ms blocks of both channels at real time, every sample
    ``level`` (which capture sent what), for ``seconds``; ``opened`` is the wall time of
    its sample 0."""

    def __init__(self, seconds, level):
        self.n, self.level, self.closed, self.opened = int(seconds * 20), level, False, None

    async def blocks(self):
        loop = asyncio.get_running_loop()
        t0, self.opened = loop.time(), time.time()
        for i in range(self.n):
            await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.05 - loop.time()))
            if self.closed:
                return
            for speaker in ("coachee", "partner"):
                yield ingest.AudioBlock(speaker=speaker, start=i * BLOCK,
                                        samples=np.full(BLOCK, self.level, np.float32))

    def close(self):
        self.closed = True


class Ticking:
    """Stands in for LiveSession: takes the blocks, says a Tick at each second of audio (the
    session's events), ends at the end of its audio."""

    def __init__(self, hub, source, session_id):
        self.hub, self.source, self.id = hub, source, session_id
        self.got = []  # (speaker, start, n, level)

    def stop(self, reason="stopped"):
        self.source.close()

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
        end = 0
        async for b in self.source.blocks():
            self.got.append((b.speaker, b.start, len(b.samples), round(float(b.samples.max()), 2)))
            if b.speaker == "coachee":
                for s in range(end // RATE + 1, (b.start + len(b.samples)) // RATE + 1):
                    self.hub.publish(self.id, ev.Tick(t=float(s)))
                end = b.start + len(b.samples)
        self.hub.publish(self.id, ev.SessionEnded(t=end / RATE))


class Server:
    session_cls = Ticking  # what the server runs per session

    def __init__(self, trainer=TRAINER, port=0):
        self.hub, self.made, self.events = Hub(), [], []
        self.hub.subscribe(lambda sid, e: self.events.append((sid, e)))
        self.trainer, self.port = trainer, port

    async def start(self):
        def factory(source, *, session_id, **kw):
            self.made.append(self.session_cls(self.hub, source, session_id))
            return self.made[-1]
        self.service = await Service(self.hub, tk.Tokens(trainer=self.trainer, session=INGEST),
                                     port=self.port, ping_interval=None, session_factory=factory).start()
        self.port = self.service.port
        self.url = f"ws://127.0.0.1:{self.port}"
        return self

    def of(self, sid):
        return [e for s, e in self.events if s == sid]


def state(server, tmp_path, coachee="Anna"):
    return StateFile(capture.ingest_url(server.url), coachee, tmp_path / "state")


def run(server, source, tmp_path, **kw):
    """A `pullcoach capture` for Anna: ``stream`` with its state file, as cmd_capture calls it."""
    return asyncio.create_task(capture.stream(server.url, INGEST, source, coachee="Anna",
                                              state=state(server, tmp_path), **kw))


async def crashed(server, source, tmp_path, after_s, start=None):
    """A capture (``start``, default Anna's ``run``) that streams ``after_s`` of audio and dies
    without ending its session (its task cancelled: the connection is cut, as when the
    process is killed)."""
    task = (start or run)(server, source, tmp_path)
    while not server.made or sum(g[0] == "coachee" for g in server.made[-1].got) < after_s * 20:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return server.made[-1].id


def contiguous(got, speaker):
    mine = [g for g in got if g[0] == speaker]
    return mine[0][1] == 0 and all(a[1] + a[2] == b[1] for a, b in zip(mine, mine[1:]))


def test_a_capture_that_dies_is_resumed_by_the_next_one_at_the_session_time_since(tmp_path, caplog):
    async def main():
        server = await Server().start()
        first, second = Live(10, 0.1), Live(1.5, 0.2)
        sid = await crashed(server, first, tmp_path, after_s=1.5)
        died.append(time.time())
        path = state(server, tmp_path).path
        assert json.loads(path.read_text())["session"] == sid  # left for the next capture
        await asyncio.sleep(0.2)
        assert not server.hub.sessions[sid].ended  # the server waits for the capture
        await asyncio.sleep(1.3)  # the user starts it again
        with caplog.at_level("WARNING", logger="pullcoach.capture"):
            again = await asyncio.wait_for(run(server, second, tmp_path, on_welcome=welcomes.append), 20)
        assert again == sid and len(server.made) == 1  # the same session, not a new one
        assert server.hub.sessions[sid].ended and not path.exists()
        await server.service.close()
        return server, sid, first, second

    welcomes, died = [], []
    server, sid, first, second = asyncio.run(asyncio.wait_for(main(), 60))
    said = [r.getMessage() for r in caplog.records if "resuming" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith(f"resuming session {sid} (the capture before this one "
                                                 "stopped ")
    assert said[0].endswith(" s ago without ending it); --new starts a fresh one")
    ago = float(said[0].split("stopped ")[1].split()[0])  # from the last time it sent audio
    assert ago == pytest.approx(second.opened - died[0], abs=1.1)
    assert welcomes and welcomes[0].sessions[0].session == sid  # its overlay link is printed again
    got = server.made[0].got
    for speaker in ("coachee", "partner"):
        assert contiguous(got, speaker)  # the time it was gone is there, as silence
        after = [g for g in got if g[0] == speaker and g[3] == 0.2]
        assert len(after) == 30  # all of the second capture's audio, none dropped as late
        # ... at the session time that had passed since the session's sample 0
        assert after[0][1] / RATE == pytest.approx(second.opened - first.opened, abs=0.15)
        gap = [g for g in got if g[0] == speaker and g[3] == 0.0]
        assert sum(g[2] for g in gap) / RATE == pytest.approx(1.5, abs=0.3)
    events = server.of(sid)
    assert sum(isinstance(e, ev.SessionStarted) for e in events) == 1
    assert sum(isinstance(e, ev.SessionEnded) for e in events) == 1
    ticks = [e.t for e in events if isinstance(e, ev.Tick)]
    assert ticks == [float(s) for s in range(1, len(ticks) + 1)]  # the session's clock goes on
    assert ticks[-1] >= 3.0 and events[-1].t == pytest.approx(after[-1][1] / RATE + 0.05)


def test_capture_new_ends_the_unfinished_session_and_starts_a_fresh_one(tmp_path, caplog):
    async def main():
        server = await Server().start()
        old = await crashed(server, Live(10, 0.1), tmp_path, after_s=0.5)
        with caplog.at_level("WARNING", logger="pullcoach.capture"):
            task = run(server, Live(1.0, 0.2), tmp_path, fresh=True)
            while len(server.made) < 2:
                await asyncio.sleep(0.01)
            # ended now, not at the end of the server's 120 s grace
            for _ in range(100):
                if server.hub.sessions[old].ended:
                    break
                await asyncio.sleep(0.02)
            assert server.hub.sessions[old].ended
            new = await asyncio.wait_for(task, 20)
        assert new != old and new == server.made[1].id
        assert server.made[1].got[0][1] == 0  # a new session's clock starts at 0
        assert not state(server, tmp_path).path.exists()
        await server.service.close()
        return old

    old = asyncio.run(asyncio.wait_for(main(), 60))
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"ended session {old}, which the capture before this one left") for m in said)
    assert not any("resuming" in m for m in said)


@pytest.mark.parametrize("how", ["ended after the grace", "server started again with other tokens"])
def test_a_remembered_session_the_server_no_longer_has_gives_a_new_session_and_one_line(tmp_path, caplog,
                                                                                         how):
    async def main():
        server = await Server().start()
        server.service.resume_grace_s = 0.2
        old = await crashed(server, Live(10, 0.1), tmp_path, after_s=0.5)
        if how == "ended after the grace":
            await asyncio.sleep(0.6)
            assert server.hub.sessions[old].ended
        else:  # the trainer's laptop restarted serve, tokens not kept, on the same port
            await server.service.close()
            server = await Server(trainer="another-trainer-token-0123", port=server.port).start()
        with caplog.at_level("WARNING", logger="pullcoach.capture"):
            new = await asyncio.wait_for(run(server, Live(1.0, 0.2), tmp_path), 20)
        assert new != old and server.made[-1].id == new
        mine = [g for g in server.made[-1].got if g[0] == "coachee"]
        assert mine[0][1] == 0 and len(mine) == 20  # from 0: the old session's offset is not kept
        assert not state(server, tmp_path).path.exists()
        await server.service.close()
        return old

    old = asyncio.run(asyncio.wait_for(main(), 60))
    said = [r.getMessage() for r in caplog.records if "cannot be resumed" in r.getMessage()]
    code = "no-session" if how.startswith("ended") else "bad-token"
    assert len(said) == 1 and said[0].startswith(
        f"session {old}, which the capture before this one left unfinished, cannot be resumed")
    assert f"({code})" in said[0] and said[0].endswith("; starting a new session")
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("end", ["the recording ends", "Ctrl-C", "the trainer ends it"])
def test_the_state_file_is_private_while_streaming_and_gone_after_a_clean_end(tmp_path, end):
    async def main():
        server = await Server().start()
        source, welcomes = Live(30 if end != "the recording ends" else 1.5, 0.1), []
        task = run(server, source, tmp_path, on_welcome=welcomes.append)
        path = state(server, tmp_path).path
        while not path.exists():
            await asyncio.sleep(0.01)
        data = json.loads(path.read_text())
        sid = welcomes[0].sessions[0].session
        assert (data["session"], data["secret"]) == (sid, welcomes[0].resume)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the secret is a credential
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert [f.name for f in path.parent.iterdir() if f.name.startswith(".")] == []  # no temp left
        await asyncio.sleep(0.5)
        if end == "Ctrl-C":  # what cmd_capture's SIGINT handler does
            source.close()
        elif end == "the trainer ends it":
            async with connect(server.url + "/ws") as trainer:
                await trainer.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
                await trainer.send(p.encode(p.EndSession(session=sid)))
                assert await asyncio.wait_for(task, 10) == sid
        assert await asyncio.wait_for(task, 10) == sid
        assert server.hub.sessions[sid].ended and not path.exists()
        await server.service.close()

    asyncio.run(asyncio.wait_for(main(), 60))


@pytest.mark.parametrize("content", [
    b"", b"{not json", b"\xff\xfe\x00", b"[]", b'{"v": 2}',
    b'{"v": 1, "server": "ws://elsewhere:1/ingest", "coachee": "Anna", "session": "s", '
    b'"secret": "x", "zero_wall": 1.0}',
    b'{"v": 1, "server": "URL", "coachee": "Anna", "session": "s", "zero_wall": 1.0}',
    b'{"v": 1, "server": "URL", "coachee": "Anna", "session": "s", "secret": "x", "zero_wall": "NaN"}',
    b'{"v": 1, "server": "URL", "coachee": "Anna", "session": 7, "secret": "x", "zero_wall": 1e400}',
    "a directory"])
def test_a_corrupt_or_foreign_state_file_is_ignored_with_a_warning(tmp_path, caplog, content):
    async def main():
        server = await Server().start()
        path = state(server, tmp_path).path
        path.parent.mkdir(parents=True)
        if content == "a directory":
            path.mkdir()
        else:
            path.write_bytes(content.replace(b"URL", capture.ingest_url(server.url).encode()))
        with caplog.at_level("WARNING"):
            sid = await asyncio.wait_for(run(server, Live(0.5, 0.1), tmp_path), 20)
        assert [m.id for m in server.made] == [sid]  # a new session, streamed to its end
        assert server.made[0].got[0][1] == 0
        await server.service.close()
        return path

    path = asyncio.run(asyncio.wait_for(main(), 60))
    said = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith(f"ignoring {path}") for m in said) == 1
    assert all(r.exc_info is None for r in caplog.records)  # said, never a traceback
    assert content == "a directory" or not path.exists()


def test_a_second_capture_while_the_first_still_runs_never_takes_its_session(tmp_path, caplog):
    """Two terminals, the same command: the second must not resume (and so cut off) the first."""
    async def main():
        server = await Server().start()
        a = run(server, Live(2.0, 0.1), tmp_path)
        path = state(server, tmp_path).path
        while not path.exists():
            await asyncio.sleep(0.01)
        with caplog.at_level("WARNING", logger="pullcoach.capture"):
            b = await asyncio.wait_for(run(server, Live(0.5, 0.2), tmp_path), 20)
        assert json.loads(path.read_text())["session"] == server.made[0].id  # still the first's
        first = await asyncio.wait_for(a, 20)
        assert [m.id for m in server.made] == [first, b] and first != b
        for m, level, n in zip(server.made, (0.1, 0.2), (40, 10)):  # neither lost audio to the other
            assert [g[3] for g in m.got if g[0] == "coachee"] == [level] * n
        assert not path.exists()
        await server.service.close()

    asyncio.run(asyncio.wait_for(main(), 60))
    assert "another `pullcoach capture` for Anna on this server is still running" in caplog.text


def test_a_capture_gone_longer_than_the_server_allows_a_gap_goes_on_just_inside_it():
    """Only a server that went down too revives a session that late; its gap bound (150 s)
    would refuse every block at the wall-clock time."""
    rem = Remembered(session="s", secret="x", zero_wall=1000.0, alive_wall=1060.0)
    assert capture.resume_offset(rem, opened=1090.0) == 90 * RATE  # 30 s gone: the time since
    assert capture.resume_offset(rem, opened=1400.0) == (60 + capture.GAP_S) * RATE
    assert capture.GAP_S + 10 < ingest.MAX_GAP_S
    assert capture.resume_offset(Remembered(session="s", secret="x", zero_wall=1000.0,
                                            alive_wall=1000.0), opened=990.0) == 0  # clock set back


# --- as a user runs it: serve, capture, kill -9, capture again ------------------------------

@pytest.mark.model
def test_a_capture_killed_and_started_again_gives_one_session_and_one_report(tmp_path, excerpt):
    from pullcoach.store import Store
    wav = excerpt(tmp_path / "two.wav", 20.0)
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "data"
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PULLCOACH_TRAINER_TOKEN=TRAINER,
               PULLCOACH_TOKEN=INGEST)
    env.pop("DISPLAY", None)
    cmd = [sys.executable, "-m", "pullcoach", "capture", "--server", f"ws://127.0.0.1:{port}",
           "--replay", str(wav), "--coachee-name", "Anna", "--partner-name", "Bram"]
    procs = []

    async def lines_until(proc, start):
        while True:
            line = (await asyncio.wait_for(proc.stderr.readline(), 120)).decode()
            assert line, f"{proc} exited early"
            if line.startswith(start):
                return line

    async def main():
        serve = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pullcoach", "serve", "--port", str(port), "--data-dir", str(data),
            env=env, stderr=asyncio.subprocess.PIPE)
        procs.append(serve)
        await lines_until(serve, "pullcoach serving on")
        first = await asyncio.create_subprocess_exec(*cmd, env=env, stderr=asyncio.subprocess.PIPE)
        procs.append(first)
        sid = (await lines_until(first, "session ")).split()[1]
        trainer = await connect(f"ws://127.0.0.1:{port}/ws")
        await trainer.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
        async for raw in trainer:  # until the session has a transcript past 6 s
            msg = p.decode(raw)
            if isinstance(msg, p.SessionEvent) and isinstance(msg.event, ev.TranscriptFinal) \
                    and msg.event.t > 6:
                break
        first.send_signal(signal.SIGKILL)  # the laptop's capture dies mid role-play
        await first.wait()
        await asyncio.sleep(2.0)
        second = await asyncio.create_subprocess_exec(*cmd, env=env, stderr=asyncio.subprocess.PIPE)
        procs.append(second)
        said = await lines_until(second, "WARNING pullcoach.capture: resuming session")
        assert f"resuming session {sid} (the capture before this one stopped" in said
        assert (await lines_until(second, "session ")).split()[1] == sid
        assert await asyncio.wait_for(second.wait(), 120) == 0
        rest = (await second.stderr.read()).decode()
        assert f"session {sid} ended; your report:" in rest
        serve.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(serve.wait(), 60) == 0
        return sid

    try:
        sid = asyncio.run(asyncio.wait_for(main(), 300))
    finally:
        for proc in procs:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    with Store(data) as st:
        assert [(r["id"], r["status"]) for r in st.sessions()] == [(sid, "ended")]  # one session
        events = st.events(sid)
    assert sum(isinstance(e, ev.SessionStarted) for e in events) == 1
    (end,) = [e for e in events if isinstance(e, ev.SessionEnded)]
    finals = [e for e in events if isinstance(e, ev.TranscriptFinal)]
    # the second capture went on where the first's audio ended: 20 s of file once, plus the gap
    assert 21.0 < end.t < 30.0 and any(e.t0 > 10.0 for e in finals)
    assert len({f.text for f in finals}) == len(finals)  # nothing heard twice
    assert sorted(f.name for f in (data / "reports").iterdir()) == [f"{sid}.html"]  # one report
