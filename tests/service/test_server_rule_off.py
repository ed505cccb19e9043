"""A rule whose plugin was switched off (a rule-off warning) is no longer offered for a focus,
and a set-focus that names it is refused, saying since when it is off."""

import asyncio
import sys
from pathlib import Path

from pullcoach import protocol as p
from pullcoach.rules import events as ev
from pullcoach.rules import plugins
from pullcoach.rules.engine import Engine, EngineConfig

sys.path.insert(0, str(Path(__file__).parent))
from test_server import TRAINER, hello, run, start, until  # noqa: E402


class Sorry:
    """A plugin rule that raises on the coachee's first line (as installed: an entry point)."""
    name, kind, message = "sorry", "negative", "Geen excuses"

    def __init__(self, pack):
        pass

    def feed(self, event, ctx):
        if isinstance(event, ev.TranscriptFinal):
            raise RuntimeError("boom")
        return []


class EP:
    name, value = "sorry", "fake:sorry"

    def load(self):
        return Sorry


def engine():
    return Engine("nl", config=EngineConfig(disabled=("righting-reflex",)),
                  entry_points=lambda group: [EP()] if group == plugins.GROUP else [])


def status_of(session):
    return lambda m: isinstance(m, p.Status) and m.session == session


def test_a_rule_switched_off_leaves_the_focus_rules_and_a_focus_on_it_is_refused_saying_since_when():
    async def main():
        hub, service, fakes = await start()
        fakes["A"].engine = e = engine()
        tr = await hello(service, "trainer", TRAINER)
        st = await until(tr, status_of("A"))
        assert "sorry" in dict(st.focus_rules)   # on while it works
        final = ev.TranscriptFinal(t=192.4, speaker="coachee", t0=190.0, t1=192.4, text="Sorry hoor.")
        for out in [final, *e.feed(final)]:   # the engine says its rule-off, as the pipeline publishes it
            hub.publish("A", out)
        st = await until(tr, status_of("A"))   # a fresh status: the chip goes
        assert "sorry" not in dict(st.focus_rules) and "interruption" in dict(st.focus_rules)
        await tr.send(p.encode(p.SetFocus(session="A", rules=("interruption", "sorry"))))
        err = await until(tr, lambda m: isinstance(m, p.Error))
        assert err.code == "malformed"
        assert "rule 'sorry' is off since 3:12" in err.message and "RuntimeError: boom" in err.message
        assert not [x for x in fakes["A"].injected if isinstance(x, ev.FocusChanged)]
        await tr.send(p.encode(p.SetFocus(session="A", rules=("interruption",))))   # the others still go
        got = await until(tr, lambda m: isinstance(m, p.SessionEvent) and isinstance(m.event, ev.FocusChanged))
        assert got.event.rules == ("interruption",)
        late = await hello(service, "trainer", TRAINER)   # a trainer who joins later is not offered it either
        assert "sorry" not in dict((await until(late, status_of("A"))).focus_rules)
        st_b = await until(late, status_of("B"))   # another session's rules are its own
        assert st_b.focus_rules and "sorry" not in dict(st_b.focus_rules)   # (B runs no plugin)
        await service.close()
    run(main())


def test_a_plugin_that_did_not_load_is_refused_as_off_since_the_start_not_as_unknown():
    async def main():
        hub, service, fakes = await start()
        tr = await hello(service, "trainer", TRAINER)
        await until(tr, status_of("A"))
        hub.publish("A", ev.PipelineWarning(t=0.0, kind=ev.RULE_OFF, message="rule plugin 'jargon' failed to load",
                                            detail={"rule": "jargon", "plugin": "jargon", "reason": "load",
                                                    "in": "load", "error": "ImportError: no nltk"}))
        await asyncio.sleep(0.05)
        await tr.send(p.encode(p.SetFocus(session="A", rules=("jargon",))))
        err = await until(tr, lambda m: isinstance(m, p.Error))
        assert "rule 'jargon' is off since the start (its plugin did not load: ImportError: no nltk)" in err.message
        await service.close()
    run(main())
