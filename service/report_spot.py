"""Where in the call to practise a figure that has no line of its own to quote.

The focus line of a report quotes the coachee's line behind its figure's latest moment.
A figure judged over the whole call (too few summaries or reflections, a closed-question
share, the talk share, the speaking rate) often has no such line: no nudge, or one about a
stretch. ``spot(report, figure)`` finds the place in this call where it mattered most:

- summaries: the partner's longest turn in the longest stretch without a summary or
  reflection (where one would have fitted best); reflections : questions: the partner's
  longest turn the coachee answered with something else than a reflection;
- open questions: the latest closed question; push words: the latest line with one;
- talk share, monologues: the coachee's longest turn (the line being said once it was long);
- speaking rate: the coachee's fastest line.

``since``: a long call's second half, where the pick was rated; the whole call when it has
no such place.
"""

from __future__ import annotations

from pullcoach.report_data import _is_reflection, _turns

__all__ = ["spot", "partner_turns"]

FAST_MIN_WORDS = 8  # a shorter line's rate says little


def spot(report: dict, figure: str | None, since: float = 0.0) -> dict | None:
    """``{"kind": "partner_turn" | "said" | "own_turn" | "fast", "line": index in the
    utterances, "t", "seconds" (the turn's length), "count" (lines of that kind), "wpm"}``,
    or None where this call has none."""
    find = _FINDERS.get(figure or "")
    if find is None:
        return None
    if since > 0.0:
        found = find(report, since)
        if found is not None:
            return found
    return find(report, 0.0)


def partner_turns(utts: list[dict]) -> list[tuple[int, int]]:
    """The partner's turns as (first, last) indexes in ``utts``: their lines with nothing
    of the coachee's between but backchannels ("hm", "ja"); not an opening before the
    coachee said anything ("Goedemorgen, kom binnen" is no place for a summary)."""
    out: list[list[int]] = []
    open_ = False
    started = False
    for i, u in enumerate(utts):
        if not started:
            started = u["speaker"] == "coachee" and not u["labels"].get("backchannel")
            continue
        if u["speaker"] == "partner":
            if open_:
                out[-1][1] = i
            else:
                out.append([i, i])
                open_ = True
        elif not u["labels"].get("backchannel"):
            open_ = False
    return [(a, b) for a, b in out]


def _turn(utts: list[dict], a: int, b: int, **extra) -> dict:
    return {"kind": "partner_turn", "line": b, "t": utts[b]["t0"],
            "seconds": utts[b]["t1"] - utts[a]["t0"], "count": 1, **extra}


def _next_own(utts: list[dict], b: int) -> dict | None:
    """The coachee's first line after index ``b`` that is no backchannel."""
    return next((u for u in utts[b + 1:] if u["speaker"] == "coachee"
                 and not u["labels"].get("backchannel")), None)


def _summary_spot(report: dict, since: float) -> dict | None:
    utts = report["utterances"]
    end = report["session"]["duration"]
    marks = sorted(u["t1"] for u in utts if u["speaker"] == "coachee" and _is_reflection(u) and u["t1"] > since)
    edges = [since] + marks + [end]
    turns = partner_turns(utts)
    # the stretches without one, longest first: the longest with a partner turn in it
    for a, b in sorted(zip(edges, edges[1:]), key=lambda e: e[0] - e[1]):
        inside = [(i, j) for i, j in turns if a <= utts[i]["t0"] and utts[j]["t1"] <= b]
        if inside:
            i, j = max(inside, key=lambda x: (utts[x[1]]["t1"] - utts[x[0]]["t0"], x[0]))
            return _turn(utts, i, j)
    return None


def _reflection_spot(report: dict, since: float) -> dict | None:
    utts = report["utterances"]
    unreflected = [(i, j) for i, j in partner_turns(utts) if utts[i]["t0"] >= since
                   and (nxt := _next_own(utts, j)) is not None and not _is_reflection(nxt)]
    if not unreflected:
        return None
    i, j = max(unreflected, key=lambda x: (utts[x[1]]["t1"] - utts[x[0]]["t0"], x[0]))
    return _turn(utts, i, j)


def _latest(report: dict, since: float, is_it) -> dict | None:
    hits = [i for i, u in enumerate(report["utterances"])
            if u["speaker"] == "coachee" and u["t0"] >= since and is_it(u["labels"])]
    if not hits:
        return None
    return {"kind": "said", "line": hits[-1], "t": report["utterances"][hits[-1]]["t0"],
            "seconds": None, "count": len(hits)}


def _closed(report: dict, since: float) -> dict | None:
    # permission and proposals are pull moves: not counted against the share (nor quoted)
    return _latest(report, since, lambda lab: lab.get("question") == "closed"
                   and not lab.get("permission") and not lab.get("proposal"))


def _push(report: dict, since: float) -> dict | None:
    return _latest(report, since, lambda lab: bool(lab.get("push")))


def _own_turn(report: dict, since: float) -> dict | None:
    utts = report["utterances"]
    turns = [t for t in _turns(report["speech"]) if t[0] >= since]
    if not turns:
        return None
    t0, t1 = max(turns, key=lambda t: (t[1] - t[0], t[0]))
    good = report["figures"]["monologues"]["yardstick"]["good"]
    lines = [i for i, u in enumerate(utts) if u["speaker"] == "coachee" and t0 - 0.5 <= u["t0"] < t1]
    if not lines:
        return None
    # the line being said once the turn was long (past the good yardstick), else its last
    line = next((i for i in lines if utts[i]["t1"] >= t0 + good), lines[-1])
    return {"kind": "own_turn", "line": line, "t": utts[line]["t0"], "seconds": t1 - t0, "count": 1}


def _fast(report: dict, since: float) -> dict | None:
    utts = report["utterances"]

    def wpm(u: dict) -> float:
        return len(u["text"].split()) / max(u["t1"] - u["t0"], 1e-9) * 60.0
    own = [i for i, u in enumerate(utts) if u["speaker"] == "coachee" and u["t0"] >= since
           and len(u["text"].split()) >= FAST_MIN_WORDS and u["t1"] - u["t0"] >= 2.0]
    if not own:
        return None
    line = max(own, key=lambda i: (wpm(utts[i]), i))
    return {"kind": "fast", "line": line, "t": utts[line]["t0"], "seconds": None, "count": 1,
            "wpm": int(wpm(utts[line]) + 0.5)}


_FINDERS = {"summaries": _summary_spot, "reflections_questions": _reflection_spot,
            "open_questions": _closed, "push_words": _push, "talk_share": _own_turn,
            "monologues": _own_turn, "speaking_rate": _fast}
