"""Where in the call to practise a figure that has no line of its own to quote.

The focus line of a report quotes the coachee's line behind its figure's latest moment.
A figure judged over the whole call (too few summaries or reflections, a closed-question
share, the talk share, the speaking rate) often has no such line: no nudge, or one about a
stretch. ``spot(report, figure)`` finds the place in this call where it mattered most:

- summaries: the partner's longest turn in the longest stretch without a summary or
  reflection (where one would have fitted best); reflections : questions: the partner's
  longest turn the coachee answered with something else than a reflection. Only a turn of
  ``MIN_TURN_S`` or more: a 4 s answer quoted as the place reads as nitpicking. Where every
  turn left without a reflection was shorter, ``{"kind": "short_turns", "seconds": the
  longest of those}``: a sentence without a quote;
- open questions: the latest closed question; push words: the latest line with one;
- talk share, monologues: the coachee's longest turn (the line being said once it was long);
- speaking rate: the coachee's fastest line.

``since``: a long call's second half, where the pick was rated; the whole call when it has
no such place.

``example(report, figure, since)``: for a habit the coachee dropped (a long call's "houd
dat vast"), a line of the second half that shows the good behaviour: the latest summary or
reflection, open question, or permission asked; None where the figure has no such line
(no interruptions, no push words: nothing to quote).
"""

from __future__ import annotations

from pullcoach.report_data import _is_reflection, _turns

__all__ = ["spot", "example", "partner_turns", "went_well"]

FAST_MIN_WORDS = 8  # a shorter line's rate says little
# a partner turn worth quoting as where a summary fitted: in tests/data's 26 role-play
# transcripts (1-5 min) the pick was 8 s or more in 25; in the 1-minute audio fixtures
# every partner turn is 2.5-7 s ("Ja, dat zou fijn zijn." is no place to point at)
MIN_TURN_S = 8.0


def spot(report: dict, figure: str | None, since: float = 0.0) -> dict | None:
    """``{"kind", "line": index in the utterances (None for short_turns and short_own), "t",
    "seconds" (the turn's length), "count" (lines of that kind), "wpm"}``, or None where this
    call has none. Kinds: partner_turn, short_turns, said, own_turn, own_summary, short_own,
    fast."""
    find = _FINDERS.get(figure or "")
    if find is None:
        return None
    if since > 0.0:
        found = find(report, since)
        if found is not None:
            return found
    found = find(report, 0.0)
    if found is None and find in (_summary_spot, _reflection_spot):
        return _short_turns(report)
    return found


def example(report: dict, figure: str | None, since: float) -> dict | None:
    """A line from ``since`` on that shows the habit ``figure`` rates being kept: ``{"kind":
    "example", "line", "t", "seconds": None, "count"}``, or None."""
    is_it = _GOOD.get(figure or "")
    return _latest(report, since, is_it, kind="example") if is_it else None


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


def _long(utts: list[dict], turn: tuple[int, int]) -> bool:
    return utts[turn[1]]["t1"] - utts[turn[0]]["t0"] >= MIN_TURN_S


def _unreflected(utts: list[dict], turn: tuple[int, int]) -> bool:
    nxt = _next_own(utts, turn[1])
    return nxt is None or not _is_reflection(nxt)


def _short_turns(report: dict) -> dict | None:
    """No partner turn long enough to quote: how long the longest was that the coachee
    answered with something else than a reflection (a long one reflected is no matter)."""
    utts = report["utterances"]
    turns = [t for t in partner_turns(utts) if _next_own(utts, t[1]) is not None and _unreflected(utts, t)]
    if not turns:
        return None
    i, j = max(turns, key=lambda x: (utts[x[1]]["t1"] - utts[x[0]]["t0"], x[0]))
    return {"kind": "short_turns", "line": None, "t": utts[j]["t0"],
            "seconds": utts[j]["t1"] - utts[i]["t0"], "count": 0}


def _summary_spot(report: dict, since: float) -> dict | None:
    utts = report["utterances"]
    end = report["session"]["duration"]
    marks = sorted(u["t1"] for u in utts if u["speaker"] == "coachee" and _is_reflection(u) and u["t1"] > since)
    edges = [since] + marks + [end]
    turns = [t for t in partner_turns(utts) if _long(utts, t) and _unreflected(utts, t)]
    # the stretches without one, longest first: the longest with a long partner turn in it
    # that was not summarised right after (that one ends the stretch)
    for a, b in sorted(zip(edges, edges[1:]), key=lambda e: e[0] - e[1]):
        inside = [(i, j) for i, j in turns if a <= utts[i]["t0"] and utts[j]["t1"] <= b]
        if inside:
            i, j = max(inside, key=lambda x: (utts[x[1]]["t1"] - utts[x[0]]["t0"], x[0]))
            return _turn(utts, i, j)
    return None


def _reflection_spot(report: dict, since: float) -> dict | None:
    utts = report["utterances"]
    unreflected = [(i, j) for i, j in partner_turns(utts) if utts[i]["t0"] >= since and _long(utts, (i, j))
                   and (nxt := _next_own(utts, j)) is not None and not _is_reflection(nxt)]
    if not unreflected:
        return None
    i, j = max(unreflected, key=lambda x: (utts[x[1]]["t1"] - utts[x[0]]["t0"], x[0]))
    return _turn(utts, i, j)


def _latest(report: dict, since: float, is_it, kind: str = "said") -> dict | None:
    hits = [i for i, u in enumerate(report["utterances"])
            if u["speaker"] == "coachee" and u["t0"] >= since and is_it(u["labels"])]
    if not hits:
        return None
    return {"kind": kind, "line": hits[-1], "t": report["utterances"][hits[-1]]["t0"],
            "seconds": None, "count": len(hits)}


def _closed(report: dict, since: float) -> dict | None:
    # permission and proposals are pull moves: not counted against the share (nor quoted); a
    # summary checked with a question is a good move, never the example to make open
    return _latest(report, since, lambda lab: lab.get("question") == "closed"
                   and not lab.get("permission") and not lab.get("proposal") and not lab.get("reflection"))


def _push(report: dict, since: float) -> dict | None:
    return _latest(report, since, lambda lab: bool(lab.get("push")))


# a coachee's turn shorter than this is no place to point at for their talk share: in the
# written pull role-plays (tests/data) the longest was 7 s, a summary, quoted with "Luister"
OWN_MIN_S = 15.0


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
    if t1 - t0 < OWN_MIN_S:  # no turn worth quoting: the share is in how often, said so
        return {"kind": "short_own", "line": None, "t": t0, "seconds": t1 - t0, "count": 1}
    # a line that told something: "Luister" beside a summary read wrong; a turn that was all
    # summary is said as one (a long summary is still talk: keep it short)
    told = [i for i in lines if not utts[i]["labels"].get("reflection")]
    kind = "own_turn" if told else "own_summary"
    lines = told or lines
    # the line being said once the turn was long (past the good yardstick), else its last
    line = next((i for i in lines if utts[i]["t1"] >= t0 + good), lines[-1])
    return {"kind": kind, "line": line, "t": utts[line]["t0"], "seconds": t1 - t0, "count": 1}


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

# the line that shows a habit kept: what each figure counts in the coachee's favour
_GOOD = {"summaries": lambda lab: bool(lab.get("reflection")),
         "reflections_questions": lambda lab: bool(lab.get("reflection")),
         "open_questions": lambda lab: lab.get("question") == "open",
         "righting_reflexes": lambda lab: bool(lab.get("permission"))}


# what a call did well, as the first screen says it: what was done before what was left out
WELL_DONE = ("open_questions", "summaries", "reflections_questions", "talk_share")
WELL_LEFT_OUT = ("interruptions", "push_words", "argument_stacks", "righting_reflexes")
WELL_MAX = 3  # things named, at most: one short line


def went_well(report: dict) -> list[str]:
    """Up to ``WELL_MAX`` things this call did well, most telling first: the whole pull route
    (``"route"``: explored, then a turning question, then a proposal, none too early), then
    the figures rated good that are something done (open questions, summaries, reflections,
    a listening talk share), then those good for what was left out (no interruptions, push
    words ...). None of them without something done: "no push words" alone in a call where
    the coachee hardly spoke is no praise."""
    f = report["figures"]
    out = ["route"] if _whole_route(report.get("route")) else []
    out += [k for k in WELL_DONE if f[k]["rating"] == "good" and f[k].get("value")]
    if not out:
        return []
    out += [k for k in WELL_LEFT_OUT if f[k]["rating"] == "good"]
    return out[:WELL_MAX]


def _whole_route(route: list[dict] | None) -> bool:
    steps = [r["step"] for r in route or ()]
    if not {"explore", "draaivraag", "voorstel"} <= set(steps) or any(r["premature"] for r in route):
        return False
    last_proposal = max(i for i, step in enumerate(steps) if step == "voorstel")
    return steps.index("explore") < steps.index("draaivraag") < last_proposal
