"""Rule packs: the per-language phrase lists, nudge messages and a trainer's numbers, as TOML data.

A pack file has ``lang``, ``[messages]`` (rule name -> short nudge text), ``[phrases]``
(list name -> phrases) and ``[settings]`` (numbers: the nudge budget, each rule's cooldown and
main thresholds; ``rules/settings.py`` lists them with their ranges and defaults). A custom
pack (``--rules FILE``) may set ``extends = "nl"`` and give only what it changes: a list under
``[phrases]`` replaces the base list, one under ``[add]`` is added to it. A misspelt key, a wrong type or a pack for no known language is
refused with the file, line and key, not ignored; what may be a slip but is allowed (a list
emptied, a base list replaced by a few phrases) is kept in :attr:`Pack.notes`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from pullcoach.rules.text import PhraseSet

__all__ = ["Pack", "PackError", "load_pack", "parse_pack", "pack_text", "changes", "unknown_messages",
           "LANGS", "PHRASE_LISTS"]

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
            m = re.match(r"""["']?([^="'\s]+)["']?\s*=""", s)
            if m and m.group(1) == key and current == section:
                return i
            if m and section is None and current is None and m.group(1) == key:
                return i
        return None

    def at(self, key: str, section: str | None = None) -> str:
        n = self.line(key, section)
        return f"{self.name} line {n}" if n else self.name


def _near(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def _toml_error(exc: tomllib.TOMLDecodeError, text: str, name: str) -> PackError:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if not m:  # "at end of document": an opened [ or " that never closes
        return PackError(f"{name} is not valid TOML: {msg}; look for a [ or \" that is not closed")
    n = int(m.group(1))
    said = text.splitlines()[n - 1].strip() if n <= len(text.splitlines()) else ""
    what = msg[:m.start()].strip()
    fix = ("a key given twice: keep one" if "overwrite" in what.lower() else
           'put text in double quotes and lists in brackets, e.g. push = ["hoort"]')
    return PackError(f"{name} line {n} is not valid TOML ({what}, column {m.group(2)}): {said!r}; {fix}")


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
    from pullcoach.rules import settings as numbers  # imports the rules, which import this module
    settings = numbers.check(data.get("settings", {}), where)
    same = [k for k, v in settings.items() if v == numbers.default(numbers.SETTINGS[k])]
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
        lists[key] = [*lists[key], *(p for p in more if p not in lists[key])]
    return _build(lang, merged_msgs, lists, extends=base_name, notes=tuple(notes), settings=settings)


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
        if not isinstance(value, str):
            raise PackError(f"{where.at(key, 'messages')}: messages.{key} must be text in double quotes "
                            f'({key} = "{value}"), not {type(value).__name__}')
        if not value.strip():
            raise PackError(f"{where.at(key, 'messages')}: messages.{key} is empty: the overlay would show an "
                            "empty box; give the words, or leave the line out for the built-in ones")
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
    return {k: list(v) for k, v in table.items()}


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
        plus = [p for p in new if p not in old]
        minus = [p for p in old if p not in new]
        if plus or minus:
            bits = ([f"+{len(plus)} ({', '.join(map(repr, plus[:5]))}{', …' if len(plus) > 5 else ''})"]
                    if plus else []) + ([f"-{len(minus)}"] if minus else [])
            out.append(f"{key}: {' '.join(bits)}")
    from pullcoach.rules.settings import SETTINGS, default
    for key, value in pack.settings.items():
        was = base.settings.get(key, default(SETTINGS[key]))
        if value != was:
            out.append(f"{key}: {was:g} -> {value:g}")
    return out


def unknown_messages(pack: Pack, rules) -> list[str]:
    """[messages] keys no rule the engine runs (built-in or plugin) will ever use."""
    return [k for k in pack.messages if k not in set(rules)]
