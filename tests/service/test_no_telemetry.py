"""Nothing leaves the machine: running the VAD writes no onnxruntime telemetry state (its
1DS uploader keeps a device id and an event queue in ~/.cache when it is on: measured with
onnxruntime 1.32 before pullcoach set ORT_DISABLE_TELEMETRY; not re-run here, as that
would let the test machine upload)."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = ("import numpy as np, pullcoach; from pullcoach.vad import SileroScorer; "
        "SileroScorer().score(np.zeros((4, 512), np.float32))")


def run(tmp_path, extra: dict) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.pop("XDG_CACHE_HOME", None)
    env.update(HOME=str(tmp_path), **extra)
    subprocess.run([sys.executable, "-c", CODE], env=env, check=True, timeout=120)
    return [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()]


def test_the_vad_leaves_no_telemetry_state(tmp_path):
    assert run(tmp_path / "ours", {}) == []
