"""The numbers a trainer may set in a rule pack's ``[settings]``.

``[settings]`` takes ``seconds-between-nudges`` (the nudge budget) and ``RULE.KEY`` lines:
every built-in rule's ``cooldown`` and its main thresholds (``too-few-summaries.seconds = 180``;
``[settings.too-few-summaries]`` with ``seconds = 180`` is the same). Each maps onto a field of
:class:`~pullcoach.rules.engine.EngineConfig` or of the rule's ``*Config``; its default is
read from there, so this table holds only the name, the allowed range and where the default
comes from. Internal tuning (the learned labeller's probabilities, the VAD's bridges) is no setting.
An installed plugin's rule (``plugins.py``) takes a ``cooldown`` too (``sorry.cooldown = 60``);
its other numbers are the plugin's own. Every rule, built-in or plugin, takes ``RULE.enabled = false``:
the rule is off (``EngineConfig.disabled``; a plugin's is not loaded).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from pullcoach.rules import (
    argument_stacking, closed_questions, draaivraag, good_summary, interrupted, interruption,
    monologue, open_question_after_resistance, proposal_with_argument, push_words,
    righting_reflex, speaking_rate, talk_ratio, too_few_summaries,
)

__all__ = ["Setting", "SETTINGS", "CONFIGS", "GLOBAL", "ENABLED", "check", "apply", "default", "describe",
           "line_of", "off_rules", "is_switch"]

# rule name -> its Config class (the order is the engine's priority)
CONFIGS = {
    "interruption": interruption.InterruptionConfig,
    "righting-reflex": righting_reflex.RightingReflexConfig,
    "argument-stacking": argument_stacking.ArgumentStackingConfig,
    "push-words": push_words.PushWordsConfig,
    "proposal-with-argument": proposal_with_argument.ProposalWithArgumentConfig,
    "closed-questions": closed_questions.ClosedQuestionsConfig,
    "too-few-summaries": too_few_summaries.TooFewSummariesConfig,
    "interrupted": interrupted.InterruptedConfig,
    "talk-ratio": talk_ratio.TalkRatioConfig,
    "monologue": monologue.MonologueConfig,
    "speaking-rate": speaking_rate.SpeakingRateConfig,
    "good-summary": good_summary.GoodSummaryConfig,
    "open-question-after-resistance": open_question_after_resistance.OpenQuestionAfterResistanceConfig,
    "draaivraag": draaivraag.DraaivraagConfig,
}
GLOBAL = "seconds-between-nudges"
ENABLED = "enabled"  # RULE.enabled = false: the rule is off (no number: a switch)
COOLDOWN_SOURCE = "sparse one-word cues beat a busy live display"


@dataclass(frozen=True)
class Setting:
    key: str        # as the pack writes it: "too-few-summaries.seconds"
    field: str      # the Config field ("overlap.overlap_s": a field of a field)
    kind: type      # int or float
    low: float
    high: float
    unit: str       # "s", "words", "share", "turns", ...
    what: str       # what it does, for `rules new`
    source: str     # where the default comes from

    @property
    def rule(self) -> str | None:
        return self.key.split(".", 1)[0] if "." in self.key else None

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[-1]


def _s(key, field, kind, low, high, unit, what, source) -> Setting:
    return Setting(key, field, kind, low, high, unit, what, source)


_OWN = [
    _s(GLOBAL, "budget_s", float, 0, 600, "s", "at most one nudge (not a praise) per this many seconds",
       "sparse cues: at most one nudge every ~20 s"),
    _s("interruption.overlap", "overlap_s", float, 0.5, 5, "s",
       "the coachee talks on this long over the partner before it counts (and a reflection that does earns no praise)",
       "Cohen on resistance (not letting the other finish): overlap >= ~0.5 s; less is a smooth hand-over"),
    _s("righting-reflex.permission-turns", "unlock_turns", int, 1, 20, "turns",
       "advice after asking permission is fine for this many coachee turns", "MI: ask, then offer"),
    _s("argument-stacking.arguments", "max_arguments", int, 2, 10, "arguments",
       "the nudge comes at this many stacked arguments", "Hertoghs, Don't push me: a 'stortvloed aan goede argumenten' (several in a row)"),
    _s("closed-questions.in-a-row", "max_run", int, 2, 20, "questions",
       "the nudge comes at this many closed questions in a row", "MITI: 50% open at least"),
    _s("too-few-summaries.seconds", "max_gap_s", float, 30, 1800, "s",
       "the nudge comes after this long without a summary",
       "AnnoMI dev: good practitioners reflect within 120 s in 97% of gaps"),
    _s("too-few-summaries.partner-words", "max_partner_words", int, 20, 3000, "words",
       "... or after the partner said this many words without one", "the word-based alternative to the clock"),
    _s("too-few-summaries.min-partner-words", "min_partner_words", int, 0, 1000, "words",
       "only when the partner said at least this many words since", "something to summarise"),
    _s("interrupted.overlap", "overlap.overlap_s", float, 0.5, 5, "s",
       "the partner talks on this long over the coachee before it counts (default: as interruption.overlap)",
       "the same as interruption"),
    _s("talk-ratio.max-share", "max_share", float, 0.3, 1, "share",
       "the nudge comes when the coachee has more than this share of the talk",
       "Nieboer on negotiation: 70% listening, 30% talking; AnnoMI dev: at 0.80 it fired 2 times in good sessions for 3 in poor ones"),
    _s("talk-ratio.telling-share", "telling_share", float, 0.3, 1, "share",
       "... or more than this share when most of the words tell (inform, argue, advise)",
       "Nieboer: 30% talking; telling talks at the partner, not with them"),
    _s("talk-ratio.window", "window_s", float, 60, 3600, "s", "the talk share over the last this many seconds",
       "ten minutes: a short stretch of explaining is fine"),
    _s("monologue.seconds", "max_s", float, 20, 600, "s", "the nudge comes when the coachee talks this long on end",
       "between the 76 s and 120 s of the sales yardstick"),
    _s("speaking-rate.wpm", "max_wpm", float, 120, 400, "words a minute",
       "the nudge comes above this many words a minute (speech time only)",
       "160+ wpm counts pauses; over speech time ordinary talk reaches 180-200"),
    _s("good-summary.partner-words", "min_partner_words", int, 0, 500, "words",
       "praise a summary only after the partner said at least this many words", "a sentence or two to summarise"),
    _s("good-summary.words", "min_words", int, 1, 100, "words",
       "praise a summary of at least this many words", "a bare echo of two or three words only reflects"),
    _s("open-question-after-resistance.turns", "within_turns", int, 1, 10, "turns",
       "praise an open question within this many coachee turns after resistance", "the next two real turns"),
    _s("draaivraag.reflections", "min_reflections", int, 0, 10, "reflections",
       "praise a draaivraag only after this many reflections", "Hertoghs: the draaivraag after the other's view was summarised"),
    _s("draaivraag.open-questions", "min_open_questions", int, 0, 10, "questions",
       "... and this many open questions", "Hertoghs: the other's view explored with open questions first"),
]
_COOL = [_s(f"{rule}.cooldown", "cooldown", float, 0, 3600, "s",
            "the same nudge not again within this many seconds", COOLDOWN_SOURCE) for rule in CONFIGS]
PLUGIN_COOLDOWN_SOURCE = "as a built-in rule's default cooldown"


class _Settings(dict):
    """The table; a plugin rule's ``RULE.cooldown`` (``check`` has made sure it is installed)
    is looked up like a built-in one's but not listed: which plugins there are is the machine's."""

    def __missing__(self, key: str) -> Setting:
        rule, _, name = key.rpartition(".")
        if name != "cooldown" or not rule or rule in CONFIGS:
            raise KeyError(key)
        return _s(key, "cooldown", float, 0, 3600, "s", "the same nudge not again within this many seconds",
                  PLUGIN_COOLDOWN_SOURCE)


# key -> Setting, in the order `rules new` lists them: the budget, then per rule its cooldown and numbers
SETTINGS: dict[str, Setting] = _Settings({_OWN[0].key: _OWN[0]})
for _rule in CONFIGS:
    for _x in [*(c for c in _COOL if c.rule == _rule), *(o for o in _OWN if o.rule == _rule)]:
        SETTINGS[_x.key] = _x


def is_switch(key: str) -> bool:
    """``RULE.enabled``: true or false, not a number in :data:`SETTINGS`."""
    return key.rpartition(".")[2] == ENABLED and "." in key


def off_rules(settings: dict) -> list[str]:
    """The rules a pack's ``[settings]`` switches off (``RULE.enabled = false``), in its order."""
    return [k.rpartition(".")[0] for k, v in settings.items() if is_switch(k) and v is False]


def default(s: Setting):
    """The number the engine uses when no pack sets it."""
    from pullcoach.rules.engine import EngineConfig
    cfg = EngineConfig()
    if s.key == GLOBAL:
        return cfg.budget_s
    if s.field == "cooldown":
        return cfg.cooldowns.get(s.rule, cfg.default_cooldown_s)
    value = CONFIGS[s.rule]()
    for part in s.field.split("."):
        value = getattr(value, part)
    return value


def _num(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def describe(s: Setting, *, with_default: bool = True) -> str:
    """Range, default and source, as the messages and `rules new` say them."""
    unit = "" if s.unit == "share" else f" {s.unit}"
    said = f"default {_num(default(s))}, " if with_default else ""
    return f"{s.low:g} to {s.high:g}{unit} ({said}{s.source})"


def check(table, where) -> dict[str, float | int]:
    """``[settings]`` as flat ``key -> number``; a mistake is a PackError naming file, line and key."""
    from pullcoach.rules.pack import PackError
    if not isinstance(table, dict):
        raise PackError(f"{where.at('settings')}: settings must be a section [settings] of lines like "
                        f"too-few-summaries.seconds = 180")
    rules = {s.rule for s in SETTINGS.values() if s.rule}
    plugins: list[str] | None = None  # the installed plugins' rules: looked up only when needed
    out: dict[str, float | int] = {}
    for rule, value in table.items():
        if rule == GLOBAL:
            out[GLOBAL] = _value(SETTINGS[GLOBAL], value, where)
            continue
        if rule not in rules and plugins is None:
            from pullcoach.rules.plugins import installed_names
            plugins = [n for n in installed_names() if n not in rules]
        if rule not in rules and rule not in plugins:
            near = difflib.get_close_matches(rule, [*rules, *plugins, GLOBAL], n=1, cutoff=0.6)
            if not near and any(w in rule.lower() for w in ("budget", "nudge", "between")):
                near = [GLOBAL]
            said = {" ".join(m.casefold().split()): r for r, m in getattr(where, "messages", {}).items()}
            meant = said.get(" ".join(rule.casefold().split()))
            if meant:  # a nudge's text for the rule's name: "Vat samen".seconds
                near = [meant]
            installed = f"; installed: {', '.join(plugins)}" if plugins else ""
            hint = f"; did you mean {near[0]!r}?" if near else (
                f"; [settings] takes {GLOBAL}, RULE.setting for the built-in rules "
                f"(`pullcoach rules new` lists them) and RULE.cooldown for an installed plugin's rule{installed}")
            if meant:
                hint = f"; {rule!r} is the nudge of {meant}: give the rule's name ({meant}.…)"
            from pullcoach.rules.pack import ELSEWHERE
            if rule == "focus":
                hint = f"; {ELSEWHERE[rule]}"
            first = next(iter(value), None) if isinstance(value, dict) else None
            raise PackError(f"{_line(where, rule, first)}: [settings] {rule!r} is no setting or rule{hint}")
        # a plugin's: its cooldown; every rule: the switch
        names = [*([s.name for s in SETTINGS.values() if s.rule == rule] or ["cooldown"]), ENABLED]
        if not isinstance(value, dict):
            if isinstance(value, bool) or (isinstance(value, str) and _switch_word(value) is not None):
                on = value if isinstance(value, bool) else _switch_word(value)
                write = (f"write {rule}.{ENABLED} = false to switch the rule off" if not on else
                         f"a rule is on unless {rule}.{ENABLED} = false; leave the line out")
            else:
                eg = SETTINGS[f"{rule}.{names[min(1, len(names) - 2)]}"]
                write = (f"write {eg.key} = {_num(default(eg))}, or {rule}.{ENABLED} = false "
                         f"to switch the rule off")
            raise PackError(f"{_line(where, rule)}: [settings] {rule} = {_shown(value)} names no setting; "
                            f"{write} ({rule} has {', '.join(names)})")
        for name, v in value.items():
            key = f"{rule}.{name}"
            if name == ENABLED:
                out[key] = _switch(key, v, where)
                continue
            if name not in names:
                near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
                hint = f"did you mean {near[0]!r}? " if near else ""
                own = "" if rule in rules else " (a plugin rule's other numbers are the plugin's own)"
                raise PackError(f"{_line(where, rule, name)}: [settings] {key} is no setting; {hint}"
                                f"{rule} has {', '.join(names)}{own}")
            out[key] = _value(SETTINGS[key], v, where)
    _check_pairs(out, where)
    return out


def _shown(v) -> str:
    """A value as the pack wrote it: ``false``, not Python's ``False``."""
    if isinstance(v, str):
        return '"' + v.replace('"', '\\"') + '"'
    return str(v).lower() if isinstance(v, bool) else repr(v)


_WORDS = {"false": False, "off": False, "uit": False, "no": False, "nee": False, "0": False,
          "true": True, "on": True, "aan": True, "yes": True, "ja": True, "1": True}


def _switch_word(v: str) -> bool | None:
    return _WORDS.get(v.strip().lower())


def _switch(key: str, v, where) -> bool:
    from pullcoach.rules.pack import PackError
    if isinstance(v, bool):
        return v
    said = f"{line_of(where, key)}: [settings] {key} = {_shown(v)}"
    word = _switch_word(v) if isinstance(v, str) else None
    if word is not None:
        raise PackError(f"{said} is text; write {key} = {str(word).lower()} (no quotes)")
    raise PackError(f"{said}: enabled is true or false; write {key} = false to switch the rule off")


def _value(s: Setting, v, where):
    from pullcoach.rules.pack import PackError
    at = line_of(where, s.key)
    shown = _shown(v)
    said = f"{at}: [settings] {s.key} = {shown}"
    allowed = f"allowed: {describe(s)}"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        meant = _number_in(v, s) if isinstance(v, str) else None
        eg = _num(meant) if meant is not None else _num(default(s))
        raise PackError(f"{said} is no number; write the number without quotes "
                        f"({s.key} = {eg}); {allowed}")
    if s.kind is int and not (isinstance(v, int) or float(v).is_integer()):
        raise PackError(f"{said}: {s.name} is a whole number of {s.unit}; {allowed}")
    if not s.low <= v <= s.high:
        why = ""
        if v < 0:
            why = f" ({ {'s': 'seconds', 'share': 'a share'}.get(s.unit, s.unit)} can't be negative)"
        elif s.unit == "share" and v >= 5:
            why = f" (a share goes from 0 to 1: {v:g}% is {v / 100:g})"
        elif s.unit == "share" and v > 1:
            why = " (a share goes from 0 to 1: 1 is all of the talk)"
        raise PackError(f"{said} is out of range{why}; {allowed}")
    return s.kind(v)


def _number_in(text: str, s: Setting):
    """The number text like "50%", "120s" or "0,5" means for ``s``, or None."""
    import re
    m = re.fullmatch(r"\s*(-?\d+(?:[.,]\d+)?)\s*(%|s|sec|secs|seconds?|seconden|min|minutes?|minuten)?\s*",
                     text, re.I)
    if not m:
        return None
    x, unit = float(m.group(1).replace(",", ".")), (m.group(2) or "").lower()
    if unit == "%":
        x = x / 100 if s.unit == "share" else x
    elif unit.startswith("min"):
        x = x * 60 if s.unit == "s" else x
    return int(x) if s.kind is int or x.is_integer() else x


def _check_pairs(out: dict, where) -> None:
    from pullcoach.rules.pack import PackError
    lo, hi = "too-few-summaries.min-partner-words", "too-few-summaries.partner-words"
    a, b = out.get(lo, default(SETTINGS[lo])), out.get(hi, default(SETTINGS[hi]))
    if a > b:
        raise PackError(f"{_line(where, 'too-few-summaries', 'min-partner-words')}: [settings] {lo} = {a} is "
                        f"more than {hi} = {b}: the word-based nudge could never come; keep it at most {b}")


def _line(where, rule: str, name: str | None = None) -> str:
    """Where a setting is: ``rule.name`` under [settings], ``name`` under [settings.rule], ..."""
    tries = ([(f"{rule}.{name}", "settings"), (name, f"settings.{rule}"), (rule, "settings")] if name
             else [(rule, "settings")])
    for key, section in tries + [("settings", None)]:
        if where.line(key, section):
            return where.at(key, section)
    return where.name


def line_of(where, key: str) -> str:
    """"FILE line N" of a setting's ``key`` ("too-few-summaries.seconds")."""
    return _line(where, *key.split(".", 1)) if "." in key else _line(where, key)


def apply(config, settings: dict):
    """``config`` (an EngineConfig) with a pack's settings in it: the budget, cooldowns and the
    rules' Configs. interrupted's overlap follows interruption's unless the pack sets it."""
    if not settings:
        return config
    changed: dict = {}
    if GLOBAL in settings:
        changed["budget_s"] = float(settings[GLOBAL])
    cooldowns = dict(config.cooldowns)
    rule_configs = dict(config.rule_configs)
    per_rule: dict[str, dict] = {}
    disabled = list(config.disabled)
    for key, v in settings.items():
        if is_switch(key):
            rule = key.rpartition(".")[0]
            if v is False and rule not in disabled:
                disabled.append(rule)
            elif v is True and rule in disabled:
                disabled.remove(rule)
            continue
        s = SETTINGS[key]
        if s.field == "cooldown":
            cooldowns[s.rule] = float(v)
        elif s.rule:
            per_rule.setdefault(s.rule, {})[s.field] = v
    if "interruption.overlap" in settings and "interrupted.overlap" not in settings:
        per_rule.setdefault("interrupted", {})["overlap.overlap_s"] = settings["interruption.overlap"]
    for rule, fields in per_rule.items():
        cfg = rule_configs.get(rule) or CONFIGS[rule]()
        for path, v in fields.items():
            cfg = _set(cfg, path.split("."), v)
        rule_configs[rule] = cfg
    return replace(config, cooldowns=cooldowns, rule_configs=rule_configs, disabled=tuple(disabled), **changed)


def _set(obj, path: list[str], v):
    if len(path) == 1:
        return replace(obj, **{path[0]: v})
    return replace(obj, **{path[0]: _set(getattr(obj, path[0]), path[1:], v)})
