"""`make demo`'s `pullcoach demo`, as a user runs it on a machine with no display: the
bundled role-play replayed live, its nudges printed, the session stored under the demo's
own names (so it is never someone's "previous conversation") and its report written."""

from __future__ import annotations

import os
import subprocess
import sys

from pullcoach.store import Store


def test_demo_prints_its_nudges_and_stores_a_session_under_its_own_names(tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    data = tmp_path / "data"
    done = subprocess.run([sys.executable, "-m", "pullcoach", "demo", "--port", "0", "--data-dir",
                           str(data)], env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout
    assert "Moeten?  (push-words)" in printed and "Laat uitpraten  (interruption)" in printed
    assert "Weerstand: vraag door  (interrupted)" in printed
    with Store(data) as store:
        (info,) = store.sessions()
    assert (info["coachee"], info["partner"], info["status"]) == ("Manager (demo)", "Sanne (demo)", "ended")
    report = data / "reports" / f"{info['id']}.html"
    assert "Manager (demo)" in report.read_text(encoding="utf-8")
