"""Rules from other distributions, via the ``pullcoach.rules`` entry-point group.

An entry point names a class or factory called with the rule pack; the object it returns
has ``name``, ``kind`` ("negative" | "positive" | "cue") and ``feed(event, ctx) -> list[Candidate]``
and gets the same events, context and nudge policy as the built-in rules. Its nudge
message comes from the pack's ``[messages]`` or from its ``message`` attribute.

A plugin must not stop the coaching: one that fails to load (an import error, a clash of
names) is left out, and one whose ``feed`` raises or returns what is no candidate of its
own is switched off for the session. Either is said once, naming the plugin and what to do:
in a session as a ``pipeline-warning`` of kind ``rule-off`` (the console of ``run`` and
``serve``, replay's warnings, the trainer's card and the report show it, dated; the log has
it at INFO only, or the console said it twice), elsewhere (``rules check``) as a logged warning. A pack's ``[settings]`` may
set a plugin rule's ``cooldown`` (``installed_names`` are the names it takes). Its traceback
is logged at DEBUG (``pullcoach -vv``). What its ``metrics()`` returns goes under
``metrics["plugins"][its name]``: it cannot change the built-in figures. docs/plugins.md says
all this for a plugin's author.
"""

from __future__ import annotations

import logging
from importlib import metadata
from typing import NamedTuple

from pullcoach.rules.base import Candidate, Withdrawal
from pullcoach.rules.events import RULE_OFF, PipelineWarning

__all__ = ["GROUP", "KINDS", "RULE_OFF", "PluginError", "load_plugins", "plugin_names", "installed",
           "installed_names", "GuardedRule"]

GROUP = "pullcoach.rules"
KINDS = ("negative", "positive", "cue")
log = logging.getLogger(__name__)
_told: set[str] = set()  # each broken plugin is named once per process, not once per session


class PluginError(ValueError):
    """A plugin rule that cannot be used."""


def _tell(message: str, *, in_session: bool) -> None:
    """Log ``message`` once; at INFO when the session's own rule-off warning says it."""
    if message not in _told:
        _told.add(message)
        log.log(logging.INFO if in_session else logging.WARNING, "%s", message)


def load_plugins(pack, taken: set[str], *, entry_points=None, strict: bool = False,
                 failed: list | None = None) -> list:
    """The plugin rules, each guarded; a broken one is left out with a warning (``strict``:
    raised as :class:`PluginError`). ``failed`` gets a ``rule-off`` warning (at 0) per one left out.
    One the pack switches off (``NAME.enabled = false``, by its entry point's or its rule's
    name) is left out without a word."""
    from pullcoach.rules.settings import off_rules
    off = set(off_rules(getattr(pack, "settings", None) or {}))
    rules = []
    for ep in sorted((entry_points or metadata.entry_points)(group=GROUP), key=lambda e: e.name):
        if ep.name in off:
            continue
        try:
            rule = _make(ep, pack, taken)
            if rule.name not in off:
                rules.append(GuardedRule(rule, ep))
        except PluginError as exc:
            if strict:
                raise
            _tell(f"{exc}; coaching goes on without it", in_session=failed is not None)
            if exc.__cause__ is not None:  # where it broke, for its author (pullcoach -vv)
                log.debug("rule plugin %r: the traceback of loading it", ep.name, exc_info=exc.__cause__)
            if failed is not None:
                cause = exc.__cause__
                failed.append(PipelineWarning(
                    t=0.0, kind=RULE_OFF, message=f"{exc}; coaching goes on without it",
                    detail={"rule": ep.name, "plugin": ep.name, "reason": "load", "in": "load",
                            "error": _short(f"{type(cause).__name__}: {cause}" if cause else str(exc))}))
    return rules


def plugin_names(pack, taken: set[str], *, entry_points=None, failed: list | None = None) -> list[str]:
    """The names of the rules :func:`load_plugins` would make, making only those a class does
    not name (a factory's rule is named when made): a command checking a pack's [messages] or
    a --focus before its session does not run its author's ``__init__`` once more each time."""
    names = []
    for ep in sorted((entry_points or metadata.entry_points)(group=GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception:
            obj = None  # load_plugins below says why, once
        name = getattr(obj, "name", None) if isinstance(obj, type) else None
        if (isinstance(name, str) and name and name not in taken and callable(getattr(obj, "feed", None))
                and getattr(obj, "kind", "negative") in KINDS):
            taken.add(name)
            names.append(name)
        else:
            names += [r.name for r in load_plugins(pack, taken, entry_points=lambda group, ep=ep: [ep],
                                                   failed=failed)]
    return names


class Installed(NamedTuple):
    plugin: str            # the entry point's name
    name: str | None       # its rule's name, where the class says it (a factory's rule is named only when made)
    message: str | None    # its ``message``, where the class says it
    error: str | None      # why it does not load, if it does not


def installed(entry_points=None) -> list[Installed]:
    """The installed plugins, by entry point name, as far as loading their class tells."""
    out = []
    for ep in sorted((entry_points or metadata.entry_points)(group=GROUP), key=lambda e: e.name):
        try:
            obj, error = ep.load(), None
        except Exception as exc:  # a broken plugin: its entry point's name is all there is
            obj, error = None, _short(f"{type(exc).__name__}: {exc}", 80)
        name, message = getattr(obj, "name", None), getattr(obj, "message", None)
        out.append(Installed(ep.name, name if isinstance(name, str) and name else None,
                             message if isinstance(message, str) and message else None, error))
    return out


def installed_names(entry_points=None) -> list[str]:
    """The names a pack's ``[settings]`` may give a plugin rule: each entry point's name and,
    where the class says it, its rule's ``name``."""
    return list(dict.fromkeys(n for p in installed(entry_points) for n in (p.plugin, p.name) if n))


def _short(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _make(ep, pack, taken: set[str]):
    try:
        factory = ep.load()
        rule = factory(pack)
    except Exception as exc:  # a broken plugin must say which one
        raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) failed to load: "
                          f"{type(exc).__name__}: {exc}; fix or uninstall it") from exc
    name = getattr(rule, "name", None)
    if not isinstance(name, str) or not name or not callable(getattr(rule, "feed", None)):
        raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) needs a str `name` and a `feed(event, ctx)`")
    kind = getattr(rule, "kind", "negative")
    if kind not in KINDS:
        raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) has kind {kind!r}; use one of {', '.join(KINDS)}")
    if name in taken:
        raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) uses the taken rule name {name!r}; rename it")
    taken.add(name)
    return rule


class GuardedRule:
    """A plugin rule that cannot take the session down: the first exception (or a result
    that is no list of its own candidates) switches it off for the session, with a warning."""

    def __init__(self, rule, ep=None) -> None:
        self.rule = rule
        self.name = rule.name
        self.kind = getattr(rule, "kind", "negative")
        self.plugin = ep.name if ep is not None else self.name
        self.where = f"{ep.name!r} ({ep.value})" if ep is not None else repr(self.name)
        self.failed: str | None = None
        self.off: tuple | None = None  # once failed: (t of the event it failed on or None, message, detail)
        if hasattr(rule, "message"):
            self.message = rule.message
        self.live = bool(getattr(rule, "live", False)) and callable(getattr(rule, "feed_live", None))

    def feed(self, event, ctx) -> list:
        return self._call("feed", event, ctx)

    def feed_live(self, event) -> list:
        return self._call("feed_live", event)

    def metrics(self) -> dict:
        extra = getattr(self.rule, "metrics", None)
        if self.failed or not callable(extra):
            return {}
        try:
            out = extra()
            if not isinstance(out, dict):
                raise TypeError(f"metrics() returned {type(out).__name__}, not a dict")
            return out
        except Exception as exc:
            self._fail("metrics()", None, exc, "error")
            return {}

    def _call(self, method: str, event, *args) -> list:
        if self.failed:
            return []
        try:
            out = getattr(self.rule, method)(event, *args)
            out = [] if out is None else list(out)  # a generator runs its code here
        except Exception as exc:
            self._fail(f"{method}()", event, exc, "error")
            return []
        other = None  # the rule a candidate names, when not its own
        try:
            for c in out:
                if isinstance(c, Withdrawal) and c.rule == self.name:
                    continue
                if not isinstance(c, Candidate):
                    raise TypeError(f"returned {c!r}, not a Candidate")
                if c.rule != self.name:
                    other = c.rule
                    raise TypeError(f"returned a Candidate for rule {c.rule!r}; a plugin nudges "
                                    f"under its own name {self.name!r}")
                if c.kind not in KINDS:
                    raise TypeError(f"returned a Candidate of kind {c.kind!r}; use one of {', '.join(KINDS)}")
            return out
        except Exception as exc:  # what it returned is wrong
            self._fail(f"{method}()", event, exc, "bad-result" if other is None else "foreign", other)
            return []

    def _fail(self, what: str, event, exc: Exception, reason: str, other: str | None = None) -> None:
        self.failed = f"{type(exc).__name__}: {exc}"
        at = f" on {type(event).__name__} at {getattr(event, 't', 0.0):.1f} s" if event is not None else ""
        message = (f"rule plugin {self.where} failed in {what}{at} ({self.failed}); it is off for the rest "
                   "of this session, the other rules go on; fix or uninstall it")
        _tell(message, in_session=True)  # the engine sends off_warning into the session
        # the plugin's author needs where it broke: the traceback at DEBUG (pullcoach -vv shows it)
        log.debug("rule plugin %s: the traceback of %s", self.where, what, exc_info=exc)
        detail = {"rule": self.name, "plugin": self.plugin, "reason": reason, "in": what,
                  "error": _short(str(exc) if reason == "foreign" else self.failed)}
        if other is not None:
            detail["as"] = other
        self.off = (getattr(event, "t", None), message, detail)

    def off_warning(self, now: float) -> PipelineWarning | None:
        """The ``rule-off`` warning, once it failed: at the event it failed on (metrics()
        has none: then at ``now``)."""
        if self.off is None:
            return None
        t, message, detail = self.off
        return PipelineWarning(t=float(now if t is None else t), kind=RULE_OFF, message=message, detail=dict(detail))

