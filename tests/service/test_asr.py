"""The shared Transcriber on real speech: decodes from several threads at once give the
same words as one at a time (each thread keeps its own encoder window)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from pullcoach.asr import AsrConfig, Transcriber

pytestmark = pytest.mark.model
FIXTURE = Path(__file__).parents[1] / "fixtures" / "audio" / "en_push.flac"


def test_concurrent_decodes_match_sequential_ones(model_dir):
    coachee, partner = decode_audio(str(FIXTURE), split_stereo=True)
    # a short and a long clip: their encoder windows differ (15 s vs 20 s)
    clips = [np.asarray(coachee[16000:16000 * 5], np.float32),
             np.asarray(partner[16000 * 5:16000 * 23], np.float32),
             np.asarray(coachee[16000 * 10:16000 * 14], np.float32)]
    tr = Transcriber(model_dir, AsrConfig(lang="en"))
    alone = [tr.transcribe(c).text for c in clips]
    assert all(alone) and len(set(alone)) == 3
    with ThreadPoolExecutor(3) as pool:
        together = list(pool.map(lambda c: tr.transcribe(c).text, clips * 2))
    assert together == alone * 2
