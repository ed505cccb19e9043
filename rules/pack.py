"""Rule packs: the per-language phrase lists, nudge messages and a trainer's numbers, as TOML data.

A pack file has ``lang``, ``[messages]`` (rule name -> short nudge text), ``[phrases]``
(list name -> phrases) and ``[settings]`` (numbers: the nudge budget, each rule's cooldown and
main thresholds; ``rules/settings.py`` lists them with their ranges and defaults). A custom
pack (``--rules FILE``) may set ``extends = "nl"`` and give only what it changes: a list under
``[phrases]`` replaces the base list, one under ``[add]`` is added to it. A misspelt key, a wrong type or a pack for no known language is
refused with the file, line and key, not ignored; what may be a slip but is allowed (a list
emptied, a base list replaced by a few phrases, a nudge too long for the overlay) is kept in
:attr:`Pack.notes`. A phrase is plain words (``rules/text.py`` matches them tolerantly), with
``word*`` for a word start and ``...`` for a gap: a regex or wildcard pattern is refused.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from pullcoach.rules.text import PhraseSet

__all__ = ["Pack", "PackError", "load_pack", "parse_pack", "pack_text", "changes", "unknown_messages",
           "unknown_messages_error", "LANGS", "PHRASE_LISTS", "MESSAGE_ROOM"]

LANGS = ("nl", "en")
PHRASE_LISTS = (
    "fillers", "reflection", "open_question", "closed_question", "argument", "push", "advice",
    "information", "warning", "permission", "advice_request", "proposal", "draaivraag", "backchannel",
    "resistance", "autonomy", "advice_question", "their_view", "about_them", "about_me", "greeting",
    "embedding", "conditional", "subject", "question_verb", "question_tag", "function_word",
    "summary_start", "imperative", "you_must", "concession", "summary", "more_reasons", "discord",
    "hesitation", "open_form", "closed_form", "subordinator", "dismissal", "surmise",
)
TOP_KEYS = ("lang", "extends", "messages", "phrases", "add", "settings")
# what trainers look for in a pack that is set elsewhere
ELSEWHERE = {
    "focus": "the focus is no pack setting: give --focus RULE,... or pick chips on the trainer dashboard",
    "thresholds": "numbers go under [settings], e.g. too-few-summaries.seconds = 180, "
                  "too-few-summaries.cooldown = 90 or seconds-between-nudges = 40 (`pullcoach rules new` "
                  "lists every one with its default)",
}
for _k in ("threshold", "cooldown", "cooldowns", "budget", "budget_s", "config", "numbers", "setting"):
    ELSEWHERE[_k] = ELSEWHERE["thresholds"]
LANG_WORDS = {"nl": "Dutch", "en": "English"}
# characters a nudge fills one line of the overlay with: the Tk overlay wraps at 230 px of bold
# DejaVu 14 down to 11 pt, the web one at ~260 px of bold 19 px; the built-in nudges are at most 25
MESSAGE_ROOM = 25


class PackError(ValueError):
    """A rule pack that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Pack:
    lang: str
    messages: dict[str, str]
    lists: dict[str, list[str]]
    sets: dict[str, PhraseSet] = field(default_factory=dict, compare=False, repr=False)
    extends: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)  # allowed, but maybe not meant
    settings: dict = field(default_factory=dict)  # [settings]: "rule.key" (or the budget's key) -> number
    # (or "rule.enabled" -> False: the rule is off)
    where: object = field(default=None, compare=False, repr=False)  # the file's lines, for messages

    def message(self, rule: str) -> str:
        return self.messages.get(rule, rule)

    def phrases(self, name: str) -> PhraseSet:
        return self.sets[name]


def pack_text(lang: str) -> str:
    """The built-in pack of ``lang`` as its TOML text (to copy and edit)."""
    if lang not in LANGS:
        raise PackError(f"no built-in rule pack for language {lang!r}; use one of {', '.join(LANGS)}")
    return resources.files("pullcoach.rules").joinpath("packs", f"{lang}.toml").read_text(encoding="utf-8")


def _builtin(lang: str) -> dict:
    return tomllib.loads(pack_text(lang))


class _Where:
    """Line numbers of a pack's keys, for messages that say where to look."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.lines = name, text.splitlines()

    def line(self, key: str, section: str | None = None) -> int | None:
        current = None
        for i, raw in enumerate(self.lines, 1):
            s = raw.split("#", 1)[0].strip()
            head = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", s)
            if head:
                current = head.group(1).strip("\"'")
                if section is None and current == key:
                    return i
                continue
            parts = _key_parts(s)
            if parts and key in (".".join(parts), parts[0]) and current == section:
                return i
        return None

    def find(self, text: str, key: str, section: str) -> str:
        """Where the quoted ``text`` is, at or after ``key``'s line (a list over several lines)."""
        start = self.line(key, section) or 1
        for i in range(start, len(self.lines) + 1):
            if any(q + text + q in self.lines[i - 1] for q in ('"', "'")):
                return f"{self.name} line {i}"
        return self.at(key, section)

    def at(self, key: str, section: str | None = None) -> str:
        n = self.line(key, section)
        return f"{self.name} line {n}" if n else self.name


_PART_RE = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")


def _key_parts(line: str) -> list[str]:
    """The parts of a ``key = value`` line's dotted key (quotes taken off); [] if it is none."""
    parts, pos = [], 0
    while True:
        m = _PART_RE.match(line, pos)
        if not m or m.end() == pos:
            return []
        parts.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
        if line[pos:pos + 1] == ".":
            pos += 1
            continue
        return parts if line[pos:pos + 1] == "=" else []


def _near(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def _toml_error(exc: tomllib.TOMLDecodeError, text: str, name: str) -> PackError:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if not m:  # "at end of document": an opened [ or " that never closes
        return PackError(f"{name} is not valid TOML: {msg}; look for a [ or \" that is not closed")
    n, col = int(m.group(1)), m.group(2)
    lines = text.splitlines()
    said = lines[n - 1].strip() if n <= len(lines) else ""
    what = msg[:m.start()].strip()
    fix = 'put text in double quotes and lists in brackets, e.g. push = ["hoort"]'
    opened = _unclosed(lines, n)
    value = re.match(r"""\s*[\w."' -]+?\s*=\s*(.*?)\s*(#.*)?$""", said)
    value = value.group(1) if value else ""
    number = re.fullmatch(r"(-?\d+(?:[.,]\d+)?)\s*(%|s|sec|secs|seconds?|seconden|min|wpm|x)", value, re.I)
    if "overwrite" in what.lower():
        fix = "a key given twice: keep one"
    elif opened:
        n, said, col = opened, lines[opened - 1].strip(), None
        fix = ("a [ opened here is not closed: end the list with ], e.g. push = [\"zou moeten\", \"hoort\"]"
               if said.count("[") > said.count("]") else "a \" opened here is not closed: end the text with \"")
    elif number:
        x, unit = number.group(1).replace(",", "."), number.group(2).lower()
        fix = (f"a share is a number from 0 to 1: write {float(x) / 100:g}" if unit == "%" else
               f"a number without its unit: write {x}" + (" (seconds)" if unit.startswith("s") else ""))
    elif any(q in said for q in "\u201c\u201d\u2018\u2019\u201e"):
        fix = 'curly quotes (“ ” from a word processor) are no quotes to TOML: type straight ones, "nl"'
    elif value.lower() in ("uit", "off", "aan", "on", "nee", "ja", "no", "yes"):
        fix = "a switch is true or false, without quotes: enabled = false"
    where = f", column {col}" if col else ""
    return PackError(f"{name} line {n} is not valid TOML ({what}{where}): {said!r}; {fix}")


def _unclosed(lines: list[str], n: int) -> int | None:
    """The line before ``n`` (TOML says where it noticed) whose [ or \" never closes."""
    for i in range(min(n, len(lines)), 0, -1):
        s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[i - 1].split("#", 1)[0] if '"' not in lines[i - 1]
                   else lines[i - 1])
        s = s.split("#", 1)[0]
        if not s.strip():
            continue
        if s.count('"') % 2 or (s.count("[") > s.count("]") and "=" in s):
            return i
        if i < n:  # only the nearest line with text
            return None
    return None


def parse_pack(text: str, *, name: str = "pack") -> Pack:
    """A pack from TOML text; ``extends`` fills in what the text leaves out."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, text, name) from None
    where = _Where(name, text)
    _check_keys(data, where)
    notes: list[str] = []
    base_name = data.get("extends")
    base: dict = {}
    if base_name is not None:
        if base_name not in LANGS:
            raise PackError(f"{where.at('extends')}: extends = {base_name!r}, but there is no built-in "
                            f"pack for that; use extends = \"nl\" or \"en\"")
        if "lang" in data and data["lang"] != base_name:
            raise PackError(f"{where.at('lang')}: lang = {data['lang']!r} but extends = {base_name!r}: "
                            f"the {LANG_WORDS[base_name]} phrases would be matched in "
                            f"{LANG_WORDS.get(str(data['lang']), repr(data['lang']))} speech; drop lang")
        base = _builtin(base_name)
    lang = data.get("lang", base.get("lang"))
    if not isinstance(lang, str) or lang not in LANGS:
        got = f"lang = {lang!r} is no language pullcoach coaches in" if lang is not None else "no lang"
        raise PackError(f"{where.at('lang')}: {got}; say lang = \"nl\" or \"en\", or extends = \"nl\" "
                        "to change the built-in Dutch pack")
    messages = _messages(data, where)
    notes += _long_messages(messages, where)
    from pullcoach.rules import settings as numbers  # imports the rules, which import this module
    where.messages = {**base.get("messages", _builtin(lang).get("messages", {})), **messages}
    settings = numbers.check(data.get("settings", {}), where)
    same = [k for k, v in settings.items()
            if (v is True if numbers.is_switch(k) else v == numbers.default(numbers.SETTINGS[k]))]
    if same:  # a line uncommented from `rules new` and left as it was
        notes.append(f"{numbers.line_of(where, same[0])}: [settings] {', '.join(same[:4])}"
                     f"{f' and {len(same) - 4} more' if len(same) > 4 else ''} "
                     f"{'is the default' if len(same) == 1 else 'are the defaults'} already")
    phrases = _lists(data, "phrases", where)
    add = _lists(data, "add", where)
    own_base = base or _builtin(lang)
    for key, value in phrases.items():
        had = own_base.get("phrases", {}).get(key, [])
        if not value and had:
            notes.append(f"{where.at(key, 'phrases')}: phrases.{key} = [] empties that list ({len(had)} "
                         f"phrases in the built-in {lang} pack); to add phrases, put them under [add]")
        elif base and len(value) < len(had) and not set(had) <= set(value):
            notes.append(f"{where.at(key, 'phrases')}: phrases.{key} replaces the built-in list ({len(had)} "
                         f"phrases) with {len(value)}; to keep the built-in ones and add yours, put them "
                         f"under [add]")
    for key, value in add.items():
        if not value:
            notes.append(f"{where.at(key, 'add')}: add.{key} = [] adds nothing")
    if not base:  # a whole pack of its own: a list it leaves out is empty
        missing = [k for k, v in own_base.get("phrases", {}).items() if v and k not in phrases]
        if missing:
            notes.append(f"{name} has no {', '.join(missing)} (empty); add extends = \"{lang}\" to take "
                         "the built-in lists for what it leaves out")
    merged_msgs = {**base.get("messages", {}), **messages}
    lists = {k: list(base.get("phrases", {}).get(k, [])) for k in PHRASE_LISTS}
    lists.update(phrases)
    for key, more in add.items():
        had = {_plain(p) for p in lists[key]}
        lists[key] = [*lists[key], *(p for p in more if _plain(p) not in had)]
    pack = _build(lang, merged_msgs, lists, extends=base_name, notes=tuple(notes), settings=settings)
    object.__setattr__(pack, "where", where)
    return pack


def _plain(phrase: str) -> str:
    """A phrase as matching sees it: case, accents and spacing do not count."""
    from pullcoach.rules.text import normalise
    return " ".join(normalise(phrase).split())


def _long_messages(messages: dict, where: _Where) -> list[str]:
    """A nudge the overlay cannot show at a glance: allowed, but said."""
    out = []
    for key, text in messages.items():
        at = where.at(key, "messages")
        if "\n" in text or "\r" in text:
            out.append(f"WARNING {at}: messages.{key} has a line break: the overlay shows a nudge on one "
                       f"line of about {MESSAGE_ROOM} characters; write it on one line")
        elif len(text) > MESSAGE_ROOM + 5:
            out.append(f"WARNING {at}: messages.{key} is {len(text)} characters: the overlay has room for "
                       f"about {MESSAGE_ROOM} (a few words, read at a glance; the built-in nudges are at most "
                       f"{MESSAGE_ROOM}); a longer one is shrunk, wrapped or cut off; keep it to a few words")
    return out


def _check_keys(data: dict, where: _Where) -> None:
    """A key the pack does not know is a typo that would be ignored without a word."""
    for key in data:
        if key in TOP_KEYS:
            continue
        if key in PHRASE_LISTS:
            hint = "; a phrase list: put it under [phrases] to replace the built-in list, or [add] to add to it"
        elif key in ELSEWHERE:
            hint = "; " + ELSEWHERE[key]
        else:
            hint = _near(key, TOP_KEYS) or f"; a pack has {', '.join(TOP_KEYS)}"
        raise PackError(f"{where.at(key)}: unknown key {key!r}{hint}")


def _messages(data: dict, where: _Where) -> dict[str, str]:
    messages = data.get("messages", {})
    if not isinstance(messages, dict):
        raise PackError(f"{where.at('messages')}: messages must be a section [messages] of "
                        'rule = "nudge text" lines')
    known = set(_builtin("nl")["messages"])
    for key, value in messages.items():
        # plugin rules may have messages of their own: only a near miss of a built-in is a typo here
        # (unknown_messages checks the rest against the rules the engine runs)
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        if key not in known and near:
            raise PackError(f"{where.at(key, 'messages')}: [messages] {key!r} is no rule; did you mean {near[0]!r}?")
        if key not in known and (key in PHRASE_LISTS or key.replace("-", "_") in PHRASE_LISTS):
            raise PackError(f"{where.at(key, 'messages')}: [messages] {key!r} is a phrase list, not a rule: "
                            "put it under [add] (or [phrases])")
        if not isinstance(value, str):
            raise PackError(f"{where.at(key, 'messages')}: messages.{key} must be text in double quotes "
                            f'({key} = "{value}"), not {type(value).__name__}')
        if not value.strip():
            raise PackError(f"{where.at(key, 'messages')}: messages.{key} is empty: the overlay would show an "
                            "empty box; give the words, or leave the line out for the built-in ones; to switch the rule "
                            f"off, write {key}.enabled = false under [settings]")
    return dict(messages)


def _lists(data: dict, section: str, where: _Where) -> dict[str, list[str]]:
    table = data.get(section, {})
    if not isinstance(table, dict):
        raise PackError(f"{where.at(section)}: {section} must be a section [{section}] of "
                        'list = ["phrase", ...] lines')
    for key, value in table.items():
        if key not in PHRASE_LISTS:
            raise PackError(f"{where.at(key, section)}: unknown phrase list [{section}] {key!r}"
                            + (_near(key, PHRASE_LISTS) or f"; the lists are {', '.join(PHRASE_LISTS)}"))
        if isinstance(value, str):
            raise PackError(f"{where.at(key, section)}: {section}.{key} must be a list: "
                            f'{key} = ["{value}"], with brackets')
        bad = [v for v in value if not isinstance(v, str)] if isinstance(value, list) else [value]
        if bad:
            raise PackError(f"{where.at(key, section)}: {section}.{key} must be a list of phrases in double "
                            f"quotes; {bad[0]!r} is not")
        blank = [v for v in value if not v.strip()]
        if blank:
            raise PackError(f"{where.at(key, section)}: {section}.{key} has an empty phrase \"\", which would "
                            "match anything; remove it")
        for phrase in value:
            why = pattern_problem(phrase)
            if why:
                raise PackError(f"{where.find(phrase, key, section)}: {section}.{key} has {_q(phrase)}: {why}")
    return {k: list(v) for k, v in table.items()}


def _q(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


_REGEX = re.compile(r"[()\[\]{}|\\^$+]|\.[*+?]|\?(?!$)")
_PLAIN = ("phrases are plain words, matched tolerantly (any case, a misheard or missing letter), not "
          "patterns: only word* (a word start) and ... (up to eight words) are special")


def pattern_problem(phrase: str) -> str | None:
    """Why ``phrase`` would never match as it is meant (a regex or wildcard pattern), or None."""
    text = phrase.strip()
    forms = _forms(text)
    instead = (f"; write each form as its own phrase: {', '.join(map(_q, forms))}" if forms else "")
    if any(w in (".*", ".+") for w in text.split()):
        gap = " ".join("..." if w in (".*", ".+") else w for w in text.split())
        return f"{_PLAIN}; for any words in between write ... ({_q(gap)})"
    if _REGEX.search(text):
        return f"{_PLAIN}{instead or '; write the words themselves, one phrase per form'}"
    if "\u2026" in text:
        return f"{_PLAIN}; write the gap as three dots with spaces around them (\"het is ... nodig\")"
    words = text.split()
    if all(w in ("...", "*") or not re.search(r"\w", w) for w in words):
        return f"{_PLAIN}, and it has no word to match; give the words"
    for w in words:
        if w == "*":
            return (f"{_PLAIN}; a lone * matches nothing: for any words in between write ... "
                    f"({_q(text.replace(' * ', ' ... ').replace('* ', '... ').replace(' *', ' ...'))})")
        if "*" in w and not re.fullmatch(r"[^*]*\w\*", w):
            return f"{_PLAIN}; * only ends a word (\"nodig*\" is nodig, nodige, nodiger, ...)"
        if "..." in w and w != "...":
            spaced = re.sub(r" *[.]{3} *", " ... ", text).strip()
            return f"{_PLAIN}; put spaces around ... ({_q(spaced)})"
    return None


def _forms(text: str) -> list[str]:
    """The plain forms a simple pattern means: "nodig(e)?" -> nodig, nodige; "(moet|hoeft)" -> moet, hoeft."""
    star = re.fullmatch(r"(.*\w)\.[*+]", text)
    if star:  # "moet.*": a word start
        return [star.group(1) + "*"]
    m = re.search(r"\(([^()]*)\)(\??)|\[([^\[\]]*)\](\??)", text)
    if not m:
        return []
    if m.group(3) is not None:  # "[moet]": the word in brackets
        alts, optional = [m.group(3)], m.group(4)
    else:
        alts, optional = m.group(1).split("|"), m.group(2)
    if not all(re.fullmatch(r"[\w' -]*", a) for a in alts):
        return []
    head, tail = text[:m.start()], text[m.end():]
    out = ([head + tail] if optional else []) + [head + a + tail for a in alts]
    out = [" ".join(o.split()) for o in out if o.strip()]
    return out if all(not _REGEX.search(o) for o in out) else []


def load_pack(lang: str = "nl") -> Pack:
    data = _builtin(lang)
    return _build(data["lang"], data.get("messages", {}),
                  {k: list(data.get("phrases", {}).get(k, [])) for k in PHRASE_LISTS})


def _build(lang: str, messages: dict, lists: dict, *, extends=None, notes=(), settings=None) -> Pack:
    sets = {k: PhraseSet(v) for k, v in lists.items()}
    return Pack(lang=lang, messages=dict(messages), lists=lists, sets=sets, extends=extends, notes=notes,
                settings=dict(settings or {}))


def changes(pack: Pack, base: Pack | None = None) -> list[str]:
    """What ``pack`` changes from the built-in pack of its language, one line each."""
    base = base or load_pack(pack.lang)
    out = [f"{rule}: {base.messages[rule]!r} -> {text!r}" if rule in base.messages else f"{rule}: {text!r}"
           for rule, text in pack.messages.items() if base.messages.get(rule) != text]
    for key in PHRASE_LISTS:
        new, old = pack.lists[key], base.lists[key]
        new_plain, old_plain = {_plain(p) for p in new}, {_plain(p) for p in old}
        plus = [p for p in new if _plain(p) not in old_plain]
        minus = [p for p in old if _plain(p) not in new_plain]
        if plus or minus:
            bits = ([f"+{len(plus)} ({', '.join(map(repr, plus[:5]))}{', …' if len(plus) > 5 else ''})"]
                    if plus else []) + ([f"-{len(minus)}"] if minus else [])
            out.append(f"{key}: {' '.join(bits)}")
    from pullcoach.rules.settings import SETTINGS, default, is_switch
    for key, value in pack.settings.items():
        if is_switch(key):
            if value is False:
                out.append(f"{key.rpartition('.')[0]}: {'uit (off)' if pack.lang == 'nl' else 'off'}")
            continue
        was = base.settings.get(key, default(SETTINGS[key]))
        if value != was:
            out.append(f"{key}: {was:g} -> {value:g}")
    return out


def unknown_messages(pack: Pack, rules) -> list[str]:
    """[messages] keys no rule the engine runs (built-in or plugin) will ever use."""
    return [k for k in pack.messages if k not in set(rules)]


def unknown_messages_error(pack: Pack, rules, name: str) -> str | None:
    """The message for [messages] keys no rule uses: where the first is, and the rule it may mean
    (``rules``: every rule that runs, plugins' included); None if every key is a rule."""
    stray = unknown_messages(pack, rules)
    if not stray:
        return None
    where = pack.where if isinstance(pack.where, _Where) else None
    at = where.at(stray[0], "messages") if where else name
    near = difflib.get_close_matches(stray[0], list(rules), n=1, cutoff=0.6)
    plain = lambda t: " ".join(re.findall(r"[^\W_]+", t.casefold()))  # noqa: E731
    by_words = [r for r, m in pack.messages.items() if r in rules and plain(m) == plain(stray[0])]
    hint = (f"did you mean {near[0]!r}? " if near else
            f"{stray[0]!r} is the nudge of {by_words[0]}: the key is the rule's name "
            f"({by_words[0]} = \"...\"); " if by_words else "")
    return (f"{at}: [messages] {', '.join(map(repr, stray))} names no rule pullcoach runs; {hint}"
            f"the rules: {', '.join(rules)}; fix the name, or install the plugin whose rule it is")
