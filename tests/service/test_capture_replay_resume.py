"""A `capture --replay` killed and started again goes on in its file where the audio it
sent ends: nothing of the file is heard twice, nothing is lost, the time it was gone is
the session's gap. Real websockets on 127.0.0.1, a real Service, a real FileSource."""

import asyncio
import time
import wave

import numpy as np
import pytest

from pullcoach import capture
from pullcoach.audio import FileSource
from pullcoach.capture_state import StateFile, replay_ids
from tests.service.test_capture_resume import INGEST, Server, Ticking, crashed as _crashed

RATE = 16000
BLOCK = 800  # FileSource's 50 ms


def numbered(path, seconds):
    """A stereo 16 kHz WAV whose every 50 ms block holds its own number (1, 2, ...; the
    partner's is negative), so the blocks the server got say where in the file they came from."""
    n = int(seconds * 20)
    left = np.repeat(np.arange(1, n + 1, dtype=np.int16) * 100, BLOCK)
    pcm = np.stack([left, -left], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return path


class Heard(Ticking):
    """Ticking, and which file block each block the session got holds (0: the gap's silence)."""

    def __init__(self, hub, source, session_id):
        super().__init__(hub, source, session_id)
        self.blocks = []  # (speaker, session start, file block numbers in it)

    async def run(self):
        blocks = self.source.blocks

        async def tee():
            async for b in blocks():
                nums = np.unique(np.rint(b.samples * 32768 / 100).astype(int))
                self.blocks.append((b.speaker, b.start, tuple(int(x) for x in nums)))
                yield b

        self.source.blocks = tee
        await super().run()


class Server(Server):
    session_cls = Heard


def played(heard, speaker):
    """The file blocks the session heard on ``speaker``'s channel, in session order."""
    sign = 1 if speaker == "coachee" else -1
    return [x * sign for s, _, nums in heard.blocks if s == speaker for x in nums if x]


def run(server, source, tmp_path, **kw):
    return asyncio.create_task(capture.stream(server.url, INGEST, source, coachee="Rik",
                                              state=StateFile(capture.ingest_url(server.url), "Rik",
                                                              tmp_path / "state"), **kw))


async def crashed(server, source, tmp_path, after_s):
    """Rik's capture, dead (as by kill -9) once the server has ``after_s`` of its audio."""
    return await _crashed(server, source, tmp_path, after_s, start=run)


def test_a_killed_replay_started_again_goes_on_where_its_audio_ended(tmp_path, caplog):
    wav = numbered(tmp_path / "long.wav", 5.0)

    async def main():
        server = await Server().start()
        sid = await crashed(server, FileSource(wav, speed="realtime"), tmp_path, after_s=2.0)
        killed = time.monotonic()
        await asyncio.sleep(1.5)  # the trainer starts the same command again
        began = time.monotonic()
        with caplog.at_level("WARNING", logger="pullcoach.capture"):
            again = await asyncio.wait_for(run(server, FileSource(wav, speed="realtime"), tmp_path), 30)
        took = time.monotonic() - began
        assert again == sid and len(server.made) == 1  # the same session
        await server.service.close()
        return server.made[0], began - killed, took

    heard, gone_s, took = asyncio.run(asyncio.wait_for(main(), 60))
    every = list(range(1, 101))
    for speaker in ("coachee", "partner"):
        # each 50 ms of the file once, in order: not from the start again, none skipped
        assert played(heard, speaker) == every
    # the file went on where it was; the session's clock went on with the time it was gone
    at = {nums[0]: start for s, start, nums in heard.blocks if s == "coachee" and len(nums) == 1}
    jumps = [(n, (at[n + 1] - at[n] - BLOCK) / RATE) for n in range(1, 100) if at[n + 1] - at[n] != BLOCK]
    assert len(jumps) == 1 and jumps[0][0] >= 40  # where it was killed (2 s of audio or more)
    assert jumps[0][1] == pytest.approx(gone_s, abs=0.5)
    assert took < 3.0 + 1.5  # the 3 s left, paced in real time from there (not 5 s)
    said = [r.getMessage() for r in caplog.records if "resuming" in r.getMessage()]
    where = f"0:{jumps[0][0] // 20:02d}"  # (block n ends at n * 50 ms)
    assert len(said) == 1 and f": Rik's replay goes on at {where} of long.wav, where the audio it sent " \
        "ends" in said[0]
    assert said[0].startswith(f"resuming session {heard.id} (the capture before this one stopped ")


def test_a_replay_whose_session_is_gone_starts_its_new_session_at_the_files_start(tmp_path):
    wav = numbered(tmp_path / "long.wav", 3.0)

    async def main():
        server = await Server().start()
        server.service.resume_grace_s = 0.2
        old = await crashed(server, FileSource(wav, speed="realtime"), tmp_path, after_s=1.0)
        await asyncio.sleep(0.6)  # the server has ended it
        new = await asyncio.wait_for(run(server, FileSource(wav, speed="realtime"), tmp_path), 30)
        assert new != old
        await server.service.close()
        return server.made[-1]

    heard = asyncio.run(asyncio.wait_for(main(), 60))
    assert played(heard, "coachee") == list(range(1, 61))  # all of it, from 0:00
    assert heard.blocks[0][1] == 0


def test_the_state_file_says_where_in_its_files_a_replay_sent_audio_to(tmp_path):
    wav = numbered(tmp_path / "x.wav", 0.5)
    st = StateFile("ws://h/ingest", "Rik", tmp_path / "state")
    assert st.claim()
    ids = replay_ids([wav])
    st.save("s-1", "secret", zero_wall=1000.0, files=ids, files_zero=1010.0)
    st.touch(at=1025.05)  # 15.05 s into the files
    st.release()
    again = StateFile("ws://h/ingest", "Rik", tmp_path / "state")
    assert again.claim()
    rem = again.load()
    assert rem.files == ids and rem.sent_s == pytest.approx(15.05, abs=1e-4)
    assert rem.alive_wall == pytest.approx(1025.05)
    wav.write_bytes(wav.read_bytes() + b"\0\0\0\0")  # another recording under the same name
    assert replay_ids([wav]) != ids
