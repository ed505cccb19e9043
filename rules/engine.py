"""The rule engine: events in; nudges, utterance labels and metrics out. Pure.

Two lanes, one policy:

- the *live lane* (``interruption``, and ``interrupted``'s overlaps) sees speech events
  and ticks as they arrive, so its nudge fires as the overlap threshold passes, never
  waiting for text;
- the *text lane* (every rule, built-in or plugin; a live rule's ``feed`` is its
  canonical side) sees all events in canonical audio-time order through
  :class:`~pullcoach.rules.gate.Gate`, so late transcripts give the same nudges as
  timely ones.

The policy, here and nowhere else: per-rule cooldown (a repeat inside it is dropped, or
kept for the report for the overlap rules; a rule with a live and a text side has one
cooldown per lane, and its text side also waits for its live cues; the cooldown counts what
the coachee saw: a nudge held back, for the budget, focus, the trainer's nudge or late text,
does not hold back the next one, which is shown if it can be, and listed for the report only
once the cooldown after the held one is over),
priority among candidates of one event, a focus set (rules outside it are issued with
``delivered=False``: report only; a ``FocusChanged`` event changes it from its time on, and
a praise stays live when the rule it answers is in focus), and a global budget of one delivered negative nudge
per ``budget_s``; a text-lane nudge whose words ended more than ``stale_s`` before its
transcript came (the ASR behind) is kept for the report only, since it would land on another
moment. Positive nudges are delivered quietly and never use the budget; of one event's candidates
only the first shown reaches the overlay (a second would replace it at once); among praises
the reflection's comes last. A trainer's own
nudge (fed in as a ``NudgeIssued`` of kind "trainer") uses the budget, and nothing is
delivered while the overlays show it (``trainer_hold_s``). The
live lane is decided first and is never held back by a text-lane nudge it cannot know
yet; a text-lane nudge is held back by live nudges before it.

The numbers (budget, cooldowns, each rule's thresholds) are :class:`EngineConfig`'s; a
pack's ``[settings]`` changes them (``settings.py``), so every command that hands the engine
its pack runs with the same numbers.

A plugin rule that fails to load, raises or nudges under another rule's name is left out or
switched off for the session (``plugins.py``); the engine says so once, as a
``PipelineWarning`` of kind ``rule-off`` dated where it failed, so the store, the trainer's
card and the report have it.

A rule may take a nudge back (:class:`~pullcoach.rules.base.Withdrawal`: the text showed
an "interruption" to be a long backchannel); the engine then emits ``NudgeWithdrawn``,
in the canonical lane so it is deterministic too. A withdrawn nudge keeps the budget and
cooldown it used: the live lane cannot know in time that it will be withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pullcoach.rules.base import CUT_IN_S, COACHEE, PARTNER, Candidate, Context, Utterance, Withdrawal
from pullcoach.rules.events import (
    ALERT_KINDS, FocusChanged, MetricsUpdated, NudgeIssued, NudgeWithdrawn, PipelineWarning, SessionEnded,
    SessionStarted, SpeechEnded, SpeechStarted, Tick, TranscriptFinal, TranscriptPartial, UtteranceLabeled, kept_nudges,
)
from pullcoach.rules.gate import Gate
from pullcoach.rules.labels import Labeler
from pullcoach.rules.pack import Pack, load_pack
from pullcoach.rules.plugins import load_plugins
from pullcoach.rules.settings import apply as apply_settings
from pullcoach.rules import (
    argument_stacking, closed_questions, draaivraag, good_summary, interrupted, interruption,
    monologue, open_question_after_resistance, proposal_with_argument, push_words,
    righting_reflex, speaking_rate, talk_ratio, too_few_summaries,
)

__all__ = ["Engine", "EngineConfig", "RULES", "PRIORITY", "PRAISE_FOR", "engine_config"]

# name -> class; the order is the priority (first = most important)
RULES = {
    "interruption": interruption.Interruption,
    "righting-reflex": righting_reflex.RightingReflex,
    "argument-stacking": argument_stacking.ArgumentStacking,
    "push-words": push_words.PushWords,
    "proposal-with-argument": proposal_with_argument.ProposalWithArgument,
    "closed-questions": closed_questions.ClosedQuestions,
    "too-few-summaries": too_few_summaries.TooFewSummaries,
    "interrupted": interrupted.Interrupted,
    "talk-ratio": talk_ratio.TalkRatio,
    "monologue": monologue.Monologue,
    "speaking-rate": speaking_rate.SpeakingRate,
    "good-summary": good_summary.GoodSummary,
    "open-question-after-resistance": open_question_after_resistance.OpenQuestionAfterResistance,
    "draaivraag": draaivraag.Draaivraag,
}
PRIORITY = {name: i for i, name in enumerate(RULES)}
# of two praises for one line the rarer move is shown (a turning question, rolling with
# resistance); "✓ Samenvatting" comes often, and goes to the report that once
PRIORITY["good-summary"] = len(RULES)
# the coachee's cut-in right after the partner's resistance cue is the moment to coach, not
# one alert too many: the cue does not hold it back (it went to the report only before)
PREEMPTS = {"interruption": ("interrupted",)}
# a praise is the other side of a push cue: with that cue in focus it is delivered too
PRAISE_FOR = {
    "good-summary": ("too-few-summaries",),
    "open-question-after-resistance": ("closed-questions", "interrupted"),
    "draaivraag": ("righting-reflex", "proposal-with-argument"),
}

_COOLDOWNS = {  # seconds; COACHING.md: sparse cues beat a busy display
    "interruption": 20.0, "righting-reflex": 60.0, "talk-ratio": 120.0, "monologue": 60.0, "too-few-summaries": 60.0,
    "speaking-rate": 60.0, "good-summary": 10.0, "open-question-after-resistance": 10.0,
    "draaivraag": 10.0,
}


@dataclass(frozen=True)
class EngineConfig:
    budget_s: float = 20.0            # COACHING.md: at most one nudge every ~20 s
    default_cooldown_s: float = 30.0  # the same cue again within half a minute is noise
    cooldowns: dict = field(default_factory=lambda: dict(_COOLDOWNS))
    focus: tuple[str, ...] = ()       # trainer's choice; empty = deliver every rule
    # rules whose repeats inside the cooldown are kept for the report (not dropped): every
    # cut-in and every unasked advice is a moment of its own, while a repeated word is
    # counted by the labels
    report_repeats: tuple[str, ...] = ("interruption", "interrupted", "righting-reflex")
    disabled: tuple[str, ...] = ()
    rule_configs: dict = field(default_factory=dict)  # rule name -> its *Config
    min_p: float = 0.5                # a phrase heard with mean p below this is ignored
    max_text_lag_s: float = 10.0      # see gate.py
    # a cue about words that ended longer ago than this lands on another moment of the
    # conversation (two turns on): kept for the report, not delivered (ASR behind on a busy laptop)
    stale_s: float = 6.0
    # the overlays show a trainer's nudge this long and drop what comes meanwhile; it also
    # uses the budget like any delivered nudge (the coachee has one nudge's attention)
    trainer_hold_s: float = 9.0
    metrics_every_s: float = 5.0
    use_model: bool = True            # English: the learned labeller in packs/en_labels.json
    plugins: bool = True              # load rules from the `pullcoach.rules` entry points


def engine_config(pack: Pack | None, config: EngineConfig | None = None) -> EngineConfig:
    """``config`` with the numbers of the pack's ``[settings]`` in it (budget, cooldowns, the
    rules' thresholds): what an :class:`Engine` with ``pack`` runs with, for a report's yardsticks."""
    return apply_settings(config or EngineConfig(), pack.settings if pack is not None else {})


def _plugin_cooldowns(config: EngineConfig, plugins) -> EngineConfig:
    """A pack may set a plugin rule's cooldown by its entry point's name: the rule's own name
    may differ (a factory names its rule when it makes it)."""
    cooldowns = dict(config.cooldowns)
    for g in plugins:
        if g.plugin != g.name and g.plugin in cooldowns and g.name not in cooldowns:
            cooldowns[g.name] = cooldowns[g.plugin]
    return config if cooldowns == config.cooldowns else replace(config, cooldowns=cooldowns)


class Engine:
    def __init__(self, lang: str = "nl", pack: Pack | None = None,
                 config: EngineConfig = EngineConfig(), *, entry_points=None) -> None:
        self.pack = pack if pack is not None else load_pack(lang)
        # a trainer's pack sets numbers too: every command that passes its pack gets them
        config = self.config = engine_config(self.pack, config)
        self.lang = self.pack.lang
        model = None
        if self.lang == "en" and config.use_model:
            from pullcoach.rules.model import load_model
            model = load_model()
        self.labeler = Labeler(self.pack, model=model, min_p=config.min_p)
        self.rules = [cls(config.rule_configs[n]) if n in config.rule_configs else cls()
                      for n, cls in RULES.items() if n not in config.disabled]
        # plugin rules left out or switched off: said once in the events (rule-off warnings)
        self.rules_off: list[PipelineWarning] = []
        self._off_told: set[str] = set()
        self.plugins: list = []
        if config.plugins:
            kw = {"entry_points": entry_points} if entry_points is not None else {}
            self.plugins = load_plugins(self.pack, set(RULES), failed=self.rules_off, **kw)
            self.rules += self.plugins
            config = self.config = _plugin_cooldowns(config, self.plugins)
        self.live = [r for r in self.rules if getattr(r, "live", False)]
        # a reflection cuts the partner off by the same overlap as an interruption (a pack may set it)
        self.ctx = Context(getattr(config.rule_configs.get("interruption"), "overlap_s", CUT_IN_S))
        # a rule labels a partial as the final will be: the partner's last words, the turn so far
        # (push-words); the learned labels only when it asks (an encoder pass per partial)
        self.ctx.label = lambda text, words=(), **kw: self.labeler.label(text, words, **{"use_model": False, **kw})
        self.gate = Gate(max_text_lag_s=config.max_text_lag_s)
        # per rule and lane: a live cooldown read from text-lane nudges would depend on
        # when the text arrived (interrupted fires in both lanes)
        self.last_issued: dict[tuple[str, bool], float] = {}  # the report's clock: cues listed
        self.live_cues: dict[str, list[float]] = {}  # times of live cues that set a cooldown
        self.last_shown: dict[tuple[str, bool], float] = {}  # the coachee's clock: cues delivered
        self.live_shown: dict[str, list[float]] = {}
        self.delivered: list[tuple[float, bool, str]] = []  # (t, live, rule) of delivered alerts
        self.trainer_t: list[float] = []  # when the trainer's own nudges came in
        self.focus_changes: list[tuple[float, tuple[str, ...]]] = [(float("-inf"), config.focus)]
        self.nudges: list[NudgeIssued] = []
        self.withdrawn: list[NudgeWithdrawn] = []
        self.next_metrics = 0.0

    # -- feeding -------------------------------------------------------------
    def feed(self, event) -> list:
        out: list = []
        if isinstance(event, NudgeIssued) and event.kind == "trainer":
            # known at once in both lanes: its time is the newest the session has seen
            self.trainer_t.append(event.t)
            self.delivered.append((event.t, True, "trainer"))
        if isinstance(event, FocusChanged):  # like a trainer's nudge: from its time on, both lanes
            self.focus_changes.append((event.t, tuple(event.rules)))
        if isinstance(event, (SpeechStarted, SpeechEnded, Tick)):
            for rule in self.live:
                for c in rule.feed_live(event):
                    out += self._issue(c, live=True)
        released = self.gate.flush() if isinstance(event, SessionEnded) else []
        released += self.gate.push(event)
        for ev in released:
            out += self._canonical(ev)
        return out + self._said_off(getattr(event, "t", 0.0))

    def _said_off(self, now: float) -> list[PipelineWarning]:
        """A ``rule-off`` warning for each plugin rule left out or switched off since the last
        event, once: the trainer's card and the report say it, not only the console."""
        found = [*self.rules_off, *(g.off_warning(now) for g in self.plugins if g.failed)]
        new = [w for w in found if w is not None and w.detail["plugin"] not in self._off_told]
        self._off_told.update(w.detail["plugin"] for w in new)
        return new

    def _canonical(self, ev) -> list:
        ctx, out = self.ctx, []
        ctx.t = max(ctx.t, ev.t)
        match ev:
            case SpeechStarted(t=t, speaker=s):
                if ctx.start is None:
                    ctx.start = t
                ctx.speaking[s] = t
            case SpeechEnded(t=t, speaker=s):
                if ctx.speaking[s] is not None:
                    ctx.spans[s].append((ctx.speaking[s], t))
                ctx.speaking[s] = None
            case TranscriptFinal():
                if ctx.start is None:
                    ctx.start = ev.t0
                prev = ctx.last(PARTNER) if ev.speaker == COACHEE else None
                own = ctx.last(COACHEE, skip_backchannels=False) if ev.speaker == COACHEE else None
                turn = ctx.turn_before(COACHEE, ev.t0) if ev.speaker == COACHEE else []
                labels = self.labeler.label(ev.text, ev.words, prev.text if prev else "",
                                            use_model=ev.speaker == COACHEE,
                                            prev_own=own.text if own else "",
                                            turn=" ".join(u.text for u in turn if not u.labels.backchannel))
                u = Utterance(ev.speaker, ev.t, ev.t0, ev.t1, ev.text, labels)
                ctx.utterances.append(u)
                out.append(UtteranceLabeled(t=ev.t, speaker=ev.speaker, t0=ev.t0, t1=ev.t1,
                                            text=ev.text, labels=labels.to_dict()))
            case TranscriptPartial() if any(u.speaker == ev.speaker and u.t0 == ev.t0
                                            for u in ctx.utterances[-4:]):
                return out  # decoded before its final but ordered after it (it arrived later)
            case TranscriptPartial() | Tick() | SessionEnded() | SessionStarted():
                pass
            case _:
                return out  # bookmarks, warnings, trainer nudges: not for the rules
        cands: list[Candidate] = []
        for rule in self.rules:  # live rules too: their canonical side (withdrawals)
            for c in rule.feed(ev, ctx):
                if isinstance(c, Withdrawal):
                    out += self._withdraw(c, ev.t)
                else:
                    cands.append(c)
        cands.sort(key=lambda c: PRIORITY.get(c.rule, len(PRIORITY)))
        late = ev.t - ev.t1 if isinstance(ev, (TranscriptFinal, TranscriptPartial)) else 0.0
        shown = False  # the overlay shows one nudge: a second of one moment would replace the first
        for c in cands:
            issued = self._issue(c, live=False, late=late, crowded=shown)
            shown = shown or any(n.delivered for n in issued)
            out += issued
        if isinstance(ev, SessionEnded) or (isinstance(ev, Tick) and ev.t >= self.next_metrics):
            self.next_metrics = ev.t + self.config.metrics_every_s
            out.append(MetricsUpdated(t=ev.t, metrics=self.metrics()))
        return out

    # -- the one policy ---------------------------------------------------------
    def _issue(self, c: Candidate, *, live: bool, late: float = 0.0,
               crowded: bool = False) -> list[NudgeIssued]:
        cfg = self.config
        cooldown = cfg.cooldowns.get(c.rule, cfg.default_cooldown_s)
        detail = dict(c.detail)
        # why the coachee would not see it now (None: shown)
        held = None if self.in_focus(c.rule, c.t) else "focus"
        stale = late > cfg.stale_s  # the words it is about ended that long before it could fire
        if stale:
            detail["late_s"] = round(late, 1)
        elif held is None and any(0 <= c.t - t < cfg.trainer_hold_s for t in self.trainer_t):
            held = "trainer"  # the trainer's nudge is on the overlay
        elif held is None and crowded:  # another nudge of this moment is shown ("✓ Reflection"
            held = "budget"             # and "✓ Good follow-up" together: the overlay showed one)
        elif held is None and c.kind in ALERT_KINDS and any(  # the budget: one alert per 20 s
                self._blocks(t, was_live, c.t, live) for t, was_live, rule in self.delivered
                if rule not in PREEMPTS.get(c.rule, ())):
            held = "budget"
        shown = held is None and not stale
        # two clocks: the live cooldown counts what the coachee saw; the report's, every cue it
        # lists (a cue held back does not hold back the next, which the coachee would see)
        seen = self._last(self.last_shown, self.live_shown, c.rule, live, c.t)
        kept = self._last(self.last_issued, self.live_cues, c.rule, live, c.t)
        repeat = (seen is not None and c.t - seen < cooldown) or (
            not shown and kept is not None and c.t - kept < cooldown)
        if repeat and c.rule not in cfg.report_repeats:
            return []
        if repeat:  # each overlap is a moment of its own: the report lists it
            detail["repeat"] = True
            shown = False
        else:
            self.last_issued[(c.rule, live)] = c.t
            if live:
                self.live_cues.setdefault(c.rule, []).append(c.t)
            if held:
                detail["held"] = held
        if shown:
            self.last_shown[(c.rule, live)] = c.t
            if live:
                self.live_shown.setdefault(c.rule, []).append(c.t)
            if c.kind in ALERT_KINDS:
                self.delivered.append((c.t, live, c.rule))
        delivered = shown
        rule = next((r for r in self.rules if r.name == c.rule), None)
        message = self.pack.messages.get(c.rule) or getattr(rule, "message", c.rule)
        nudge = NudgeIssued(t=c.t, rule=c.rule, message=message, kind=c.kind, speaker=c.speaker,
                            evidence_t=c.evidence_t, delivered=delivered, detail=detail)
        self.nudges.append(nudge)
        return [nudge]

    def focus_at(self, t: float) -> tuple[str, ...]:
        """The focus set in force at ``t`` (empty: every rule is delivered)."""
        return [f for ct, f in sorted(self.focus_changes, key=lambda x: x[0]) if ct <= t][-1]

    def focus_event(self, t: float, rules, by: str = "trainer") -> FocusChanged:
        """The event that sets the focus to ``rules``, with their nudges as the coachee reads them."""
        rules = tuple(rules)
        names = {r.name: r for r in self.rules}
        return FocusChanged(t=t, rules=rules, by=by, messages=tuple(
            self.pack.messages.get(r) or getattr(names.get(r), "message", r) for r in rules))

    def in_focus(self, rule: str, t: float) -> bool:
        focus = self.focus_at(t)
        return not focus or rule in focus or any(r in focus for r in PRAISE_FOR.get(rule, ()))

    def _withdraw(self, w: Withdrawal, t: float) -> list[NudgeWithdrawn]:
        """Take back the nudge ``w`` names, if it was issued and not yet taken back."""
        n = next((n for n in self.nudges if n.rule == w.rule and n.evidence_t == w.evidence_t), None)
        if n is None or any(x.rule == w.rule and x.evidence_t == w.evidence_t for x in self.withdrawn):
            return []
        out = NudgeWithdrawn(t=max(t, n.t), rule=n.rule, evidence_t=w.evidence_t, reason=w.reason,
                             message=n.message, speaker=n.speaker, delivered=n.delivered)
        self.withdrawn.append(out)
        return [out]

    def _last(self, last: dict, live_cues: dict, rule: str, live: bool, now: float) -> float | None:
        """The rule's latest cue on one clock (``last`` per lane; ``live_cues``: its live cues).
        A text-lane cue also waits for the rule's live cues before ``now``: the live lane has
        always passed ``now`` when the text lane gets there, so this does not depend on when
        text arrives."""
        times = [last.get((rule, live))]
        if not live:
            times.append(max((t for t in live_cues.get(rule, ()) if t < now), default=None))
        return max((t for t in times if t is not None), default=None)

    def _blocks(self, t: float, was_live: bool, now: float, live: bool) -> bool:
        """Does a nudge delivered at ``t`` use the budget for a candidate at ``now``?
        The live lane cannot know text nudges yet; the text lane knows live ones before it.
        In one lane, one delivered either side: the text lane decides in audio order, but a
        nudge's time is when its text came, so a tick's cue can follow a late transcript's
        nudge dated after it (both reached the overlay a second apart)."""
        if live and not was_live:
            return False
        if was_live and not live:
            return 0 <= now - t < self.config.budget_s
        return abs(now - t) < self.config.budget_s

    # -- metrics -----------------------------------------------------------------
    def metrics(self) -> dict:
        ctx = self.ctx
        until = ctx.t
        me = ctx.talk(COACHEE, float("-inf"), until)
        other = ctx.talk(PARTNER, float("-inf"), until)
        mine = [u.labels for u in ctx.utterances if u.speaker == COACHEE]
        opens = sum(1 for x in mine if x.question == "open")
        # "Mag ik een tip geven?" and "Zullen we ...?" are pull moves, not closed questions
        closed = sum(1 for x in mine if x.question == "closed" and not (x.permission or x.proposal))
        refl = sum(1 for x in mine if x.reflection)
        by_rule: dict[str, int] = {}
        kept = kept_nudges([*self.nudges, *self.withdrawn])
        for n in kept:
            by_rule[n.rule] = by_rule.get(n.rule, 0) + 1
        out = {
            "t": round(until, 2),
            "talk_s": {COACHEE: round(me, 2), PARTNER: round(other, 2)},
            "talk_share": round(me / (me + other), 3) if me + other > 0 else 0.0,
            "words": {s: sum(u.labels.words for u in ctx.utterances if u.speaker == s)
                      for s in (COACHEE, PARTNER)},
            "utterances": {s: sum(1 for u in ctx.utterances if u.speaker == s)
                           for s in (COACHEE, PARTNER)},
            "questions": {"open": opens, "closed": closed},
            "open_question_share": round(opens / (opens + closed), 3) if opens + closed else None,
            "reflections": refl,
            "reflection_to_question": round(refl / (opens + closed), 2) if opens + closed else None,
            "advice": sum(1 for x in mine if x.advice),
            "nudges": by_rule,
            "negative_nudges": sum(1 for n in kept if n.kind == "negative"),
            "withdrawn_nudges": len(self.withdrawn),
            "late_events": self.gate.late,
        }
        for rule in self.rules:
            extra = getattr(rule, "metrics", None)
            if not callable(extra):
                continue
            if rule in self.plugins:  # under its own name: a plugin cannot change the built-in figures
                figures = extra()
                if figures:
                    out.setdefault("plugins", {})[rule.name] = figures
            else:
                out.update(extra())
        return out
