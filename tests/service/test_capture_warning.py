"""A capture tells the server what it cannot hear: `capture --replay` whose partner's file
breaks off sends a `warning` (file-broken), which the session stores as the dated
channel-stalled / file-broken warning a local replay gets, in order with the audio. A
malformed, unknown, misdated or foreign warning gets a clear error and changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from websockets.asyncio.client import connect

from pullcoach import capture, ingest, tokens as tk
from pullcoach import protocol as p
from pullcoach.audio_file import FileSource
from pullcoach.errors import AudioError
from pullcoach.hub import Hub
from pullcoach.rules import events as ev
from pullcoach.server import Service
from pullcoach.store import Store
from tests.service.serve_proc import pullcoach_serve

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"
RATE = ingest.RATE
AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
CUT_BYTES = 20_000  # nl_push.flac cut here breaks 2.3 s in


class Recording:
    """Stands in for LiveSession: logs the blocks it takes and the events injected, in order."""

    def __init__(self, hub, source, session_id, log):
        self.hub, self.source, self.id, self.log = hub, source, session_id, log

    def stop(self, reason="stopped"):
        self.source.close()

    def inject(self, event):
        self.log.append(event)
        self.hub.publish(self.id, event)

    async def run(self):
        self.hub.publish(self.id, ev.SessionStarted(session=self.id, wall_clock=0.0))
        async for b in self.source.blocks():
            self.log.append((b.speaker, b.start, len(b.samples)))
        self.hub.publish(self.id, ev.SessionEnded(t=0.0))


async def serving(hub, log):
    return await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0, ping_interval=None,
                         session_factory=lambda src, *, session_id, **kw: Recording(hub, src, session_id, log)
                         ).start()


def warning(sid, **change):
    return json.dumps({"v": 1, "type": "warning", "session": sid, "t": 0.2, "kind": "file-broken",
                       "speaker": "partner", "file": "cut.flac", "error": "cut.flac: broken", **change})


def warnings(log):
    return [e for e in log if isinstance(e, ev.PipelineWarning)]


def test_a_captures_warning_is_stored_in_order_and_bad_ones_change_nothing():
    async def main():
        hub, log = Hub(), []
        service = await serving(hub, log)
        async with connect(f"ws://127.0.0.1:{service.port}/ingest") as ws:
            await ws.send(p.encode(p.Hello(role="capture", token=INGEST)))
            sid = p.decode(await ws.recv()).sessions[0].session
            for start in (0, 1600, 3200):  # 0.3 s of audio
                for speaker in ("coachee", "partner"):
                    await ws.send(ingest.pack_block(speaker, start, np.zeros(1600, np.float32)))
            said = {}
            for name, text in [
                    ("kind", warning(sid, kind="mic-gone")),
                    ("speaker", warning(sid, speaker="trainer")),
                    ("error", warning(sid, error="x" * 501)),
                    ("ahead", warning(sid, t=9.0)),  # past the 0.3 s the server has
                    ("other", warning("20260101-000000-ffff"))]:
                await ws.send(text)
                reply = p.decode(await asyncio.wait_for(ws.recv(), 5))
                assert isinstance(reply, p.Error), reply
                said[name] = reply
            await ws.send(warning(sid))
            await ws.send(warning(sid, t=0.25))  # the same kind and side again (a reconnect): ignored
            await ws.send(ingest.pack_block("coachee", 4800, np.zeros(1600, np.float32)))
            await ws.send(p.encode(p.EndSession(session=sid)))
            with pytest.raises(Exception):
                while True:  # no error for the good one nor the repeat; closed once ended
                    extra = p.decode(await asyncio.wait_for(ws.recv(), 5))
                    assert not isinstance(extra, p.Error), extra
        await service.close()
        return said, log

    said, log = asyncio.run(asyncio.wait_for(main(), 30))
    assert said["kind"].code == "malformed" and "unknown warning kind 'mic-gone'" in said["kind"].message
    assert said["speaker"].code == "malformed" and '"speaker"' in said["speaker"].message
    assert said["error"].code == "malformed" and "at most 500 characters" in said["error"].message
    assert said["ahead"].code == "malformed" and "past the 0.3 s of audio" in said["ahead"].message
    assert said["other"].code == "no-session" and "not '20260101-000000-ffff'" in said["other"].message
    (w,) = warnings(log)  # only the good one, once
    assert w.kind == "channel-stalled" and w.t == 0.2
    assert w.detail == {"speaker": "partner", "cause": "file-broken", "file": "cut.flac",
                        "error": "cut.flac: broken"}
    assert "partner's file broke off at 0:00.2" in w.message
    at = log.index(w)  # after the audio sent before it, before the audio after it
    assert [e for e in log[:at] if isinstance(e, tuple)] == [
        (s, start, 1600) for start in (0, 1600, 3200) for s in ("coachee", "partner")]
    assert log[at + 1:] == [("coachee", 4800, 1600)]


def test_a_warning_on_ws_is_not_a_trainers_command():
    async def main():
        hub, log = Hub(), []
        service = await serving(hub, log)
        async with connect(f"ws://127.0.0.1:{service.port}/ws") as ws:
            await ws.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
            await ws.recv()
            await ws.send(warning("s"))
            while not isinstance(reply := p.decode(await asyncio.wait_for(ws.recv(), 5)), p.Error):
                pass
        await service.close()
        return reply, log
    reply, log = asyncio.run(asyncio.wait_for(main(), 30))
    assert reply.code == "malformed" and "CaptureWarning" in reply.message and log == []


def test_a_revived_session_ignores_a_warning_it_stored_before_the_restart(tmp_path):
    """The server died after storing the capture's warning; the capture, reconnecting to the
    revived session, resends it (its last seconds go out again): stored once, not twice."""
    sid = "20261207-063000-abcd"
    told = p.CaptureWarning(session=sid, t=2.0, kind="file-broken", speaker="partner",
                            file="cut.flac", error="cut.flac: broken")
    with Store(tmp_path) as store:  # what the server that died had stored
        store.append(sid, ev.SessionStarted(t=0.0, session=sid, lang="nl", wall_clock=time.time() - 5,
                                            coachee="Anna", partner="Bram"))
        for i in range(1, 31):
            store.append(sid, ev.Tick(t=i / 10))
            if i == 20:
                store.append(sid, ingest.file_broken(told))
        store.flush()

    async def main():
        hub, log = Hub(), []
        store = Store(tmp_path)
        service = await Service(hub, tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None, store=store,
                                session_factory=lambda src, *, session_id, **kw: Recording(
                                    hub, src, session_id, log)).start()
        try:
            async with connect(f"ws://127.0.0.1:{service.port}/ingest") as ws:
                await ws.send(p.encode(p.Hello(role="capture", token=INGEST, session=sid,
                                               resume=tk.resume_token(TRAINER, sid))))
                welcome = p.decode(await asyncio.wait_for(ws.recv(), 10))
                assert isinstance(welcome, p.Welcome), welcome
                for speaker in ("coachee", "partner"):
                    await ws.send(ingest.pack_block(speaker, 48_000, np.zeros(4800, np.float32)))
                await ws.send(p.encode(told))  # resent: already stored
                await ws.send(warning(sid, speaker="coachee", t=3.1))  # a new one
                await ws.send(p.encode(p.EndSession(session=sid)))
                with pytest.raises(Exception):
                    while True:
                        extra = p.decode(await asyncio.wait_for(ws.recv(), 5))
                        assert not isinstance(extra, p.Error), extra
        finally:
            await service.close()
            store.close()
        return log

    log = asyncio.run(asyncio.wait_for(main(), 30))
    assert [(w.t, w.detail["speaker"]) for w in warnings(log)] == [(3.1, "coachee")]


def head_wav(tmp_path, seconds, name="head.wav") -> Path:
    """The first ``seconds`` of nl_push (stereo, 16 kHz) as a WAV."""
    with av.open(str(AUDIO / "nl_push.flac")) as c:
        pcm = np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1).reshape(-1, 2)
    path = tmp_path / name
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(pcm[: int(seconds * 16000)].astype("<i2").tobytes())
    return path


def cut_flac(tmp_path, name="cut.flac") -> Path:
    path = tmp_path / name
    path.write_bytes((AUDIO / "nl_push.flac").read_bytes()[:CUT_BYTES])
    return path


def test_capture_tells_the_server_where_its_partners_file_broke(tmp_path):
    """capture.stream with a replay whose partner's file breaks: the server is told once,
    on the session clock, with the file's name and not the pair's folders."""
    async def main():
        hub, log = Hub(), []
        service = await serving(hub, log)
        source = FileSource(head_wav(tmp_path, 4.0), cut_flac(tmp_path))
        sid = await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, source)
        await service.close()
        return sid, log, source
    sid, log, source = asyncio.run(asyncio.wait_for(main(), 60))
    (local,) = source.broken
    (w,) = warnings(log)
    assert w.kind == "channel-stalled" and w.t == pytest.approx(local.t, abs=0.001)
    assert w.detail["cause"] == "file-broken" and w.detail["speaker"] == "partner"
    assert w.detail["file"] == "cut.flac"
    assert w.detail["error"].startswith("cut.flac: broken audio data after 2.3 s")
    assert str(tmp_path) not in json.dumps(w.detail) + w.message  # the pair's folders stay home
    at = log.index(w)
    blocks = [e for e in log if isinstance(e, tuple)]
    assert max(s + n for _, s, n in log[:at]) >= local.t * RATE  # the audio up to it came first
    assert sum(n for spk, _, n in blocks if spk == "coachee") == 4 * RATE  # and all of the rest


def test_capture_tells_the_server_where_its_coachees_file_broke(tmp_path):
    """The coachee's file breaking ends the capture (AudioError); before it ends, the server
    is told where and why, after the audio up to the break, so the stored session says it."""
    async def main():
        hub, log = Hub(), []
        service = await serving(hub, log)
        source = FileSource(cut_flac(tmp_path), head_wav(tmp_path, 4.0))
        try:
            with pytest.raises(AudioError) as info:
                await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, source)
        finally:
            await service.close()
        return log, info.value
    log, err = asyncio.run(asyncio.wait_for(main(), 60))
    assert str(err).startswith(f"{tmp_path / 'cut.flac'}: broken audio data after 2.3 s")
    (w,) = warnings(log)
    blocks = [e for e in log if isinstance(e, tuple)]
    end = max(s + n for spk, s, n in blocks if spk == "coachee")  # all the coachee's audio came
    assert w.kind == "channel-stalled" and w.t == pytest.approx(end / RATE, abs=0.001)
    assert 2.2 < w.t < 2.4 and log.index(w) > log.index(blocks[-1])
    assert w.detail == {"speaker": "coachee", "cause": "file-broken", "file": "cut.flac",
                        "error": w.detail["error"]}
    assert w.detail["error"].startswith("cut.flac: broken audio data after 2.3 s")
    assert w.message.startswith("The coachee's file broke off at 0:02.")
    assert "The capture stopped there: the session ends with the audio before it." in w.message
    assert str(tmp_path) not in json.dumps(w.detail) + w.message


# --- as a user runs it: serve on 127.0.0.1, capture --replay, the stored report --------------

@pytest.mark.model
def test_serve_stores_the_break_a_capture_replay_tells_it(tmp_path):
    if not (AUDIO / "nl_push.flac").exists():
        pytest.skip("the audio fixtures are missing (scripts/make_fixtures.sh)")
    coachee, partner = head_wav(tmp_path, 5.0), cut_flac(tmp_path)
    data = tmp_path / "data"
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PULLCOACH_TRAINER_TOKEN=TRAINER,
               PULLCOACH_TOKEN=INGEST, PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    pc = [sys.executable, "-m", "pullcoach"]
    with pullcoach_serve(env, data) as port:
        cap = subprocess.run([*pc, "capture", "--server", f"ws://127.0.0.1:{port}", "--replay",
                              str(coachee), str(partner), "--coachee-name", "Anna",
                              "--partner-name", "Bram"], env=env, text=True, capture_output=True,
                             timeout=180)
        assert cap.returncode == 3, cap.stderr  # broken audio, as helper 55 made it
        sid = next(ln.split()[1] for ln in cap.stderr.splitlines() if ln.startswith("session "))
        assert "server:" not in cap.stderr  # the server took the warning without an error
    rep = subprocess.run([*pc, "report", sid, "--format", "json", "--data-dir", str(data)], env=env,
                         text=True, capture_output=True, timeout=120)
    assert rep.returncode == 0, rep.stderr
    report = json.loads(rep.stdout)
    assert report["session"]["duration"] == pytest.approx(5.0, abs=0.3)
    (w,) = [w for w in report["warnings"] if w.get("detail", {}).get("cause") == "file-broken"]
    assert w["kind"] == "channel-stalled" and w["t"] == pytest.approx(2.3, abs=0.05)
    assert w["detail"]["speaker"] == "partner" and w["detail"]["file"] == "cut.flac"
    md = subprocess.run([*pc, "report", sid, "--data-dir", str(data)], env=env, text=True,
                        capture_output=True, timeout=120).stdout
    assert "het bestand (cut.flac) brak daar af" in md or "the file (cut.flac) broke off there" in md
