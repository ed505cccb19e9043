"""A debrief row says which plugin rule was switched off in that role-play, and a focus on
it says "(uit)": the row said "focus: Geen excuses" as if it had been practised throughout."""

from pullcoach.debrief import build_debrief
from pullcoach.debrief_render import render_debrief_html, render_debrief_md
from pullcoach.report_data import build
from pullcoach.rules.events import FocusChanged, PipelineWarning, SessionEnded, SessionStarted


def rule_off(t, rule):
    return PipelineWarning(t=t, kind="rule-off", message=f"rule plugin {rule!r} failed",
                           detail={"rule": rule, "plugin": rule, "reason": "error", "in": "feed()",
                                   "error": "RuntimeError: boom"})


def test_a_row_says_a_rule_was_off_and_marks_a_focus_on_it():
    r = build([SessionStarted(session="s1", wall_clock=1.0, lang="nl", coachee="Sanne"),
               FocusChanged(t=5.0, rules=("sorry",), messages=("Geen excuses",)),
               rule_off(14.0, "sorry"),
               FocusChanged(t=17.0, rules=("interruption",), messages=("Laat uitpraten",)),
               SessionEnded(t=120.0, reason="ended")])
    d = build_debrief([r])
    md = render_debrief_md(d)
    assert ("| Sanne · 00:00 (focus: Geen excuses (uit), Laat uitpraten; regel “sorry” stond uit: "
            "zie verslag) |") in md
    en = render_debrief_html(build_debrief([r], "en"))
    assert "focus: Geen excuses (off), Laat uitpraten" in en and "rule “sorry” was off: see report" in en
    plain = build([SessionStarted(session="s2", wall_clock=2.0, lang="nl", coachee="Sanne"),
                   rule_off(0.0, "jargon"), SessionEnded(t=60.0, reason="ended")])
    md = render_debrief_md(build_debrief([plain]))
    assert "| Sanne · 00:00 (regel “jargon” stond uit: zie verslag) |" in md and "(uit)" not in md
