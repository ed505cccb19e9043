#!/usr/bin/env python3
"""Accuracy of pullcoach's labels and nudges on an AnnoMI-format CSV.

    python scripts/annomi_accuracy.py ../shared/data/annomi/dev.csv            # shipped labeller
    python scripts/annomi_accuracy.py dev.csv --cv 5                           # + grouped CV
    python scripts/annomi_accuracy.py dev.csv --keywords                       # rule packs only
    python scripts/annomi_accuracy.py dev.csv --train rules/packs/en_labels.json

Prints F1 of the therapist labels (reflection, open/closed question, input, advice), the
AUC with which negative nudges per 10 minutes separate low- from high-quality sessions,
and the median negative nudges per 10 minutes in high-quality sessions. The therapist is
the coachee. ``--cv K`` trains the English model on K-1 folds of *transcripts* and tests
on the held-out fold, so the numbers say how it does on conversations it has not seen.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
from collections import defaultdict

from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import NudgeIssued, SessionEnded
from pullcoach.rules.model import HEADS, Ensemble, LabelModel, features, load_model
from pullcoach.transcripts import Segment, to_events

LABELS = ("reflection", "open", "closed", "input", "advice")
WPS = 160 / 60  # words per second (160 wpm, ordinary conversation) to give utterances a duration
GAP = 0.2       # seconds between two utterances when the start times leave no room


def load(path: str) -> dict[str, dict]:
    sessions: dict[str, dict] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            s = sessions.setdefault(r["transcript_id"], {"quality": r["mi_quality"], "rows": []})
            s["rows"].append(r)
    for s in sessions.values():
        s["rows"].sort(key=lambda r: int(r["utterance_id"]))
        prev = own = ""
        for r in s["rows"]:
            r["_prev"], r["_own"] = prev, own
            if r["interlocutor"] == "client":
                prev = r["utterance_text"]
            else:
                own = r["utterance_text"]
    return sessions


def gold(r: dict) -> dict[str, bool]:
    return {"reflection": r["reflection_exists"] == "True", "open": r["question_subtype"] == "open",
            "closed": r["question_subtype"] == "closed", "input": r["therapist_input_exists"] == "True",
            "advice": r["therapist_input_subtype"] == "advice"}


def therapist_rows(sessions: dict, ids) -> list[dict]:
    return [r for t in ids for r in sessions[t]["rows"] if r["interlocutor"] == "therapist"]


# -- training: L2-regularised logistic regression, one per head (numpy; inference is stdlib) --
_KW: dict[tuple[str, str], tuple[str, ...]] = {}


def keyword_flags(rows: list[dict]) -> list[tuple[str, ...]]:
    lab = engine_for(None).labeler
    out = []
    for r in rows:
        key = (r["utterance_text"], r["_prev"])
        if key in _KW:
            out.append(_KW[key])
            continue
        x = lab.label(r["utterance_text"], (), r["_prev"])
        out.append(tuple(k for k, on in (("reflection", x.reflection), ("open", x.question == "open"),
                                          ("closed", x.question == "closed"), ("input", x.input),
                                          ("advice", x.advice), ("push", x.push), ("args", x.arguments > 0),
                                          ("backchannel", x.backchannel)) if on))
        _KW[key] = out[-1]
    return out


def targets(r: dict) -> dict[str, bool]:
    """What each model head learns: "open" is open *given* a question (see ``ONLY``)."""
    g = gold(r)
    return {"reflection": g["reflection"], "question": g["open"] or g["closed"], "open": g["open"],
            "input": g["input"], "advice": g["advice"]}


ONLY = {"open": "question"}  # a head trained only on the rows where another target holds


def _fit(feats: list[list[str]], ys: dict[str, list[bool]], groups: list[str], *, l2: float,
         min_df: int, iters: int, balance: float) -> dict[str, dict[str, float]]:
    """One L2-regularised logistic regression per head (Adam on the mean log-loss).
    Only features seen in at least ``min_df`` different transcripts are kept, so a word
    that one client or therapist happens to use cannot carry a label."""
    import numpy as np

    seen: dict[str, set] = defaultdict(set)
    for fs, g in zip(feats, groups):
        for f in fs:
            seen[f].add(g)
    vocab = sorted(f for f, gs in seen.items() if len(gs) >= min_df or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    X = np.zeros((len(feats), len(vocab)), dtype=np.float32)
    for i, fs in enumerate(feats):
        for f in fs:
            j = index.get(f)
            if j is not None:
                X[i, j] = 1.0
    weights = {}
    for head in HEADS:
        keep = np.array(ys[ONLY[head]] if head in ONLY else [True] * len(feats))
        Xh, y = X[keep], np.array(ys[head], dtype=np.float32)[keep]
        n = len(y)
        pos = max(1.0, float(y.sum()))
        sw = np.where(y > 0, ((n - pos) / pos) ** balance, 1.0).astype(np.float32)  # class balance
        w = np.zeros(len(vocab), dtype=np.float32)
        m, v = np.zeros_like(w), np.zeros_like(w)
        reg = np.full(len(vocab), l2 / n, dtype=np.float32)
        reg[index["bias"]] = 0.0
        for step in range(1, iters + 1):
            p = 1.0 / (1.0 + np.exp(-(Xh @ w)))
            g = Xh.T @ ((p - y) * sw) / n + reg * w
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            w -= 0.05 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        weights[head] = {f: round(float(x), 4) for f, x in zip(vocab, w) if abs(x) >= 1e-3}
    return weights


def _best_threshold(probs: list[float], ys: list[bool], gate: list[bool] | None = None) -> float:
    """The F1-best threshold; with ``gate``, a row counts as positive only where the gate holds
    (the open head's F1 is that of the final label: a question, and open)."""
    gate = gate or [True] * len(probs)
    best, best_f = 0.5, -1.0
    for k in range(20, 81, 5):
        t = k / 100
        tp = sum(1 for p, y, g in zip(probs, ys, gate) if p >= t and g and y)
        fp = sum(1 for p, y, g in zip(probs, ys, gate) if p >= t and g and not y)
        fn = sum(1 for p, y, g in zip(probs, ys, gate) if (p < t or not g) and y)
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f > best_f + 1e-9:
            best, best_f = t, f
    return best


def train(rows: list[dict], *, l2: float = 10.0, min_df: int = 3, iters: int = 300,
          balance: float = 0.5, inner: int = 3) -> LabelModel:
    """Fit on ``rows``; the decision threshold of each head is the one that maximises F1 on
    out-of-fold predictions of an inner ``inner``-fold CV grouped by transcript."""
    feats = [features(r["utterance_text"], r["_prev"], kw) for r, kw in zip(rows, keyword_flags(rows))]
    groups = [r["transcript_id"] for r in rows]
    ys = {h: [targets(r)[h] for r in rows] for h in HEADS}
    kw = dict(l2=l2, min_df=min_df, iters=iters, balance=balance)
    thresholds = {h: 0.5 for h in HEADS}
    if inner > 1:
        order = sorted(set(groups), key=lambda g: (int(g) if g.isdigit() else 0, g))
        fold = {g: i % inner for i, g in enumerate(order)}
        oof: dict[str, list[float]] = {h: [0.0] * len(rows) for h in HEADS}
        for k in range(inner):
            tr = [i for i, g in enumerate(groups) if fold[g] != k]
            te = [i for i, g in enumerate(groups) if fold[g] == k]
            m = LabelModel(_fit([feats[i] for i in tr], {h: [ys[h][i] for i in tr] for h in HEADS},
                                [groups[i] for i in tr], **kw))
            for i in te:
                p = m.score(feats[i])
                for h in HEADS:
                    oof[h][i] = p[h]
        thresholds = {h: _best_threshold(oof[h], ys[h]) for h in HEADS if h not in ONLY}
        for h, g in ONLY.items():
            thresholds[h] = _best_threshold(oof[h], ys[h], [p >= thresholds[g] for p in oof[g]])
    return LabelModel(_fit(feats, ys, groups, **kw), thresholds=thresholds)


# -- prediction and scoring ---------------------------------------------------------------
def engine_for(model: LabelModel | None) -> Engine:
    e = Engine(lang="en", config=EngineConfig(use_model=False, plugins=False))
    e.labeler.model = model
    return e


def predict(rows: list[dict], model: LabelModel | None) -> list[dict[str, bool]]:
    lab = engine_for(model).labeler
    out = []
    for r in rows:
        x = lab.label(r["utterance_text"], (), r["_prev"], prev_own=r["_own"])
        out.append({"reflection": x.reflection, "open": x.question == "open", "closed": x.question == "closed",
                    "input": x.input, "advice": x.advice})
    return out


def f1s(golds: list[dict], preds: list[dict]) -> dict[str, float]:
    out = {}
    for k in LABELS:
        tp = sum(1 for g, p in zip(golds, preds) if g[k] and p[k])
        fp = sum(1 for g, p in zip(golds, preds) if not g[k] and p[k])
        fn = sum(1 for g, p in zip(golds, preds) if g[k] and not p[k])
        out[k] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def segments(rows: list[dict]) -> list[Segment]:
    """A timeline from AnnoMI's start times. AnnoMI has no end times and no overlap
    information, so every utterance lasts as long as it takes at a realistic speaking rate
    (``WPS``, 160 words a minute) and starts no earlier than the previous one ended plus a
    short gap: the timeline never overlaps and no speaking rate is impossible, so the
    interruption, interrupted and speaking-rate rules cannot fire on estimated times (they
    need real audio). Pauses longer than that come from the real start times."""
    segs = []
    t = 0.0
    for r in rows:
        start = max(float(r["timestamp_s"]), t + GAP)
        end = start + max(0.4, len(r["utterance_text"].split()) / WPS)
        segs.append(Segment("therapist" if r["interlocutor"] == "therapist" else "client",
                            start, end, r["utterance_text"]))
        t = end
    return segs


def nudge_rate(rows: list[dict], model: LabelModel | None, explain: bool = False) -> tuple[float, float, dict[str, int]]:
    """Negative nudges per 10 minutes: all issued (what the report lists) and delivered
    (what the coachee sees live: the budget of one per 20 s applied), and all by rule."""
    segs = segments(rows)
    e = engine_for(model)
    nudges = []
    events = to_events(sorted(segs, key=lambda s: (s.start, s.end)), "therapist")
    for ev in events + [SessionEnded(t=events[-1].t)]:
        nudges += [x for x in e.feed(ev) if isinstance(x, NudgeIssued) and x.kind == "negative"]
    minutes = max(1.0, (max(s.end for s in segs) - min(s.start for s in segs)) / 60)
    by: dict[str, int] = defaultdict(int)
    for n in nudges:
        by[n.rule] += 1
        if explain:
            last = [s for s in segs if s.start <= n.t and s.speaker == "therapist"][-1:]
            print(f"    {n.t:7.1f}s {n.rule:18s} {'live' if n.delivered else 'report'} {n.detail} | "
                  f"{last[0].text[:150] if last else ''}")
    delivered = sum(1 for n in nudges if n.delivered)
    return 10 * len(nudges) / minutes, 10 * delivered / minutes, dict(by)


def auc(low: list[float], high: list[float]) -> float:
    if not low or not high:
        return float("nan")
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in low for b in high)
    return wins / (len(low) * len(high))


def evaluate(sessions: dict, models: dict[str, LabelModel | None], explain: bool = False) -> dict:
    """``models`` maps transcript id -> the model to label it with."""
    ids = sorted(sessions)
    golds, preds = [], []
    rates: dict[str, list[float]] = {"low": [], "high": []}
    live: dict[str, list[float]] = {"low": [], "high": []}
    rules: dict[str, int] = defaultdict(int)
    for t in ids:
        rows = therapist_rows(sessions, [t])
        golds += [gold(r) for r in rows]
        preds += predict(rows, models[t])
        q = sessions[t]["quality"]
        if explain and q == "high":
            print(f"  transcript {t} ({q})")
        rate, rate_live, by = nudge_rate(sessions[t]["rows"], models[t], explain and q == "high")
        rates[q].append(rate)
        live[q].append(rate_live)
        for k, v in by.items():
            rules[k] += v
    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    return {"f1": f1s(golds, preds), "auc": auc(rates["low"], rates["high"]),
            "median_high": med(rates["high"]), "median_low": med(rates["low"]),
            "auc_live": auc(live["low"], live["high"]), "median_high_live": med(live["high"]),
            "median_low_live": med(live["low"]),
            # how far the median is from tipping: high sessions at or under 1 per 10 min
            "high_le1": sum(1 for x in rates["high"] if x <= 1.0), "n_high": len(rates["high"]),
            "rules": dict(sorted(rules.items())), "n": len(golds), "sessions": len(ids)}


def show(name: str, res: dict) -> None:
    f = res["f1"]
    print(f"[{name}] {res['n']} therapist utterances, {res['sessions']} sessions")
    print("  F1  reflection {reflection:.3f}  open-question {open:.3f}  closed-question {closed:.3f}"
          "  input {input:.3f}  advice {advice:.3f}".format(**f))
    print(f"  negative nudges / 10 min, all issued (the report): AUC low-vs-high {res['auc']:.3f};"
          f" median high {res['median_high']:.2f}, median low {res['median_low']:.2f};"
          f" {res['high_le1']}/{res['n_high']} high-quality sessions at or under 1")
    print(f"  negative nudges / 10 min, delivered live (budget 1 per 20 s): AUC {res['auc_live']:.3f};"
          f" median high {res['median_high_live']:.2f}, median low {res['median_low_live']:.2f}")
    print(f"  negative nudges by rule (all issued): {res['rules']}")
    print("  (timeline: AnnoMI start times, durations at 160 wpm, no overlaps: interruption and"
          " speaking-rate need real audio)")


def _fold_ensemble(words: LabelModel, rows: list[dict], base: str, tmp: str, k: int,
                   own_words: int = 0) -> Ensemble:
    """The encoder fine-tuned on this fold's training rows, int8 as shipped, with ``words``;
    one already in ``tmp`` (``--folds DIR``) is reused."""
    from pathlib import Path

    from pullcoach.rules.encoder import EncoderModel

    out = Path(tmp) / f"fold{k}"
    if not (out / "model.bin").is_file():
        from train_encoder import export, fit

        out = export(fit(rows, base, own_words=own_words), base, str(out), meta={})
    return Ensemble(words, EncoderModel(out))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--keywords", action="store_true", help="rule packs only, no learned model")
    ap.add_argument("--cv", type=int, default=0, metavar="K", help="also K-fold CV grouped by transcript")
    ap.add_argument("--train", metavar="OUT.json", help="train on the whole CSV and write the model")
    ap.add_argument("--l2", type=float, default=10.0)
    ap.add_argument("--explain", action="store_true",
                    help="list every negative nudge in the high-quality sessions with its utterance")
    ap.add_argument("--min-df", type=int, default=3, help="keep features seen in at least this many transcripts")
    ap.add_argument("--encoder", metavar="BASE",
                    help="with --cv: also fine-tune the encoder per fold from this all-MiniLM-L6-v2 folder "
                         "(scripts/train_encoder.py; needs torch; ~10 min a fold on 2 cores)")
    ap.add_argument("--words-only", action="store_true", help="the shipped word model without the encoder")
    ap.add_argument("--folds", metavar="DIR",
                    help="with --encoder: keep each fold's encoder in DIR and reuse it on later runs "
                         "(the folds depend only on the CSV and K), so rule changes re-measure in minutes")
    ap.add_argument("--own-words", type=int, default=0,
                    help="with --encoder: fold encoders also read the end of the therapist's previous "
                         "utterance (train_encoder.py --own-words; use a fresh --folds DIR)")
    args = ap.parse_args(argv)
    sessions = load(args.csv)
    ids = sorted(sessions)
    if args.train:
        model = train(therapist_rows(sessions, ids), l2=args.l2, min_df=args.min_df)
        meta = {"trained_on": f"AnnoMI development part ({args.csv.rsplit('/', 1)[-1]}): "
                              f"{len(ids)} English transcripts, therapist utterances; uccollab/AnnoMI "
                              "(Wu et al., ICASSP 2022); the held-out AnnoMI transcripts were not used",
                "heads": "reflection, question, open given a question (trained on question rows only), "
                         "input, advice",
                "features": "words, bigrams, sentence openers (first/last sentence, questions), '?' count, "
                            "length, you/I/we rates, second person + feeling/thinking verbs, 'sounds like', "
                            "'so you', modal verbs, quantities, echo of the client's previous utterance, "
                            "rule-pack labels",
                "l2": args.l2, "min_df_transcripts": args.min_df,
                "thresholds": "per head, F1-best on out-of-fold predictions of a 3-fold CV grouped by transcript"}
        with open(args.train, "w", encoding="utf-8") as f:
            json.dump({"meta": meta, "weights": model.weights, "thresholds": model.thresholds}, f,
                      separators=(",", ":"), sort_keys=True)
        print(f"wrote {args.train}")
    if args.keywords:
        show("rule packs only", evaluate(sessions, {t: None for t in ids}, args.explain))
    else:
        shipped = load_model(encoder=not args.words_only)
        kind = "words + encoder" if isinstance(shipped, Ensemble) else "words"
        show(f"in-sample: shipped model ({kind})" if shipped else "no shipped model: rule packs only",
             evaluate(sessions, {t: shipped for t in ids}, args.explain))
    if args.cv:
        tmp = tempfile.TemporaryDirectory()
        keep = args.folds or tmp.name
        folds = {t: i % args.cv for i, t in enumerate(sorted(ids, key=lambda t: (sessions[t]["quality"], int(t)
                                                                                 if t.isdigit() else t)))}
        models = {}
        for k in range(args.cv):
            rows = therapist_rows(sessions, [t for t in ids if folds[t] != k])
            m = train(rows, l2=args.l2, min_df=args.min_df)
            if args.encoder:
                m = _fold_ensemble(m, rows, args.encoder, keep, k, args.own_words)
            models.update({t: m for t in ids if folds[t] == k})
        what = "words + encoder" if args.encoder else "words"
        show(f"{args.cv}-fold cross-validation, grouped by transcript ({what})",
             evaluate(sessions, models, args.explain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
