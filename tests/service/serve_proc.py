"""`pullcoach serve` as a subprocess for tests that run it as a user does."""

from __future__ import annotations

import signal
import subprocess
import sys
from contextlib import contextmanager


@contextmanager
def pullcoach_serve(env: dict, data_dir, *extra: str):
    """Start `pullcoach serve --port 0` on ``data_dir``; yield its port; Ctrl-C it after."""
    serve = subprocess.Popen([sys.executable, "-m", "pullcoach", "serve", *extra, "--port", "0",
                              "--data-dir", str(data_dir)], env={**env, "PYTHONUNBUFFERED": "1"},
                             text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port = None
        for line in serve.stderr:
            if "serving on http://127.0.0.1:" in line:
                port = int(line.split("127.0.0.1:")[1].split("/")[0].split()[0])
                break
        assert port, "serve did not start"
        yield port
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(60)
        except subprocess.TimeoutExpired:
            serve.kill()
