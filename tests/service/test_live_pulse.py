"""Live capture through a real sound server: PulseAudio with two null sinks, read by
PortAudio's ALSA pulse plugin, as a Linux user's monitor of a call is read.

paplay plays a fixture's two voices into the sinks; ``pullcoach run`` captures their
monitors with real PortAudio callbacks and coaches it. No microphone needed: the sound
server is the device. Skipped where PulseAudio is missing (`make system` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import platformdirs
import pytest

from pullcoach.store import Store

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"
PULLCOACH = [sys.executable, "-m", "pullcoach"]
ASOUNDRC = """\
pcm.pc_mic { type pulse; device "coachee_out.monitor"; hint { show on; description "pc_mic" } }
pcm.pc_call_monitor { type pulse; device "partner_out.monitor"; hint { show on; description "pc_call_monitor" } }
pcm.!default { type pulse }
ctl.!default { type pulse }
"""

pytestmark = pytest.mark.skipif(not (shutil.which("pulseaudio") and shutil.which("paplay") and shutil.which("sox")),
                                reason="PulseAudio (pulseaudio, paplay) and sox are not installed: `make system`")


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    """A private PulseAudio daemon with sinks coachee_out and partner_out; the env that
    reaches it (HOME holds the .asoundrc naming their monitors for PortAudio)."""
    home = tmp_path_factory.mktemp("pulsehome")
    (home / ".asoundrc").write_text(ASOUNDRC)
    run = home / "xdg"
    run.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(run),
           "XDG_CACHE_HOME": str(Path(platformdirs.user_cache_dir()).resolve()),  # the joined model
           "XDG_CONFIG_HOME": str(home / "config")}
    env.pop("PULSE_SERVER", None)
    subprocess.run(["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "--system=false", "-n",
                    "--load=module-native-protocol-unix",
                    "--load=module-null-sink sink_name=coachee_out",
                    "--load=module-null-sink sink_name=partner_out",
                    f"--log-target=file:{home / 'pulse.log'}"], env=env, check=True, timeout=30)
    for _ in range(50):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    yield env, home
    subprocess.run(["pulseaudio", "--kill"], env=env, timeout=30)


def _voices(home: Path, seconds: float) -> tuple[Path, Path, Path]:
    """The first seconds of nl_push_mb as mono 44.1 kHz files: each voice, and both."""
    out = []
    for mix, name in (("1", "coachee"), ("2", "partner"), ("1,2", "both")):
        path = home / f"{name}.wav"
        subprocess.run(["sox", str(AUDIO / "nl_push_mb.flac"), "-r", "44100", str(path), "remix", mix,
                        "trim", "0", str(seconds)], check=True)
        out.append(path)
    return out[0], out[1], out[2]


def _run_and_play(env, args, plays, data_dir, after_s):
    """Start `pullcoach run ARGS`, play each (sink, file) once it listens, stop it with
    Ctrl-C ``after_s`` seconds into the playback; its stderr."""
    proc = subprocess.Popen([*PULLCOACH, "run", *args, "--no-overlay", "--data-dir", str(data_dir)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("pullcoach on"):
                break
        players = [subprocess.Popen(["paplay", f"--device={sink}", str(path)], env=env) for sink, path in plays]
        time.sleep(after_s)
        proc.send_signal(signal.SIGINT)
        lines += proc.stdout.readlines()
        proc.wait(60)
        for p in players:
            p.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return "".join(lines)


def test_devices_lists_the_sound_servers_inputs_and_marks_the_calls_monitor(pulse):
    env, _ = pulse
    out = subprocess.run([*PULLCOACH, "devices", "--json"], env=env, capture_output=True, text=True, timeout=60)
    inputs = {d["name"]: d for d in json.loads(out.stdout)["inputs"]}
    assert {"pc_mic", "pc_call_monitor", "pulse"} <= set(inputs)
    assert inputs["pc_call_monitor"]["loopback"] and not inputs["pc_mic"]["loopback"]


def test_run_without_devices_takes_the_default_input_and_the_calls_monitor(pulse, tmp_path):
    env, home = pulse
    _, partner, _ = _voices(home, 3.0)
    out = _run_and_play(env, [], [("partner_out", partner)], tmp_path, after_s=3.0)
    assert "partner: " in out and "pc_call_monitor (looks like a call's output)" in out, out
    assert "coachee: " in out and "default" in out.split("coachee: ", 1)[1].split(";")[0]
    assert "captured: coachee" in out


def test_run_coaches_a_conversation_captured_from_two_monitors(pulse, tmp_path):
    env, home = pulse
    coachee, partner, _ = _voices(home, 24.0)
    out = _run_and_play(env, ["--coachee", "pc_mic", "--partner", "pc_call_monitor"],
                        [("coachee_out", coachee), ("partner_out", partner)], tmp_path, after_s=27.0)
    assert "captured: coachee" in out, out
    captured = out.split("captured: ", 1)[1].split("\n", 1)[0]
    assert "0 dropped" in captured and "0 overflows" in captured
    with Store(tmp_path) as store:
        (sid,) = [s["id"] for s in store.sessions()]
        events = store.events(sid)
    starts = [e for e in events if type(e).__name__ == "SpeechStarted"]
    finals = [e for e in events if type(e).__name__ == "TranscriptFinal"]
    nudges = [e for e in events if type(e).__name__ == "NudgeIssued"]
    assert {e.speaker for e in starts} == {"coachee", "partner"}
    assert len(finals) >= 8
    # the fixture's coachee cuts in at 19.32 s, 13.93 s after the partner first spoke
    # (5.39 s): live from the sound server too, on one clock for both channels
    cut = [n for n in nudges if n.rule == "interruption"]
    assert cut, [(n.rule, n.t) for n in nudges]
    partner = min(e.t for e in starts if e.speaker == "partner")
    assert cut[0].evidence_t - partner == pytest.approx(19.32 - 5.39, abs=0.15)
    assert not [e for e in events if type(e).__name__ == "PipelineWarning"
                and e.kind in ("channels-same", "channel-silent", "channel-stalled")]


def test_one_source_recorded_for_both_speakers_is_reported(pulse, tmp_path):
    """`--coachee pulse --partner pulse` without routing the streams apart in pavucontrol:
    both record the same source. pullcoach says so within seconds, and that it is one input
    recorded twice (a copy at a steady level), not loud speakers."""
    env, home = pulse
    _, _, both = _voices(home, 16.0)
    env = {**env, "PULSE_SOURCE": "coachee_out.monitor"}
    out = _run_and_play(env, ["--coachee", "pulse", "--partner", "pulse"], [("coachee_out", both)],
                        tmp_path, after_s=17.0)
    assert "Both channels carry the same sound: one input is recorded twice" in out, out
