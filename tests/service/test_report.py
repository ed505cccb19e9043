"""The post-call report from a scripted Dutch session (tests/service/test_report_script.py)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_report_script import session_events  # noqa: E402

from pullcoach.errors import ConfigError
from pullcoach.report import build, render, write
from pullcoach.rules.events import (
    MetricsUpdated, NudgeIssued, NudgeWithdrawn, PipelineWarning, SessionEnded, SessionStarted,
    TranscriptFinal,
)


def test_figures_are_derived_from_the_log():
    f = build(session_events())["figures"]
    # coachee speech 41.5 s of 88 s spoken in total
    assert f["talk_share"]["value"] == pytest.approx(41.5 / 88.0)
    assert f["talk_share"]["rating"] == "fair"  # above the seed's 30%, below the partner's share
    rq = f["reflections_questions"]
    # the proposal "Is het een idee dat ...?" is a pull move, not a closed question
    assert (rq["reflections"], rq["questions"], rq["value"]) == (2, 3, pytest.approx(2 / 3))
    assert rq["rating"] == "poor"  # below MITI's 1:1
    oq = f["open_questions"]
    assert (oq["open"], oq["closed"], oq["value"], oq["rating"]) == (2, 1, pytest.approx(2 / 3), "fair")
    assert f["summaries"]["value"] == 1
    assert f["summaries"]["longest_gap"] == pytest.approx(67.0)  # start -> first summary at 67 s
    # the praised summary is also drawn on the timeline (labels carry reflections only)
    report = build(session_events())
    assert report["summaries"] == [67.0] and report["summaries"][0] in [u["t1"] for u in report["utterances"]]
    assert "<title>samenvatting 1:07</title>" in render(session_events(), "html")  # its ◆
    assert f["interruptions"]["value"] == 1
    assert f["interruptions"]["classes"] == {"competitive": 1}
    assert f["interruptions"]["by_partner"] == 0
    assert f["argument_stacks"]["value"] == 1  # the report-only nudge counts too
    assert f["push_words"]["value"] == 1
    assert f["righting_reflexes"]["value"] == 0
    assert f["monologues"]["longest_turn"] == pytest.approx(11.0)
    # coachee: 77 words in 41.5 s of transcribed speech
    assert f["speaking_rate"]["value"] == round(77 / 41.5 * 60)


def test_overlaps_moments_and_route():
    r = build(session_events())
    assert r["overlaps"] == [[15.0, 16.0]]
    rules = [m["nudge"]["rule"] for m in r["moments"]]
    assert rules == ["push-words", "interruption", "argument-stacking", "good-summary",
                     "draaivraag"]
    around = [u["text"] for u in r["moments"][1]["around"]]
    # what was cut off, the interrupting utterance itself, and the reply
    assert around[-3:-1] == ["Ik werk thuis juist veel geconcentreerder.",
                             "Ja maar bovendien is het ook gezelliger, en daarnaast zie je elkaar."]
    assert around[-1] == "Ja maar dat is toch niet aan mij?"
    # each moment is dated when its line was said
    assert [m["t"] for m in r["moments"]] == [1.0, 15.0, 15.0, 62.5, 71.5]
    # the line that set each nudge off is marked: the coachee's, holding its evidence
    for m in r["moments"]:
        hits = [u for u in m["around"] if u.get("hit")]
        assert len(hits) == 1 and hits[0]["speaker"] == "coachee", m
    hit = next(u for u in r["moments"][0]["around"] if u.get("hit"))
    assert "moet" in hit["text"].lower()  # push-words: the "moeten" line
    assert next(u for u in r["moments"][1]["around"] if u.get("hit"))["text"].startswith("Ja maar bovendien")
    assert [s["step"] for s in r["route"]] == ["explore", "draaivraag", "explore", "voorstel"]
    assert not any(s["premature"] for s in r["route"])


def test_a_nudge_that_came_late_shows_the_moment_it_was_about():
    # transcription lagged: the summary at 62.5 s was praised at 90 s, after two more lines
    events = [e for e in session_events() if not (isinstance(e, NudgeIssued) and e.rule == "good-summary")]
    events.append(NudgeIssued(t=90.0, rule="good-summary", message="✓ Samenvatting", kind="positive",
                              evidence_t=62.5))
    m = next(m for m in build(events)["moments"] if m["nudge"]["rule"] == "good-summary")
    assert m["t"] == 62.5
    texts = [(u["text"], bool(u.get("hit"))) for u in m["around"]]
    # what it summarised, the summary (marked), and the answer; not the lines near 90 s
    assert texts[-3:] == [("Ik heb rust, ik hoef niet te reizen en ik zie mijn kinderen.", False),
                          ("Als ik je goed begrijp gaat het om rust en tijd.", True),
                          ("Ja, precies.", False)]
    md = render(events, "md")
    assert "- **1:02 Goede samenvatting · «✓ Samenvatting»** · seintje om 1:30\n" in md
    assert "  > → **Anna:** Als ik je goed begrijp gaat het om rust en tijd." in md


def test_an_argument_stack_marks_each_of_its_lines():
    lines = [("coachee", 1.0, 4.0, "Het is beter voor het team."),
             ("coachee", 4.5, 8.0, "Bovendien zie je elkaar weer."),
             ("coachee", 8.5, 12.0, "En daarnaast is de koffie beter."),
             ("partner", 12.5, 14.0, "Hm.")]
    events = [SessionStarted(session="s", lang="nl", coachee="Anna", partner="Bert")]
    for speaker, t0, t1, text in lines:
        events.append(TranscriptFinal(t=t1 + 0.5, speaker=speaker, t0=t0, t1=t1, text=text))
    events.append(NudgeIssued(t=12.5, rule="argument-stacking", message="Stop: stel een vraag",
                              evidence_t=1.0))
    (m,) = build(events)["moments"]
    assert [(u["text"][:10], bool(u.get("hit"))) for u in m["around"]] == [
        ("Het is bet", True), ("Bovendien ", True), ("En daarnaa", True), ("Hm.", False)]


def test_a_proposal_before_any_summary_is_premature():
    events = [SessionStarted(session="x"),
              TranscriptFinal(t=3, speaker="coachee", t0=1, t1=2, text="Zullen we gaan?")]
    from pullcoach.rules.events import UtteranceLabeled
    events.append(UtteranceLabeled(t=3, speaker="coachee", t0=1, t1=2, text="Zullen we gaan?",
                                   labels={"proposal": True}))
    (step,) = build(events)["route"]
    assert step["step"] == "voorstel" and step["premature"]


def test_html_is_self_contained_escaped_and_dutch():
    html = render(session_events(), "html")
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">") in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "<svg" in html and "Gespreksverslag" in html and "Spreektijd coachee" in html
    assert "47%" in html and "2 : 3 <small>0,7 reflecties per vraag</small>" in html
    assert '<div class="tl-scroll"><svg' in html  # on a phone the timeline scrolls, legible
    assert "Laat uitpraten; vat daarna samen." in html  # the pull alternative
    assert "Hier kantelt het gesprek" in html  # the bookmark
    assert "Alleen gebeurtenissen" in html and "Niets heeft deze computer verlaten" in html


def test_a_long_conversation_keeps_a_legible_timeline_in_strips_on_the_page():
    """A 20-minute call showed its first 10 minutes and scrolled the rest out of sight (no
    scrollbar on a laptop): the second half, where a coachee may have improved, went unseen.
    Now it is cut into strips the page's width, one under the other, at the same scale."""
    from pullcoach.timeline_svg import ROWS, strips, timeline_svg
    names = {"coachee": "Anna", "partner": "Bert", "summary": "samenvatting", "title": "tijdlijn"}

    def svg(minutes, nudge_at=()):
        speech = [(t, t + 3.0) for t in range(0, int(minutes * 60), 8)]
        report = {"session": {"lang": "nl", "duration": minutes * 60.0},
                  "speech": {"coachee": speech, "partner": speech[1::2]}, "overlaps": [],
                  "nudges": [{"t": t, "rule": "push-words", "message": "Moeten?", "kind": "negative",
                              "delivered": True, "evidence_t": t, "detail": {}} for t in nudge_at],
                  "summaries": [], "bookmarks": []}
        return timeline_svg(report, names)
    short, long = svg(8), svg(20, nudge_at=(300.0, 900.0))
    assert 'viewBox="0 0 960 132" width="100%"' in short  # up to 10 min: one strip
    assert strips(1200.0) == [(0.0, 600.0), (600.0, 1200.0)]
    assert strips(1292.0) == [(0.0, 480.0), (480.0, 960.0), (960.0, 1440.0)]  # whole minutes
    # 20 min: two strips the page's width, no sideways scrolling, the same scale as 10 min
    assert 'viewBox="0 0 960 278" width="100%"' in long
    first, second = long.split('<g class="strip">')[1:]
    labels = re.findall(r'>(\d+:\d\d)</text>', first), re.findall(r'>(\d+:\d\d)</text>', second)
    assert labels[0][0] == "0:00" and labels[0][-1] == "10:00"
    assert labels[1][0] == "10:00" and labels[1][-1] == "20:00"
    # the push at 15:00 is in the second strip, halfway along, 146 units down
    marks = re.findall(r'<path d="M([\d.]+),(\d+) ', long)
    assert [(float(x), int(y)) for x, y in marks] == [(124 + 412 - 6, ROWS["nudges"][0]),
                                                      (124 + 412 - 6, ROWS["nudges"][0] + 146)]
    bar = re.search(r'<rect x="[\d.]+" y="32" width="([\d.]+)"', first.split("</text>", 4)[-1])
    assert float(bar.group(1)) >= 4.0  # a 3 s turn is a bar, not a sliver


def test_later_moments_of_a_kind_are_listed_by_time_so_a_long_report_stays_readable():
    """A 20-minute call had 68 moments (47 folded, one line each: a wall). The first three of
    a kind are shown whole; the rest of that kind is one line of times, each a link to its
    line in the transcript, whose ▼ links back to it."""
    events = session_events()
    end = events.pop()  # the session's end stays last
    events += [NudgeIssued(t=ev + 4.0, rule="push-words", message="Moeten?", evidence_t=ev, speaker="coachee")
               for ev in (31.5, 45.0, 84.5, 88.5)]  # four more of the coachee's lines
    html = render([*events, end], "html")
    moments = html.split("Momenten die ertoe doen</h2>")[1].split("<h2>")[0]
    pushes = [m for m in moments.split('<div class="moment') if "«Moeten?»" in m]
    assert len(pushes) == 3 and all("Pull-alternatief" in m for m in pushes)
    more = re.search(r'<div class="moment more kind-negative">.*?</div></div></div>', moments).group(0)
    # how many in all, shown above and listed; the card counts the one line labelled push
    assert '<h3 class="what">Pushwoord, 5 keer in totaal · 3 hierboven · de andere 2 (de kaart telt 1):</h3>' in more
    line = {u["t0"]: i for i, u in enumerate(build([*events, end])["utterances"])}
    assert (f'<a id="moment-6" href="#line-{line[84.5]}">1:24</a> · '
            f'<a id="moment-7" href="#line-{line[88.5]}">1:28</a>') in more
    assert f'<div class="line" id="line-{line[84.5]}">' in html and 'href="#moment-6">▼ Pushwoord' in html
    md = render([*events, end], "md")
    assert md.count("Pushwoord · «Moeten?»") == 3
    assert "- **Pushwoord, 5 keer in totaal · 3 hierboven · de andere 2 (de kaart telt 1):** 1:24 · 1:28" in md


def test_html_in_english_and_privacy_variants():
    html = render(session_events(lang="en"), "html", audio_kept=True, remote="asr.example.org")
    assert "Conversation report" in html and "Coachee talk share" in html
    assert "audio per channel (FLAC)" in html and "asr.example.org" in html
    assert "Let them finish; then summarise." in html


def test_an_interrupted_session_still_reports():
    events = session_events(ended=False)
    r = build(events)
    assert r["session"]["status"] == "interrupted"
    assert r["session"]["duration"] == pytest.approx(95.6)  # the last event: the final transcript of 92.5-95.0
    html = render(events, "html")
    assert "Onderbroken opname" in html and "Dat is goed." in html


def test_a_session_revived_after_a_server_restart_says_where():
    events = session_events()
    events.insert(len(events) // 2, PipelineWarning(t=61.2, kind="session-resumed", message="restarted"))
    assert "De server is op 1:01 herstart" in render(events, "html")
    assert "> De server is op 1:01 herstart" in render(events, "md")
    assert "herstart" not in render(session_events(), "md")
    # killed together with its capture: 40 s of audio never arrived, and the banner says so
    events = session_events()
    events.insert(len(events) // 2, PipelineWarning(t=61.2, kind="session-resumed", message="restarted",
                                                    detail={"resumed_at": 101.6, "open": []}))
    assert "> De server is op 1:01 herstart en 40 s audio daarna kwam nooit aan" in render(events, "md")


def test_a_session_in_the_other_language_says_so_and_how_to_start_the_next():
    from types import SimpleNamespace

    from pullcoach.session import LiveSession
    asr = SimpleNamespace(config=SimpleNamespace(workers=1))  # never called: finals come in as text
    session = LiveSession(None, transcriber=asr, lang="nl")
    sent = []
    session.add_sink(lambda sid, e: sent.append(e))
    english = ["Morning Sam, I want to talk to you about working from home.",
               "Everyone has to come back to the office, because the team is falling apart.",
               "Besides, it is good for the team and we pay for all those desks.",
               "Have you tried leaving earlier? You should just take the train."]
    for i, text in enumerate(english * 2):
        session._dispatch(TranscriptFinal(t=3.0 * i + 3, speaker="coachee", t0=3.0 * i, t1=3.0 * i + 2, text=text))
    said = [e for e in sent if isinstance(e, PipelineWarning)]
    assert len(said) == 1 and said[0].kind == "language" and "--lang en" in said[0].message
    assert said[0].t < 12  # as soon as the words tell, once
    events = session_events()
    events.insert(len(events) // 2, said[0])
    assert "Het gesprek klonk Engels, maar werd met de Nederlandse regels gecoacht" in render(events, "html")
    # Dutch in a Dutch session: nothing
    session = LiveSession(None, transcriber=asr, lang="nl")
    sent.clear()
    session.add_sink(lambda sid, e: sent.append(e))
    for i, text in enumerate(["Ik wil het met je hebben over thuiswerken, want dat is voor ons allemaal belangrijk.",
                              "Wat maakt het voor jou zo fijn om thuis te werken en niet op kantoor?"] * 3):
        session._dispatch(TranscriptFinal(t=3.0 * i + 3, speaker="coachee", t0=3.0 * i, t1=3.0 * i + 2, text=text))
    assert not [e for e in sent if isinstance(e, PipelineWarning)]


def test_a_silent_channel_and_one_mic_on_both_are_dated_in_the_report():
    events = session_events()
    warn = [PipelineWarning(t=45.0, kind="channel-silent", message="no sound",
                            detail={"speaker": "partner", "reason": "no-sound", "seconds": 20.0}),
            PipelineWarning(t=52.3, kind="channel-ok", message="sound again", detail={"speaker": "coachee"}),
            PipelineWarning(t=63.9, kind="channel-ok", message="sound again", detail={"speaker": "partner"}),
            PipelineWarning(t=70.0, kind="channels-same", message="same", detail={"share": 0.9}),
            PipelineWarning(t=75.0, kind="asr-error", message="could not transcribe", detail={})]
    events[len(events) // 2:len(events) // 2] = warn
    r = build(events)
    assert r["problems"] == [
        {"kind": "channel-silent", "speaker": "partner", "reason": "no-sound", "cause": None,
         "t0": 25.0, "t1": 63.9},
        {"kind": "channels-same", "speaker": None, "reason": None, "cause": None, "t0": 70.0, "t1": None}]
    html, md = render(events, "html"), render(events, "md")
    assert "Van 0:25 tot 1:03 kwam er geen enkel geluid van Bert" in html
    assert "> Vanaf 1:10 hoorden beide kanalen hetzelfde geluid (één microfoon dubbel" in md  # no cause
    en = render([SessionStarted(t=0.0, session="s", lang="en", wall_clock=0.0, coachee="Ann", partner="Bo"),
                 PipelineWarning(t=31.0, kind="channel-silent", message="no speech",
                                 detail={"speaker": "partner", "reason": "no-speech", "seconds": 30.0}),
                 PipelineWarning(t=40.0, kind="channel-stalled", message="stalled", detail={"speaker": "coachee"})],
                "md")
    assert "From 0:00 on no speech came from Bo (the wrong device?)" in en
    assert "From 0:40 on no audio arrived from Ann" in en
    assert "geen enkel geluid" not in render(session_events(), "html")


def test_the_report_says_why_both_channels_carried_the_same_sound():
    def report(lang, cause):
        return render([SessionStarted(t=0.0, session="s", lang=lang, wall_clock=0.0),
                       PipelineWarning(t=8.0, kind="channels-same", message="same",
                                       detail={"share": 0.9, "cause": cause}),
                       PipelineWarning(t=60.0, kind="channels-apart", message="apart", detail={})], "md")
    assert ("één ingang werd dubbel opgenomen (kies voortaan voor één spreker een ander apparaat)"
            in report("nl", "one-input"))
    assert "(draag voortaan een headset)" in report("nl", "acoustic")
    assert "one input was recorded twice (next time pick another device" in report("en", "one-input")
    assert "the mic picked up the other side as loudly as you (next time wear a headset)" in report("en", "acoustic")
    assert "(one mic twice, or speakers too loud)" in report("en", "new-one")   # unknown: the generic words
    assert build([PipelineWarning(t=8.0, kind="channels-same", message="same",
                                  detail={"cause": "acoustic"})])["problems"][0]["cause"] == "acoustic"


def test_the_report_says_a_replayed_file_broke_off():
    """A partner's file that broke during a replay is named as such, not as a device gone."""
    def report(lang):
        return render([SessionStarted(t=0.0, session="s", lang=lang, wall_clock=0.0, partner="Bo"),
                       PipelineWarning(t=25.3, kind="channel-stalled", message="broken",
                                       detail={"speaker": "partner", "cause": "file-broken"})], "md")
    nl, en = report("nl"), report("en")
    assert "Vanaf 0:25 ontbreekt de audio van Bo: het bestand brak daar af" in nl
    assert "apparaat weg" not in nl
    assert "From 0:25 on the audio of Bo is missing: the file broke off there" in en
    # a capture's replay tells the file's name: the line says which file to look at
    named = render([SessionStarted(t=0.0, session="s", lang="nl", wall_clock=0.0, partner="Bo"),
                    PipelineWarning(t=25.3, kind="channel-stalled", message="broken",
                                    detail={"speaker": "partner", "cause": "file-broken",
                                            "file": "bo.flac"})], "md")
    assert "ontbreekt de audio van Bo: het bestand (bo.flac) brak daar af" in named


def test_a_replayed_file_with_one_sound_on_both_channels_is_said_of_the_file():
    """A stereo recording whose channels carry the same sound: the report speaks of the
    recording (a mono file saved as stereo), not of a device to pick next time."""
    def report(lang, detail):
        return render([SessionStarted(t=0.0, session="s", lang=lang, wall_clock=0.0),
                       PipelineWarning(t=8.0, kind="channels-same", message="same", detail=detail)], "md")
    nl = report("nl", {"cause": "one-input", "files": ["rec.wav"]})
    assert "droegen beide kanalen van de opname hetzelfde geluid (een mono-opname als stereo opgeslagen?)" in nl
    assert "ander apparaat" not in nl
    en = report("en", {"cause": "one-input", "files": ["rec.wav"]})
    assert "give the coachee's and the partner's recordings as two files" in en
    # two files with one sound: one recording given twice, not a mono file saved as stereo
    two = report("nl", {"cause": "one-input", "files": ["a.wav", "b.wav"]})
    assert "droegen de twee opnames hetzelfde geluid (één opname twee keer gegeven?)" in two
    assert "mono-opname" not in two
    # live devices keep their words
    assert "kies voortaan voor één spreker een ander apparaat" in report("nl", {"cause": "one-input"})


def test_a_replay_file_silent_or_broken_on_the_coachee_side_is_said_of_the_file():
    """A silent replayed file is asked about as a recording (not a device muted); the
    coachee's file breaking ends the report there (its side did not go on as silence)."""
    def report(lang, *warnings):
        return render([SessionStarted(t=0.0, session="s", lang=lang, wall_clock=0.0, coachee="Anna",
                                      partner="Bram"), *warnings], "md")
    silent = PipelineWarning(t=20.0, kind="channel-silent", message="no sound",
                             detail={"speaker": "partner", "reason": "no-sound", "seconds": 20.0,
                                     "files": ["partner.wav"]})
    nl = report("nl", silent)
    assert "kwam er geen enkel geluid van Bram (was die kant wel opgenomen?)" in nl
    assert "verkeerd apparaat" not in nl
    assert "(was that side recorded?)" in report("en", silent)
    broke = PipelineWarning(t=2.3, kind="channel-stalled", message="broken",
                            detail={"speaker": "coachee", "cause": "file-broken"})
    nl = report("nl", broke)
    assert "Vanaf 0:02 ontbreekt de rest: het bestand van Anna brak daar af" in nl
    assert "telt als stilte" not in nl


def test_hostile_names_and_nudge_text_are_escaped():
    events = session_events()
    events[0] = SessionStarted(session="s<1>", lang="nl", coachee="<b>A</b>", partner="B&B")
    events.append(NudgeIssued(t=50, rule="<img src=x>", message="\"><script>x</script>",
                              kind="trainer"))
    html = render(events, "html")
    assert "<b>A</b>" not in html and "&lt;b&gt;A&lt;/b&gt;" in html
    assert "<img" not in html and "<script" not in html and "B&amp;B" in html


def test_markdown_has_figures_moments_and_escapes_markup():
    md = render(session_events(), "md")
    assert md.startswith("# Gespreksverslag")
    assert "| 🟡 Spreektijd coachee | **47%** (≈ redelijk) |" in md
    assert "Pull-alternatief: Laat uitpraten; vat daarna samen." in md
    assert "\\<script\\>" in md and "<script>" not in md


def test_vtt_has_voice_tags_and_escaped_text():
    vtt = render(session_events(), "vtt")
    assert vtt.startswith("WEBVTT\n")
    assert "00:00:01.000 --> 00:00:09.000\n<v Anna>We moeten echt" in vtt
    assert "<v Bert>Nee. &lt;script&gt;" in vtt
    assert vtt.count("<v ") == 15


def test_json_is_plain_data():
    data = json.loads(render(session_events(), "json"))
    assert data["session"]["id"] == "rollenspel-1"
    assert data["figures"]["open_questions"]["value"] == pytest.approx(2 / 3)
    assert len(data["utterances"]) == 15 and len(data["nudges"]) == 5
    assert data["stored"] == {"events": True, "audio": False, "remote": None}


def test_no_reflections_or_questions_gives_no_rating_not_a_crash():
    events = [SessionStarted(session="quiet")]
    r = build(events)
    assert r["figures"]["reflections_questions"]["rating"] == "none"
    for fmt in ("html", "md", "json", "vtt"):
        assert render(events, fmt)


def test_unknown_format_and_write(tmp_path):
    with pytest.raises(ConfigError, match="html, md, json, vtt"):
        render(session_events(), "pdf")
    path = write(session_events(), tmp_path / "r.vtt")
    assert path.read_text(encoding="utf-8").startswith("WEBVTT")


def test_write_session_report_from_the_store(tmp_path):
    from pullcoach.report import write_session_report
    from pullcoach.store import Store
    with Store(tmp_path) as store:
        for e in session_events():
            store.append("rollenspel-1", e)
        path = write_session_report(store, "rollenspel-1")
    assert path == tmp_path / "reports" / "rollenspel-1.html"
    assert "Gespreksverslag" in path.read_text(encoding="utf-8")


def test_a_log_without_rule_output_does_not_claim_zero_is_good():
    events = [e for e in session_events()
              if not isinstance(e, (NudgeIssued,)) and type(e).__name__ != "UtteranceLabeled"]
    r = build(events)
    assert r["analysed"] is False
    f = r["figures"]
    assert (f["push_words"]["value"], f["push_words"]["rating"]) == (None, "none")
    assert f["talk_share"]["rating"] == "fair"  # still measured from speech
    assert "geen labels of seintjes" in render(events, "html")


def test_overlap_classes_come_from_the_engine_metrics_when_given():
    events = session_events() + [MetricsUpdated(t=95.9, metrics={
        "overlaps_by_coachee": {"backchannel": 3, "competitive": 1},
        "overlaps_by_partner": {"failed": 2}})]
    f = build(events)["figures"]["interruptions"]
    assert f["classes"] == {"backchannel": 3, "competitive": 1}
    assert f["partner_classes"] == {"failed": 2}
    assert (f["value"], f["cut_in"], f["tried"], f["not_counted"]) == (1, 1, 0, {"backchannel": 3})
    html = render(events, "html")
    # the number is the interruptions; the backchannels are said to be left out of it
    assert ("<div class=\"value\">1 <small>1 keer ingebroken</small></div>" in html
            and "doel 0 · niet meegeteld: 3 luistersignalen (‘ja’, ‘hm’) · door partner: 0" in html)


def test_a_withdrawn_nudge_is_not_in_the_report():
    base = build(session_events())
    events = session_events() + [
        NudgeIssued(t=50.7, rule="interruption", message="Laat uitpraten", evidence_t=50.0),
        NudgeWithdrawn(t=51.2, rule="interruption", evidence_t=50.0, reason="backchannel",
                       message="Laat uitpraten")]
    r = build(events)
    assert r["figures"]["interruptions"]["value"] == base["figures"]["interruptions"]["value"] == 1
    assert [n["t"] for n in r["nudges"]] == [n["t"] for n in base["nudges"]]
    assert [m["nudge"]["t"] for m in r["moments"]] == [m["nudge"]["t"] for m in base["moments"]]
    assert r["withdrawn"] == [{"t": 51.2, "rule": "interruption", "evidence_t": 50.0, "reason": "backchannel"}]
    assert render(events, "html").count("Laat uitpraten") == render(session_events(), "html").count("Laat uitpraten")


def test_a_nudge_too_late_to_show_says_why():
    events = [*session_events()]
    events.append(NudgeIssued(t=40.0, rule="push-words", message="Moeten?", evidence_t=31.5,
                              delivered=False, detail={"late_s": 8.5}))
    md = render(events, "md")
    assert "(alleen voor het verslag: de transcriptie liep 8 s achter)" in md
    assert "report only: transcription was 8 s behind" in render(session_events(lang="en") + events[-1:], "html")


def test_a_report_asked_for_while_the_session_runs_says_so_not_interrupted():
    running = session_events(ended=False)
    md = render(running, "md", live=True)
    assert "> Dit gesprek loopt nog: het verslag loopt tot 1:35" in md
    assert "Onderbroken" not in md
    assert "> Onderbroken opname" in render(running, "md")  # no end and not running: cut off


def test_transcription_briefly_behind_is_no_banner_a_long_stretch_is():
    def problems(*spans):
        warn = []
        for t0, t1 in spans:
            warn.append(PipelineWarning(t=t0, kind="asr-behind", message="behind", detail={"lag_s": 3.1}))
            if t1 is not None:
                warn.append(PipelineWarning(t=t1, kind="asr-caught-up", message="caught up", detail={}))
        return build([SessionStarted(t=0.0, session="s", wall_clock=0.0), *warn,
                      SessionEnded(t=120.0, reason="ended")])["problems"]
    assert problems((12.0, 12.4)) == []  # "Van 0:12 tot 0:12" said nothing
    # dated from the speech not yet transcribed when it was said (a moment at 0:30 already said
    # "transcriptie liep 8 s achter" under a banner "Vanaf 0:38")
    assert [(p["t0"], p["t1"]) for p in problems((12.0, 12.4), (30.0, 52.0), (80.0, None))] == [
        (26.9, 52.0), (76.9, None)]


def test_transcription_briefly_behind_at_the_end_is_left_out_as_when_it_caught_up():
    """Two role-plays on one serve fell behind at 1:18: the English one (one final waiting)
    caught up 2 s later, the Dutch one (two waiting) was still behind when it ended 3 s
    later. Neither is worth a line, in the report or the debrief; a lag that ran on is."""
    from pullcoach.debrief import build_debrief
    from pullcoach.debrief_render import render_debrief_md

    def session(lang, waiting, caught_up, end):
        evs = [SessionStarted(t=0.0, session=f"s-{lang}", wall_clock=1.0, lang=lang, coachee="Anna"),
               PipelineWarning(t=78.2, kind="asr-behind", message="behind",
                               detail={"lag_s": 3.2, "waiting": waiting})]
        if caught_up is not None:
            evs.append(PipelineWarning(t=caught_up, kind="asr-caught-up", message="caught up"))
        return [*evs, SessionEnded(t=end, reason="ended")]

    en, nl = session("en", 1, 80.3, 81.5), session("nl", 2, None, 81.5)
    assert build(en)["problems"] == build(nl)["problems"] == []
    assert "transcriptie liep achter" not in render(nl, "md")
    assert "transcriptie liep achter" not in render_debrief_md(build_debrief([build(nl)]))
    assert "ran behind" not in render(en, "md")
    ran_on = session("nl", 2, None, 95.0)  # behind for the last 17 s
    assert [(p["t0"], p["t1"]) for p in build(ran_on)["problems"]] == [(75.0, None)]
    assert "Vanaf 1:15 liep de transcriptie achter" in render(ran_on, "md")
    assert "transcriptie liep achter" in render_debrief_md(build_debrief([build(ran_on)]))


def test_the_partners_lines_carry_no_coachee_codes():
    events = [SessionStarted(session="s", lang="en", coachee="Ann", partner="Bo"),
              TranscriptFinal(t=3.0, speaker="partner", t0=0.0, t1=2.5, text="I drink to relax."),
              TranscriptFinal(t=6.0, speaker="coachee", t0=3.0, t1=5.5, text="You have to stop.")]
    from pullcoach.rules.events import UtteranceLabeled
    events += [UtteranceLabeled(t=3.0, speaker="partner", t0=0.0, t1=2.5, text="I drink to relax.",
                                labels={"input": True, "reflection": True}),
               UtteranceLabeled(t=6.0, speaker="coachee", t0=3.0, t1=5.5, text="You have to stop.",
                                labels={"push": True, "input": True})]
    md = render(events, "md")
    assert "**Bo:** I drink to relax.\n" in md
    assert "**Ann:** You have to stop. _[" in md


def test_a_captured_session_says_its_audio_went_to_the_trainers_server():
    local = render([SessionStarted(session="s", lang="nl")], "md")
    assert "Niets heeft deze computer verlaten." in local
    captured = render([SessionStarted(session="s", lang="nl", via="capture")], "md")
    assert "De audio ging van de laptop van het paar naar de pullcoach-server van de trainer" in captured
    assert "Niets heeft deze computer verlaten." not in captured


def test_a_too_few_summaries_moment_shows_where_it_fired_not_the_last_summary():
    lines = [("coachee", 1.0, 4.0, "Als ik je goed begrijp wil je rust."),
             ("partner", 5.0, 60.0, "Ja, en verder ..."),
             ("coachee", 125.0, 130.0, "We moeten ook nog over de planning praten.")]
    events = [SessionStarted(session="s", lang="nl", coachee="Anna", partner="Bert")]
    for speaker, t0, t1, text in lines:
        events.append(TranscriptFinal(t=t1 + 0.5, speaker=speaker, t0=t0, t1=t1, text=text))
    events.append(NudgeIssued(t=131.0, rule="too-few-summaries", message="Vat samen", evidence_t=4.0))
    events.append(NudgeIssued(t=132.0, rule="trainer", message="Vraag door", kind="trainer"))
    summ, trainer = build(events)["moments"]
    assert summ["t"] == 131.0 and [u["text"][:10] for u in summ["around"]] == ["We moeten "]
    assert not any(u.get("hit") for u in summ["around"])  # no line set it off: a stretch did
    assert trainer["t"] == 132.0  # the trainer's nudge, when it was sent


def test_a_line_whisper_doubted_is_marked_as_heard_with_doubt():
    from pullcoach.rules.events import Word
    events = [SessionStarted(session="s", lang="nl", coachee="Anna", partner="Bert"),
              TranscriptFinal(t=1.0, speaker="partner", t0=0.5, t1=0.85, text="Kahnem.",
                              words=(Word(text="Kahnem.", start=0.5, end=0.85, p=0.34),)),
              TranscriptFinal(t=4.0, speaker="coachee", t0=1.0, t1=3.5, text="Wat bedoel je?",
                              words=(Word(text="Wat", start=1.0, end=1.3, p=0.95),
                                     Word(text="bedoel", start=1.3, end=2.0, p=0.9),
                                     Word(text="je?", start=2.0, end=2.4, p=0.92)))]
    md = render(events, "md")
    assert "**Bert:** Kahnem. (?)" in md and "**Anna:** Wat bedoel je?\n" in md
    assert "(?) = onzeker verstaan" in md
    assert '<span class="unsure" title="onzeker verstaan: de spraakherkenning twijfelde">Kahnem. (?)' in render(events, "html")
    assert "onzeker verstaan" not in render(session_events(), "md")  # no words, no doubt


def test_a_nudge_shown_while_no_overlay_was_open_is_marked_unseen():
    """A capture's session counts the overlays each nudge reached (``detail.overlays``): one
    that reached none was sent, but nobody saw it; an old log without the count is not marked."""
    def with_counts(lang):
        return [*session_events(lang=lang),
                NudgeIssued(t=40.0, rule="push-words", message="Moeten?", evidence_t=39.0,
                            detail={"overlays": 0}),
                NudgeIssued(t=70.0, rule="push-words", message="Moeten?", evidence_t=69.0,
                            detail={"overlays": 1})]
    md = render(with_counts("nl"), "md")
    assert md.count("(niet gezien: geen overlay open)") == 1
    assert '<span class="badge">niet gezien: geen overlay open</span>' in render(with_counts("nl"), "html")
    assert "(not seen: no overlay open)" in render(with_counts("en"), "md")
    assert "niet gezien" not in render(session_events(), "md")
    # the report's timeline draws it hollow, as a nudge not shown live, and its tip says why
    import re as _re
    tips = _re.findall(r'fill="([^"]+)"[^>]*><title>([^<]*Moeten\?[^<]*)</title>', render(with_counts("nl"), "html"))
    assert ("#ffffff", "0:40 Pushwoord · «Moeten?» (niet gezien: geen overlay open)") in tips


def test_a_trainers_focus_is_dated_in_the_report_and_held_nudges_say_why():
    from dataclasses import replace

    from pullcoach.rules.events import FocusChanged
    events = session_events()
    first = next(i for i, e in enumerate(events) if isinstance(e, NudgeIssued) and e.kind == "negative")
    held = events[first]
    events[first] = replace(held, delivered=False, detail={**held.detail, "held": "focus"})
    events.insert(1, FocusChanged(t=0.0, rules=("too-few-summaries",), by="start", messages=("Vat samen",)))
    middle = len(events) // 2
    # the trainer clicks chips: three changes within seconds are one choice
    events[middle:middle] = [FocusChanged(t=50.0, rules=("interruption",), messages=("Laat uitpraten",)),
                             FocusChanged(t=53.0, rules=("interruption", "push-words")),
                             FocusChanged(t=55.0, rules=())]
    html = render(events, "html")
    # in the words the overlay showed; a change without them (an old log) in the rule pack's
    assert "<b>Focus live:</b> Vat samen (vanaf 0:00); alle seintjes (vanaf 0:55)" in html
    assert "alleen voor het verslag: buiten de focus" in html
    md = render(events, "md")
    assert "**Focus live:** Vat samen (vanaf 0:00); alle seintjes (vanaf 0:55)" in md
    assert "Focus live" not in render(session_events(), "html")  # no focus: no line
    assert build(events)["trainer_focus"] == [
        {"t": 0.0, "rules": ["too-few-summaries"], "messages": ["Vat samen"], "by": "start"},
        {"t": 55.0, "rules": [], "messages": [], "by": "trainer"}]
    events.insert(middle + 3, FocusChanged(t=80.0, rules=("interruption",)))
    assert "alle seintjes (vanaf 0:55); Laat uitpraten (vanaf 1:20)" in render(events, "html")


def test_a_session_in_the_other_language_leaves_out_the_wrong_rules_nudges_labels_and_route():
    # the Dutch rules on English words praised "You should just take the train" as a summary
    events = session_events()
    events.insert(len(events) // 2, PipelineWarning(t=12.0, kind="language", message="English",
                                                    detail={"heard": "en", "lang": "nl"}))
    r = build(events)
    assert [n["rule"] for n in r["nudges"]] == ["interruption"]  # the sound's stays
    assert [m["nudge"]["rule"] for m in r["moments"]] == ["interruption"]
    assert r["route"] is None and not any(u["labels"] for u in r["utterances"])
    md, html = render(events, "md"), render(events, "html")
    for page in (md, html):
        assert "De pull-route" not in page and "Goede samenvatting" not in page
        assert "Laat uitpraten" in page and "zijn weggelaten" in page
    assert "[open vraag" not in md and "[reflectie" not in md
    # the same session in its own language keeps them all
    right = build(session_events())
    assert len(right["nudges"]) == 5 and right["route"] and "De pull-route" in render(session_events(), "md")


def test_a_session_the_rules_never_judged_says_so_without_claiming_what_was_measured():
    # (it said "only talk time and rate were measured" where both were "—" too)
    events = [SessionStarted(t=0.0, session="s", lang="nl", wall_clock=0.0),
              TranscriptFinal(t=3.0, speaker="coachee", t0=0.5, t1=2.5, text="Goedemorgen."),
              SessionEnded(t=4.0)]
    assert not build(events)["analysed"]
    for fmt in ("md", "html"):
        page = render(events, fmt)
        assert "De regels hebben dit gesprek niet beoordeeld" in page and "alleen spreektijd" not in page
    assert "The rules did not judge this conversation" in render(
        [SessionStarted(t=0.0, session="s", lang="en", wall_clock=0.0), SessionEnded(t=4.0)], "md")


def test_the_report_explains_its_words_at_the_end():
    # a manager reading "Herstelreflex", "Draaivraag" or "(MITI)" had no way to know them
    md, html = render(session_events(), "md"), render(session_events(), "html")
    glossary = md.split("## Woorden in dit verslag")[1]
    assert "- **Herstelreflex**: advies of informatie geven waar niet om gevraagd is" in glossary
    assert "- **Draaivraag**:" in glossary and "- **MITI**:" in glossary
    assert '<details class="glossary"><summary>Woorden in dit verslag</summary>' in html
    assert "<dt>Herstelreflex</dt>" in html
    en = render(session_events(lang="en"), "md")
    assert "## Terms used in this report" in en and "- **Righting reflex**:" in en
