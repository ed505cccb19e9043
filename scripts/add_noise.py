#!/usr/bin/env python3
"""Mix steady background noise into a fixture, to measure the pipeline in a noisy room.

    python scripts/add_noise.py tests/fixtures/audio/nl_push_mb.flac 10 /tmp/noisy/nl_push_mb.flac
    pullcoach bench --skip-models /tmp/noisy/nl_push_mb.flac
    # colleagues talking across the room, on the coachee's mic only
    python scripts/add_noise.py tests/fixtures/audio/nl_push_mb.flac 20 /tmp/room/nl_push_mb.flac \
        --noise tests/fixtures/audio/nl_pull_mb.flac --channels coachee

Pink noise (power falling 3 dB an octave: a fan, air conditioning, a busy office's hum) is
added to each channel at SNR dB below that channel's speech level (the RMS of its 20 ms
frames within 30 dB of its loudest frame), independently per channel, from a fixed seed:
the same input gives the same file. ``--noise FILE`` mixes a recording instead (mixed down
to mono, looped, its own speech level set SNR dB under the channel's). The truth JSON
beside the input is copied beside the output so `pullcoach bench` can score it. Needs sox.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

FRAME = 320  # 20 ms at 16 kHz


def read(path: Path) -> tuple[np.ndarray, int]:
    """(samples x channels float32, rate) via sox."""
    info = subprocess.run(["sox", "--i", "-c", str(path)], capture_output=True, text=True, check=True)
    rate = subprocess.run(["sox", "--i", "-r", str(path)], capture_output=True, text=True, check=True)
    ch, sr = int(info.stdout), int(rate.stdout)
    raw = subprocess.run(["sox", "-D", str(path), "-t", "f32", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, "<f4").reshape(-1, ch), sr


def write(path: Path, x: np.ndarray, sr: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-D", "-t", "f32", "-r", str(sr), "-c", str(x.shape[1]), "-", "-b", "16", str(path)],
                   input=x.astype("<f4").tobytes(), check=True)


def speech_level(ch: np.ndarray) -> float:
    """RMS of the frames within 30 dB of the loudest one: the level while someone speaks."""
    frames = ch[: len(ch) // FRAME * FRAME].reshape(-1, FRAME)
    energy = (frames.astype(np.float64) ** 2).mean(axis=1)
    if not len(energy) or energy.max() <= 0:
        return 0.0
    return float(np.sqrt(energy[energy >= 1e-3 * energy.max()].mean()))


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS pink noise (1/f power), shaped in the frequency domain."""
    spec = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    f = np.arange(len(spec), dtype=np.float64)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0.0
    y = np.fft.irfft(spec, n)
    return y / y.std()


def add_noise(x: np.ndarray, snr_db: float, seed: int = 7, noise: np.ndarray | None = None,
              channels: tuple[int, ...] | None = None) -> np.ndarray:
    """``noise``: a mono recording to mix (looped) instead of pink noise; ``channels``: which
    channels get it (default all)."""
    rng = np.random.default_rng(seed)
    out = x.astype(np.float64).copy()
    for c in range(x.shape[1]) if channels is None else channels:
        if noise is None:
            n = pink(len(x), rng)
        else:
            n = np.resize(noise.astype(np.float64), len(x)) / max(speech_level(noise), 1e-9)
        out[:, c] += n * speech_level(x[:, c]) * 10 ** (-snr_db / 20)
    peak = np.abs(out).max()
    if peak > 0.99:  # never clip: scale the whole mix down instead
        out *= 0.99 / peak
    return out.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", type=Path)
    ap.add_argument("snr", type=float, help="signal-to-noise ratio in dB (20: a quiet office; 10: a loud fan)")
    ap.add_argument("output", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--noise", type=Path, metavar="FILE",
                    help="mix this recording instead of pink noise (other people talking)")
    ap.add_argument("--channels", choices=("both", "coachee", "partner"), default="both",
                    help="which channel gets the noise (left = coachee, right = partner)")
    args = ap.parse_args(argv)
    if shutil.which("sox") is None:
        print("add_noise: sox not found; run: sudo apt-get install sox", file=sys.stderr)
        return 2
    for path in (args.input, args.noise):
        if path is not None and not path.is_file():
            print(f"add_noise: {path}: no such file", file=sys.stderr)
            return 2
    x, sr = read(args.input)
    noise = None
    if args.noise is not None:
        n, nsr = read(args.noise)
        if nsr != sr:
            print(f"add_noise: {args.noise} is {nsr} Hz and {args.input} {sr} Hz; resample it first "
                  f"(sox {args.noise} -r {sr} other.flac)", file=sys.stderr)
            return 2
        noise = n.mean(axis=1)
    channels = {"both": None, "coachee": (0,), "partner": (1,)}[args.channels]
    if channels is not None and x.shape[1] < 2:
        channels = (0,)
    write(args.output, add_noise(x, args.snr, args.seed, noise, channels), sr)
    truth = args.input.with_suffix(".json")
    if truth.is_file():
        shutil.copyfile(truth, args.output.with_suffix(".json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
