"""The shared Transcriber on real speech: decodes from several threads at once give the
same words as one at a time (each thread keeps its own encoder window); the decode
threads run at a lower priority than the event loop."""

from __future__ import annotations

import os
import sys
import threading
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


def _threads() -> dict[int, tuple[int, int]]:
    """Every thread of this process: native id -> (CPU ticks, nice), from /proc."""
    out = {}
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        out[int(stat.parent.name)] = (int(fields[11]) + int(fields[12]), int(fields[16]))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_decodes_run_at_the_configured_nice_and_the_caller_keeps_its_own(model_dir):
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    before = set(_threads())
    tr = Transcriber(model_dir, AsrConfig(lang="en", nice=5))
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
    coachee, _ = decode_audio(str(FIXTURE), split_stereo=True)
    start = _threads()
    with ThreadPoolExecutor(2) as pool:  # both workers busy
        list(pool.map(lambda s: tr.transcribe(np.asarray(coachee[s:s + 16000 * 6], np.float32)),
                      (16000, 16000 * 10)))
    end = _threads()
    used = {tid: end[tid][0] - start.get(tid, (0, 0))[0] for tid in end}
    # the model's threads (started while it loaded) did most of the decoding, at nice + 5
    model_threads = {tid for tid in start if tid not in before and tid in end}
    decoding = {tid for tid in model_threads if used[tid] > 0}
    assert decoding and sum(used[t] for t in decoding) > 0.5 * sum(used.values())
    assert {end[tid][1] for tid in model_threads} == {min(19, own + 5)}
