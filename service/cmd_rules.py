"""``pullcoach rules new|show|check``: a rule pack to edit, the built-in ones, and what a pack changes.

A trainer starts from ``pullcoach rules new -o mypack.toml`` (a pack that extends the
built-in one, with every nudge text, list name and settable number in comments), reads the
built-in lists with ``pullcoach rules show nl``, and checks an edit with ``pullcoach rules
check mypack.toml`` before a session (``--rules FILE`` on analyze/replay/run/serve loads it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pullcoach.errors import ConfigError
from pullcoach.rules.pack import LANGS, PHRASE_LISTS, PackError, load_pack, pack_text
from pullcoach.rules.plugins import installed
from pullcoach.rules.settings import CONFIGS, SETTINGS, default, describe

__all__ = ["register", "starter"]

# the lists a trainer changes most, with what they are for, in the words of the pack they
# extend: its own phrases, and the nudge each one sets off as its overlay says it
# ({m[rule]}: the pack's message for that rule). The rest: `pullcoach rules show`.
COMMON = {
    "nl": {
        "push": "push words: 'moeten', 'je moet' (the {m[push-words]} nudge)",
        "summary": "a summary that names itself: 'als ik het samenvat' ({m[good-summary]})",
        "reflection": "reflections and summaries",
        "open_question": "open question forms: 'wat', 'hoe'",
        "closed_question": "closed question forms: 'heb je', 'is het'",
        "argument": "argument words: 'want', 'bovendien' (argument stacking)",
        "advice": "advice: 'je zou', 'ik zou' ({m[righting-reflex]})",
        "warning": "warnings told to the partner: 'slecht voor je', 'als je zo doorgaat' (telling, no reflection)",
        "discord": "the partner's pushback (the {m[interrupted]} cue)",
    },
    "en": {
        "push": "push words: 'you must', 'you have to' (the {m[push-words]} nudge)",
        "summary": "a summary that names itself: 'to sum up', 'let me summarise' ({m[good-summary]})",
        "reflection": "reflections and summaries",
        "open_question": "open question forms: 'what', 'how'",
        "closed_question": "closed question forms: 'do you', 'is it'",
        "argument": "argument words: 'because', 'besides' (argument stacking)",
        "advice": "advice: 'you should', 'if I were you' ({m[righting-reflex]})",
        "warning": "warnings told to the partner: 'will kill you', 'ruins your' (telling, no reflection)",
        "discord": "the partner's pushback: 'stop telling me' (the {m[interrupted]} cue)",
    },
}


WILDCARD = {"nl": "woord*", "en": "word*"}  # the header's example of a word start


def register(subparsers) -> None:
    p = subparsers.add_parser("rules", help="a rule pack to edit: new, show the built-in one, check yours",
                              description="Start from `rules new -o mypack.toml` (a pack that extends the built-in one, "
                              "every nudge text, list name and settable number in comments), read the built-in lists with "
                              "`rules show nl`, check an edit with `rules check mypack.toml`; then give "
                              "--rules mypack.toml to analyze, replay, run or serve.")
    sub = p.add_subparsers(dest="rules_cmd", metavar="new|show|check")
    n = sub.add_parser("new", help="write a pack that extends the built-in one, ready to edit",
                       description="Write a rule pack that extends the built-in one: every nudge text, "
                                   "list and settable number, with its default and source, in comments.")
    from pullcoach.lang_arg import add_lang

    add_lang(n, "the pack it extends")
    n.add_argument("-o", "--output", metavar="FILE", help="write it here (default: stdout); never overwrites")
    s = sub.add_parser("show", help="the built-in pack of a language, every list whole",
                       description="Print the built-in rule pack of a language, every list whole.")
    from pullcoach.lang_arg import env_lang, parse_lang
    s.add_argument("lang", nargs="?", type=parse_lang, metavar="{nl,en}", default=env_lang() or "nl",
                   help="nl or en (default: $PULLCOACH_LANG, else nl)")
    c = sub.add_parser("check", help="check a pack file and say what it changes",
                       description="Check a rule pack file: what it changes, and which rules (plugins "
                                   "included) will run.")
    c.add_argument("file", metavar="FILE")
    p.set_defaults(func=run, rules_parser=p)


def run(args) -> int:
    if args.rules_cmd == "new":
        text = starter(args.lang)
        if not args.output:
            sys.stdout.write(text)
            return 0
        out = Path(args.output)
        if out.exists():
            raise ConfigError(f"{out} exists; give another -o FILE (rules new never overwrites)")
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {out}: {exc.strerror}") from None
        print(f"wrote {out}: edit it, then `pullcoach rules check {out}` and "
              f"`pullcoach analyze TRANSCRIPT --rules {out}`", file=sys.stderr)
        return 0
    if args.rules_cmd == "show":
        sys.stdout.write(pack_text(args.lang))
        return 0
    if args.rules_cmd == "check":
        from pullcoach.cmd_analyze import load_rule_pack, rule_names
        from pullcoach.rules.settings import off_rules
        _exists(args.file)
        pack = load_rule_pack(args.file, None, keep_last=False)  # says what it changes on stderr
        off = off_rules(pack.settings)
        running = [r for r in rule_names(pack) if r not in off]
        print(f"{args.file}: a valid {pack.lang} pack; rules: {', '.join(running)}"
              + (f"; off: {', '.join(off)}" if off else ""))
        return 0
    args.rules_parser.print_help()
    return 0


def _exists(file: str) -> None:
    """`rules check FILE` with no such file: said as the trainer typed it (not as --rules)."""
    path = Path(file).expanduser()
    if path.is_file():
        return
    if path.is_dir():
        raise ConfigError(f"{file} is a folder; give a rule pack file (`pullcoach rules new -o mypack.toml`)")
    import difflib
    there = [p.name for p in (path.parent if str(path.parent) else Path(".")).glob("*.toml")]
    near = difflib.get_close_matches(path.name, there, n=1, cutoff=0.6)
    hint = (f"did you mean {str(path.with_name(near[0])) if str(path.parent) != '.' else near[0]}? " if near
            else "")
    raise ConfigError(f"{file}: no such file ({path.resolve()}); {hint}`pullcoach rules new -o {file}` "
                      "writes a pack to start from")


def starter(lang: str = "nl") -> str:
    """A pack that extends the built-in ``lang`` pack: nothing changed yet, every nudge text
    and the common lists in comments, as a trainer fills it in."""
    try:
        base = load_pack(lang)
    except PackError as exc:
        raise ConfigError(str(exc)) from None
    example = {"nl": ("hoort", "als ik het goed heb"), "en": ("ought to", "if I've got it right")}[lang]
    lines = [
        f"# A rule pack for pullcoach, on top of the built-in {lang!r} pack: say only what you change.",
        "# Use it with: pullcoach analyze TRANSCRIPT --rules THIS_FILE (also replay, run, serve).",
        "# Check it with: pullcoach rules check THIS_FILE. Every built-in list: pullcoach rules show " + lang,
        "# Text goes in double quotes; a list in brackets. Remove the # before a line to use it.",
        f'extends = "{lang}"',
        "",
        "[messages]",
        "# the nudge each rule shows on the overlay (and in the report); uncomment a line and change the text:",
        *(f"# {rule} = {json.dumps(text, ensure_ascii=False)}" for rule, text in base.messages.items()),
        "",
        "[add]",
        f"# phrases added to a built-in list (\"{WILDCARD[lang]}\" matches any word starting so;",
        "# \"...\" skips up to eight words of the same clause):",
        *(f"#   {name}: {what.format(m=base.messages)}" for name, what in COMMON[lang].items()),
        f'# push = ["{example[0]}"]',
        f'# summary = ["{example[1]}"]',
        "",
        "# [phrases] replaces a built-in list whole (name = [...]); the lists:",
        *("# " + line for line in _wrap(", ".join(PHRASE_LISTS))),
        "",
        *settings_lines(base),
    ]
    return "\n".join(lines)


def settings_lines(base) -> list[str]:
    """[settings]: every number a pack may set, commented out at its default, with what it
    does, its range and where the default comes from."""
    lines = [
        "[settings]",
        "# numbers; each line shows the default: uncomment it and change the number (no quotes).",
        "# RULE.cooldown: that rule's nudge not again within that many seconds "
        f"({SETTINGS['talk-ratio.cooldown'].low:g} to {SETTINGS['talk-ratio.cooldown'].high:g} s; "
        f"{SETTINGS['talk-ratio.cooldown'].source}).",
        "# RULE.enabled = false switches a rule off: no nudge and no praise of it, live or in the report",
        "# (every rule, a plugin's too; e.g. closed-questions.enabled = false).",
    ]
    rule = None
    for key, s in SETTINGS.items():
        if s.rule != rule:
            rule = s.rule
            lines += ["", f"# {rule}: {base.message(rule)}"]
        lines.append(f"# {key} = {default(s):g}")
        if s.field == "cooldown":  # every rule's first line: then its switch
            lines.append(f"# {rule}.enabled = true")
        if s.field != "cooldown":
            lines.append(f"#   {s.what}; {describe(s, with_default=False)}")
    return lines + plugin_lines(base) + [""]


def plugin_lines(base) -> list[str]:
    """The installed rule plugins' cooldowns, commented out at their default (none installed: none)."""
    found = [p for p in installed() if (p.name or p.plugin) not in CONFIGS]
    if not found:
        return []
    lines = ["", "# Installed rule plugins: each takes a cooldown (their other numbers are the plugin's own)."]
    for p in found:
        name = p.name or p.plugin
        said = base.messages.get(name) or p.message
        via = f"plugin {p.plugin!r}" if p.plugin != name else "plugin"
        lines += ["", f"# {name}: {said} ({via})" if said else f"# {name} ({via})"]
        if p.error:
            lines.append(f"#   it does not load now ({p.error}): the session runs without it")
        lines.append(f"# {name}.cooldown = {default(SETTINGS[f'{name}.cooldown']):g}")
        lines.append(f"# {name}.enabled = true")
    return lines


def _wrap(text: str, width: int = 90) -> list[str]:
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + [line] if line else out
