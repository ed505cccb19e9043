"""Generate two-speaker test conversations with espeak-ng and sox.

Each conversation becomes one stereo FLAC (16 kHz, 16 bit; left = coachee, right =
partner) plus a truth JSON with every utterance's voiced bounds (sample-exact, after
trimming espeak's silence) and the overlap events (interruptions, failed
interruptions, backchannels). The scripts live in fixture_scripts.py.

    python scripts/make_fixtures.py [--out tests/fixtures/audio] [--demo service/data] [--only NAME ...]

Deterministic: espeak-ng and sox's resampler are; sox never dithers here (float in,
our own rounding out) and the bleed noise comes from a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_scripts import BLEED, CONVERSATIONS  # noqa: E402

RATE = 16000
LEAD_IN = 0.5            # s of silence before the first turn
TAIL = 0.6               # s of silence after the last one
GAP = 0.6                # default pause between turns
OVERLAP = 1.0            # s from the interrupter's onset to the cut speaker's silence
FADE = 0.1               # s fade-out on a cut utterance (starts OVERLAP-FADE after onset)
TRIM_DB = -50.0          # espeak silence threshold, dBFS
GAIN = {"c": 0.35, "p": 0.3}   # peak level per speaker (espeak peaks near full scale)
BLEED_DB = -20.0
BLEED_DELAY = 0.002      # s acoustic path between the two mics
NOISE_DB = -70.0         # rms noise floor in the bleed variants
SPEAKER = {"c": "coachee", "p": "partner"}
OTHER = {"c": "p", "p": "c"}
ROOT = Path(__file__).resolve().parent.parent
DEMO = "nl_push_mb"  # copied to service/data/demo_nl.* for `pullcoach demo`


class Synth:
    """espeak-ng -> 16 kHz float32 mono, trimmed to the voiced part, cached."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.cache: dict[tuple[str, str, int], np.ndarray] = {}

    def __call__(self, text: str, voice: str, wpm: int) -> np.ndarray:
        key = (text, voice, wpm)
        if key not in self.cache:
            wav = self.tmp / "utt.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(wav), "--stdin"],
                           input=text.encode(), check=True)
            raw = subprocess.run(["sox", "-D", str(wav), "-t", "f32", "-r", str(RATE), "-c", "1", "-"],
                                 check=True, capture_output=True).stdout
            self.cache[key] = trim(np.frombuffer(raw, dtype="<f4").astype(np.float32))
        return self.cache[key]


def has_voice(voice: str) -> bool:
    """Whether espeak-ng can speak with ``voice`` (an mb-* voice needs its MBROLA database)."""
    return subprocess.run(["espeak-ng", "-v", voice, "-q", "a"], capture_output=True).returncode == 0


def trim(x: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > 10 ** (TRIM_DB / 20))
    if loud.size == 0:
        raise ValueError("espeak-ng produced silence")
    return x[loud[0]:loud[-1] + 1]


def voiced_fraction(x: np.ndarray, a: int, b: int, frame: int = RATE // 50) -> float:
    """Share of 20 ms frames in x[a:b] with rms above -34 dB re the channel's peak."""
    seg = x[a:b][: (b - a) // frame * frame].reshape(-1, frame)
    if seg.size == 0:
        return 0.0
    rms = np.sqrt((seg.astype(np.float64) ** 2).mean(axis=1))
    return float((rms > 0.02 * np.abs(x).max()).mean())


def build(script, voices, wpm, synth):
    """Place each utterance on the timeline; returns channels and truth lists."""
    placed = {"c": [], "p": []}   # (start, audio)
    turns, events = [], []
    sec = lambda n: n / RATE  # noqa: E731

    def put(spk, start, audio, text, kind, cut=False):
        for s, a in placed[spk]:
            if start < s + len(a) and s < start + len(audio):
                raise ValueError(f"{SPEAKER[spk]} overlaps itself at {sec(start):.2f}s: {text!r}")
        placed[spk].append((start, audio))
        turns.append({"speaker": SPEAKER[spk], "start": sec(start), "end": sec(start + len(audio)),
                      "text": text, "kind": kind, "cut": cut})

    cursor = int(LEAD_IN * RATE)
    cut_end = None  # end sample of a turn waiting to be interrupted
    for spk, text, opt in script:
        said, bar, rest = text.partition("|")
        said = said.strip()
        if bar:
            full = synth(f"{said} {rest.strip()}", voices[spk], wpm[spk])
            audio = full[: len(synth(said, voices[spk], wpm[spk]))].copy()
            nf = int(FADE * RATE)
            audio[-nf:] *= np.linspace(1.0, 0.0, nf, dtype=np.float32)
            audio = trim(audio)
        else:
            audio = synth(said, voices[spk], wpm[spk])
        audio = audio * GAIN[spk]
        if opt.get("interrupts"):
            if cut_end is None:
                raise ValueError(f"nothing to interrupt before {said!r}")
            start = cut_end - int(OVERLAP * RATE)
            events.append({"kind": "interruption", "by": SPEAKER[spk], "t": sec(start),
                           "overlap": sec(cut_end - start)})
        else:
            if cut_end is not None:
                raise ValueError(f"cut turn not followed by interrupts=True: {said!r}")
            start = cursor + int(opt.get("gap", GAP) * RATE)
        put(spk, start, audio, said, "turn", cut=bool(bar))
        end = start + len(audio)
        cut_end = end if bar else None
        for kind, at, itext in opt.get("inside", []):
            other = OTHER[spk]
            a = synth(itext, voices[other], wpm[other]) * GAIN[other]
            s = start + int(at * RATE)
            left = end - (s + len(a))
            if kind == "bc":
                if left < int(0.3 * RATE) or len(a) > int(0.8 * RATE):
                    raise ValueError(f"backchannel {itext!r} ({len(a) / RATE:.2f}s) "
                                     f"not short and inside {said!r}")
                put(other, s, a, itext, "backchannel")
                events.append({"kind": "backchannel", "by": SPEAKER[other], "t": sec(s)})
            elif kind == "fail":
                if len(a) < int(0.5 * RATE) or left < int(0.5 * RATE):
                    raise ValueError(f"failed interruption {itext!r}: too short or host ends")
                put(other, s, a, itext, "failed-interruption")
                events.append({"kind": "failed-interruption", "by": SPEAKER[other], "t": sec(s),
                               "overlap": sec(len(a))})
            else:
                raise ValueError(f"unknown inside kind {kind!r}")
        cursor = max(cursor, end)
    if cut_end is not None:
        raise ValueError("script ends on a cut turn")

    total = cursor + int(TAIL * RATE)
    chans = {}
    for spk in ("c", "p"):
        ch = np.zeros(total, dtype=np.float32)
        for s, a in placed[spk]:
            ch[s:s + len(a)] += a
        chans[spk] = ch
    check_overlaps(chans, events)
    turns.sort(key=lambda t: (t["start"], t["speaker"]))
    events.sort(key=lambda e: e["t"])
    return chans, turns, events


def check_overlaps(chans, events):
    """Interruptions must be real: both voices audible through most of the overlap."""
    for e in events:
        if e["kind"] == "backchannel":
            continue
        by = "c" if e["by"] == "coachee" else "p"
        a = int(round(e["t"] * RATE))
        b = a + int(round(e["overlap"] * RATE))
        for spk in (by, OTHER[by]):
            f = voiced_fraction(chans[spk], a, b)
            if f < 0.6:
                raise ValueError(f"{e['kind']} at {e['t']:.2f}s: {SPEAKER[spk]} voiced only {f:.0%}")


def add_bleed(chans, seed):
    """Each voice leaks into the other mic at BLEED_DB (delayed), plus a noise floor."""
    g = 10 ** (BLEED_DB / 20)
    d = int(BLEED_DELAY * RATE)
    rng = np.random.default_rng(seed)
    noise = 10 ** (NOISE_DB / 20)
    out = {}
    for spk in ("c", "p"):
        leak = np.concatenate([np.zeros(d, np.float32), chans[OTHER[spk]][:-d]])
        n = rng.standard_normal(len(leak)).astype(np.float32) * noise
        out[spk] = chans[spk] + g * leak + n
    return out


def write_flac(path: Path, chans) -> None:
    st = np.stack([chans["c"], chans["p"]], axis=1)
    pcm = np.clip(np.round(st * 32767), -32768, 32767).astype("<i2")
    subprocess.run(["sox", "-D", "-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16", "-c", "2",
                    "-", "-C", "8", str(path)], input=pcm.tobytes(), check=True)


def write_truth(path: Path, name, lang, voices, wpm, n, turns, events, bleed_db=None) -> None:
    truth = {
        "name": name, "lang": lang, "rate": RATE, "channels": ["coachee", "partner"],
        "duration": n / RATE, "bleed_db": bleed_db,
        "voices": {SPEAKER[k]: v for k, v in voices.items()},
        "wpm": {SPEAKER[k]: v for k, v in wpm.items()},
        "turns": turns, "events": events,
    }
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "tests/fixtures/audio")
    ap.add_argument("--demo", type=Path, default=ROOT / "service/data",
                    help="where the bundled demo copy of nl_push_mb goes")
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(CONVERSATIONS),
                    help="regenerate only these conversations (no bleed variants, no demo copy)")
    args = ap.parse_args(argv)
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            print(f"make_fixtures: {tool} not found; run: sudo apt-get install espeak-ng sox",
                  file=sys.stderr)
            return 1
    todo = {n: c for n, c in CONVERSATIONS.items() if not args.only or n in args.only}
    for name, (_, voices, _, _) in list(todo.items()):
        missing = sorted(v for v in set(voices.values()) if not has_voice(v))
        if missing:
            print(f"make_fixtures: espeak-ng has no voice {', '.join(missing)}, so {name} is not "
                  "regenerated; the mb-* voices need MBROLA: sudo apt-get install mbrola mbrola-nl2 "
                  "mbrola-nl3 (Debian contrib/non-free)", file=sys.stderr)
            if args.only:
                return 1
            del todo[name]
    args.out.mkdir(parents=True, exist_ok=True)
    built = {}
    with tempfile.TemporaryDirectory() as tmp:
        synth = Synth(Path(tmp))
        for name, (lang, voices, wpm, script) in todo.items():
            chans, turns, events = build(script, voices, wpm, synth)
            built[name] = (lang, voices, wpm, chans, turns, events)
            write_flac(args.out / f"{name}.flac", chans)
            write_truth(args.out / f"{name}.json", name, lang, voices, wpm,
                        len(chans["c"]), turns, events)
            print(f"{name}: {len(chans['c']) / RATE:.1f} s, {len(turns)} utterances, "
                  f"{len(events)} events")
    if args.only:
        return 0
    for seed, (name, src) in enumerate(sorted(BLEED.items()), start=1):
        lang, voices, wpm, chans, turns, events = built[src]
        bled = add_bleed(chans, seed)
        write_flac(args.out / f"{name}.flac", bled)
        write_truth(args.out / f"{name}.json", name, lang, voices, wpm, len(bled["c"]),
                    turns, events, bleed_db=BLEED_DB)
        print(f"{name}: {src} with {BLEED_DB:.0f} dB bleed")
    args.demo.mkdir(parents=True, exist_ok=True)
    for ext in ("flac", "json"):  # the demo plays the voices Whisper hears best
        if not (args.out / f"{DEMO}.{ext}").is_file():
            print(f"make_fixtures: no {DEMO}.{ext} in {args.out}: the demo copy is left as it is",
                  file=sys.stderr)
            break
        shutil.copyfile(args.out / f"{DEMO}.{ext}", args.demo / f"demo_nl.{ext}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
