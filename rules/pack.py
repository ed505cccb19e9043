"""Rule packs: the per-language phrase lists and nudge messages, as TOML data.

A pack file has ``lang``, ``[messages]`` (rule name -> short nudge text) and ``[phrases]``
(list name -> phrases). A custom pack (``--rules FILE``) may set ``extends = "nl"`` and
give only what it changes: a list under ``[phrases]`` replaces the base list, one under
``[add]`` is added to it. A misspelt key is refused, not ignored.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from pullcoach.rules.text import PhraseSet

__all__ = ["Pack", "PackError", "load_pack", "parse_pack", "LANGS", "PHRASE_LISTS"]

LANGS = ("nl", "en")
PHRASE_LISTS = (
    "fillers", "reflection", "open_question", "closed_question", "argument", "push", "advice",
    "information", "permission", "advice_request", "proposal", "draaivraag", "backchannel",
    "resistance", "autonomy", "advice_question", "their_view", "about_them", "about_me", "greeting",
    "embedding", "conditional", "subject", "question_verb", "question_tag", "function_word",
    "summary_start", "imperative", "you_must", "concession", "summary", "more_reasons", "discord",
    "hesitation", "open_form", "closed_form",
)


class PackError(ValueError):
    """A rule pack that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Pack:
    lang: str
    messages: dict[str, str]
    lists: dict[str, list[str]]
    sets: dict[str, PhraseSet] = field(default_factory=dict, compare=False, repr=False)

    def message(self, rule: str) -> str:
        return self.messages.get(rule, rule)

    def phrases(self, name: str) -> PhraseSet:
        return self.sets[name]


def _builtin(lang: str) -> dict:
    if lang not in LANGS:
        raise PackError(f"no built-in rule pack for language {lang!r}; use one of {', '.join(LANGS)}")
    text = resources.files("pullcoach.rules").joinpath("packs", f"{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def parse_pack(text: str, *, name: str = "pack") -> Pack:
    """A pack from TOML text; ``extends`` fills in what the text leaves out."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{name} is not valid TOML ({exc}); fix the syntax") from None
    _check_keys(data, name)
    base = data.get("extends")
    if base is not None:
        merged = _builtin(str(base))
        merged.setdefault("messages", {}).update(data.get("messages", {}))
        merged.setdefault("phrases", {}).update(data.get("phrases", {}))
        if "lang" in data:
            merged["lang"] = data["lang"]
        data = dict(merged, add=data.get("add", {}))
    add = data.pop("add", {})
    if not isinstance(add, dict):
        raise PackError(f"{name}: [add] must map list names to lists of phrases")
    for key, more in add.items():
        if key not in PHRASE_LISTS:
            raise PackError(f"{name}: unknown phrase list [add] {key}; known: {', '.join(PHRASE_LISTS)}")
        if not isinstance(more, list):
            raise PackError(f"{name}: add.{key} must be a list of strings")
        phrases = data.setdefault("phrases", {})
        phrases[key] = [*phrases.get(key, []), *more]
    return _build(data, name)


TOP_KEYS = ("lang", "extends", "messages", "phrases", "add")


def _check_keys(data: dict, name: str) -> None:
    """A key the pack does not know is a typo that would be ignored without a word."""
    for key in data:
        if key in TOP_KEYS:
            continue
        where = (" (a phrase list: put it under [phrases] to replace the base list, or [add] to "
                 "add to it)") if key in PHRASE_LISTS else ""
        raise PackError(f"{name}: unknown key {key!r}{where}; a pack has {', '.join(TOP_KEYS)}")
    messages = data.get("messages", {})
    known = set(_builtin("nl").get("messages", {}))
    for key in messages if isinstance(messages, dict) else ():
        # plugin rules may have messages of their own: only a near miss of a built-in is a typo
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
        if key not in known and near:
            raise PackError(f"{name}: [messages] {key!r} is no rule; did you mean {near[0]!r}?")


def load_pack(lang: str = "nl") -> Pack:
    return _build(_builtin(lang), f"{lang}.toml")


def _build(data: dict, name: str) -> Pack:
    lang = data.get("lang")
    if not isinstance(lang, str) or not lang:
        raise PackError(f"{name} needs lang = \"nl\" or \"en\" (or extends = \"nl\")")
    messages = data.get("messages", {})
    if not isinstance(messages, dict) or not all(isinstance(v, str) for v in messages.values()):
        raise PackError(f"{name}: [messages] must map rule names to strings")
    phrases = data.get("phrases", {})
    lists: dict[str, list[str]] = {}
    for key in PHRASE_LISTS:
        value = phrases.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PackError(f"{name}: phrases.{key} must be a list of strings")
        lists[key] = list(value)
    unknown = sorted(set(phrases) - set(PHRASE_LISTS))
    if unknown:
        raise PackError(f"{name}: unknown phrase lists {unknown}; known: {', '.join(PHRASE_LISTS)}")
    sets = {k: PhraseSet(v) for k, v in lists.items()}
    return Pack(lang=lang, messages=dict(messages), lists=lists, sets=sets)
