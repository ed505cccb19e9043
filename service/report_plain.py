"""The post-call report as Markdown and as WebVTT (``<v Speaker>`` cues, each one's labels in a
``NOTE`` before it)."""

from __future__ import annotations

from pullcoach.report_html import (
    figure_cells, focus_lines, halves_rows, moments_on, privacy_line, progress_rows, repeats_title, transcript_marks,
    transcript_parts,
)
from pullcoach.rules.events import ALERT_KINDS
from pullcoach.report_text import (
    ALTERNATIVES, clock, count_text, focus_text, label_chips, lang_of, moment_title, not_delivered, problem_text,
    rating_text, roles, rule_title, speaker_names, status_text, warning_banners, when, words,
)
from pullcoach.report_data import moment_groups, repeats
from pullcoach.timeline_svg import span_text

__all__ = ["render_md", "render_vtt", "md_text", "MARKS"]

MARKS = {"good": "🟢", "fair": "🟡", "poor": "🔴", "none": "⚪"}


def md_text(text: str) -> str:
    """Text safe inside a Markdown line or table cell (no markup, no raw HTML)."""
    out = text.replace("\\", "\\\\").replace("\n", " ")
    for ch in "`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out


def render_md(report: dict, *, audio_kept: bool = False, remote: str | None = None,
              progress: dict | None = None) -> str:
    s = report["session"]
    lang = lang_of(s["lang"])
    w = words(lang)
    names = speaker_names(s, w)
    lines = [f"# {w['title']}", "",
             f"{when(s['wall_clock'], lang)} · {w['duration']} {clock(s['duration'])} · "
             f"{md_text(roles(names, w))}", ""]
    if trainer_focus := focus_text(report, w, lang):
        lines += [f"**{md_text(w['trainer_focus'])}:** {md_text(trainer_focus)}", ""]
    if banner := status_text(s, w):
        lines += [f"> {banner}", ""]
    for text in warning_banners(report, w, names):
        lines += [f"> {md_text(text)}", ""]
    for p in report["problems"]:
        lines += [f"> {md_text(problem_text(p, w, names))}", ""]
    for head, text in focus_lines(report, progress, w, lang):
        lines += [f"**{md_text(head)}:** {md_text(text)}", ""]
    lines += [f"## {w['figures']}", "", "| | | |", "|---|---|---|"]
    for key, rating, value, small, yard in figure_cells(report["figures"], w):
        val = f"{value} ({small})" if small else value
        said = rating_text(report["figures"][key], w)
        status = f" ({said})" if said else ""  # not by colour alone
        lines.append(f"| {MARKS[rating]} {w[key]} | **{md_text(val)}**{status} | {md_text(yard)} |")
    if not report["analysed"]:
        lines += ["", f"_{w['not_analysed']}_"]
    for head, rows in filter(None, [halves_rows(report, w, lang),
                                    progress and progress_rows(report, progress, w, lang)]):
        lines += ["", f"**{md_text(head)}**", ""]
        lines += [f"- {md_text(label)}: {md_text(before)} → {md_text(now)} ({word})"
                  for label, before, now, _, word in rows]
    lines += ["", f"## {w['moments']}", ""]
    alts = ALTERNATIVES[lang]
    if not report["moments"] and not report["bookmarks"]:
        lines.append(w["no_moments"])
    elif report["moments"]:
        lines += [f"_{md_text(w['moments_hint'])}_", ""]

    def about(n: dict, t: float) -> str:  # why it was not shown, when it came
        why = not_delivered(n, w)
        extra = f" _({why})_" if why else ""
        fired = f" · {w['fired'].format(t=clock(n['t']))}" if clock(n["t"]) != clock(t) else ""
        return f"{extra}{fired}"

    def alt(n: dict, indent: str) -> list[str]:
        return ([f"{indent}- {w['alternative']}: {alts[n['rule']]}"]
                if n["kind"] in ALERT_KINDS and n["rule"] in alts else [])

    groups = moment_groups(report["moments"])
    more = repeats(groups)
    left_out = {k for ks in more.values() for k in ks}
    marks = [(g["t"], 0, k) for k, g in enumerate(groups) if k not in left_out]
    marks += [(b["t"], 1, b) for b in report["bookmarks"]]  # in time order among them, as the HTML
    for _, what, k in sorted(marks, key=lambda x: (x[0], x[1])):
        if what == 1:
            note = f" — {md_text(k['note'])}" if k["note"] else ""  # the coachee's copy has no notes
            lines.append(f"- **{clock(k['t'])} {w['bookmark']}**{note}")
            continue
        g = groups[k]
        ms = g["moments"]
        if len(ms) == 1:
            n = ms[0]["nudge"]
            lines.append(f"- **{clock(g['t'])} {md_text(moment_title(n, lang))}**{about(n, g['t'])}")
        else:  # one line, several rules: the excerpt once
            lines.append(f"- **{clock(g['t'])} "
                         + md_text(" + ".join(dict.fromkeys(rule_title(m["nudge"], lang, detail=False) for m in ms))) + "**")
        for u in g["around"]:
            mark = "→ " if u.get("hit") else ""
            doubt = " (?)" if u.get("unsure") else ""
            lines.append(f"  > {mark}**{md_text(names[u['speaker']])}:** {md_text(u['text'])}{doubt}  ")
        if len(ms) == 1:
            lines += alt(ms[0]["nudge"], "  ")
        else:
            for m in ms:
                n = m["nudge"]
                lines.append(f"  - **{md_text(moment_title(n, lang))}**{about(n, g['t'])}")
                lines += alt(n, "    ")
    for rule, ks in more.items():  # after the first few of a kind: when it came again
        title = repeats_title(rule, groups, ks, w, lang, report["figures"])
        lines.append(f"- **{md_text(title)}** " + " · ".join(clock(groups[k]["t"]) for k in ks))
    if report["route"] is not None:  # (None: the words were the other language)
        lines += ["", f"## {w['route']}", ""]
        if report["route"]:
            lines.append(" → ".join(
                f"{w[r['step']]} {r['count']}× ({span_text(r['t0'], r['t1'])})"  # as the HTML's chip
                + (f" ⚠ {w['premature']}" if r["premature"] else "") for r in report["route"]))
        else:
            lines.append(w["no_route"])
    lines += ["", f"## {w['transcript']}", ""]
    if any(u.get("unsure") for u in report["utterances"]):
        lines += [md_text(w["unsure_note"]), ""]
    marks = transcript_marks(report, lang)
    parts = transcript_parts(report)
    for a, b, idx in parts:
        if len(parts) > 1 and idx:  # a long call's: a heading per timeline strip, for a viewer's outline
            n_marks = moments_on(marks, idx)
            lines += ["", f"### {span_text(a, b)}"
                      + (f" · ▼ {count_text(n_marks, w['tx_moments'])}" if n_marks else ""), ""]
        for i in idx:
            u = report["utterances"][i]
            chips = ", ".join(label_chips(u["labels"], lang, u["speaker"]))
            lines.append(f"- `{clock(u['t0'])}` **{md_text(names[u['speaker']])}:** {md_text(u['text'])}"
                         + (" (?)" if u.get("unsure") else "")
                         + (f" _[{md_text(chips)}]_" if chips else "")
                         + "".join(f" {md_text(mark)}" for _, mark, *_ in marks.get(i, ())))
    lines += ["", f"## {w['glossary']}", ""] + [f"- **{a}**: {b}" for a, b in w["glossary_items"]]
    lines += ["", "---", f"**{w['privacy']}:** {privacy_line(w, audio_kept, remote, s.get('via', ''))}", ""]
    return "\n".join(lines)


def _ts(t: float) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _vtt_text(text: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("-->", "--&gt;").replace("\n", " ")


def render_vtt(report: dict, **_: object) -> str:
    s = report["session"]
    lang = lang_of(s["lang"])
    names = speaker_names(s, words(lang))
    out = ["WEBVTT", ""]
    for i, u in enumerate(report["utterances"], 1):
        t1 = max(u["t1"], u["t0"] + 0.001)
        chips = label_chips(u["labels"], lang, u["speaker"])
        if chips:  # a comment before the cue: the cue is what was said, read back as such
            out += [_vtt_note(f"{i}: {', '.join(chips)}"), ""]
        voice = _vtt_text(names[u["speaker"]])  # the annotation runs to '>': spaces are fine
        out += [str(i), f"{_ts(u['t0'])} --> {_ts(t1)}",
                f"<v {voice}>{_vtt_text(u['text'])}</v>", ""]
    return "\n".join(out)


def _vtt_note(text: str) -> str:
    """A WebVTT comment block on one line (it may not hold "-->")."""
    return "NOTE " + " ".join(text.replace("-->", "->").split())
