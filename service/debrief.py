"""The trainer's debrief: several role-plays side by side, from their reports.

``build_debrief(reports)`` takes ``report_data.build`` results and returns plain data: one
row of headline figures per session, the figures to work on together (below par in the most
sessions first, each with one example moment and its pull alternative), what went well
(figures the report rates good in most sessions), praised moments, the trainer's bookmarks
and the nudges they sent by hand with what was said just before them, and for a coachee
with several role-plays, what moved from the first to the last. ``pick_sessions`` chooses
which stored sessions a debrief covers; ``collect`` reads them from a store (the only I/O
here).

Every count is the report's own: the figures are ``report_data``'s, rated by its yardsticks,
and where the debrief reads the transcript itself it reads turns as the report does (Whisper
cuts one spoken turn into several final transcripts; ``_turns``), so a trainer sees the same
numbers here and in each pair's report. One exception: a call no longer than the monologue
yardstick's good turn is not counted as good at short turns (``_too_short``). A session
coached in the other language than was spoken (its ``language`` warning) is listed with a
note; its figures about the words are the wrong rules' and rate nothing (the report leaves
them unrated: ``report_data.WORD_FIGURES``), those about the sound (talk share,
interruptions) count, and it gives no example, praised moment or first-to-last comparison.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from pullcoach.errors import ConfigError, StoreError
from pullcoach.report_data import FAIR, GOOD, NONE, POOR, TURN_GAP, build
from pullcoach.rules.base import TURN_BACKCHANNEL_S
from pullcoach.rules.events import RULE_OFF
from pullcoach.report_progress import comparable, one_at_a_time, progress, wrong_language
from pullcoach.report_text import nudge_words

__all__ = ["build_debrief", "pick_sessions", "collect", "is_demo", "DEMO_NAMES", "FIGURE_RULES",
           "MAX_SESSIONS"]

MAX_SESSIONS = 50
DEMO_NAMES = ("Manager (demo)", "Sanne (demo)")  # `pullcoach demo`'s two speakers
# the headline figures a debrief weighs, in the pull toolkit's order (COACHING.md: let the
# other finish, no stacked arguments, no "moeten", no unasked advice, then summarise and ask
# open questions), with the nudge rule whose moments show each; speaking rate stays in the
# session reports (a voice's tempo is no group talking point)
FIGURE_RULES = {
    "interruptions": "interruption", "argument_stacks": "argument-stacking",
    "push_words": "push-words", "righting_reflexes": "righting-reflex",
    "reflections_questions": "too-few-summaries", "summaries": "too-few-summaries",
    "open_questions": "closed-questions", "talk_share": "talk-ratio", "monologues": "monologue",
}
WORK_ON = 5          # figures to work on, at most: those below par (then not good) in the most sessions
LONG_TURN_WORDS = 12  # a partner turn this long (all its fragments) invites a reflection
# a coachee turn this short that the partner talks on after is a continuer ("mm-hm", "oké
# ja"), not an answer to what they said: the labels do not mark every one a backchannel
CONTINUER_WORDS = 2
GOOD_MOMENTS = 3     # praised moments shown, at most (one per session first)
BOOKMARK_BEFORE = 10.0  # seconds of transcript shown before a bookmark
# a call shorter than this gets its negative nudges counted, not a rate per 10 minutes: from
# a shorter call one nudge more or less moves the rate by 2 or more, and 6 in a 1-minute warm-up
# would read as "58 per 10 min", a figure no 10 minutes of that role-play showed
RATE_MIN_MINUTES = 5.0


def is_demo(row: dict) -> bool:
    """A stored `pullcoach demo` (a trainer's install check, no role-play of the day)."""
    return (row.get("coachee"), row.get("partner")) == DEMO_NAMES


FALSE_START_S = 5.0  # a session this short with at most a word said: a capture started and stopped


def false_start(row: dict) -> bool:
    """A stored session with nothing to debrief: under ``FALSE_START_S`` and at most one
    transcript (a pair's capture started and stopped at once; a "hallo?" to test the mic)."""
    counts = row.get("counts")
    return (isinstance(counts, dict) and (counts.get("transcript-final") or 0) <= 1
            and (row.get("duration") or 0.0) < FALSE_START_S)


def pick_sessions(infos: list[dict], ids: list[str] | None = None,
                  day: str | None = None) -> list[str]:
    """Ids to debrief, oldest first. ``ids`` as given; else the sessions of ``day``
    (YYYY-MM-DD, local time) or, without it, of the newest session's day. Live sessions,
    demos and false starts are left out unless named."""
    if ids:
        return list(dict.fromkeys(ids))
    done = [s for s in infos if s.get("status") != "live" and s.get("started_wall")
            and not is_demo(s) and not false_start(s)]
    if not done:
        return []
    if day is None:
        day = _day(max(s["started_wall"] for s in done))
    chosen = sorted((s for s in done if _day(s["started_wall"]) == day),
                    key=lambda s: (s["started_wall"], s["id"]))
    return [s["id"] for s in chosen][-MAX_SESSIONS:]


def collect(store, refs: list[str] | None = None, day: str | None = None,
            lang: str | None = None) -> dict[str, Any]:
    """The debrief of stored sessions: ``refs`` (ids, id prefixes or "last"), else ``day``'s
    (YYYY-MM-DD), else the newest session's day."""
    if day is not None and not _is_day(day):
        raise ConfigError(f"the day must look like 2026-12-06, not {day!r}")
    infos = store.sessions()
    ids = pick_sessions(infos, [store.resolve(r) for r in refs] if refs else None, day)
    if not ids and day is not None and not refs:
        days = sorted({_day(s["started_wall"]) for s in infos if s.get("started_wall")}, reverse=True)
        held = f"days with sessions: {', '.join(days[:5])}" if days else "no sessions are stored"
        raise StoreError(f"no finished sessions on {day}; {held}")
    if len(ids) > MAX_SESSIONS:
        raise ConfigError(f"a debrief covers at most {MAX_SESSIONS} sessions; name fewer")
    reports = []
    for sid in ids:
        events = store.events(sid)
        if not events:
            raise StoreError(f"session {sid} has no events to debrief; leave it out")
        reports.append(build(events))
    return build_debrief(reports, lang)


def _is_day(day: str) -> bool:
    try:
        time.strptime(day, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _day(wall: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(wall))


def build_debrief(reports: list[dict], lang: str | None = None) -> dict[str, Any]:
    """``lang``: the debrief's language; by default that of most sessions (ties: the first's)."""
    reports = sorted(reports, key=lambda r: (r["session"]["wall_clock"], r["session"]["id"]))
    _mark_twins([r["session"] for r in reports])
    rows = [_row(r) for r in reports]
    tally = {key: _tally(reports, key) for key in FIGURE_RULES}
    order = list(FIGURE_RULES)
    # what went well: a figure the report rates good in more than half of the sessions (a
    # session that could not be rated did not show it). More than half, not half: a figure
    # good in exactly half is as often not good, and the group's strength must not be what
    # as many pairs fell short on; it is also what keeps a figure from being both a strength
    # and a point to work on together (below)
    strengths = sorted((k for k, t in tally.items() if 2 * t[GOOD] > len(reports)),
                       key=lambda k: (-tally[k][GOOD], order.index(k)))
    # below par ("onder de maat") in the most sessions first, then not good in the most, then
    # the toolkit's order; a strength is no point to work on together (its pairs' reports say it)
    work_on = sorted((k for k, t in tally.items() if t[POOR] + t[FAIR] and k not in strengths),
                     key=lambda k: (-tally[k][POOR], -(tally[k][POOR] + tally[k][FAIR]),
                                    order.index(k)))
    # a moment shown once: a line that set off several rules (cut in, pushed and advised at
    # once) was the example of three points, and summaries and reflections share a rule
    used: set = set()
    langs = [r["session"]["lang"] for r in reports]
    return {
        "lang": lang or (max(langs, key=langs.count) if langs else "nl"),
        "sessions": rows,
        "tally": tally,
        "work_on": [{"figure": k, **tally[k], "example": _example(reports, k, used)}
                    for k in work_on[:WORK_ON]],
        "strengths": strengths,
        "good_moments": _good_moments(reports),
        "bookmarks": [b for r in reports for b in _bookmarks(r)],
        "trainer_nudges": [n for r in reports for n in _trainer_nudges(r)],
        "progress": _progress(reports),
    }


def _progress(reports: list[dict]) -> list[dict]:
    """For each coachee with more than one role-play here: their last against their first,
    the figures that moved (``report_progress.progress``). A coachee is their name, unless
    two role-plays of that name ran at the same time: two people then, told apart by their
    partner (``partner`` says which; ``_people``)."""
    by_name: dict[str, list[dict]] = {}
    for r in reports:
        if comparable(r) and not wrong_language(r):  # a false start (under report_progress.MIN_S) is no role-play to compare
            by_name.setdefault(_key(r["session"]["coachee"]), []).append(r)
    out = []
    for runs in by_name.values():
        for partner, group in _people(runs):
            moved = progress(group[-1], group[0]) if len(group) > 1 else None
            if moved:
                out.append({"first": group[0]["session"], "last": group[-1]["session"],
                            "count": len(group), "partner": partner,
                            "before": moved["before"], "now": group[-1]["figures"],
                            "trends": {k: t for k, t in moved["trends"].items() if t != "same"}})
    return out


def _key(name: str) -> str:
    return " ".join(str(name or "").split()).casefold()


def _people(runs: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """One name's role-plays (oldest first) as the people they were: ``[(None, runs)]`` when
    none ran beside another; else one ``(partner, runs)`` per partner's name, for those of a
    partner that still did not run side by side (two of one name, both with one partner's
    name, at once: nobody can tell whose is whose, so neither is compared)."""
    if _apart(runs):
        return [(None, runs)]
    by_partner: dict[str, list[dict]] = {}
    for r in runs:
        by_partner.setdefault(_key(r["session"]["partner"]), []).append(r)
    return [(group[0]["session"]["partner"], group) for group in by_partner.values() if _apart(group)]


def _apart(runs: list[dict]) -> bool:
    """No two of ``runs`` ran at the same time (``report_progress.one_at_a_time``; a log
    without its wall clock is taken to have run apart)."""
    return one_at_a_time([(r["session"]["wall_clock"], r["session"]["duration"])
                          for r in runs if r["session"]["wall_clock"]])


# report problems that are no fault of the recording devices: each has its own note
NOT_RECORDING = ("asr-behind", "capture-resumed", "store-rescued")
# the server restarted mid-session (the report's banner reads the same warning)
SERVER_RESTARTED = "session-resumed"


def _broke_off(r: dict, speaker: str) -> float | None:
    """When the replayed file of ``speaker`` broke off (for the coachee: the recording, which
    ended there; a local replay's coachee file that broke ended the session as an audio
    error at its end), or None."""
    t = next((p["t0"] for p in r["problems"] if p["kind"] == "channel-stalled"
              and p.get("cause") == "file-broken" and p["speaker"] == speaker), None)
    if t is None and speaker == "coachee" and r["session"].get("reason") == "error":
        return r["session"]["duration"]
    return t


def _mark_twins(sessions: list[dict]) -> None:
    """``twin`` on role-plays of one coachee name started in the same minute (two pairs both
    called "Jan"): their rows name the partner too, or they read as one."""
    minute = {}
    for s in sessions:
        key = (s.get("coachee"), int((s.get("wall_clock") or 0.0) // 60))
        minute.setdefault(key, []).append(s)
    for same in minute.values():
        for s in same:
            s["twin"] = len(same) > 1


def _row(r: dict) -> dict:
    s = r["session"]
    negative = sum(1 for n in r["nudges"] if n["kind"] == "negative")
    minutes = s["duration"] / 60.0
    off = _rules_off(r)
    return {"session": s, "figures": r["figures"], "negative": negative,
            "negative_per_10min": (round(negative / minutes * 10.0, 1) if minutes >= RATE_MIN_MINUTES
                                   else None),
            "positive": sum(1 for n in r["nudges"] if n["kind"] == "positive"),
            "bookmarks": len(r["bookmarks"]),
            # a replayed file that broke off is named with its time, not counted as a problem
            "problems": sum(1 for p in r["problems"] if p["kind"] not in NOT_RECORDING
                            and p.get("cause") != "file-broken"),
            "broke_off": _broke_off(r, "coachee"),
            "partner_broke_off": _broke_off(r, "partner"),
            "capture_restarted": any(p["kind"] == "capture-resumed" for p in r["problems"]),
            "server_restarted": any(w["kind"] == SERVER_RESTARTED for w in r["warnings"]),
            "record_lost": any(p["kind"] == "store-rescued" for p in r["problems"]),
            "asr_behind": any(p["kind"] == "asr-behind" for p in r["problems"]),
            # coached in the other language than was spoken: {"heard", "lang"}, or None
            "wrong_lang": wrong_language(r),
            # what the trainer had the pair practise live (the nudges it held are still counted)
            "focus": list(dict.fromkeys(m for c in r["trainer_focus"]
                                        for m in (c["messages"] or _said(c["rules"], r["session"]["lang"])))),
            # a plugin rule switched off (rule-off): its focus sent nothing from then on
            "rules_off": off,
            "focus_off": list(dict.fromkeys(
                m for c in r["trainer_focus"]
                for rule, m in zip(c["rules"], c["messages"] or _said(c["rules"], r["session"]["lang"]))
                if rule in off)),
            "analysed": r["analysed"]}


def _rules_off(r: dict) -> list[str]:
    """The rules whose plugin was switched off in this session, in the order they went."""
    names = (str((w.get("detail") or {}).get("rule") or "") for w in r["warnings"] if w["kind"] == RULE_OFF)
    return [n for n in dict.fromkeys(names) if n]


def _said(rules: list[str], lang: str) -> list[str]:
    """A focus logged without its words (an older log): the words its coachee read, from the
    rule pack, as the overlay, the chips and the report name it."""
    words = nudge_words(lang)
    return [words.get(r, r) for r in rules]


def _tally(reports: list[dict], key: str) -> dict[str, int]:
    """How many sessions the report rated good, fair, poor and at all; for monologues also
    how many were too short to rate (``short``): not counted as good (``_too_short``); for
    any figure, a call the report found too short to rate at all (under half a minute)."""
    # a call under half a minute the report itself leaves unrated (its ``unrated`` "short")
    short = [(key == "monologues" and _too_short(r)) or r["figures"][key].get("unrated") == "short"
             for r in reports]
    ratings = [NONE if cut else r["figures"][key]["rating"]  # the other language's words: none
               for r, cut in zip(reports, short)]
    out = {x: ratings.count(x) for x in (GOOD, FAIR, POOR)}
    out["rated"] = sum(1 for x in ratings if x != NONE)
    if key == "monologues" or any(short):
        out["short"] = sum(short)
    return out


def _too_short(r: dict) -> bool:
    """A call no longer than the monologue yardstick's good turn (76 s) could hold no longer
    turn: its "good" says nothing about keeping turns short (a 29 s call "had no turn over
    76 s"), so the debrief does not count it as good at it."""
    fig = r["figures"]["monologues"]
    edge = (fig.get("yardstick") or {}).get("good")
    return fig["rating"] == GOOD and edge is not None and r["session"]["duration"] <= edge


def _example(reports: list[dict], key: str, used: set) -> dict | None:
    """One moment that shows the figure, from the session where it weighs most: the first
    nudge of its rule not shown for another figure, else (for figures no nudge fired on) a
    moment read off the transcript."""
    rule = FIGURE_RULES[key]
    order = {POOR: 0, FAIR: 1, GOOD: 2, NONE: 3}
    ranked = sorted((r for r in reports if not wrong_language(r)), key=lambda r: (
        order[r["figures"][key]["rating"]],
        -sum(1 for m in r["moments"] if m["nudge"]["rule"] == rule)))
    for r in ranked:
        for m in r["moments"]:
            if m["nudge"]["rule"] == rule and (r["session"]["id"], m["t"]) not in used:
                used.add((r["session"]["id"], m["t"]))
                return {"session": r["session"], "rule": rule, "t": m["t"],
                        "around": m["around"]}
    for r in ranked:
        if r["figures"][key]["rating"] in (POOR, FAIR):
            for t, lines in _read_off(r["utterances"], key):
                if (r["session"]["id"], t) not in used:
                    used.add((r["session"]["id"], t))
                    return {"session": r["session"], "rule": rule, "t": t, "around": lines}
    return None


def _turns(utts: list[dict]) -> list[list[dict]]:
    """The utterances as turns, the unit the report counts a turn in (``report_data``'s
    ``TURN_GAP``): Whisper cuts one spoken turn into several final transcripts; a speaker's
    are one turn over pauses up to ``TURN_GAP`` the other did not speak in. The other's
    words said over a turn are a turn of their own, but one under ``TURN_BACKCHANNEL_S`` (a
    "ja", a "nee") does not end the turn it was said in, as the report and the rules read
    turns. In order of their start."""
    turns: list[list[dict]] = []
    last: dict[str, list[dict]] = {}
    for u in utts:
        turn = last.get(u["speaker"])
        if turn is not None and u["t0"] - turn[-1]["t1"] <= TURN_GAP and not any(
                o["speaker"] != u["speaker"] and o["t0"] < u["t0"] and o["t1"] > turn[-1]["t1"]
                and o["t1"] - o["t0"] >= TURN_BACKCHANNEL_S for o in utts):
            turn.append(u)
        else:
            last[u["speaker"]] = turn = [u]
            turns.append(turn)
    return turns


def _only(turn: list[dict], label: str) -> bool:
    return all(u["labels"].get(label) for u in turn)


def _words(lines: list[dict]) -> int:
    return sum(len(u["text"].split()) for u in lines)


def _read_off(utts: list[dict], key: str) -> Iterator[tuple[float, list[dict]]]:
    """Transcript moments for a figure, read by turns (``_turns``), as ``(t, lines)`` with
    the coachee's lines marked: a long partner turn the coachee answered without a reflection
    in any of their answer's fragments (reflections, summaries), or a closed question the
    report counts against the open share (a permission or proposal question is a pull move
    it leaves out). Nothing for talk share: a figure of the whole call, not of a moment."""
    turns = [t for t in _turns(utts) if not _only(t, "backchannel")]
    if key in ("reflections_questions", "summaries"):
        said: list[dict] = []  # the partner's turns since the coachee last took the turn
        own_end = float("-inf")
        for i, turn in enumerate(turns):
            if turn[0]["speaker"] == "partner":
                if turn[-1]["t1"] > own_end:  # not a word said inside the coachee's turn
                    said += turn
                continue
            own_end = max(own_end, turn[-1]["t1"])
            if (_words(turn) <= CONTINUER_WORDS and i + 1 < len(turns)
                    and turns[i + 1][0]["speaker"] == "partner"):
                continue  # "mm-hm", and the partner talks on: they keep the turn
            if _words(said) >= LONG_TURN_WORDS and not any(u["labels"].get("reflection") for u in turn):
                yield turn[0]["t0"], [*said[-3:], *(dict(u, hit=True) for u in turn[:3])]
            said = []
    if key == "open_questions":
        for i, turn in enumerate(turns):
            for j, u in enumerate(turn if turn[0]["speaker"] == "coachee" else ()):
                lab = u["labels"]
                # "Why don't you try ...?" tells: its remedy is asking permission, not "make it open";
                # a summary checked ("Als ik je goed begrijp, ...?") is a good move, no example of one
                if (lab.get("question") == "closed" and not lab.get("permission")
                        and not lab.get("proposal") and not lab.get("advice") and not lab.get("reflection")):
                    lead = turn[j - 1:j] if j else turns[i - 1][-1:] if i else []
                    yield u["t0"], [*lead, dict(u, hit=True)]


def _good_moments(reports: list[dict]) -> list[dict]:
    """Praised moments to name, one per session first; each says in how many sessions a move
    of its kind was praised (``sessions``): a move one pair made is no group's strength."""
    found = [[{"session": r["session"], "nudge": m["nudge"], "t": m["t"], "around": m["around"]}
              for m in r["moments"] if m["nudge"]["kind"] == "positive"]
             for r in reports if not wrong_language(r)]
    made = {rule: sum(1 for f in found if any(m["nudge"]["rule"] == rule for m in f))
            for rule in {m["nudge"]["rule"] for f in found for m in f}}
    out: list[dict] = []
    depth = 0
    while len(out) < GOOD_MOMENTS and any(len(f) > depth for f in found):
        out += [f[depth] for f in found if len(f) > depth][:GOOD_MOMENTS - len(out)]
        depth += 1
    return [dict(m, sessions=made[m["nudge"]["rule"]]) for m in out]


def _said_before(r: dict, t: float) -> list[dict]:
    """What was said just before ``t`` (the last three lines of ``BOOKMARK_BEFORE``)."""
    return [u for u in r["utterances"] if u["t1"] >= t - BOOKMARK_BEFORE and u["t0"] <= t + 1.0][-3:]


def _bookmarks(r: dict) -> list[dict]:
    return [{"session": r["session"], **b, "around": _said_before(r, b["t"])} for b in r["bookmarks"]]


def _trainer_nudges(r: dict) -> list[dict]:
    """The nudges the trainer typed and sent live: what, when, to whom (the coachee, whose
    overlay shows them), whether nobody saw it (``unseen``: a capture's session with no
    overlay open then; sessions stored before it was counted never say so) and what was said
    just before, as a bookmark shows it."""
    return [{"session": r["session"], "t": n["t"], "message": n["message"],
             "to": r["session"]["coachee"], "delivered": n["delivered"],
             "unseen": n["delivered"] and (n.get("detail") or {}).get("overlays") == 0,
             "around": _said_before(r, n["t"])}
            for n in r["nudges"] if n["kind"] == "trainer"]
