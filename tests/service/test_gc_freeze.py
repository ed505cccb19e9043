"""A live process's full garbage collections walk only what its sessions make: what every
session uses (the session's modules, the rule pack's, Silero, the model) is frozen at
start-up (``runtime.settle``). Unfrozen, a full collection walked 45-50k start-up objects,
25-90 ms holding the GIL: the event loop's slowest step."""

import os
import subprocess
import sys

# a fresh process (pytest's has imported everything already): start-up as `run` does it
# (the model faked), then one session with its VAD and rule engine, then the session gone
SCRIPT = r"""
import asyncio, gc, sys, types
import numpy as np
from pullcoach import asr, runtime
from pullcoach.transcripts import read_transcript, to_events

class Transcriber:
    config = None
    def warm_up(self):
        pass

asr.load_transcriber = lambda *a, **k: Transcriber()
args = types.SimpleNamespace(model=None, lang="nl", host="127.0.0.1", port=0, allow_host=[],
                             data_dir=None, rules=None, no_rules=False, focus=None,
                             keep_audio=False, near_gate="auto", no_partials=False)
rt = runtime.Runtime(args, {})
asyncio.run(rt._load_transcriber())
events = to_events(read_transcript(sys.argv[1]), "Medewerker")
gc.collect()
before = len(gc.get_objects())

class Source:
    on_warning = None

session = rt._make_session(Source(), session_id="s", lang="nl")
session._start()
noise = (np.random.default_rng(1).standard_normal(16000 * 3) * 0.1).astype(np.float32)
for speaker in ("coachee", "partner"):
    session.segmenter.feed(speaker, 0, noise)
for event in events:
    session._dispatch(event)
del session
gc.collect()
print(len(gc.get_objects()) - before)
"""


def test_a_session_leaves_little_for_a_full_collection(tmp_path):
    transcript = os.path.join(os.path.dirname(__file__), "..", "data", "transcripts", "push_kantoor.jsonl")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", SCRIPT, transcript], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    left = int(done.stdout.split()[-1])
    # before: the session's modules, rule pack and Silero loaded after the freeze stayed
    # in the collector's walk for good (12k objects; 0.7k now)
    assert left < 2000, f"{left} objects left for every full collection after one session"
