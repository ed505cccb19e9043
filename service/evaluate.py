"""Scoring a replay against a fixture's truth file: VAD boundaries, speakers, WER."""

from __future__ import annotations

import re
import unicodedata

from pullcoach.rules.events import SpeechEnded, SpeechStarted, TranscriptFinal


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^\w\s']", " ", text).split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            cur = min(row[j] + 1, row[j - 1] + 1, prev + (ref[i - 1] != hyp[j - 1]))
            prev, row[j] = row[j], cur
    return row[len(hyp)]


def wer(refs: list[str], hyps: list[str]) -> float:
    """Corpus WER of two aligned text sequences, joined per speaker stream."""
    ref, hyp = words(" ".join(refs)), words(" ".join(hyps))
    return edit_distance(ref, hyp) / max(1, len(ref))


def segments(events, merge_gap: float = 0.0) -> dict[str, list[tuple[float, float]]]:
    """Speech segments per speaker from SpeechStarted/SpeechEnded; segments of one
    speaker less than ``merge_gap`` apart are joined (pauses inside a turn)."""
    out: dict[str, list[tuple[float, float]]] = {}
    open_: dict[str, float] = {}
    for ev in events:
        if isinstance(ev, SpeechStarted):
            open_[ev.speaker] = ev.t
        elif isinstance(ev, SpeechEnded) and ev.speaker in open_:
            segs = out.setdefault(ev.speaker, [])
            start = open_.pop(ev.speaker)
            if segs and start - segs[-1][1] < merge_gap:
                segs[-1] = (segs[-1][0], ev.t)
            else:
                segs.append((start, ev.t))
    return out


def score(events, truth: dict, tolerance: float = 0.15) -> dict:
    """Boundary accuracy per true turn, spurious speech, speaker attribution and WER."""
    # truth turns are turns: a pause shorter than the ASR's utterance gap is inside one
    segs = segments(events, merge_gap=0.5)
    finals = [e for e in events if isinstance(e, TranscriptFinal)]
    turns = truth["turns"]
    hits, onset_err, offset_err = 0, [], []
    for turn in turns:
        cands = segs.get(turn["speaker"], [])
        best = min(cands, key=lambda s: abs(s[0] - turn["start"]), default=None)
        if best is None:
            onset_err.append(None)
            continue
        on, off = best[0] - turn["start"], best[1] - turn["end"]
        onset_err.append(on)
        offset_err.append(off)
        hits += abs(on) <= tolerance and abs(off) <= tolerance
    # speech on a channel that overlaps no true turn of that speaker
    spurious = {}
    for sp, ss in segs.items():
        mine = [(t["start"], t["end"]) for t in turns if t["speaker"] == sp]
        spurious[sp] = sum(1 for a, b in ss if not any(a < e + 0.2 and b > s - 0.2 for s, e in mine))
    # attribution: a final belongs to the speaker whose true turns it overlaps
    wrong = 0
    for f in finals:
        overlap = {sp: sum(max(0.0, min(f.t1, t["end"]) - max(f.t0, t["start"]))
                           for t in turns if t["speaker"] == sp) for sp in ("coachee", "partner")}
        # overlapping speech: right when most of the final lies in its speaker's turns
        if overlap[f.speaker] < 0.5 * max(0.0, f.t1 - f.t0):
            wrong += 1
    per_speaker_wer = {}
    for sp in ("coachee", "partner"):
        refs = [t["text"] for t in turns if t["speaker"] == sp]
        hyps = [f.text for f in sorted(finals, key=lambda f: f.t0) if f.speaker == sp]
        per_speaker_wer[sp] = wer(refs, hyps)
    all_refs = [t["text"] for t in turns]
    n = {sp: len(words(" ".join(t["text"] for t in turns if t["speaker"] == sp)))
         for sp in ("coachee", "partner")}
    total_wer = sum(per_speaker_wer[sp] * n[sp] for sp in n) / max(1, sum(n.values()))
    return {
        "turns": len(turns),
        "boundary_hits": hits,
        "boundary_hit_rate": hits / max(1, len(turns)),
        "onset_errors": onset_err,
        "offset_errors": offset_err,
        "spurious": spurious,
        "finals": len(finals),
        "misattributed": wrong,
        "wer": total_wer,
        "wer_by_speaker": per_speaker_wer,
        "ref_words": len(words(" ".join(all_refs))),
    }
