"""--keep-audio: per-channel FLAC beside the database, on the session clock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass

import av
import numpy as np

from pullcoach.audio_keep import RATE, AudioKeeper
from pullcoach.rules.events import SessionEnded, SessionStarted
from pullcoach.store import Store


@dataclass
class Block:  # the AudioBlock shape: speaker, start sample, float32 samples
    speaker: str
    start: int
    samples: np.ndarray


def _read(path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])


def test_flac_per_channel_with_gaps_filled(tmp_path):
    tone = (0.5 * np.sin(np.arange(RATE) * 2 * np.pi * 440 / RATE)).astype(np.float32)
    with AudioKeeper(tmp_path / "audio", "s1") as keep:
        keep.write(Block("coachee", 0, tone[:8000]))
        keep.write(Block("coachee", 8000, tone[8000:]))
        keep.write(Block("partner", RATE, tone))  # starts 1 s into the session
    coachee = _read(tmp_path / "audio" / "s1" / "coachee.flac")
    partner = _read(tmp_path / "audio" / "s1" / "partner.flac")
    assert len(coachee) == RATE and len(partner) == 2 * RATE
    assert np.abs(partner[:RATE]).max() == 0  # the gap is silence
    np.testing.assert_allclose(coachee / 32767.0, tone, atol=1e-3)
    np.testing.assert_allclose(partner[RATE:] / 32767.0, tone, atol=1e-3)


def test_a_revived_session_keeps_the_first_file_and_goes_on_in_a_second(tmp_path):
    tone = (0.5 * np.sin(np.arange(RATE) * 2 * np.pi * 440 / RATE)).astype(np.float32)
    with AudioKeeper(tmp_path, "s1") as keep:  # the run a crash cut off
        keep.write(Block("coachee", 0, tone))
    with AudioKeeper(tmp_path, "s1") as keep:  # revived 25 s in
        keep.write(Block("coachee", 25 * RATE, tone))
    paths = keep.paths()
    assert paths == {"coachee": tmp_path / "s1" / "coachee.2.flac"}
    np.testing.assert_allclose(_read(tmp_path / "s1" / "coachee.flac") / 32767.0, tone, atol=1e-3)
    second = _read(paths["coachee"])
    assert len(second) == 26 * RATE and np.abs(second[:25 * RATE]).max() == 0  # on the session clock
    np.testing.assert_allclose(second[25 * RATE:] / 32767.0, tone, atol=1e-3)


def test_kept_audio_survives_a_killed_process(tmp_path):
    """kill -9 (a crash, power loss) mid-session: the audio written so far is on disk."""
    code = textwrap.dedent(f"""
        import os, time, numpy as np
        from pullcoach.audio_keep import AudioKeeper
        class B:
            def __init__(self, start, samples):
                self.speaker, self.start, self.samples = "coachee", start, samples
        t = np.arange(20 * 16000) / 16000
        x = (0.3 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.5 * t) > 0)).astype(np.float32)
        k = AudioKeeper({str(tmp_path)!r}, "s1")
        for i in range(200):
            k.write(B(i * 1600, x[i * 1600:(i + 1) * 1600]))
        time.sleep(1.5)
        os.kill(os.getpid(), 9)
    """)
    assert subprocess.run([sys.executable, "-c", code]).returncode == -9
    assert len(_read(tmp_path / "s1" / "coachee.flac")) >= 19 * RATE


def test_store_delete_removes_kept_audio_and_lists_it(tmp_path):
    with Store(tmp_path) as store:
        store.append("s1", SessionStarted(session="s1"))
        with AudioKeeper(store.audio_dir, "s1") as keep:
            keep.write(Block("coachee", 0, np.zeros(1600, dtype=np.float32)))
        store.mark_audio_kept("s1")
        assert store.sessions()[0]["audio_kept"] is True
        assert (store.audio_dir / "s1" / "coachee.flac").exists()
        store.append("s1", SessionEnded(t=0.1))  # a live session is not deleted
        store.delete("s1")
        assert not (store.audio_dir / "s1").exists()


def test_audio_of_a_killed_run_counts_as_kept(tmp_path):
    """kill -9 before the end: the FLAC files are there, the session was never marked."""
    store = Store(tmp_path)
    store.append("s1", SessionStarted(session="s1", lang="nl", wall_clock=1000.0))
    store.append("s2", SessionStarted(session="s2", lang="nl", wall_clock=2000.0))
    with AudioKeeper(store.audio_dir, "s1") as keep:
        keep.write(Block("coachee", 0, np.zeros(RATE, dtype=np.float32)))
    store.close()  # no SessionEnded, no mark_audio_kept: as if killed
    with Store(tmp_path) as again:
        kept = {s["id"]: s["audio_kept"] for s in again.sessions()}
    assert kept == {"s1": True, "s2": False}
