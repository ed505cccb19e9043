"""``pullcoach devices``: the audio inputs PortAudio sees, and how to capture the partner.

Lists input devices with index, name, channels and default rate, and marks likely
loopback/monitor sources (the partner's side of a call); exits 0. With no input device,
or no PortAudio at all, it says so in one line (on stderr, what to do next) and exits 3,
the code of an audio problem, as ``run`` does there: a script can tell "nothing to
capture" from a list. ``--json`` prints a JSON object for scripts (the same exit codes).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from pullcoach.audio_live import NO_PORTAUDIO, is_loopback
from pullcoach.errors import AudioDeviceError

HOWTO = """\
Pick the partner's voice (the other side of a call) with a loopback/monitor input:
  Linux (PulseAudio/PipeWire): `pactl list short sources` shows a `.monitor` source per
    output. PortAudio reaches them through the "pulse" (or "pipewire") device: start
    `pullcoach run --coachee pulse --partner pulse`, then in pavucontrol (Recording tab)
    set pullcoach's second stream to "Monitor of <your output>".
  macOS: install BlackHole, make a Multi-Output Device (Audio MIDI Setup) with your
    speakers + BlackHole as the call's output, and give BlackHole as the partner device.
  Windows: PortAudio input lists do not expose WASAPI loopback; enable "Stereo Mix" in
    the Sound control panel (Recording tab) or install VB-CABLE and use "CABLE Output".
Then: pullcoach run --coachee MIC --partner MONITOR   (or --stereo DEVICE for a 2-channel interface)"""


def list_inputs(query_devices: Callable | None = None,
                query_hostapis: Callable | None = None) -> list[dict]:
    """Input devices as plain dicts; raises AudioDeviceError without PortAudio."""
    if query_devices is None or query_hostapis is None:
        try:
            import sounddevice as sd
        except OSError:
            raise AudioDeviceError(NO_PORTAUDIO) from None
        query_devices = query_devices or sd.query_devices
        query_hostapis = query_hostapis or sd.query_hostapis
    apis = [a.get("name", "?") for a in query_hostapis()]
    default_in = {a.get("default_input_device", -1) for a in query_hostapis()}
    out = []
    for i, d in enumerate(query_devices()):
        if d.get("max_input_channels", 0) < 1:
            continue
        idx = d.get("index", i)
        api = d.get("hostapi", -1)
        out.append({
            "index": idx,
            "name": d["name"],
            "channels": int(d["max_input_channels"]),
            "rate": float(d.get("default_samplerate", 0)),
            "hostapi": apis[api] if 0 <= api < len(apis) else "",
            "loopback": is_loopback(d["name"]),
            "default": idx in default_in,
        })
    return out


def pick_pair(inputs: list[dict]) -> tuple[dict, dict]:
    """The devices ``run`` takes when none are given: the default input (or the first that
    is no loopback) for the coachee, the one input that looks like a call's output for the
    partner. AudioDeviceError, with the list and how to set a loopback up, when there is
    no such pair."""
    mics = [d for d in inputs if not d["loopback"]]
    loops = [d for d in inputs if d["loopback"]]
    if not inputs:
        raise AudioDeviceError("no audio input devices found; connect a microphone "
                               "(`pullcoach devices` shows what PortAudio sees); without one, "
                               "`pullcoach demo` or `pullcoach run --replay RECORDING`")
    if mics and loops:
        mic = next((d for d in mics if d["default"]), mics[0])
        return mic, loops[0]
    raise AudioDeviceError(
        "give the two devices: --coachee MIC --partner DEVICE (or --stereo DEVICE); no input "
        "here looks like a call's output, so the partner cannot be guessed.\n\n"
        + format_table(inputs) + "\n\n" + HOWTO)


def format_table(inputs: list[dict]) -> str:
    width = max(len(d["name"]) for d in inputs)
    api_w = max(8, *(len(d["hostapi"]) for d in inputs))
    lines = [f"{'':2}{'idx':>3}  {'name':<{width}}  {'ch':>2}  {'rate':>6}  {'host api':<{api_w}}".rstrip()]
    for d in inputs:
        mark = "*" if d["default"] else " "
        tag = "  <- loopback/monitor (partner?)" if d["loopback"] else ""
        lines.append(f"{mark} {d['index']:>3}  {d['name']:<{width}}  {d['channels']:>2}  "
                     f"{d['rate']:>6.0f}  {d['hostapi']:<{api_w}}{tag}".rstrip())
    lines.append("(* = default input)")
    return "\n".join(lines)


def run(args, query_devices=None, query_hostapis=None) -> int:
    try:
        inputs = list_inputs(query_devices, query_hostapis)
        problem = None if inputs else (
            "no audio input devices found: connect a microphone (or check that PortAudio can "
            "see your sound server); without one, try `pullcoach demo`, or coach a recording "
            "with `pullcoach run --replay FILE`")
    except AudioDeviceError as err:
        inputs, problem = [], str(err)
    if args.json:
        json.dump({"inputs": inputs, "problem": problem}, sys.stdout, indent=1)
        print()
        return AudioDeviceError.exit_code if problem else 0
    if problem:
        raise AudioDeviceError(problem)  # "pullcoach: ..." on stderr, exit 3
    print(format_table(inputs))
    print()
    print(HOWTO)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "devices", help="list audio inputs and how to capture the partner's side",
        description="List audio input devices (index, name, channels, default rate), mark "
                    "likely loopback/monitor sources and say how to set one up per OS. "
                    "Exits 0 with a list; 3 (and one line saying what to do) when there is "
                    "no input device or no PortAudio.")
    p.add_argument("--json", action="store_true", help="print a JSON object for scripts")
    p.set_defaults(func=run)
