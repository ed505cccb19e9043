"""A session goes on after its server restarts: engine priming, the resume point, the
segmenter's new start, tokens that survive, and the whole thing with real processes."""

import asyncio
import json
import os
import signal
import socket
import sys

import numpy as np
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.audio import FileSource
from pullcoach.pipeline import PipelineConfig, Segmenter
from pullcoach.revive import engine_input, prime, resume_point
from pullcoach.rules import events as ev
from pullcoach.rules.engine import Engine
from pullcoach.store import Store
from pullcoach.transcripts import read_transcript, to_events

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "transcripts")
AUDIO = os.path.join(os.path.dirname(__file__), "..", "fixtures", "audio")
TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"


def _stored_stream(inputs):
    """What a LiveSession stores: each input, then what the engine made of it."""
    engine, stored, made_after = Engine(lang="nl"), [], []
    for e in inputs:
        out = engine.feed(e)
        stored += [e, *out]
        made_after.append(out)
    return stored, made_after


def _inputs():
    segs = read_transcript(os.path.join(DATA, "push_kantoor.jsonl"))
    evs = [ev.SessionStarted(t=0.0, session="s", lang="nl", wall_clock=1000.0)]
    evs += to_events(segs, "Manager", tick_s=0.05)
    # from outside the audio: a trainer's nudge and a pipeline notice are inputs too
    evs.insert(len(evs) // 3, ev.NudgeIssued(t=20.0, rule="trainer", message="Vat samen", kind="trainer"))
    evs.insert(len(evs) // 2, ev.PipelineWarning(t=30.0, kind="asr-behind", message="behind"))
    # and a trainer's focus: a revived session keeps it
    evs.insert(len(evs) // 5, ev.FocusChanged(t=12.0, rules=("too-few-summaries", "interruption")))
    return evs


def test_a_primed_engine_goes_on_exactly_as_the_one_that_died():
    inputs = _inputs()
    stored, made_after = _stored_stream(inputs)
    assert any(isinstance(e, ev.NudgeIssued) and e.kind == "negative" for e in stored)
    for k in (len(inputs) // 4, len(inputs) // 2, 3 * len(inputs) // 4):
        r = resume_point(stored[:sum(1 + len(m) for m in made_after[:k])])
        assert r.inputs == inputs[:k]  # the engine's own outputs are not fed again
        fresh = Engine(lang="nl")
        assert prime(fresh, r.inputs) == sum(len(m) for m in made_after[:k])
        assert [fresh.feed(e) for e in inputs[k:]] == made_after[k:]


def test_resume_point_closes_open_speech_and_refuses_an_ended_session():
    events = [ev.SessionStarted(t=0.0, session="s", wall_clock=500.0),
              ev.SpeechStarted(t=1.0, speaker="coachee"), ev.SpeechEnded(t=2.0, speaker="coachee"),
              ev.SpeechStarted(t=2.5, speaker="partner"), ev.Tick(t=3.05),
              ev.MetricsUpdated(t=3.1, metrics={})]
    r = resume_point(events)
    assert (r.t, r.open, r.started_wall) == (3.05, ("partner",), 500.0)  # inputs set the time
    assert not engine_input(events[-1]) and engine_input(events[-2])
    with pytest.raises(ValueError):
        resume_point(events + [ev.SessionEnded(t=4.0)])


def test_a_segmenter_skipped_ahead_starts_there_and_hears_the_same_speech():
    blocks = list(FileSource(os.path.join(AUDIO, "nl_push.flac"), speed="max").produce())

    def run(skip):
        seg, out = Segmenter(PipelineConfig()), []
        if skip:
            seg.skip_to(skip)
        for b in blocks:
            out += seg.feed(b.speaker, b.start, b.samples)[0]
        return out

    whole, later = run(0.0), run(12.34)
    assert min(e.t for e in later) >= 12.34
    assert [e.t for e in later if isinstance(e, ev.Tick)][:2] == [12.35, 12.4]
    starts = lambda evs: [(e.speaker, e.t) for e in evs if isinstance(e, ev.SpeechStarted) and e.t > 14]
    a, b = starts(whole), starts(later)
    assert len(a) == len(b) >= 5
    assert all(x[0] == y[0] and abs(x[1] - y[1]) <= 0.07 for x, y in zip(a, b))


def test_session_tokens_are_derived_from_the_trainer_token():
    a = tk.session_token(TRAINER, "20261122-120000-abcd")
    assert a == tk.session_token(TRAINER, "20261122-120000-abcd") and len(a) >= 24
    assert a != tk.session_token(TRAINER, "20261122-120000-abce")
    assert a != tk.session_token("another-trainer-token-0123", "20261122-120000-abcd")


def test_store_row_and_reopen(tmp_path):
    with Store(tmp_path) as st:
        st.append("s1", ev.SessionStarted(t=0.0, session="s1", lang="en", wall_clock=100.0,
                                          coachee="Anna", partner="Bram"))
        st.append("s1", ev.Tick(t=7.5))
        st.flush()
    with Store(tmp_path) as st:  # the old owner is gone: interrupted
        row = st.row("s1")
        assert row == {"status": "interrupted", "lang": "en", "coachee": "Anna", "partner": "Bram",
                       "started_wall": 100.0, "t": 7.5}
        st.reopen("s1")
        assert st.row("s1")["status"] == "live" and st.row("nope") is None


# --- the whole thing: serve, capture, kill -9, serve again ---------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(tmp_path, excerpt):
    """A 30 s two-speaker recording, a free port, a data dir and the environment for
    `serve` / `capture` subprocesses (fixed tokens, no display)."""
    wav = excerpt(tmp_path / "two.wav", 30.0)
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PULLCOACH_TRAINER_TOKEN=TRAINER,
               PULLCOACH_TOKEN=INGEST)
    env.pop("DISPLAY", None)
    return wav, _free_port(), tmp_path / "data", env


def _kill(procs) -> None:
    for proc in procs:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def _serve(port, data, env, said=None):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pullcoach", "serve", "--port", str(port), "--data-dir", str(data),
        env=env, stderr=asyncio.subprocess.PIPE)
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 120)).decode()
        assert line, "serve exited early"
        if said is not None:
            said.append(line)
        if line.startswith("pullcoach serving on"):
            return proc


async def _hello(port, **hello):
    ws = await connect(f"ws://127.0.0.1:{port}/ws")
    await ws.send(p.encode(p.Hello(**hello)))
    return ws, p.decode(await ws.recv())


async def _until_ended(trainer) -> list:
    """The session events a trainer receives, up to the session's end."""
    seen = []
    try:
        async for raw in trainer:
            msg = p.decode(raw)
            if isinstance(msg, p.SessionEvent):
                seen.append(msg.event)
                if isinstance(msg.event, ev.SessionEnded):
                    break
    except ConnectionClosed:
        pass
    return seen


@pytest.mark.model
def test_a_capture_goes_on_with_its_session_after_the_server_is_killed_and_restarted(tmp_path, excerpt):
    wav, port, data, env = _setup(tmp_path, excerpt)

    procs = []

    async def main():
        first = await _serve(port, data, env)
        procs.append(first)
        cap = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pullcoach", "capture", "--server", f"ws://127.0.0.1:{port}",
            "--replay", str(wav), env=env, stderr=asyncio.subprocess.PIPE)
        procs.append(cap)
        sid = token = None
        while token is None:
            line = (await asyncio.wait_for(cap.stderr.readline(), 60)).decode()
            assert line, "capture exited early"
            sid = line.split()[1] if line.startswith("session ") else sid
            token = line.split()[2] if line.startswith("overlay token ") else None
        trainer, _ = await _hello(port, role="trainer", token=TRAINER)
        before = []
        async for raw in trainer:  # until the old server has transcribed ~10 s
            msg = p.decode(raw)
            if isinstance(msg, p.SessionEvent) and isinstance(msg.event, ev.TranscriptFinal):
                before.append(msg.event)
                if msg.event.t > 10:
                    break
        await asyncio.sleep(0.6)  # the store commits every 0.25 s: what it had then is on disk
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await asyncio.sleep(1.0)
        said = []
        second = await _serve(port, data, env, said)
        procs.append(second)
        # the restarted server says once that it goes on with the role-play, not that it was cut off
        told = "".join(said)
        assert "pullcoach goes on with 1 role-play that was running when it stopped (" in told
        assert "cut off" not in told and "reconnects within 2 minutes" not in told
        # the overlay keeps its token: "not yet" (retry) until the restarted server has read
        # the store, then it waits on its session's card for the capture to revive it
        for _ in range(100):
            ws, reply = await _hello(port, role="overlay", token=token, session=sid)
            if isinstance(reply, p.Welcome):
                break
            assert isinstance(reply, p.Error) and reply.code == "no-session", reply
            await ws.close()
            await asyncio.sleep(0.2)
        assert reply.sessions[0].session == sid and reply.sessions[0].live
        await ws.close()
        trainer2, _ = await _hello(port, role="trainer", token=TRAINER)
        seen = await _until_ended(trainer2)
        assert await asyncio.wait_for(cap.wait(), 60) == 0
        second.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(second.wait(), 30) == 0
        # started again later the same day: the trainer finds the finished role-play again
        third = await _serve(port, data, env)
        procs.append(third)
        trainer3, welcome = await _hello(port, role="trainer", token=TRAINER)
        # (serve prints its address before it has read the store: the card may fill in)
        assert [(i.session, i.live) for i in welcome.sessions] in ([(sid, False)], [])
        again = await _until_ended(trainer3)
        third.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(third.wait(), 30) == 0
        assert [e.text for e in again if isinstance(e, ev.TranscriptFinal)] == [
            e.text for e in seen if isinstance(e, ev.TranscriptFinal)]
        return sid, before, seen

    try:
        sid, before, seen = asyncio.run(asyncio.wait_for(main(), 240))
    finally:  # a failed run leaves no server behind
        _kill(procs)
    # a trainer who joins after the restart gets the whole session, then its end
    texts = [e.text for e in seen if isinstance(e, ev.TranscriptFinal)]
    assert [e.text for e in before] == texts[:len(before)]
    with Store(data) as st:
        rows = st.sessions()
        assert [(r["id"], r["status"]) for r in rows] == [(sid, "ended")]  # one session, ended
        events = st.events(sid)
    marks = [e for e in events if isinstance(e, ev.PipelineWarning) and e.kind == "session-resumed"]
    assert len(marks) == 1 and marks[0].t >= before[-1].t
    after = [e for e in events if isinstance(e, ev.TranscriptFinal) and e.t0 > marks[0].t]
    assert len(after) >= 3 and max(e.t1 for e in after) > 25.0  # coached to the end
    assert sum(isinstance(e, ev.SessionStarted) for e in events) == 1
    ends = [e for e in events if isinstance(e, ev.SessionEnded)]
    assert len(ends) == 1 and ends[0].t > 29.0 and ends[0].reason == "ended"
    assert (data / "reports" / f"{sid}.html").is_file()
    assert "herstart" in (data / "reports" / f"{sid}.html").read_text()


@pytest.mark.model
def test_one_ctrl_c_on_serve_warns_while_role_plays_are_live_and_a_second_ends_them(tmp_path, excerpt):
    wav, port, data, env = _setup(tmp_path, excerpt)
    procs = []

    async def main():
        said = []
        serve = await _serve(port, data, env, said)
        procs.append(serve)
        cap = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pullcoach", "capture", "--server", f"ws://127.0.0.1:{port}",
            "--replay", str(wav), "--coachee-name", "Anna", "--partner-name", "Bram",
            env=env, stderr=asyncio.subprocess.PIPE)
        procs.append(cap)
        trainer, _ = await _hello(port, role="trainer", token=TRAINER)
        async for raw in trainer:  # the role-play is under way
            msg = p.decode(raw)
            if isinstance(msg, p.SessionEvent) and isinstance(msg.event, ev.TranscriptFinal):
                break
        serve.send_signal(signal.SIGINT)  # a stray Ctrl-C: the room goes on
        while "role-play live" not in (line := (await asyncio.wait_for(serve.stderr.readline(), 10)).decode()):
            assert line, "serve exited on the first Ctrl-C"
        assert "1 role-play live: Anna ↔ Bram. Press Ctrl-C again within" in line
        assert "to end it and stop the server (its report ends there)" in line
        await asyncio.sleep(1.0)
        assert serve.returncode is None
        serve.send_signal(signal.SIGINT)  # meant it
        assert await asyncio.wait_for(serve.wait(), 30) == 0
        await asyncio.wait_for(cap.wait(), 30)
        said = (await cap.stderr.read()).decode()
        assert "the server stopped and ended session" in said and "trainer" not in said

    try:
        asyncio.run(asyncio.wait_for(main(), 180))
    finally:
        _kill(procs)
    with Store(data) as st:
        (row,) = st.sessions()
        events = st.events(row["id"])
    (end,) = [e for e in events if isinstance(e, ev.SessionEnded)]
    assert end.reason == "server-stopped" and end.t < 29.0
    from pullcoach.report import render
    assert "> De server werd op 0:" in render(events, "md")  # the report says why it ends there
