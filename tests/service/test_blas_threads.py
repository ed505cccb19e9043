"""numpy's OpenBLAS thread pool spins on idle cores: pullcoach keeps it to the calling thread
unless the user set OPENBLAS_NUM_THREADS (measured: 0.15 cores less in `bench`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# threads of a process that imported pullcoach, then numpy, and multiplied two matrices
CODE = ("import pullcoach, numpy as np, os; a = np.ones((300, 300)); a @ a; "
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), len(os.listdir('/proc/self/task')))")


def threads(extra: dict) -> tuple[str, int]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env.update(extra)
    out = subprocess.run([sys.executable, "-c", CODE], env=env, check=True, timeout=60,
                         capture_output=True, text=True).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_numpy_starts_no_blas_worker_threads_unless_the_user_asks():
    setting, ours = threads({})
    assert setting == "1"
    setting, theirs = threads({"OPENBLAS_NUM_THREADS": "2"})
    assert setting == "2"  # a user's own setting is kept
    assert ours < theirs
