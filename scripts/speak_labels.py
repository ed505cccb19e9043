#!/usr/bin/env python3
"""Speak each line of a labelled JSONL set with espeak-ng and transcribe it with Whisper, to
score the labels on what the recogniser heard instead of what was written.

    python scripts/speak_labels.py tests/data/nl_labels/test.jsonl > /tmp/heard.jsonl
    python scripts/label_accuracy.py /tmp/heard.jsonl      # uses the words' probabilities

Each line is spoken with the silence the live pipeline keeps around an utterance (its
pre- and post-roll). Each output line is the input line with ``text`` replaced by Whisper's
text, the written text kept as ``written`` and the words with their probabilities as
``words``. About one second a line on 2 cores with the packaged base model. espeak-ng's own
Dutch voice is far harder to recognise than people (WER ~58-80% against ~27% on real
speech); MBROLA's ``--voice mb-nl2`` comes closer (~35%).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from make_fixtures import RATE, Synth  # noqa: E402

from pullcoach.asr import load_transcriber  # noqa: E402
from pullcoach.pipeline import PipelineConfig  # noqa: E402

VOICE = {"nl": "nl+m3", "en": "en-us+m3"}  # the coachee's voice in the audio fixtures
# MBROLA's diphone voices (Debian contrib/non-free: mbrola, mbrola-nl2) are far closer to a person
# for Whisper: base on test.jsonl's first 30 lines, WER 0.35 with mb-nl2 against 0.80 with nl+m3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("jsonl", nargs="+")
    ap.add_argument("--lang", default="nl", choices=("nl", "en"))
    ap.add_argument("--model", help="Whisper model (default: the packaged base)")
    ap.add_argument("--wpm", type=int, default=160)
    ap.add_argument("--voice", help="espeak-ng voice (default nl+m3 / en-us+m3; try mb-nl2)")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for path in args.jsonl for line in open(path, encoding="utf-8") if line.strip()]
    asr = load_transcriber(args.model, args.lang)
    # the silence the live pipeline hands the decoder around an utterance: a clip cut tight
    # at the last voiced sample drops Whisper's "?" and ends in made-up words
    cfg = PipelineConfig()
    before, after = (np.zeros(int(s * RATE), dtype=np.float32) for s in (cfg.pre_roll_s, cfg.post_roll_s))
    with tempfile.TemporaryDirectory() as tmp:
        synth = Synth(Path(tmp))
        for row in rows:
            speech = synth(row["text"], args.voice or VOICE[args.lang], args.wpm)
            heard = asr.transcribe(np.concatenate([before, speech, after]), final=True, offset=-len(before) / RATE)
            words = [[w.text, w.start, w.end, w.p] for w in heard.words]
            print(json.dumps({**row, "text": heard.text, "written": row["text"], "words": words},
                             ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
