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
    assert "Pushwoord, 20 keer in totaal · 3 hierboven · de andere 17:" in moments
    assert "Goede samenvatting, 10 keer in totaal · 3 hierboven · de andere 7:" in moments
    md_moments = md.split("## Momenten die ertoe doen")[1].split("## ")[0]
    assert md_moments.count("\n- **") == 8
    assert "- **Goede samenvatting, 10 keer in totaal · 3 hierboven · de andere 7:** 13:31 · 14:31 · 15:31 · 16:31 · 17:31 · 18:31 · 19:31" in md_moments


def _focus_md(events) -> str:
    return next(line for line in render(events, "md").splitlines() if line.startswith("**Oefen volgende keer:**"))


def test_the_top_line_quotes_a_recent_example_and_says_the_figure_got_better_in_the_call():
    """It quoted the call's first push (0:01) to a coachee who pushed for ten minutes and then
    stopped: now the latest one. Such a coachee is no longer sent to practise the push words
    they dropped (20 → 0, told under the figures) while the second half's reflections per
    question are only fair (test_report_focus_trend: where nothing else falls short, the
    push words, as the habit to keep). A call that did not get better gets no such note,
    and quotes its latest too."""
    # no line of its own: where a reflection fitted (test_report_focus_spot)
    assert _focus_md(long_call()) == ("**Oefen volgende keer:** Reflecties : vragen. Om 18:42 sloot Bert "
                                      "een beurt van 16 s af: “Daar moet ik over nadenken, antwoord 37.” "
                                      "→ Vat samen: ‘Als ik je goed begrijp…’")
    throughout = _focus_md(long_call(push_until=1200.0))
    assert "helft" not in throughout
    assert "Het laatst, om 19:31, zei je: “Je moet echt terugkomen, punt 39.”" in throughout
    short = _focus_md(long_call(9))  # no halves under ten minutes
    assert "helft" not in short and "Het laatst, om 8:31, zei je:" in short
    # a kind the call had once: "Om …", not "Het laatst"
    once = long_call(9, push_until=30.0)
    assert "Pushwoorden (moeten) · «Moeten?». Om 0:01 zei je: “Je moet echt terugkomen, punt 0.”" in _focus_md(once)


def test_the_line_of_later_times_adds_up_to_the_card():
    """"Pushwoord, nog 16 keer" beside 3 moments headed by it alone did not make the card's
    20: the fourth push came with a righting reflex, shown whole as one moment of two kinds.
    Now the line says how many in all (the card's number), how many above and the rest."""
    events = long_call()
    end = events.pop()
    events += [NudgeIssued(t=t + 9.6, rule="righting-reflex", message="Eerst vragen", evidence_t=t + 1.0)
               for t in (90.0, 120.0)]  # on the fourth and fifth push's lines
    events.append(end)
    html = render(events, "html")
    moments = _section(html, "Momenten die ertoe doen")
    head = re.search(r"Pushwoord, (\d+) keer in totaal · (\d+) hierboven · de andere (\d+):</h3>"
                     r'<div class="times">(.*?)</div>', moments)
    total, shown, listed = (int(x) for x in head.groups()[:3])
    card = re.search(r'Pushwoorden \(moeten\)</div><div class="value">(\d+)', html).group(1)
    assert total == int(card) == 20 and shown + listed == total
    assert head.group(4).count("<a ") == listed == 15
    whole = [m for m in moments.split('<div class="moment ')[1:] if not m.startswith("more")]
    assert sum(1 for m in whole if "Pushwoord" in m.split("</h3>")[0]) == shown == 5


def test_a_long_timeline_names_its_rows_once():
    """Three strips each said Seintjes / Anna / Bert / Samenvattingen: the first names the
    rows, the later ones say which stretch they show (each row still named on hover)."""
    html = render(long_call(21), "html")
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert svg.count('<g class="strip">') == 3
    assert svg.count(">Seintjes</text>") == 1 and svg.count(">Samenvattingen</text>") == 1
    strips = svg.split('<g class="strip">')[1:]
    assert ">Anna</text>" in strips[0] and ">Anna</text>" not in strips[1] + strips[2]
    assert ">7:00–14:00</text>" in strips[1] and ">14:00–21:00</text>" in strips[2]
    assert "<title>Anna</title>" in strips[2]
    short = render(long_call(9), "html")
    assert short.count(">Seintjes</text>") == 1 and ">Anna</text>" in short


def test_a_long_transcript_has_a_way_in_by_minute_and_by_part():
    """416 lines were reached only through moment links: a long call's transcript opens
    with a link to each minute (with how many moments it had) and comes in a part per
    timeline strip, open, each headed by its span; nothing is left out. A short call's is
    as it was."""
    events = long_call()
    html = render(events, "html")
    transcript = _section(html, "Transcript")
    index = re.search(r'<nav class="tx-index">(.*?)</nav>', transcript).group(1)
    minutes = re.findall(r'<a href="#min-(\d+)">', index)
    assert minutes == [str(m) for m in range(20)]
    assert all(f'<div class="minute" id="min-{m}">' in transcript for m in minutes)
    # minute 3: pushes at 3:01 and 3:31, each a ▼ in it
    assert re.search(r'<a href="#min-3">3:00 <span class="mark kind-negative">▼2</span></a>', index)
    assert re.search(r'<a href="#min-11">11:00 <span class="mark kind-positive">▼1</span></a>', index)
    parts = re.findall(r'<details class="tx-part" open><summary>(.*?)</summary>', transcript)
    assert parts == ["0:00–10:00 · 40 regels · ▼ 20 momenten", "10:00–20:00 · 40 regels · ▼ 10 momenten"]
    assert transcript.count('<div class="line" id="line-') == 80
    md = render(events, "md").split("## Transcript")[1]
    assert "\n### 0:00–10:00 · ▼ 20 momenten\n" in md and "\n### 10:00–20:00 · ▼ 10 momenten\n" in md
    short = _section(render(long_call(9), "html"), "Transcript")
    assert "tx-index" not in short and "<details class=\"tx-part\"" not in short and 'class="minute"' not in short
    assert short.count('<div class="line" id="line-') == 36
    assert "\n### " not in render(long_call(9), "md")


def test_the_top_lines_time_links_to_the_line_it_quotes():
    """The quote's time in "Oefen volgende keer" was plain text while every moment's time
    links to its transcript line: now it links there too, and the line is the one quoted."""
    html = render(long_call(push_until=1200.0), "html")
    top = html.split('<div class="focus">')[1].split("</div>")[0]
    link = re.search(r'Het laatst, om <a href="#line-(\d+)">19:31</a>, zei je:', top)
    assert link, top
    line = re.search(rf'<div class="line" id="line-{link.group(1)}">(.*?)</div>', html).group(1)
    assert "punt 39." in line and ">19:31<" in line
