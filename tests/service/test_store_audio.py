"""--keep-audio: per-channel FLAC beside the database, on the session clock."""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from pullcoach.audio_keep import RATE, AudioKeeper
from pullcoach.rules.events import SessionStarted
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


def test_store_delete_removes_kept_audio_and_lists_it(tmp_path):
    with Store(tmp_path) as store:
        store.append("s1", SessionStarted(session="s1"))
        with AudioKeeper(store.audio_dir, "s1") as keep:
            keep.write(Block("coachee", 0, np.zeros(1600, dtype=np.float32)))
        store.mark_audio_kept("s1")
        assert store.sessions()[0]["audio_kept"] is True
        assert (store.audio_dir / "s1" / "coachee.flac").exists()
        store.delete("s1")
        assert not (store.audio_dir / "s1").exists()
