"""kill -9 mid-session: the store loses at most the last second, and the session reports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from pullcoach.report import render
from pullcoach.store import Store

CHILD = r"""
import sys, time
from pullcoach.rules.events import SessionStarted, SpeechStarted, SpeechEnded, TranscriptFinal
from pullcoach.store import Store

store = Store(sys.argv[1])
store.append("crash", SessionStarted(session="crash", lang="nl", wall_clock=time.time()))
print("started", flush=True)
t = 0.0
i = 0
while True:
    speaker = "coachee" if i % 2 else "partner"
    store.append("crash", SpeechStarted(t=t, speaker=speaker))
    store.append("crash", SpeechEnded(t=t + 0.8, speaker=speaker))
    store.append("crash", TranscriptFinal(t=t + 1.0, speaker=speaker, t0=t, t1=t + 0.8,
                                          text=f"zin {i}"))
    print(i, time.time(), flush=True)
    i += 1
    t += 1.0
    time.sleep(0.02)
"""


def test_kill_9_loses_at_most_the_last_second(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        appended: list[tuple[int, float]] = []
        t_end = time.monotonic() + 2.5
        while time.monotonic() < t_end:
            i, wall = child.stdout.readline().split()
            appended.append((int(i), float(wall)))
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    must_have = {i for i, wall in appended if wall < killed_at - 1.0}
    assert len(must_have) > 20

    with Store(tmp_path) as store:
        (info,) = store.sessions()
        assert info["status"] == "interrupted"
        events = store.events("crash")
    texts = {e.text for e in events if type(e).__name__ == "TranscriptFinal"}
    assert {f"zin {i}" for i in must_have} <= texts
    html = render(events, "html")
    assert "zin 0" in html and "<svg" in html
