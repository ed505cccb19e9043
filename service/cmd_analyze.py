"""``pullcoach analyze TRANSCRIPT...``: the live rule engine over a timed transcript.

The transcript becomes the events a live session would give (speech started/ended,
final transcripts at each utterance end, ticks every 0.1 s), fed to the same engine;
nudge times are when they would have fired live.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

from pullcoach.errors import ConfigError
from pullcoach.lang_arg import from_env
from pullcoach.lang_guess import LANG_NAMES, guess_lang
from pullcoach.report_data import yardsticks
from pullcoach.report_text import LABEL_NAMES, count_text, words, yardstick_text
from pullcoach.rules.engine import RULES, Engine, EngineConfig
from pullcoach.rules.events import (
    RULE_OFF, MetricsUpdated, NudgeWithdrawn, PipelineWarning, SessionEnded, SessionStarted, UtteranceLabeled,
    kept_nudges,
)
from pullcoach.rules.pack import PackError, changes, load_pack, parse_pack, unknown_messages_error
from pullcoach.rules.plugins import PluginError
from pullcoach.transcripts import Segment, TranscriptError, read_transcript, to_events

__all__ = ["register", "analyze", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("analyze", help="coach a recorded conversation from its transcript",
                              description=__doc__.split("\n\n")[0].split(": ", 1)[1].capitalize())
    p.add_argument("transcripts", nargs="+", metavar="TRANSCRIPT", help=".jsonl, .vtt, .srt or .txt ('Name: text' lines)")
    p.add_argument("--coachee", metavar="NAME",
                   help="the speaker being coached (default: 'coachee' if present, else the first speaker)")
    from pullcoach.lang_arg import add_lang

    add_lang(p, "rule pack language", default=None, otherwise="nl")
    p.add_argument("--format", choices=("json", "md"), default="md", dest="fmt",
                   help="md (default: readable) or json (utterances, labels, nudges, metrics)")
    p.add_argument("--rules", metavar="FILE", help="a custom rule pack (TOML; may say extends = \"nl\")")
    p.add_argument("--focus", metavar="RULE,...", help="deliver only these rules live; the rest go to the report")
    p.set_defaults(func=run)
    from pullcoach import cmd_rules  # `pullcoach rules`: the packs `--rules` takes
    cmd_rules.register(subparsers)


FOCUS_EXAMPLE = "e.g. --focus too-few-summaries,interruption"


def parse_focus(text: str | None, known=None, words: dict[str, str] | None = None,
                off=()) -> tuple[str, ...]:
    """``--focus a,b`` as rule names; with ``known``, an unknown name is a ConfigError. A rule
    may also be given as its nudge (``words``: rule -> what the overlay shows, "Vat samen"),
    in any case, as the trainer's chips name it. A rule in ``off`` (the pack switched it off)
    is refused: a focus on it would hold back every nudge for one that never comes."""
    if text is None:
        return ()
    given = list(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    if not given:
        raise ConfigError(f"--focus {text!r} names no rule; give one to three rules, {FOCUS_EXAMPLE}, "
                          "or leave --focus out to deliver every nudge")
    if known is None:
        return tuple(given)
    words = {r: w for r, w in (words or {}).items() if r in known}
    lookup: dict[str, list[str]] = {}  # "luister" names both rules whose nudge says it
    for r, w in [*words.items(), *((r, r) for r in known)]:
        lookup.setdefault(_key(w), []).append(r)
    focus, unknown = [], []
    for name in given:
        rules = lookup.get(_key(name))
        focus.extend(rules) if rules else unknown.append(name)
    if unknown:
        import difflib
        guess = difflib.get_close_matches(_key(unknown[0]), list(lookup), n=1, cutoff=0.6)
        hint = f"did you mean {' or '.join(lookup[guess[0]])}? " if guess else ""
        listed = ", ".join(f"{r} ({words[r]})" if words.get(r) and words[r] != r else r for r in known)
        raise ConfigError(f"--focus: unknown rule(s) {', '.join(unknown)}; {hint}choose from {listed}")
    gone = [r for r in dict.fromkeys(focus) if r in off]
    if gone:
        raise ConfigError(f"--focus: {', '.join(gone)} {'is' if len(gone) == 1 else 'are'} off in the rule pack "
                          f"({gone[0]}.enabled = false under [settings]): no nudge of it comes; leave it out "
                          "of --focus, or switch it on in the pack")
    return tuple(dict.fromkeys(focus))


def _key(name: str) -> str:
    """A rule name or nudge as typed: any case, spaces or underscores for hyphens, "✓" and
    punctuation left out ("Moeten?" is "moeten")."""
    return "-".join(re.findall(r"[^\W_]+", name.casefold()))


def run(args) -> int:
    # a --rules pack says its own language; $PULLCOACH_LANG is only a default
    pack = load_rule_pack(args.rules, None if args.rules and from_env(args.lang) else args.lang,
                          keep_last=False)
    from pullcoach.rules.settings import off_rules
    focus = parse_focus(args.focus, rule_names(pack, make=False) if args.focus else RULES,  # plugins' rules count too
                        dict(pack.messages), off=off_rules(pack.settings))
    results = []
    for path in args.transcripts:
        skipped: list[float] = []
        segs = read_transcript(path, skipped=skipped)
        if skipped:
            print(f"{Path(path).name}: {skipped_text(skipped)}", file=sys.stderr)
        said = guess_lang(s.text for s in segs)
        if said and said != pack.lang:
            line = (f"{Path(path).name} looks {LANG_NAMES[said]}, but the rules are "
                    f"{LANG_NAMES[pack.lang]} (--lang {pack.lang})")
            if args.rules is not None:  # a pack for the other language matches none of its words
                raise ConfigError(f"{Path(path).name} looks {LANG_NAMES[said]}, but the rule pack {args.rules} "
                                  f"is {LANG_NAMES[pack.lang]} (lang = \"{pack.lang}\"): for this transcript "
                                  f"use a pack with extends = \"{said}\" (`pullcoach rules new --lang {said}`)")
            if args.lang is None or from_env(args.lang):  # a default, not a choice: stop
                raise ConfigError(f"{line}: add --lang {said} (or --lang {pack.lang} to use "
                                  f"the {LANG_NAMES[pack.lang]} rules anyway)")
            print(f"{line}: add --lang {said}", file=sys.stderr)
        if any(s.estimated for s in segs):
            print(f"{Path(path).name}: a plain-text transcript has no end times; each utterance's "
                  "length is estimated at 150 words a minute, so talk share and speaking rate are "
                  "approximate and no interruption can be seen (a .vtt or .srt export has them)",
                  file=sys.stderr)
        r = analyze(segs, pack=pack, coachee=match_speaker(args.coachee, segs) if args.coachee else None,
                    focus=focus)
        results.append((path, r))
        coachee, others = r["metrics"]["coachee_name"], r["metrics"]["partner_names"]
        if r["metrics"]["coachee_guessed"] and others:
            print(f"{Path(path).name}: coaching {coachee} (the first speaker); for another, "
                  f"--coachee {' or --coachee '.join(shlex.quote(n) for n in others)}", file=sys.stderr)
    if args.fmt == "json":
        data = results[0][1] if len(results) == 1 else {
            "sessions": [dict(file=str(p), **r) for p, r in results]}
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for path, r in results:
            sys.stdout.write(markdown(Path(path).name, r, pack.lang))
    return 0


def skipped_text(starts: list[float], most: int = 10) -> str:
    """"2 cues without words skipped: 0:05, 0:41" (at most ``most`` times, then "…")."""
    n = len(starts)
    times = ", ".join(_mss(t) for t in starts[:most]) + (", …" if n > most else "")
    return f"{n} cue{'' if n == 1 else 's'} without words skipped: {times}"


def _mss(t: float) -> str:
    s = int(t)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


_loaded: dict[Path, object] = {}  # --rules file -> the last pack read well from it (serve reads it per session)


def load_rule_pack(path: str | None, lang: str | None, *, keep_last: bool = True):
    """The built-in pack for ``lang``, or the TOML pack file at ``path`` (``--rules``).

    What the file changes (and what may be a slip: a list emptied or replaced) is said once on
    stderr. A file that was read well before in this process and is now broken or gone (edited
    during a training day) keeps the pack as it was, with a warning: a new role-play is not
    refused for it (``keep_last=False``: refused, as a one-off command wants)."""
    if path is None:
        try:
            return load_pack(lang or "nl")
        except PackError as exc:
            raise ConfigError(str(exc)) from None
    where = Path(path).expanduser().resolve()
    try:
        pack = _read_pack(path, where)
    except ConfigError as exc:
        if not keep_last or where not in _loaded:
            raise
        print(f"pullcoach: {exc}\n  new sessions keep the rule pack as it was read before", file=sys.stderr)
        pack = _loaded[where]
    else:
        if _loaded.get(where) != pack:
            _tell_pack(path, pack, first=where not in _loaded)
        _loaded[where] = pack
    if lang and pack.lang != lang:
        raise ConfigError(f"--rules {path} is {_a(LANG_NAMES[pack.lang])} pack (lang = \"{pack.lang}\") but "
                          + (f"$PULLCOACH_LANG is {lang}: add --lang {pack.lang}" if from_env(lang) else
                             f"--lang is {lang}: leave out --lang")
                          + f", or use a pack with extends = \"{lang}\" (`pullcoach rules new --lang {lang}`)")
    return pack


def _a(word: str) -> str:
    """"a Dutch", "an English"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _read_pack(path: str, where: Path):
    try:
        text = where.read_text(encoding="utf-8-sig")  # an editor's BOM is no syntax error
    except FileNotFoundError:
        raise ConfigError(f"--rules {path}: no such file ({where}); `pullcoach rules new -o {path}` "
                          "writes a pack to start from") from None
    except OSError as exc:
        raise ConfigError(f"--rules {path}: cannot read it ({exc.strerror}); give a TOML rule pack") from None
    except UnicodeDecodeError:
        raise ConfigError(f"--rules {path} is not UTF-8 text; give a TOML rule pack "
                          "(save it as UTF-8)") from None
    try:
        pack = parse_pack(text, name=path)
    except PackError as exc:
        raise ConfigError(str(exc)) from None
    stray = unknown_messages_error(pack, rule_names(pack, make=False), path)
    if stray:
        raise ConfigError(stray)
    return pack


def rule_names(pack, *, session: bool = False, make: bool = True) -> list[str]:
    """The rules an engine with ``pack`` runs: the built-in ones and the installed plugins'
    (``session``: for a session's engine, whose rule-off warning says a broken one; ``make``
    False: a plugin class's rule is named by its class, not made: its author's ``__init__``
    runs once per session, not once per check before it)."""
    from pullcoach.rules.plugins import load_plugins, plugin_names
    failed = [] if session else None
    if not make:
        return [*RULES, *plugin_names(pack, set(RULES), failed=failed)]
    return [*RULES, *(r.name for r in load_plugins(pack, set(RULES), failed=failed))]


def _tell_pack(path: str, pack, *, first: bool) -> None:
    what = changes(pack)
    head = f"rules: {path}" + ("" if first else " (changed: new sessions use it)")
    base = f"extends the built-in {pack.extends} pack" if pack.extends else f"a whole {pack.lang} pack"
    lines = [f"{head}: {base}" + ("; changes " + "; ".join(what) if what else ", the same as the built-in one")]
    lines += [f"  note: {n}" for n in pack.notes]
    print("\n".join(lines), file=sys.stderr)


def _plain(name: str) -> str:
    """A name as people type it: no case, no trailing "(Guest)" / "(External)" (Teams)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).casefold().strip()


def match_speaker(given: str, segments: list[Segment]) -> str:
    """The transcript's own spelling of ``given``: exact, else ignoring case and a trailing
    "(Guest)"; an unknown or ambiguous name is left for ``analyze`` to refuse."""
    names = list(dict.fromkeys(s.speaker for s in segments))
    if given in names:
        return given
    same = [n for n in names if _plain(n) == _plain(given)]
    if not same:  # a first name alone ("Marco" for "Marco de Vries")
        same = [n for n in names if _plain(n).split()[:1] == _plain(given).split()]
    return same[0] if len(same) == 1 else given


def default_coachee(segments: list[Segment]) -> tuple[str, bool]:
    """The speaker called "coachee", else the first speaker; and whether that was a guess."""
    names = [s.speaker for s in segments]
    return ("coachee", False) if "coachee" in names else (names[0], True)


def analyze(segments: list[Segment], *, pack=None, lang: str = "nl", coachee: str | None = None,
            focus: tuple[str, ...] = (), config: EngineConfig | None = None) -> dict:
    """Run the engine over ``segments``; the issue's JSON shape."""
    names = list(dict.fromkeys(s.speaker for s in segments))
    guessed = False
    if coachee is None:
        coachee, guessed = default_coachee(segments)
    elif coachee not in names:
        raise TranscriptError(f"--coachee {coachee!r} does not speak in this transcript; "
                              f"speakers: {', '.join(names)}")
    cfg = config or EngineConfig()
    if focus:
        cfg = EngineConfig(**{**cfg.__dict__, "focus": focus})
    try:
        engine = Engine(lang=pack.lang if pack else lang, pack=pack, config=cfg)
    except PluginError as exc:
        raise ConfigError(str(exc)) from None
    # the rules get what a live session feeds them: SessionStarted first (then the --focus), ...
    start = [SessionStarted(t=0.0, session="analyze", lang=engine.lang, coachee=coachee,
                            partner=", ".join(n for n in names if n != coachee) or "partner",
                            settings=dict(engine.pack.settings))]
    if engine.config.focus:
        start.append(engine.focus_event(0.0, engine.config.focus, by="start"))
    events = to_events(segments, coachee)
    out: list = []
    for ev in start:
        out += engine.feed(ev)
    for ev in events:
        out += engine.feed(ev)
    out += engine.feed(SessionEnded(t=events[-1].t, reason="ended"))
    said_by = {(s.start, s.end, s.text): s.speaker for s in segments}
    utterances = [{"speaker": e.speaker, "name": said_by.get((e.t0, e.t1, e.text), e.speaker),
                   "start": e.t0, "end": e.t1, "text": e.text, "labels": e.labels}
                  for e in out if isinstance(e, UtteranceLabeled)]
    nudges = [{"rule": n.rule, "t": round(n.t, 2), "message": n.message, "kind": n.kind,
               "speaker": n.speaker, "evidence_t": None if n.evidence_t is None else round(n.evidence_t, 2),
               "delivered": n.delivered, "detail": n.detail}
              for n in kept_nudges(out)]
    # an "interruption" the text showed to be a long backchannel: not in the nudges above
    withdrawn = [{"rule": w.rule, "t": round(w.t, 2), "evidence_t": round(w.evidence_t, 2), "reason": w.reason}
                 for w in out if isinstance(w, NudgeWithdrawn)]
    metrics = next(e.metrics for e in reversed(out) if isinstance(e, MetricsUpdated))
    metrics = {**metrics, "coachee_name": coachee, "partner_names": [n for n in names if n != coachee],
               "coachee_guessed": guessed}  # the first speaker, for want of --coachee
    # a rule plugin switched off (rule-off): its nudges are missing from then on
    rules_off = [{"t": round(w.t, 2), **w.detail} for w in out
                 if isinstance(w, PipelineWarning) and w.kind == RULE_OFF]
    return {"utterances": utterances, "nudges": nudges, "withdrawn": withdrawn, "metrics": metrics,
            **({"rules_off": rules_off} if rules_off else {})}  # only when a plugin failed


def _clock(t: float) -> str:
    return f"{int(t // 60):02d}:{t % 60:04.1f}"


MD_WORDS = {
    "nl": {"coachee": "Coachee", "partner": "gesprekspartner",
           "talk": "spreektijd coachee: {share} ({yardstick}, als in het verslag)",
           "questions": "vragen: {open} open, {closed} gesloten; reflecties: {refl}",
           "negative": "negatieve seintjes: {n}", "nudges": "Seintjes", "none": "Geen.",
           "not_live": " (niet live getoond)", "utterances": "Uitingen",
           "withdrawn": "ingetrokken: de `{rule}` om {t} was een {reason}",
           "rule_off": "regel `{rule}` uit vanaf {t}: de plugin faalde ({error}); zijn seintjes ontbreken vanaf dan",
           "reasons": {"backchannel": "luistersignaal"}, "question": "{kind} vraag",
           "kinds": {"open": "open", "closed": "gesloten"}, "arguments": ("argument", "argumenten"),
           # a nudge's kind as the report's timeline words it (report_text: timeline_aria, legend_*)
           "nudge_kinds": {"negative": "wat beter kan", "positive": "goede zet", "cue": "signaal van de ander"},
           "guessed": "_Coachee gegokt: {name}, de eerste spreker; coach je een ander, geef dan {other}._",
           "or": "of"},
    "en": {"coachee": "Coachee", "partner": "partner",
           "talk": "talk share coachee: {share} ({yardstick}, as in the report)",
           "questions": "questions: {open} open, {closed} closed; reflections: {refl}",
           "negative": "negative nudges: {n}", "nudges": "Nudges", "none": "None.",
           "not_live": " (not shown live)", "utterances": "Utterances",
           "withdrawn": "withdrawn: the `{rule}` at {t} was a {reason}",
           "rule_off": "rule `{rule}` off from {t}: its plugin failed ({error}); its nudges are missing from then on",
           "reasons": {}, "question": "{kind} question", "kinds": {}, "arguments": ("argument", "arguments"),
           "nudge_kinds": {},
           "guessed": "_Coachee guessed: {name}, the first speaker; to coach another, give {other}._",
           "or": "or"},
}


def markdown(title: str, r: dict, lang: str = "nl", config: EngineConfig | None = None) -> str:
    """``r`` (``analyze``'s result) as Markdown; the talk share with the report's yardstick
    for it (``report_data.yardsticks(config)``: the engine config the rules ran with)."""
    w = MD_WORDS.get(lang, MD_WORDS["en"])
    names = LABEL_NAMES.get(lang, LABEL_NAMES["en"])
    m = r["metrics"]
    talk = yardstick_text("talk_share", yardsticks(config)["talk_share"], words(lang))
    lines = [f"# {title}", ""]
    if m.get("coachee_guessed") and m["partner_names"]:  # said on stderr too; the file keeps it
        other = f" {w['or']} ".join(f"`--coachee {shlex.quote(n)}`" for n in m["partner_names"])
        lines += [w["guessed"].format(name=m["coachee_name"], other=other), ""]
    lines += [f"{w['coachee']}: **{m['coachee_name']}**; {w['partner']}: {', '.join(m['partner_names']) or '-'}", "",
             "- " + w["talk"].format(share=f"{m['talk_share']:.0%}", yardstick=talk),
             "- " + w["questions"].format(open=m["questions"]["open"], closed=m["questions"]["closed"],
                                          refl=m["reflections"]),
             "- " + w["negative"].format(n=m["negative_nudges"]), "", f"## {w['nudges']}", ""]
    if not r["nudges"]:
        lines.append(w["none"])
    told: list[tuple[float, str]] = []  # (when, line): nudges, withdrawals and rules off in time order
    for n in r["nudges"]:
        mark = "" if n["delivered"] else w["not_live"]
        kind = w["nudge_kinds"].get(n["kind"], n["kind"])
        told.append((n["t"], f"- {_clock(n['t'])} **{n['message']}** `{n['rule']}` ({kind}){mark}"))
    for x in r.get("withdrawn", ()):
        told.append((x["t"], "- " + _clock(x["t"]) + " " + w["withdrawn"].format(
            rule=x["rule"], t=_clock(x["evidence_t"]), reason=w["reasons"].get(x["reason"], x["reason"]))))
    for x in r.get("rules_off", ()):
        told.append((x["t"], "- " + w["rule_off"].format(rule=x["rule"], t=_clock(x["t"]),
                                                         error=x.get("error") or f"→ {x.get('as', '?')}")))
    lines += [line for _, line in sorted(told, key=lambda x: x[0])]
    lines += ["", f"## {w['utterances']}", ""]
    for u in sorted(r["utterances"], key=lambda u: (u["start"], u["end"])):  # by when said
        lab = u["labels"]
        who = u.get("name", u["speaker"])
        if u["speaker"] != "coachee":  # the coachee's behaviour is what is coded
            lines.append(f"- {_clock(u['start'])} {who}: {u['text']}")
            continue
        tags = [names.get(k, k) for k in ("reflection", "input", "advice", "push", "permission", "proposal",
                                          "backchannel") if lab[k]]
        if lab["question"]:
            tags.append(w["question"].format(kind=w["kinds"].get(lab["question"], lab["question"])))
        if lab["arguments"]:
            tags.append(count_text(lab["arguments"], w["arguments"]))
        suffix = f" _[{', '.join(tags)}]_" if tags else ""
        lines.append(f"- {_clock(u['start'])} {who}: {u['text']}{suffix}")
    return "\n".join(lines) + "\n\n"
