#!/usr/bin/env python3
"""The rules of this checkout and of an older one give the same labels and phrase matches.

    git worktree add /tmp/ps_base HEAD~1
    python scripts/label_equivalence.py --base /tmp/ps_base [--annomi ../shared/data/annomi/dev.csv]
    git worktree remove /tmp/ps_base

Labels every utterance of tests/data/transcripts, the hand-labelled sets under tests/data and
the AnnoMI CSV, and runs every pack list's ``find`` (anywhere, at clause starts, at part starts)
on it, on a copy with misheard words (joined, split, doubled, dropped letters) and on its words
with made-up probabilities. ``--base`` does the same in a child process with that checkout's
``rules/`` package and prints every difference; the exit code is 1 if there is one.
"""

from __future__ import annotations

import argparse
import csv
import glob
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_rules_from(base: str) -> None:
    """Import ``pullcoach.rules`` (all of it) from another checkout's ``rules/``."""
    import pullcoach  # noqa: F401  (the service package stays this checkout's)
    init = Path(base) / "rules" / "__init__.py"
    spec = importlib.util.spec_from_file_location("pullcoach.rules", init,
                                                  submodule_search_locations=[str(init.parent)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["pullcoach.rules"] = mod
    spec.loader.exec_module(mod)


def utterances(annomi: str | None) -> list[tuple[str, str, str]]:
    """(lang, prev, text) of every utterance."""
    out: list[tuple[str, str, str]] = []
    for path in sorted(glob.glob(str(ROOT / "tests/data/*/*.jsonl"))):
        lang = "en" if "_en" in Path(path).name or "/en_labels/" in path else "nl"
        rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
        last: dict[str, str] = {}
        for r in rows:
            if "prev" in r:
                out.append((lang, r["prev"], r["text"]))
            else:  # a transcript: the other speaker's last words
                prev = next((t for s, t in reversed(list(last.items())) if s != r["speaker"]), "")
                out.append((lang, prev, r["text"]))
                last.pop(r["speaker"], None)
                last[r["speaker"]] = r["text"]
    if annomi:
        prev = ""
        for r in csv.DictReader(open(annomi, encoding="utf-8")):
            out.append(("en", prev, r["utterance_text"]))
            prev = r["utterance_text"]
    return out


def misheard(text: str, rng: random.Random) -> str:
    """``text`` with Whisper-like slips: words joined or split, letters doubled or dropped."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        w, roll = words[i], rng.random()
        if roll < 0.1 and i + 1 < len(words):
            w, i = w + words[i + 1], i + 1
        elif roll < 0.2 and len(w) > 3:
            cut = rng.randrange(1, len(w) - 1)
            w = w[:cut] + " " + w[cut:]
        elif roll < 0.3 and len(w) > 2:
            j = rng.randrange(1, len(w) - 1)
            w = w[:j] + w[j] + w[j:]
        elif roll < 0.4 and len(w) > 5:
            j = rng.randrange(1, len(w) - 1)
            w = w[:j] + w[j + 1:]
        elif roll < 0.45 and len(w) > 5:
            j = rng.randrange(1, len(w) - 1)
            w = w[:j] + rng.choice("aeiounrstdk") + w[j + 1:]
        out.append(w)
        i += 1
    return " ".join(out)


def results(annomi: str | None, limit: int | None = None) -> list[str]:
    """One JSON line per utterance: its labels and every list's matches, plain, misheard and
    with word probabilities."""
    from pullcoach.rules.engine import Engine, EngineConfig
    from pullcoach.rules.events import Word
    from pullcoach.rules.text import tokens

    labelers = {lang: Engine(lang=lang, config=EngineConfig(plugins=False)).labeler for lang in ("nl", "en")}
    rng = random.Random(7)
    out = []
    for lang, prev, text in utterances(annomi)[:limit]:
        lab = labelers[lang]
        words = tuple(Word(text=w, start=i, end=i + 0.5, p=round(rng.uniform(0.3, 1.0), 2))
                      for i, w in enumerate(text.split()))
        bad = misheard(text, rng)
        row = {"labels": [repr(lab.label(t, ws, prev)) for t, ws in ((text, ()), (text, words), (bad, ()))]}
        variants = {"plain": tokens(text), "misheard": tokens(bad),
                    "probs": tokens(text, [(w.text, w.p) for w in words])}
        for name, toks in variants.items():
            found = {}
            for key, ps in sorted(lab.pack.sets.items()) + [("own_duties", lab.own_duties)]:
                for mode, kw in (("any", {}), ("start", {"at_clause_start": True}),
                                 ("part", {"at_clause_start": True, "at_part_start": True})):
                    ms = ps.find(toks, skip_fillers=lab.fillers, **kw)
                    if ms:
                        found[f"{key}/{mode}"] = [(m.phrase, m.start, m.end, m.p, m.exact) for m in ms]
            row[name] = found
        out.append(json.dumps({"lang": lang, "text": text, **row}, sort_keys=True))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", help="another checkout to compare with (its rules/ package)")
    ap.add_argument("--annomi", help="an AnnoMI-format CSV to label too")
    ap.add_argument("--limit", type=int, help="only the first N utterances")
    ap.add_argument("--dump", action="store_true", help=argparse.SUPPRESS)  # the child's side
    args = ap.parse_args(argv)
    if args.dump:
        if args.base:
            use_rules_from(args.base)
        print("\n".join(results(args.annomi, args.limit)))
        return 0
    extra = (["--annomi", args.annomi] if args.annomi else []) + (["--limit", str(args.limit)] if args.limit else [])
    sides = [[]] + ([["--base", args.base]] if args.base else [])
    with tempfile.TemporaryDirectory() as tmp:  # both sides at once, each into a file
        outs = [Path(tmp, f"{n}.jsonl") for n in range(len(sides))]
        runs = [subprocess.Popen([sys.executable, __file__, "--dump", *extra, *side], stdout=out.open("w"))
                for side, out in zip(sides, outs)]
        if any(run.wait() for run in runs):
            raise SystemExit("a labelling run failed")
        new, *rest = [out.read_text(encoding="utf-8").splitlines() for out in outs]
    if not rest:
        print(f"{len(new)} utterances labelled; nothing to compare with (--base)")
        return 0
    old = rest[0]
    diffs = [(a, b) for a, b in zip(old, new) if a != b]
    for a, b in diffs[:20]:
        print(f"- {a}\n+ {b}")
    n = sum(len(json.loads(line)[v]) for line in new for v in ("plain", "misheard", "probs"))
    print(f"{len(new)} utterances (x3 variants, {n} list/mode results with matches): "
          f"{len(diffs) + abs(len(old) - len(new))} differ")
    return 1 if diffs or len(old) != len(new) else 0


if __name__ == "__main__":
    raise SystemExit(main())
