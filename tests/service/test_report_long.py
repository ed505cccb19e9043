"""The report of a real-length practice call (20 minutes, ~70 moments, 400 lines) as a
coachee reads it: findings from reading the report of a 20-minute replayed role-play."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import render
from pullcoach.rules.events import NudgeIssued

PUSH = {"question": None, "push": True, "input": True}
OPEN = {"question": "open"}
REFLECT = {"question": None, "reflection": True}


def long_call(minutes: int = 20, *, push_until: float = 600.0):
    """A call of ``minutes``: every 30 s the coachee says something and the partner answers;
    pushing ('Je moet ...', a push-words nudge each time) until ``push_until``, pulling after
    (open questions, and every minute a reflection the good-summary rule praises)."""
    lines, nudges = [], []
    for k, t in enumerate(range(0, minutes * 60, 30)):
        if t < push_until:
            lines.append(("coachee", t + 1.0, t + 9.0, f"Je moet echt terugkomen, punt {k}.", PUSH))
            nudges.append(NudgeIssued(t=t + 9.5, rule="push-words", message="Moeten?", evidence_t=t + 1.0))
        elif k % 2:
            lines.append(("coachee", t + 1.0, t + 9.0, f"Dus voor jou telt vooral rust, punt {k}.", REFLECT))
            nudges.append(NudgeIssued(t=t + 9.5, rule="good-summary", message="✓ Samenvatting",
                                      kind="positive", evidence_t=t + 1.0))
        else:
            lines.append(("coachee", t + 1.0, t + 5.0, f"Wat is voor jou belangrijk, punt {k}?", OPEN))
        lines.append(("partner", t + 12.0, t + 28.0, f"Daar moet ik over nadenken, antwoord {k}.", {}))
    return scripted(lines, nudges, end=minutes * 60.0)


def _section(html: str, title: str) -> str:
    return html.split(f"{title}</h2>")[1].split("<h2>")[0]


def test_a_moment_links_to_its_line_in_the_transcript_and_back():
    """400 lines of transcript: a moment's time takes the reader to the line, and the line
    says what it set off, linking back."""
    html = render(long_call(), "html")
    moments, transcript = _section(html, "Momenten die ertoe doen"), _section(html, "Transcript")
    # the push at 0:31 ("punt 1"): its time links to its line, which is there with that id
    k, line = re.search(r'<div class="moment kind-negative" id="moment-(\d+)"><div class="time">'
                        r'<a href="#line-(\d+)">0:31</a>', moments).groups()
    row = re.search(rf'<div class="line" id="line-{line}">.*?</div>', transcript).group(0)
    assert "Je moet echt terugkomen, punt 1." in row
    assert f'<a class="mark kind-negative" href="#moment-{k}">▼ Pushwoord</a>' in row
    # the one at 7:00 ("punt 14") is one of the times listed after the first three, linked both ways
    k, line = re.search(r'<a id="moment-(\d+)" href="#line-(\d+)">7:01</a>', moments).groups()
    row = re.search(rf'<div class="line" id="line-{line}">.*?</div>', transcript).group(0)
    assert "punt 14." in row and f'href="#moment-{k}">▼ Pushwoord</a>' in row
    assert "Klik op de tijd voor die plek in het transcript" in moments
    # a praised summary's line links back too, in its own colour
    assert re.search(r'punt 21\..*?<a class="mark kind-positive" href="#moment-\d+">▼ Goede samenvatting</a>', transcript)
    md = render(long_call(), "md")
    # Markdown has no links: the line names what it set off, as the HTML does
    assert "- `7:01` **Anna:** Je moet echt terugkomen, punt 14. _[moeten, informatie]_ ▼ Pushwoord\n" in md
    assert "punt 21. _[reflectie]_ ▼ Goede samenvatting\n" in md


def test_a_long_call_shows_how_its_second_half_differed_from_its_first():
    """Ten minutes of pushing, then ten of pulling: over the whole call the push words and
    the longest stretch without a summary read as pushing throughout; the halves show the
    coachee got better, in HTML and Markdown alike, right under the figures."""
    html, md = render(long_call(), "html"), render(long_call(), "md")
    head = "In de loop van dit gesprek: eerste helft (0:00–10:00) → tweede helft (10:00–20:00)"
    figures = _section(html, "Kerncijfers")
    assert head in figures
    assert ('<li class="better">Pushwoorden (moeten) <b>20 → 0</b> <span>beter</span></li>' in figures)
    assert ('<li class="better">Langste stuk zonder samenvatting <b>10:00 → 1:00</b> '
            '<span>beter</span></li>') in figures
    md_figures = md.split("## Kerncijfers")[1].split("## ")[0]
    assert f"**{head}**" in md_figures
    assert "- Pushwoorden (moeten): 20 → 0 (beter)" in md_figures
    assert "- Langste stuk zonder samenvatting: 10:00 → 1:00 (beter)" in md_figures
    # pushing all through: nothing moved; a call under ten minutes has no halves
    assert "In de loop van dit gesprek" not in render(long_call(push_until=1200.0), "md")
    assert "In de loop van dit gesprek" not in render(long_call(9), "html")
    assert "In de loop van dit gesprek" not in render(long_call(push_until=0.0), "html")


def test_forty_moments_of_two_kinds_read_as_six_and_two_lines_of_times():
    """20 pushes and 10 praised summaries: three of each shown whole, then one line a kind
    with when the rest came (it was 30 rows, 24 of them folded, in HTML; 30 excerpts in md)."""
    html, md = render(long_call(), "html"), render(long_call(), "md")
    moments = _section(html, "Momenten die ertoe doen")
    assert moments.count('<div class="moment ') == 8
    assert "Pushwoord, nog 17 keer:" in moments and "Goede samenvatting, nog 7 keer:" in moments
    md_moments = md.split("## Momenten die ertoe doen")[1].split("## ")[0]
    assert md_moments.count("\n- **") == 8
    assert "- **Goede samenvatting, nog 7 keer:** 13:31 · 14:31 · 15:31 · 16:31 · 17:31 · 18:31 · 19:31" in md_moments
