#!/usr/bin/env python3
"""F1 of pullcoach's utterance labels on a hand-labelled JSONL set (any pack language).

    python scripts/label_accuracy.py tests/data/nl_labels/test.jsonl [--lang nl] [--errors]
        [--no-question-marks]

Each line: {"id", "prev", "text", "labels": {"reflection", "question": "open"|"closed"|null,
"input", "advice", "push"}}. ``push`` is scored as the push-words rule reads it: a push
word outside a reflection and outside an open question ("Wat moet er volgens jou
gebeuren?" evokes). The Dutch sets in tests/data/nl_labels were written for this by
someone who had not seen the rule packs: dev.jsonl may be used to tune the packs,
test.jsonl (other scenarios) only to measure them. ``--no-question-marks`` scores the text
with every "?" made a ".", as Whisper often writes Dutch questions. Lines with ``words``
(scripts/speak_labels.py: what Whisper heard) are labelled with their word probabilities.
"""

from __future__ import annotations

import argparse
import json

from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import Word

KEYS = ("reflection", "open", "closed", "input", "advice", "push")


def flags(labels: dict) -> dict[str, bool]:
    return {"reflection": bool(labels["reflection"]), "open": labels["question"] == "open",
            "closed": labels["question"] == "closed", "input": bool(labels["input"]),
            "advice": bool(labels["advice"]), "push": bool(labels["push"])}


def predict(labeler, row: dict) -> dict[str, bool]:
    words = tuple(Word(text=w[0], start=w[1], end=w[2], p=w[3]) for w in row.get("words", ()))
    x = labeler.label(row["text"], words, row.get("prev", ""))
    return {"reflection": x.reflection, "open": x.question == "open", "closed": x.question == "closed",
            "input": x.input, "advice": x.advice,
            "push": x.push and not x.reflection and x.question != "open"}


def unmarked(rows: list[dict]) -> list[dict]:
    """The rows with "?" written as "." (Whisper drops most "?" in Dutch speech)."""
    return [{**r, "text": r["text"].replace("?", ".")} for r in rows]


def score(rows: list[dict], lang: str) -> tuple[dict[str, tuple[float, int]], list[tuple[dict, set]]]:
    """F1 and support per label, and the rows with the labels they got wrong."""
    labeler = Engine(lang=lang, config=EngineConfig(plugins=False)).labeler
    counts = {k: [0, 0, 0] for k in KEYS}  # tp, fp, fn
    wrong = []
    for row in rows:
        g, p = flags(row["labels"]), predict(labeler, row)
        for k in KEYS:
            counts[k][0] += g[k] and p[k]
            counts[k][1] += p[k] and not g[k]
            counts[k][2] += g[k] and not p[k]
        bad = {("missed " if g[k] else "extra ") + k for k in KEYS if g[k] != p[k]}
        if bad:
            wrong.append((row, bad))
    f1 = {k: ((2 * tp / (2 * tp + fp + fn)) if tp else 0.0, tp + fn) for k, (tp, fp, fn) in counts.items()}
    return f1, wrong


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("jsonl", nargs="+")
    ap.add_argument("--lang", default="nl", choices=("nl", "en"))
    ap.add_argument("--errors", action="store_true", help="list every utterance with a wrong label")
    ap.add_argument("--no-question-marks", action="store_true", help='score with every "?" made "."')
    args = ap.parse_args(argv)
    rows = [json.loads(line) for path in args.jsonl for line in open(path, encoding="utf-8") if line.strip()]
    if args.no_question_marks:
        rows = unmarked(rows)
    f1, wrong = score(rows, args.lang)
    print(f"{len(rows)} utterances ({args.lang}); F1 (gold count): " +
          "  ".join(f"{k} {v:.3f} ({n})" for k, (v, n) in f1.items()))
    if args.errors:
        for row, bad in wrong:
            print(f"  {row.get('id', '?')}: {', '.join(sorted(bad))} | {row['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
