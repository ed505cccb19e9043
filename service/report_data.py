"""What a post-call report says, derived from the event log alone.

``build(events)`` returns plain data (dicts, lists, numbers) that every output form
renders: the session, speech intervals and overlaps, utterances with labels, nudges,
bookmarks, the headline figures with their yardstick rating (``yardsticks``: the rule
configs' thresholds where a rule judges the same thing), the moments that matter and the
pull route. Works for sessions without a SessionEnded (interrupted).

Where the figures come from: per-utterance classes (reflections, questions, push words)
from the rule engine's labels; behaviours the engine judges in context (interruptions,
argument stacks, righting reflexes, monologues) from its nudges, including those kept
for the report only (``delivered`` False).
"""

from __future__ import annotations

from typing import Any

from pullcoach.lang_guess import SOUND_RULES
from pullcoach.report_text import half_up
from pullcoach.rules.argument_stacking import ArgumentStackingConfig
from pullcoach.rules.base import TURN_BACKCHANNEL_S, TURN_GAP_S
from pullcoach.rules.engine import EngineConfig
from pullcoach.rules.interruption import InterruptionConfig
from pullcoach.rules.monologue import MonologueConfig
from pullcoach.rules.push_words import PushWordsConfig
from pullcoach.rules.speaking_rate import SpeakingRateConfig
from pullcoach.rules.too_few_summaries import TooFewSummariesConfig
from pullcoach.rules.events import (
    PROBLEM_CLOSES, PROBLEM_OPENS, Bookmarked, Event, FocusChanged, MetricsUpdated, NudgeIssued, PipelineWarning,
    SessionEnded, NudgeWithdrawn, SessionStarted, SpeechEnded, SpeechStarted, TranscriptFinal,
    UtteranceLabeled, in_capture_gap, kept_nudges,
)

__all__ = ["build", "focus", "WORD_FIGURES", "BOTH_SIDES", "SHORT_S", "unheard_sides", "most_better", "moment_groups", "moment_lines", "repeats", "MOMENTS_OPEN", "yardsticks", "GOOD", "FAIR", "POOR", "NONE"]

GOOD, FAIR, POOR, NONE = "good", "fair", "poor", "none"
SPEAKERS = ("coachee", "partner")
CONTEXT_BEFORE = 15.0  # seconds of transcript shown before a nudge's evidence
MOMENT_REACH = 5.0  # an utterance that ended longer before a nudge's evidence did not set it off
AT_FIRING = ("too-few-summaries", "talk-ratio")  # moments shown where they fired
# moments about the coachee's reply to the partner's line their evidence points at: the
# praise for an open question after "ja maar" showed the "ja maar" only, marked it, not the question
REPLIES = ("open-question-after-resistance",)
UNSURE_P = 0.45  # mean word probability under which a line is shown as uncertainly heard
ASR_BRIEF_S = 5.0  # a shorter stretch of transcription behind is not reported
TURN_GAP = TURN_GAP_S  # coachee speech with shorter pauses (and no partner turn) is one turn: the rules' turn
# the figures that rest on what the words were labelled (questions, reflections, summaries,
# push words, arguments, advice): in a session coached in the other language than was spoken
# (its ``language`` warning) they are the wrong rules' and rate nothing (``unrated``); talk
# share, interruptions, monologues and the speaking rate rest on the sound and stay rated
FIGURE_KEYS = ("talk_share", "reflections_questions", "open_questions", "summaries", "interruptions",
               "argument_stacks", "push_words", "righting_reflexes", "monologues", "speaking_rate")
WORD_FIGURES = ("reflections_questions", "open_questions", "summaries", "argument_stacks",
                "push_words", "righting_reflexes")


def yardsticks(config: EngineConfig | None = None) -> dict[str, dict]:
    """What each figure is rated by, per figure: ``good`` and ``fair`` (the upper or lower
    edge of each band, in what the card shows: percents, a ratio, a count, seconds, words a
    minute) and what the card's yardstick text says besides. Where a rule judges the same
    thing the numbers are its config's in ``config`` (the session engine's; the built-in
    rules' when None), so a changed threshold changes both the rating and its text; the
    rest are the professional yardsticks of COACHING.md. What only a rule the engine had
    off would say (the monologue's length, the stack's size) is None: the text leaves it out."""
    cfg = config or EngineConfig()

    def rule(name: str, cls):
        return cfg.rule_configs.get(name) or cls()

    def running(name: str, cls):  # None: the engine had it off
        return None if name in cfg.disabled else rule(name, cls)

    summaries = rule("too-few-summaries", TooFewSummariesConfig)
    rate = rule("speaking-rate", SpeakingRateConfig)
    monologue = running("monologue", MonologueConfig)
    stack = running("argument-stacking", ArgumentStackingConfig)
    return {
        # seed 001: listen 70%, talk 30% (the target; good up to 35); top sales performers talk
        # ~43% (COACHING.md): fair up to 50; talking more than the partner is poor
        "talk_share": {"target": 30, "good": 35, "fair": 50},
        "reflections_questions": {"good": 2.0, "fair": 1.0},  # MITI 4.2.1
        "open_questions": {"good": 70, "fair": 50},  # MITI 3.1.1
        # the rule's gap is good; twice it fair
        "summaries": {"good": summaries.max_gap_s, "fair": 2 * summaries.max_gap_s},
        "interruptions": {"good": 0, "fair": 2},
        "argument_stacks": {"good": 0, "fair": 1, "stack": stack.max_arguments if stack else None},
        # counted as the rule counts: not in an open question, unless its config says so
        "push_words": {"good": 0, "fair": 2, "in_open": rule("push-words", PushWordsConfig).in_open_questions},
        "righting_reflexes": {"good": 0, "fair": 1},
        # a turn: the sales yardstick's 76-120 s, but no longer fair than the rule lets a turn
        # run before it nudges "monoloog" (a card said "fair up to 2:00 · monologue from 1:30")
        "monologues": ({"good": min(76, monologue.max_s), "fair": monologue.max_s, "monologue": monologue.max_s}
                       if monologue else {"good": 76, "fair": 120, "monologue": None}),
        # over speech time ordinary talk reaches 180-200; too fast: as the rule judges it
        "speaking_rate": {"good": 200, "fast": rate.max_wpm, "partner_factor": rate.partner_factor},
    }


def logged_config(settings: dict) -> EngineConfig | None:
    """The engine config of a session whose start logged a rule pack's ``[settings]``; a
    key or value this version does not take is left out (an old log outlives its pack)."""
    from pullcoach.rules.settings import SETTINGS, apply, is_switch
    known = {k: v for k, v in settings.items()
             if (k in SETTINGS and isinstance(v, (int, float)) and not isinstance(v, bool))
             or (is_switch(k) and isinstance(v, bool))}
    try:
        return apply(EngineConfig(), known)
    except (TypeError, ValueError):
        return None


def build(events: list[Event], *, live: bool = False, config: EngineConfig | None = None) -> dict[str, Any]:
    """The report's data. ``live``: the session is still running (no end yet is no loss).
    ``config``: the engine's config the session ran with, for the yardsticks (None: the one
    the log's start says, a trainer's pack's numbers on the built-in rules)."""
    started = next((e for e in events if isinstance(e, SessionStarted)), None)
    if config is None and started is not None and started.settings:
        config = logged_config(started.settings)
    ended = next((e for e in reversed(events) if isinstance(e, SessionEnded)), None)
    last_t = max((_latest_t(e) for e in events), default=0.0)
    duration = ended.t if ended else last_t
    session = {
        "id": started.session if started else "",
        "lang": (started.lang if started else "nl") or "nl",
        "wall_clock": started.wall_clock if started else 0.0,
        "coachee": started.coachee if started else "coachee",
        "partner": started.partner if started else "partner",
        "via": started.via if started else "",
        "error": next((e.message for e in events if isinstance(e, PipelineWarning)
                       and e.kind == "audio-error"), ""),
        "status": ("ended" if ended and ended.reason != "interrupted"
                   else "live" if live and not ended else "interrupted"),
        "reason": ended.reason if ended else "live" if live else "interrupted",
        "duration": round(max(duration, last_t), 3),
    }
    utterances = _utterances(events)
    speech = _speech(events, utterances, session["duration"])
    nudges = [_nudge(e) for e in kept_nudges(events)]  # withdrawn ones were backchannels
    nudges.sort(key=lambda n: n["t"])
    withdrawn = [{"t": e.t, "rule": e.rule, "evidence_t": e.evidence_t, "reason": e.reason}
                 for e in events if isinstance(e, NudgeWithdrawn)]
    trainer_focus = settled_focus([e for e in events if isinstance(e, FocusChanged)])
    bookmarks = sorted(({"t": e.t, "note": e.note, "by": e.by}
                        for e in events if isinstance(e, Bookmarked)), key=lambda b: b["t"])
    metrics = next((e.metrics for e in reversed(events) if isinstance(e, MetricsUpdated)), {})
    warnings = [{"t": e.t, "kind": e.kind, "message": e.message, "detail": e.detail}
                for e in events if isinstance(e, PipelineWarning)]
    analysed = any(isinstance(e, UtteranceLabeled) for e in events) or bool(nudges)
    summaries = _summaries(utterances, nudges)
    halves = _halves(session, speech, utterances, nudges, summaries, analysed, yardsticks(config),
                     _bridge_s(config))
    figures = _figures(session, speech, utterances, nudges, summaries, analysed, metrics,
                       yardsticks(config), _bridge_s(config))
    found = ended_by_break(session, problems(warnings, session["duration"]))
    wrong = any(w["kind"] == "language" for w in warnings)
    unheard = unheard_sides(found, session["duration"])
    for part in [figures] + [h["figures"] for h in halves or ()]:
        why = _unrated(session["duration"], wrong, unheard)
        for key, reason in why.items():
            part[key].update(rating=NONE, unrated=reason)
            part[key].pop("capped", None)
    if wrong:  # the other language's words: see WORD_FIGURES
        # the wrong rules' nudges and labels are no moments, route or tags (the banner says so)
        nudges = [n for n in nudges if n["rule"] in SOUND_RULES or n["kind"] == "trainer"]
        utterances = [dict(u, labels={}) for u in utterances]
    return {
        "session": session,
        "speech": speech,
        "overlaps": _overlaps(speech["coachee"], speech["partner"]),
        "utterances": utterances,
        "nudges": nudges,
        "withdrawn": withdrawn,
        "bookmarks": bookmarks,
        "trainer_focus": trainer_focus,
        "summaries": summaries,
        "analysed": analysed,
        "figures": figures,
        "moments": sorted((_moment(n, utterances) for n in nudges), key=lambda m: m["t"]),
        "route": None if wrong else _route(utterances, nudges),  # None: no section
        "engine_metrics": metrics,
        "warnings": warnings,
        "problems": found,
        "unheard": unheard,
        "halves": halves,
    }


# a shorter call is too short to rate (a false start, a fragment cut off): its figures show,
# unrated, and it gets no focus; report_progress compares it with nothing (its MIN_S)
SHORT_S = 30.0
# a side with no sound at all (its channel-silent no-sound warning) for this share of the
# call or more was not heard: what rests on it rates nothing (``unheard_sides``)
UNHEARD_SHARE = 0.5
# the figures that need both sides heard: a share of the talk, cutting in on the other, a
# speaking rate (too fast only when faster than the partner)
BOTH_SIDES = ("talk_share", "interruptions", "speaking_rate")


def unheard_sides(found: list[dict], end: float) -> list[str]:
    """The speakers whose side gave no sound at all (``problems``' no-sound silence) for at
    least ``UNHEARD_SHARE`` of the call: a dead or unrecorded channel, not a quiet person."""
    out = []
    for who in SPEAKERS:
        silent = sum((end if p["t1"] is None else min(p["t1"], end)) - p["t0"] for p in found
                     if p["kind"] == "channel-silent" and p.get("reason") == "no-sound"
                     and p.get("speaker") == who)
        if end > 0 and silent >= UNHEARD_SHARE * end:
            out.append(who)
    return out


def _unrated(duration: float, wrong: bool, unheard: list[str]) -> dict[str, str]:
    """Per figure that rates nothing, why (``report_text``'s ``unrated`` words): the call too
    short; no sound from the coachee (every figure is about them); no sound from the partner
    (the figures that need both sides: ``BOTH_SIDES``); the other language's words
    (``WORD_FIGURES``). The first that applies."""
    out: dict[str, str] = {}
    if duration < SHORT_S:
        out = dict.fromkeys(FIGURE_KEYS, "short")
    elif "coachee" in unheard:
        out = dict.fromkeys(FIGURE_KEYS, "no_sound_coachee")
    if "partner" in unheard:
        out = {**dict.fromkeys(BOTH_SIDES, "no_sound_partner"), **out}
    if wrong:
        out = {**dict.fromkeys(WORD_FIGURES, "language"), **out}
    return out


HALVES_MIN_S = 600.0  # a call this long has halves worth comparing (five minutes each)


def _halves(session, speech, utterances, nudges, summaries, analysed, ys, bridge_s) -> list[dict] | None:
    """The headline figures of the first and the second half of a call of at least
    ``HALVES_MIN_S``, each as if it were a call of its own: ``[{"t0", "t1", "figures"}, …]``;
    None for a shorter one. Over a whole 20-minute call a coachee who pushed for ten minutes
    and then pulled reads as pushing throughout. A line, a nudge (by what it was about: its
    evidence; one about a stretch where it fired) and a summary belong to the half they
    began in; speech is cut at the middle."""
    end = session["duration"]
    if end < HALVES_MIN_S:
        return None
    out = []
    for a, b in ((0.0, end / 2), (end / 2, end)):
        def inside(t: float) -> bool:
            return a <= t < b or (t == b == end)

        def at(n: dict) -> float:
            return n["t"] if n["rule"] in AT_FIRING else n["evidence_t"]
        part_speech = {s: [[max(t0, a) - a, min(t1, b) - a] for t0, t1 in spans if t1 > a and t0 < b]
                       for s, spans in speech.items()}
        part_utts = [dict(u, t0=u["t0"] - a, t1=u["t1"] - a) for u in utterances if inside(u["t0"])]
        part_nudges = [dict(n, t=n["t"] - a, evidence_t=n["evidence_t"] - a) for n in nudges if inside(at(n))]
        part_summaries = [t - a for t in summaries if inside(t)]
        figures = _figures(dict(session, duration=b - a), part_speech, part_utts, part_nudges,
                           part_summaries, analysed, {}, ys, bridge_s)
        out.append({"t0": a, "t1": b, "figures": figures})
    return out


FOCUS_SETTLE_S = 10.0  # chip clicks this close are one choice being made, not two focuses


def settled_focus(changes: list[FocusChanged]) -> list[dict]:
    """The focus periods: ``{"t", "rules", "messages", "by"}``; a change followed by another
    within ``FOCUS_SETTLE_S`` is left out (a trainer building a focus chip by chip gave
    five "vanaf" a second apart), and so is one that changes nothing."""
    out: list[dict] = []
    for i, e in enumerate(changes):
        if i + 1 < len(changes) and changes[i + 1].t - e.t < FOCUS_SETTLE_S:
            continue
        if out and out[-1]["rules"] == list(e.rules) or (not out and not e.rules):
            continue
        out.append({"t": e.t, "rules": list(e.rules), "messages": list(e.messages), "by": e.by})
    return out


RESUME_SLACK_S = 5.0  # a channel back this soon after a capture's gap was only missing in it


def problems(warnings: list[dict], end: float = float("inf")) -> list[dict]:
    """Stretches of the session the pipeline warned about (a silent or stalled channel, one
    mic on both, transcription behind), the gaps a capture started again left
    (``capture-resumed``) and the events a rescue of a damaged store could not read back
    (``store-rescued``, with ``events``: how many, None when the rest was lost):
    ``{"kind", "speaker", "reason", "cause", "t0", "t1"}`` with ``t1`` None when it lasted
    to the end. A silence is dated from when it began. A stalled or
    silent channel that began in such a gap is the gap, not the device: left out, or, when it
    lasted well past the gap, dated from the gap's end. Transcription behind for under
    ``ASR_BRIEF_S``, to its catching up or to the session's ``end``, is left out."""
    out: list[dict] = []
    open_: dict[tuple, dict] = {}
    for w in warnings:
        d = w.get("detail") or {}
        if w["kind"] == "capture-resumed":
            out.append({"kind": w["kind"], "speaker": None, "reason": None, "cause": None,
                        "t0": round(w["t"], 3), "t1": float(d.get("resumed_at", w["t"]))})
        elif w["kind"] == "store-rescued":  # rows a damaged file lost; t1 None: the rest of it
            t1 = d.get("t1")
            out.append({"kind": w["kind"], "speaker": None, "reason": None,
                        "cause": None if t1 is not None else "rest",
                        "t0": round(float(d.get("t0", w["t"])), 3),
                        "t1": None if t1 is None else float(t1), "events": d.get("events")})
        elif w["kind"] in PROBLEM_OPENS:
            key = (PROBLEM_OPENS[w["kind"]], d.get("speaker"))
            if key in open_:
                continue
            t0 = w["t"]
            if w["kind"] == "channel-silent":
                t0 = 0.0 if d.get("reason") == "no-speech" else max(0.0, t0 - float(d.get("seconds", 0)))
            elif w["kind"] == "channel-clipped":  # heard over its last `seconds` of speech: at least since
                t0 = max(0.0, t0 - float(d.get("seconds", 0)))
            lag = float(d.get("lag_s") or 0.0) if w["kind"] == "asr-behind" else 0.0
            t0 = max(0.0, t0 - lag)  # behind from the speech not yet transcribed when it was said
            open_[key] = {"kind": w["kind"], "speaker": d.get("speaker"), "reason": d.get("reason"),
                          "cause": d.get("cause"), "t0": round(t0, 3), "t1": None,
                          **({"lag": lag} if lag else {}),
                          **({"files": list(d["files"])} if d.get("files") else {}),
                          **({"file": file_name(d["file"])} if d.get("cause") == "file-broken"
                             and d.get("file") else {})}
            out.append(open_[key])
        elif w["kind"] in PROBLEM_CLOSES:
            p = open_.pop((PROBLEM_CLOSES[w["kind"]], d.get("speaker")), None)
            if p is not None:
                p["t1"] = w["t"]
    # transcription a few seconds behind changed nothing worth a line: caught up again, or
    # still behind when the session ended a moment later (its last words came after the end)
    out = [p for p in out if not (p["kind"] == "asr-behind" and (
        p["t1"] if p["t1"] is not None else end) - p["t0"] - p.get("lag", 0.0) < ASR_BRIEF_S)]
    for p in out:
        p.pop("lag", None)
    return _gaps_explained(out)


def file_name(path: str) -> str:
    """A file's name without its folders (a capture's may be a Windows path)."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def ended_by_break(session: dict, found: list[dict]) -> list[dict]:
    """``found`` with the coachee's (or the stereo) file that broke off and so ended the
    session (a local replay: reason error, no audio-error text) marked ``ended`` and put
    first: its line is the report's status, said once (``session["broke"]``: it is)."""
    if session.get("reason") != "error" or session.get("error"):
        return found
    broke = next((p for p in found if p["kind"] == "channel-stalled" and p.get("cause") == "file-broken"
                  and p.get("speaker") == "coachee"), None)
    if broke is None:
        return found
    session["broke"] = True
    return [dict(broke, ended=True)] + [p for p in found if p is not broke]


def _gaps_explained(found: list[dict]) -> list[dict]:
    """``found`` without the channel problems a capture's gap explains (see ``problems``)."""
    gaps = [(p["t0"], p["t1"]) for p in found if p["kind"] == "capture-resumed"]
    out = []
    for p in found:
        # the pipeline says a channel stalled where the channels' gaps are filled one after
        # the other (up to its 2 s skew before the gap's start), silent from the gap's start
        gap = next((g for g in gaps if in_capture_gap(p["kind"], p.get("reason"), p["t0"], g)), None)
        if gap is None:
            out.append(p)
        elif p["t1"] is None or p["t1"] > gap[1] + RESUME_SLACK_S:
            out.append(dict(p, t0=gap[1]))  # still so after the capture came back
    return out


def _latest_t(e: Event) -> float:
    return max(getattr(e, "t", 0.0), getattr(e, "t1", 0.0))


def _utterances(events: list[Event]) -> list[dict]:
    """Final transcripts, with the engine's labels where it gave them."""
    out: dict[tuple, dict] = {}
    for e in events:
        if isinstance(e, (TranscriptFinal, UtteranceLabeled)):
            key = (e.speaker, round(e.t0, 2), round(e.t1, 2))
            u = out.setdefault(key, {"speaker": e.speaker, "t0": e.t0, "t1": e.t1,
                                     "text": e.text, "labels": {}})
            if isinstance(e, UtteranceLabeled):
                u["labels"] = dict(e.labels)
                u["text"] = e.text or u["text"]
            elif e.words:  # Whisper's own doubt: a misheard "hm" reads "Kahnem." at p 0.34
                u["unsure"] = sum(w.p for w in e.words) / len(e.words) < UNSURE_P
    return sorted(out.values(), key=lambda u: (u["t0"], u["t1"]))


def _speech(events: list[Event], utterances: list[dict], end: float) -> dict[str, list]:
    spans: dict[str, list] = {s: [] for s in SPEAKERS}
    open_at: dict[str, float] = {}
    for e in sorted((e for e in events if isinstance(e, (SpeechStarted, SpeechEnded))),
                    key=lambda e: e.t):
        if isinstance(e, SpeechStarted):
            open_at.setdefault(e.speaker, e.t)
        elif e.speaker in open_at:
            spans[e.speaker].append([open_at.pop(e.speaker), e.t])
    for speaker, t0 in open_at.items():  # still talking when the log stops
        spans[speaker].append([t0, max(end, t0)])
    for speaker in SPEAKERS:  # no VAD events (e.g. an analysed transcript): use the text
        if not spans[speaker]:
            spans[speaker] = [[u["t0"], u["t1"]] for u in utterances if u["speaker"] == speaker]
        spans[speaker] = _merge(spans[speaker], 0.0)
    return spans


def _merge(spans: list, gap: float) -> list:
    out: list = []
    for t0, t1 in sorted(spans):
        if out and t0 - out[-1][1] <= gap:
            out[-1][1] = max(out[-1][1], t1)
        else:
            out.append([t0, t1])
    return out


def _overlaps(a: list, b: list) -> list:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append([lo, hi])
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _nudge(e: NudgeIssued) -> dict:
    return {"t": e.t, "rule": e.rule, "message": e.message, "kind": e.kind,
            "speaker": e.speaker, "evidence_t": e.evidence_t if e.evidence_t is not None else e.t,
            "delivered": e.delivered, "detail": dict(e.detail)}


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, (list, tuple, set, dict, str)):
        return len(value) if not isinstance(value, str) else int(bool(value))
    return 0


def _summaries(utterances: list[dict], nudges: list[dict]) -> list[float]:
    """When the coachee summarised (the end of each summary the good-summary rule praised;
    the labels carry reflections, not summaries)."""
    ends = {(u["speaker"], u["t0"]): u["t1"] for u in utterances}
    return sorted(ends.get(("coachee", n["evidence_t"]), n["t"])
                  for n in nudges if n["rule"] == "good-summary")


def _is_reflection(u: dict) -> bool:
    return bool(u["labels"].get("reflection"))


def _rate(value: float | None, good: float, fair: float, higher_is_better: bool) -> str:
    if value is None:
        return NONE
    if higher_is_better:
        return GOOD if value >= good else FAIR if value >= fair else POOR
    return GOOD if value <= good else FAIR if value <= fair else POOR


def _rate_speed(wpm: float | None, partner: float | None, ys: dict | None = None) -> str:
    """Words a minute over speech time, judged as the speaking-rate rule does: ordinary talk
    reaches 180-200 there; poor only when fast and clearly faster than the partner."""
    if wpm is None:
        return NONE
    ys = ys or yardsticks()["speaking_rate"]
    if wpm > ys["fast"] and (partner is None or wpm > ys["partner_factor"] * partner):
        return POOR
    return GOOD if wpm <= ys["good"] else FAIR


def _bands(value, ys: dict, higher_is_better: bool = False) -> str:
    return _rate(value, ys["good"], ys["fair"], higher_is_better)


def _figures(session, speech, utterances, nudges, summaries, analysed,
             metrics, ys: dict, bridge_s: float) -> dict[str, dict]:
    # each figure is rated on its value as the card shows it (57% is 57%, "1 : 1" is one
    # reflection per question, "1:16" is 76 s), so a card never rates what it does not show
    talk = {s: sum(t1 - t0 for t0, t1 in speech[s]) for s in SPEAKERS}
    total = talk["coachee"] + talk["partner"]
    share = talk["coachee"] / total if total else None
    mine = [u for u in utterances if u["speaker"] == "coachee"]
    refl = sum(1 for u in mine if _is_reflection(u))
    opened = sum(1 for u in mine if u["labels"].get("question") == "open")
    # asking permission ("Mag ik een tip geven?") and a proposal ("Zullen we ...?") are pull
    # moves: not counted against the open-question share
    left_out = [u["labels"] for u in mine if u["labels"].get("question") == "closed"
                and (u["labels"].get("permission") or u["labels"].get("proposal"))]
    closed = sum(1 for u in mine if u["labels"].get("question") == "closed") - len(left_out)
    questions = opened + closed
    ratio = refl / questions if questions else (float("inf") if refl else None)
    by_rule: dict[str, list] = {}
    for n in nudges:
        by_rule.setdefault(n["rule"], []).append(n)

    def n_rule(rule: str) -> int:
        return len(by_rule.get(rule, []))

    # summaries: counted as praised, rated on the longest stretch without a summary or
    # reflection (the rule's measure); the card shows both
    marks = sorted(u["t1"] for u in mine if _is_reflection(u))
    edges = [0.0] + marks + [session["duration"]]
    longest_gap = max((b - a for a, b in zip(edges, edges[1:])), default=0.0)
    n_summaries = len(summaries)

    push = (sum(_count(u["labels"].get("push")) for u in mine
                if ys["push_words"].get("in_open") or u["labels"].get("question") != "open")
            or n_rule("push-words"))
    righting = n_rule("righting-reflex")
    turns = _turns(speech)
    # a monologue the rule saw lasted at least as long as it had when it fired
    longest_turn = max([t1 - t0 for t0, t1 in turns]
                       + [float(n["detail"].get("length_s") or 0.0) for n in by_rule.get("monologue", [])],
                       default=0.0)
    wpm = {s: _wpm([u for u in utterances if u["speaker"] == s]) for s in SPEAKERS}

    def classes(rule: str) -> dict[str, int]:
        """Overlap classes: the engine's running counts if it gave them, else nudge details."""
        counted = metrics.get("overlaps_by_coachee" if rule == "interruption"
                              else "overlaps_by_partner")
        if isinstance(counted, dict) and counted:
            return {str(k): int(v) for k, v in counted.items() if isinstance(v, int) and v}
        out: dict[str, int] = {}
        for n in by_rule.get(rule, []):
            d = n["detail"]
            c = str(d.get("class") or d.get("kind") or d.get("type") or "")
            if c:
                out[c] = out.get(c, 0) + 1
        return out

    interruptions = by_rule.get("interruption", [])
    cut_in = sum(1 for n in interruptions if _gave_way(n["evidence_t"], speech, bridge_s))
    coachee_overlaps = classes("interruption")
    figures = {
        "talk_share": {"value": share, "coachee_s": talk["coachee"], "partner_s": talk["partner"],
                       "rating": _bands(_as_pct(share), ys["talk_share"])},
        "reflections_questions": {"value": ratio, "reflections": refl, "questions": questions,
                                  "rating": _bands(_as_ratio(ratio), ys["reflections_questions"], True)},
        "open_questions": {"value": opened / questions if questions else None, "open": opened,
                           "closed": closed,
                           # questions left out on purpose (the card says so)
                           "proposals": sum(1 for lab in left_out if lab.get("proposal")),
                           "permissions": sum(1 for lab in left_out if not lab.get("proposal")),
                           "rating": _bands(_as_pct(opened / questions if questions else None),
                                            ys["open_questions"], True)},
        "summaries": {"value": n_summaries, "longest_gap": longest_gap,
                      "rating": _bands(_as_clock(longest_gap), ys["summaries"])
                      if session["duration"] >= 60 or marks else NONE},
        # the interruptions (the rule's nudges, each a moment of the report): those the
        # partner gave way to and those they talked on through, which add up to the value;
        # and the coachee's other overlaps, counted apart: no interruption
        "interruptions": {"value": len(interruptions), "cut_in": cut_in,
                          "tried": len(interruptions) - cut_in,
                          "not_counted": _not_counted(coachee_overlaps, len(interruptions)),
                          "classes": coachee_overlaps,
                          # the partner's cut-ins: the cue's overlaps, not its "ja maar" or discord
                          "by_partner": sum(1 for n in by_rule.get("interrupted", [])
                                            if n["detail"].get("by") != "text"),
                          "partner_classes": classes("interrupted"),
                          "rating": _bands(len(interruptions), ys["interruptions"])},
        "argument_stacks": {"value": n_rule("argument-stacking"),
                            "rating": _bands(n_rule("argument-stacking"), ys["argument_stacks"])},
        "push_words": {"value": push, "rating": _bands(push, ys["push_words"])},
        "righting_reflexes": {"value": righting, "rating": _bands(righting, ys["righting_reflexes"]),
                              # what was told unasked: advice, or information (the rule's detail)
                              "advice": sum(1 for n in by_rule.get("righting-reflex", [])
                                            if n["detail"].get("by", "advice") == "advice"),
                              "input": sum(1 for n in by_rule.get("righting-reflex", [])
                                           if n["detail"].get("by") == "input")},
        "monologues": {"value": n_rule("monologue"), "longest_turn": longest_turn,
                       "rating": _bands(_as_clock(longest_turn), ys["monologues"]) if turns else NONE},
        "speaking_rate": {"value": wpm["coachee"], "partner": wpm["partner"],
                          "rating": _rate_speed(wpm["coachee"], wpm["partner"], ys["speaking_rate"])},
    }
    for key, figure in figures.items():
        figure["yardstick"] = ys[key]
    if not analysed:  # no rule engine ran over this log: say nothing rather than "0, good"
        for key in ("reflections_questions", "open_questions", "summaries", "interruptions",
                    "argument_stacks", "push_words", "righting_reflexes", "monologues"):
            figures[key].update(value=None, rating=NONE)
        figures["interruptions"]["by_partner"] = None
        figures["monologues"]["value"] = None
    elif not n_summaries and figures["summaries"]["rating"] == GOOD:
        # a short call, or reflections only: without one summary at most fair (the card says so)
        figures["summaries"]["rating"] = FAIR
        figures["summaries"]["capped"] = True
    return figures


def _bridge_s(config: EngineConfig | None) -> float:
    """How long a pause of the coachee's keeps one overlap, as the interruption rule reads it."""
    rule = (config or EngineConfig()).rule_configs.get("interruption") or InterruptionConfig()
    return rule.bridge_s


def _gave_way(start: float, speech: dict, bridge_s: float) -> bool:
    """Whether the partner stopped while the coachee, who came in at ``start`` (an
    interruption's evidence), still talked: a cut-in; else the coachee stopped first and the
    partner talked on (a failed one). As the rule's tracker settles an overlap: the coachee's
    pauses up to ``bridge_s`` are one stretch. Without speech events (an analysed transcript)
    there is nothing to tell by: a cut-in."""
    partner = next((p for p in speech["partner"] if p[0] <= start + 0.05 and p[1] > start), None)
    if partner is None:
        return True
    end = start
    for c0, c1 in speech["coachee"]:
        if c1 <= start:
            continue
        if c0 > end + bridge_s:
            break  # the coachee had stopped for good
        if c0 <= partner[1] <= c1:
            return True
        end = c1
    return False


def _not_counted(overlaps: dict[str, int], interruptions: int) -> dict[str, int]:
    """The coachee's overlaps that were no interruption, from the engine's classes: the
    backchannels ("ja", "hm"), and the rest of them the turns that changed hands smoothly
    (the partner was finishing)."""
    total = sum(overlaps.values())
    backchannels = overlaps.get("backchannel", 0)
    out = {"backchannel": backchannels, "smooth": max(0, total - backchannels - interruptions)}
    return {k: v for k, v in out.items() if v}


def _as_pct(share: float | None) -> float | None:
    """A share in whole percents, as the card shows it."""
    return None if share is None else half_up(share * 100)


def _as_ratio(value: float | None) -> float | None:
    """A ratio to one decimal, as the card shows it ("1 : 1" for 0.95)."""
    return value if value is None or value == float("inf") else half_up(value, 1)


def _as_clock(seconds: float) -> int:
    """Whole seconds, as the clock shows them (1:16 for 76.8 s)."""
    return int(max(seconds, 0.0))


def _turns(speech: dict) -> list:
    """Coachee turns: speech merged over short pauses the partner did not take the floor in
    (a "hm" under ``TURN_BACKCHANNEL_S`` is no turn, as the rules read turns)."""
    turns: list = []
    for t0, t1 in speech["coachee"]:
        if turns and t0 - turns[-1][1] <= TURN_GAP and not any(
                p0 < t0 and p1 > turns[-1][1] and p1 - p0 >= TURN_BACKCHANNEL_S
                for p0, p1 in speech["partner"]):
            turns[-1][1] = t1
        else:
            turns.append([t0, t1])
    return turns


def _wpm(utts: list[dict]) -> float | None:
    words = sum(len(u["text"].split()) for u in utts)
    seconds = sum(max(u["t1"] - u["t0"], 0.0) for u in utts)
    return int(half_up(words / seconds * 60.0)) if seconds >= 5.0 and words else None


def _moment(n: dict, utterances: list[dict]) -> dict:
    """A nudge at the moment it was about, not when it fired (ASR may lag many seconds): the
    utterance that set it off (its speaker's, holding or last before its evidence; for an
    argument stack every one that argues up to the firing or a question, and the one it
    fired in, when that argues) has ``hit``, with up to three lines before it and the reply after. ``t`` is when that was
    said."""
    ev, fired = n["evidence_t"], n["t"]
    if n["rule"] in AT_FIRING or n["kind"] == "trainer":
        # about a stretch, not a line (its evidence is where the stretch began: the last
        # summary), or the trainer's own: what was being said when it came
        before = [u for u in utterances if u["t1"] >= fired - CONTEXT_BEFORE and u["t0"] <= fired]
        return {"nudge": n, "t": fired, "around": [dict(u) for u in before[-4:]]}
    own = [u for u in utterances if u["speaker"] == n.get("speaker")]
    if n["rule"] in REPLIES:  # the coachee's reply to what the evidence points at: up to the firing
        held = [u for u in own if ev < u["t0"] <= fired]
    else:  # a transcript's words may start a little after the speech event that fired the rule
        held = [u for u in own if u["t0"] <= ev + 1.0 and u["t1"] >= ev - MOMENT_REACH]
    hits = [max(held, key=lambda u: u["t0"])] if held else []
    open_line: list = []
    if hits and n["rule"] == "argument-stacking":  # the stack: from its first reason to the firing,
        # with the line it fired in (mid-turn, from a partial: the line ended after the firing)
        stack = [u for u in own if hits[0]["t0"] < u["t0"] and (u["t1"] <= fired + 0.5 or u["t0"] <= fired)]
        # a question ends a stack (the rule's own reset): it and what follows are no part of it
        ask = next((i for i, u in enumerate(stack) if u["labels"].get("question")), len(stack))
        stack = stack[:ask]
        open_line = [u for u in stack if u["t1"] > fired + 0.5 and not _argues(u)]  # shown, not bold
        # a "Yeah." between reasons is none; a line without labels (no engine ran) may be one
        hits = (hits + [u for u in stack if all(u is not o for o in open_line)
                        and (_argues(u) or not u["labels"])])[:4]
    if not hits:  # a trainer nudge, a figure, or no transcript: what was said around it
        before = [u for u in utterances if u["t1"] >= ev - CONTEXT_BEFORE and u["t0"] <= ev + 0.5]
        return {"nudge": n, "t": ev, "around": [dict(u) for u in before[-4:]]}
    first, last = hits[0], hits[-1]
    ids = {id(u) for u in hits}
    before = [u for u in utterances if id(u) not in ids and u["t0"] < first["t0"]
              and u["t1"] >= first["t0"] - CONTEXT_BEFORE][-max(0, 4 - len(hits)):]
    after = [u for u in utterances if id(u) not in ids and u["t0"] > last["t0"]
             and u["speaker"] != last["speaker"]][:1]
    # what the other said between a stack's reasons: without it three turns read as one
    between = [u for u in utterances if id(u) not in ids and first["t0"] < u["t0"] < last["t0"]]
    if len(hits) >= 4:
        before = []
    around = ([dict(u) for u in before + between + open_line] + [dict(u, hit=True) for u in hits]
              + [dict(u) for u in after])
    around.sort(key=lambda u: u["t0"])
    return {"nudge": n, "t": first["t0"], "around": around}


def _argues(u: dict) -> bool:
    """The line gives a reason or informs: one of a stack's arguments."""
    return bool(u["labels"].get("arguments") or u["labels"].get("input"))


def moment_groups(moments: list[dict]) -> list[dict]:
    """Moments about the same line(s) together, so a line that set off three rules is shown
    once: ``{"t", "around", "moments"}`` in the order of ``moments``. A moment about a stretch
    (no line marked) stands alone."""
    groups: list[dict] = []
    by_hits: dict[tuple, dict] = {}
    for m in moments:
        hits = tuple((u["speaker"], u["t0"], u["t1"]) for u in m["around"] if u.get("hit"))
        group = by_hits.get(hits) if hits else None
        if group is None:
            group = {"t": m["t"], "around": m["around"], "moments": []}
            groups.append(group)
            if hits:
                by_hits[hits] = group
        group["moments"].append(m)
    return groups


MOMENTS_OPEN = 3  # moments of one kind shown whole, with the pull alternative; the rest listed by time


def repeats(groups: list[dict], shown: int = MOMENTS_OPEN) -> dict[str, list[int]]:
    """The groups of ``moment_groups`` left out of the list of moments, by rule (in the order
    each first repeats): a group all of whose rules were shown ``shown`` times already. A
    20-minute call had 68 moments, 26 of them interruptions; after the first few of a kind the
    list says when the rest came (each a link to its line in the transcript)."""
    seen: dict[str, int] = {}
    out: dict[str, list[int]] = {}
    for k, g in enumerate(groups):
        rules = [m["nudge"]["rule"] for m in g["moments"]]
        for r in rules:
            seen[r] = seen.get(r, 0) + 1
        if all(seen[r] > shown for r in rules):
            for r in dict.fromkeys(rules):
                out.setdefault(r, []).append(k)
    return out


def moment_lines(groups: list[dict], utterances: list[dict]) -> list[int | None]:
    """Per group of ``moment_groups``, the index in ``utterances`` of the line it is about
    (its first marked line; a moment about a stretch: the last line before it), so the
    report can link a moment to its place in the transcript; None without a transcript."""
    index = {(u["speaker"], u["t0"], u["t1"]): i for i, u in enumerate(utterances)}
    out: list[int | None] = []
    for g in groups:
        line = next((u for u in g["around"] if u.get("hit")), g["around"][-1] if g["around"] else None)
        out.append(index.get((line["speaker"], line["t0"], line["t1"])) if line else None)
    return out


def _route(utterances: list[dict], nudges: list[dict]) -> list[dict]:
    """The pull route as it went: explore -> draaivraag -> voorstel, in runs."""
    steps: list[tuple[float, str, str, bool]] = []
    turning = {round(n["evidence_t"], 1) for n in nudges if n["rule"] == "draaivraag"}
    for u in utterances:
        if u["speaker"] != "coachee":
            continue
        lab = u["labels"]
        if lab.get("draaivraag") or round(u["t0"], 1) in turning:
            steps.append((u["t0"], "draaivraag", u["text"], False))
        elif lab.get("proposal"):
            steps.append((u["t0"], "voorstel", u["text"], False))
        elif lab.get("question") == "open" or _is_reflection(u):
            steps.append((u["t0"], "explore", u["text"], _is_reflection(u)))
    for n in nudges:  # a draaivraag nudge whose utterance has no text in the log
        if n["rule"] == "draaivraag" and not any(s[1] == "draaivraag" for s in steps):
            steps.append((n["evidence_t"], "draaivraag", "", False))
    steps.sort()
    route: list[dict] = []
    summarised = False  # premature: a turn or proposal before any summary/reflection
    for t, step, text, reflects in steps:
        if route and route[-1]["step"] == step:
            route[-1]["count"] += 1
            route[-1]["t1"] = t
        else:
            route.append({"step": step, "t0": t, "t1": t, "count": 1, "text": text,
                          "premature": step != "explore" and not summarised})
        summarised = summarised or reflects
    return route


# What to practise first when several figures fall short: what the other feels most first
FOCUS_ORDER = ("interruptions", "righting_reflexes", "argument_stacks", "push_words", "summaries",
               "reflections_questions", "open_questions", "talk_share", "monologues", "speaking_rate")
FOCUS_RULES = {"interruptions": ("interruption",), "righting_reflexes": ("righting-reflex",),
               "argument_stacks": ("argument-stacking",), "push_words": ("push-words",),
               "summaries": ("too-few-summaries",), "reflections_questions": ("too-few-summaries",),
               "open_questions": ("closed-questions",), "talk_share": ("talk-ratio", "monologue"),
               "monologues": ("monologue",), "speaking_rate": ("speaking-rate",)}


def focus(report: dict, trends: dict | None = None, within: dict | None = None,
          before: dict | None = None) -> dict | None:
    """The one figure to practise next, with this conversation's latest moment of it (the
    latest with a line the coachee said, where one has it), and, given the trends since the
    previous conversation (``before``: its figures), the figure that got better most.

    The pick: a poor figure, else a fair one, as it stands at the end; of several, one that
    got worse (from half to half, else since last time: ``trends``) before the rest, then
    the first in ``FOCUS_ORDER``: 20 → 5 interruptions, still poor, gives way to push words
    3 → 8, poor too. In a long call (``report["halves"]``) that is as the second half
    rated it (where it could; else the whole call): a coachee who interrupted 30 times in
    the first half and never in the second is not sent to practise interruptions. A figure
    that got better from half to half (``within``: a long call's trends, ``halves``) and
    is no longer poor gives way to any other that still falls short; only where none does
    is it the pick, as the habit to keep (``kept``: good in the second half). Reflections :
    questions gives way to every other shortfall when the coachee reflected often enough by
    the too-few-summaries rule (``_reflected_enough``).
    ``{"figure", "rule", "moment", "moments" (how many of its kind), "better", "halves",
    "end" (its rating in the second half; None: no halves), "kept"}`` or None when there is nothing to say."""
    f = report["figures"]
    within = within or {}
    halves = report.get("halves")
    rank = {POOR: 0, FAIR: 1}

    def at_end(k: str) -> str:
        end = halves[-1]["figures"].get(k, {}).get("rating", NONE) if halves else NONE
        return end if end != NONE else f[k].get("rating", NONE)

    def worse(k: str) -> tuple:  # at one rating, a figure getting worse before one that is not
        return (within.get(k) != "worse", (trends or {}).get(k) != "worse", FOCUS_ORDER.index(k))

    def order(k: str) -> tuple:
        if k == "reflections_questions" and _reflected_enough(report):
            return (3, rank.get(at_end(k), rank.get(f[k]["rating"], 1)), *worse(k))
        end = at_end(k)
        if end in rank:  # falls short at the end; one that got better and is not poor last
            return (within.get(k) == "better" and end != POOR, rank[end], *worse(k))
        return (2, rank[f[k]["rating"]], *worse(k))  # short over the call, fine at the end
    short = [k for k in FOCUS_ORDER if k in f and (at_end(k) in rank or f[k].get("rating") in rank)]
    pick = min(short, key=order, default=None)
    tied = most_better(f, trends, before, tied=True)
    better = tied[0] if tied else None
    if pick is None and better is None:
        return None
    moment, of_it = None, []
    if pick is not None:
        rules = FOCUS_RULES[pick]
        of_it = [m for m in report["moments"] if m["nudge"]["rule"] in rules]
        said = [m for m in of_it if any(u.get("hit") and u["speaker"] == "coachee" for u in m["around"])]
        moment = (said or of_it or [None])[-1]
    return {"figure": pick, "rule": moment["nudge"]["rule"] if moment else (FOCUS_RULES[pick][0] if pick else None),
            "moment": moment, "moments": len(of_it), "better": better, "better_tied": tied,
            "halves": within.get(pick) if pick else None,
            "end": at_end(pick) if pick and halves else None,
            "kept": bool(pick and halves and within.get(pick) == "better" and at_end(pick) == GOOD)}


def _reflected_enough(report: dict) -> bool:
    """The coachee reflected within the too-few-summaries gap all call (the summaries figure
    good, the rule never fired): then reflections : questions below MITI's 1:1 or 2:1 is no
    thing to practise first. The seeds' pull route asks many open questions and summarises
    in between (000, 001); every written pull role-play in tests/data (and the pull fixtures)
    rated poor here, 0.36-1.0 even with its missed reflections counted (rules/README.md). It
    stays the pick when nothing else falls short; the card keeps MITI's rating."""
    f = report["figures"]
    return (f.get("summaries", {}).get("rating") == GOOD
            and not any(m["nudge"]["rule"] == "too-few-summaries" for m in report.get("moments", ())))


BETTER_TIED = 3  # figures that got better equally most, named at most


def most_better(now: dict, trends: dict | None, before: dict | None = None, tied: bool = False):
    """Of the figures ``trends`` calls better since last time, the one that moved most: the
    most rating bands up (poor to good beats poor to poor), then the largest step for its
    size (20 → 0 beats 44 → 42); ``FOCUS_ORDER`` breaks a tie. Without ``before`` (its
    figures): the first in ``FOCUS_ORDER``. ``tied``: a list of all that moved equally most
    (up to ``BETTER_TIED``, in ``FOCUS_ORDER``): 2 → 0 righting reflexes, 4 → 0 push words
    and 0% → 100% open questions are one step each, none more than the others."""
    from pullcoach.report_progress import measure  # it builds on this module
    up = [k for k in FOCUS_ORDER if (trends or {}).get(k) == "better"]
    if not before:
        first = up[:1]
        return first if tied else (first[0] if first else None)
    rank = {POOR: 0, FAIR: 1, GOOD: 2}

    def gain(k: str) -> tuple:
        a, b = measure(k, before[k]), measure(k, now[k])
        bands = rank.get(now[k]["rating"], 0) - rank.get(before[k]["rating"], 0)
        if a is None or b is None or float("inf") in (a, b):
            return (bands, 1.0 if float("inf") in (a, b) else 0.0)
        return (bands, round(abs(b - a) / max(abs(a), abs(b), 1e-9), 6))
    best = max(up, key=gain, default=None)  # max keeps the first of equals: FOCUS_ORDER's
    if not tied:
        return best
    return [k for k in up if gain(k) == gain(best)][:BETTER_TIED] if best else []
