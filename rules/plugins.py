"""Rules from other distributions, via the ``pullcoach.rules`` entry-point group.

An entry point names a class or factory called with the rule pack; the object it returns
has ``name``, ``kind`` ("negative" | "positive" | "cue") and ``feed(event, ctx) -> list[Candidate]``
and gets the same events, context and nudge policy as the built-in rules. Its nudge
message comes from the pack's ``[messages]`` or from its ``message`` attribute.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["GROUP", "PluginError", "load_plugins"]

GROUP = "pullcoach.rules"


class PluginError(ValueError):
    """A plugin rule that cannot be used."""


def load_plugins(pack, taken: set[str], *, entry_points=metadata.entry_points) -> list:
    rules = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            factory = ep.load()
            rule = factory(pack)
        except Exception as exc:  # a broken plugin must say which one
            raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) failed to load: {exc}; "
                              "fix or uninstall it") from exc
        name = getattr(rule, "name", None)
        if not isinstance(name, str) or not callable(getattr(rule, "feed", None)):
            raise PluginError(f"rule plugin {ep.name!r} needs a str `name` and a `feed(event, ctx)`")
        if name in taken:
            raise PluginError(f"rule plugin {ep.name!r} uses the taken rule name {name!r}; rename it")
        taken.add(name)
        rules.append(rule)
    return rules
