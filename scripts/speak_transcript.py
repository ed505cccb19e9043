#!/usr/bin/env python3
"""Turn a timed transcript into a two-channel recording with espeak-ng, to try the live
pipeline on it (left = coachee, right = partner):

    python scripts/speak_transcript.py talk.jsonl --coachee Teamleider -o talk.flac
    pullcoach replay talk.flac --events talk.events.jsonl

Each line is spoken at the rate that fills its start..end (80-260 words a minute) and placed
at its start, so the overlaps are the transcript's; a line that runs into the same speaker's
next line is cut there with a short fade. Transcript formats as `pullcoach analyze` reads them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from make_fixtures import FADE, GAIN, RATE, Synth, write_flac  # noqa: E402

from pullcoach.transcripts import read_transcript  # noqa: E402

VOICES = {"nl": {"c": "nl+m3", "p": "nl+f3"}, "en": {"c": "en-us+m3", "p": "en+f3"}}
WPM = (80, 260)


def render(segments, coachee: str, lang: str, synth) -> dict[str, np.ndarray]:
    side = {s.speaker: ("c" if s.speaker == coachee else "p") for s in segments}
    n = int((max(s.end for s in segments) + 2.0) * RATE)
    chans = {"c": np.zeros(n, np.float32), "p": np.zeros(n, np.float32)}
    for i, s in enumerate(segments):
        words = max(1, len(s.text.split()))
        window = max(0.3, s.end - s.start)
        wpm = int(min(WPM[1], max(WPM[0], words / window * 60)))
        spk = side[s.speaker]
        text = s.text.rstrip("—-– ")
        audio = synth(text, VOICES[lang][spk], wpm)
        fit = int(min(WPM[1], max(WPM[0], wpm * len(audio) / (window * RATE))))
        if abs(len(audio) / RATE - window) > 0.1 * window and fit != wpm:  # espeak's own pace
            audio = synth(text, VOICES[lang][spk], fit)
        audio = audio * GAIN[spk]
        a = int(s.start * RATE)
        nxt = next((t.start for t in segments[i + 1:] if side[t.speaker] == spk), None)
        stop = min(n, a + len(audio), int(nxt * RATE) - int(0.05 * RATE) if nxt is not None else n)
        piece = audio[: max(0, stop - a)].copy()
        if len(piece) < len(audio):  # cut off: fade out
            nf = min(len(piece), int(FADE * RATE))
            piece[len(piece) - nf:] *= np.linspace(1.0, 0.0, nf, dtype=np.float32)
        chans[spk][a:a + len(piece)] += piece
    return chans


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("transcript")
    ap.add_argument("--coachee", required=True, help="the speaker on the left channel")
    ap.add_argument("--lang", default="nl", choices=("nl", "en"))
    ap.add_argument("-o", "--out", required=True, help="output .flac")
    args = ap.parse_args(argv)
    segments = sorted(read_transcript(args.transcript), key=lambda s: s.start)
    if args.coachee not in {s.speaker for s in segments}:
        ap.error(f"--coachee {args.coachee!r} does not speak in {args.transcript}")
    with tempfile.TemporaryDirectory() as tmp:
        write_flac(Path(args.out), render(segments, args.coachee, args.lang, Synth(Path(tmp))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
