"""Read timed transcripts (JSONL, WebVTT, SRT) and turn them into engine events.

- JSONL: one ``{"speaker", "start", "end", "text"}`` object a line (seconds).
- WebVTT: cues with ``<v Speaker>`` voice tags (Teams), or ``Speaker: text`` lines (Zoom).
- SRT: cues whose text starts with ``Speaker:`` or ``[Speaker]``.
- Plain text (.txt, a script or a copied transcript): ``Name: text`` lines, with or without
  a time (``[00:01:02] Name: text``, ``Name (1:02): text``), Otter's ``Name  1:02`` line
  above its text, Google Meet's bare ``00:05:00`` lines. Lines without a name go on the
  utterance above. What the times leave open is estimated at 150 words a minute
  (``Segment.estimated``).

A cue that carries on a sentence the cue before it left open (the same speaker, no gap,
lower case: Teams and Zoom split long turns) is joined to it, so the rules read the sentence.
A cue without words (empty, only ``[muziek]``, ``(laughter)`` or ``♪``) is left out.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pullcoach.errors import PullcoachError
from pullcoach.rules.events import (
    COACHEE, PARTNER, SpeechEnded, SpeechStarted, Tick, TranscriptFinal,
)

__all__ = ["Segment", "TranscriptError", "read_transcript", "parse_transcript", "to_events"]


class TranscriptError(PullcoachError):
    exit_code = 2


@dataclass(frozen=True, slots=True)
class Segment:
    speaker: str
    start: float
    end: float
    text: str
    estimated: bool = False  # times from a plain-text transcript's word count, not its stamps


AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".wma", ".webm", ".mp4")


def read_transcript(path: str | Path, *, skipped: list[float] | None = None) -> list[Segment]:
    """``skipped``: gets the start of each cue left out for having no words (``[muziek]``)."""
    p = Path(path)
    if p.is_dir():
        raise TranscriptError(f"{p} is a folder; give a transcript file in it (.jsonl, .vtt, .srt or .txt)")
    if p.suffix.lower() in AUDIO_SUFFIXES:
        raise TranscriptError(f"{p} is a recording, not a transcript: `pullcoach run --replay {p}` "
                              "coaches a stereo recording (two files: coachee's, partner's); analyze "
                              "reads .jsonl, .vtt, .srt or .txt")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TranscriptError(f"{p}: no such file; give the path of a .jsonl, .vtt, .srt or .txt transcript") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{p}: cannot read it as UTF-8 text ({exc}); export the transcript as UTF-8") from None
    return parse_transcript(text, name=str(p), suffix=p.suffix.lower(), skipped=skipped)


def parse_transcript(text: str, *, name: str = "transcript", suffix: str = "",
                     skipped: list[float] | None = None) -> list[Segment]:
    skipped = [] if skipped is None else skipped
    head = text.lstrip()
    if suffix == ".vtt" or head.startswith("WEBVTT"):
        segs = _join_split(_cues(text, name, vtt=True, skipped=skipped))
    elif suffix == ".srt" or (suffix not in (".jsonl", ".json") and "-->" in text and not head.startswith("{")):
        segs = _join_split(_cues(text, name, vtt=False, skipped=skipped))
    elif suffix in (".jsonl", ".json") or head.startswith("{"):
        segs = _jsonl(text, name)
    elif suffix in (".txt", ".md", "") and _plain_lines(text):
        segs = _plain(text)
    else:
        raise TranscriptError(f"{name}: unknown transcript format; use JSONL, WebVTT (.vtt), SRT (.srt) "
                              "or text with 'Name: text' lines (.txt)")
    if not segs and skipped:
        raise TranscriptError(f"{name}: no utterances found: its {len(skipped)} cue(s) hold no words "
                              "(only sound tags such as [music], or empty)")
    if not segs:
        raise TranscriptError(f"{name}: no utterances found; check that the file is a timed transcript")
    return _rebased(sorted(segs, key=lambda s: (s.start, s.end)), name)


DAY_S = 86_400.0  # a first start later than this is a clock time (epoch seconds), not an offset
MAX_S = 12 * 3600.0  # no conversation to coach runs longer


def _rebased(segs: list[Segment], name: str) -> list[Segment]:
    """Times as seconds from the conversation's start: clock times (epoch seconds) are moved
    to start at 0; a span of more than 12 hours is refused (it would be ticked through)."""
    first = segs[0].start
    if first > DAY_S:
        segs = [dataclasses.replace(s, start=s.start - first, end=s.end - first) for s in segs]
    last = max(s.end for s in segs)
    if last > MAX_S:
        raise TranscriptError(f"{name}: the times run to {last / 3600:.0f} hours; give times in seconds "
                              "from the start of the conversation (at most 12 hours)")
    return segs


def _jsonl(text: str, name: str) -> list[Segment]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        seg = _json_line(line, f"{name}:{n}")
        _check(seg, f"{name}:{n}")
        out.append(seg)
    return out


JSONL_FIELDS = ("speaker", "start", "end", "text")
JSONL_HINT = ('each line is one object with speaker, start, end (seconds) and text: {"speaker": "Anna", '
              '"start": 0.0, "end": 2.4, "text": "Hoe gaat het?"}')


def _json_line(line: str, where: str) -> Segment:
    """One JSONL line as a Segment; a TranscriptError naming what is wrong with it."""
    try:
        d = json.loads(line)
    except ValueError as exc:
        raise TranscriptError(f"{where}: not JSON ({exc.msg} at column {exc.colno}); {JSONL_HINT}") from None
    if not isinstance(d, dict):
        raise TranscriptError(f"{where}: a JSON {type(d).__name__}, not an object; {JSONL_HINT}")
    missing = [k for k in JSONL_FIELDS if k not in d]
    if missing:
        raise TranscriptError(f"{where}: no {', '.join(repr(k) for k in missing)}; {JSONL_HINT}")
    times = []
    for key in ("start", "end"):
        try:
            times.append(float(d[key]))
        except (TypeError, ValueError):
            raise TranscriptError(f"{where}: {key} {d[key]!r} is not a number of seconds; "
                                  f"{JSONL_HINT}") from None
    return Segment(str(d["speaker"]), times[0], times[1], str(d["text"]))


_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>|(?=<v[\s.])|$)", re.S)
_NAMED = re.compile(r"^\s*(?:\[([^\]]{1,60})\]|([^:<>\d][^:<>]{0,59}):)\s*(.*)$", re.S)
_TAG = re.compile(r"<[^>]+>")
_TIME_ONLY = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
# "00:00:04.000 -> 00:00:05.000": a cue timing whose arrow is mistyped
_ARROWLESS = re.compile(rf"^\s*{_TIME_ONLY}\s*[-–—=>→]*\s*{_TIME_ONLY}(?:\s|$)")


def _seconds(m: re.Match) -> float:
    h, mnt, s, frac = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """The blocks between empty lines: each its non-empty lines with their numbers (from 1)."""
    out: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if line.strip():
            out[-1].append((n, line))
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


def _timing_hint(vtt: bool) -> str:
    return ("00:00:01.000 --> 00:00:04.000" if vtt else "00:00:01,000 --> 00:00:04,000")


def _cues(text: str, name: str, *, vtt: bool, skipped: list[float] | None = None) -> list[Segment]:
    """The cues as segments. A cue with no words (empty, a sound tag such as ``[muziek]`` or
    ``(laughter)``, music) is left out and its start added to ``skipped``; so are WebVTT's
    NOTE, STYLE and REGION blocks. An error names the file and the line: ``name:12: ...``."""
    out = []
    cue = "a cue is its timing line, its text, then an empty line"
    for block in _blocks(text):
        nums = [n for n, _ in block]
        lines = [ln for _, ln in block]
        if vtt and _VTT_BLOCK.match(lines[0]):
            continue
        idx = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if idx is None:
            odd = next(((n, ln) for n, ln in block if _ARROWLESS.match(ln)), None)
            if odd is not None:  # a cue whose timing lost its arrow would be left out unsaid
                raise TranscriptError(f"{name}:{odd[0]}: bad cue timing {odd[1].strip()!r}; expected "
                                      f"'-->' between the times, as {_timing_hint(vtt)}")
            continue
        again = next((n for n, ln in block[idx + 1:] if "-->" in ln), None)
        if again is not None:
            raise TranscriptError(f"{name}:{again}: expected an empty line before this cue timing "
                                  f"(the cue of line {nums[idx]} runs on into it); {cue}")
        a, _, b = lines[idx].partition("-->")
        ma, mb = _TIME.search(a), _TIME.search(b)
        if not ma or not mb:
            raise TranscriptError(f"{name}:{nums[idx]}: bad cue timing {lines[idx].strip()!r}; expected "
                                  f"start --> end as {_timing_hint(vtt)} (hours may be left out)")
        start, end = _seconds(ma), _seconds(mb)
        body = "\n".join(lines[idx + 1:])
        voices = _VOICE.findall(body) if vtt else []
        if voices:
            parts = [(spk.strip(), _TAG.sub("", txt).strip()) for spk, txt in voices]
        elif m := _NAMED.match(_TAG.sub("", body)):
            parts = [((m.group(1) or m.group(2)).strip(), m.group(3).strip())]
        elif not _has_words(_TAG.sub("", body), named=False):
            parts = []
        else:
            how = "start the text with 'Name:' or '[Name]'"
            how = f"mark speakers with <v Name> tags, or {how}" if vtt else how
            raise TranscriptError(f"{name}:{nums[idx + 1]}: cue at {lines[idx].strip()} has no speaker; "
                                  f"{how}")
        said = [(spk, " ".join((html.unescape(txt) if vtt else txt).split()))
                for spk, txt in parts if _has_words(txt)]
        if not said and skipped is not None:
            skipped.append(start)
        for spk, txt in said:
            seg = Segment(html.unescape(spk) if vtt else spk, start, end, txt)
            _check(seg, f"{name}:{nums[idx]}")
            out.append(seg)
    return out


_VTT_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:\s|$)")  # WebVTT blocks that are no cue
_MUSIC = "♪♫♬♩🎵🎶"
# (laughter), (lacht), (music playing): at most three words and no sentence in them; a
# whole line in parentheses, "(Dat meen je niet.)", is said (an aside), not a sound tag
# (a cue with no speaker keeps any parentheses a tag: it is skipped, not refused)
_PAREN_TAG = r"\((?![^)]*[.?!])\s*(?:[^\s)]+\s*){0,3}\)"
_NO_SPEECH = re.compile(rf"\[[^\]]*\]|{_PAREN_TAG}|[{_MUSIC}][^{_MUSIC}]*[{_MUSIC}]|[{_MUSIC}]")
_NO_SPEECH_UNNAMED = re.compile(rf"\[[^\]]*\]|\([^)]*\)|[{_MUSIC}][^{_MUSIC}]*[{_MUSIC}]|[{_MUSIC}]")


def _has_words(text: str, named: bool = True) -> bool:
    """Is anything said: a letter or digit outside sound tags ([muziek], (laughter)) and music?"""
    tags = _NO_SPEECH if named else _NO_SPEECH_UNNAMED
    return re.search(r"[^\W_]", tags.sub(" ", text)) is not None


_OPEN_END = re.compile(r"[^.?!…:;\"”’)]$")


def _join_split(segs: list[Segment]) -> list[Segment]:
    """Join a cue to the one before when it carries on its sentence (see the module doc)."""
    out: list[Segment] = []
    for s in sorted(segs, key=lambda s: (s.start, s.end)):
        # the speaker's last cue, past the other's cues that began while it ran (Zoom cuts at
        # times: the other's "he was..." lands between the two halves of a sentence)
        i = len(out) - 1
        while i >= 0 and out[i].speaker != s.speaker and out[i].start < s.start:
            i -= 1
        prev = out[i] if i >= 0 and out[i].speaker == s.speaker else None
        if (prev is not None and all(o.start < prev.end for o in out[i + 1:])
                and 0 <= s.start - prev.end <= 1.0 and _OPEN_END.search(prev.text) and s.text[:1].islower()):
            out[i] = Segment(s.speaker, prev.start, max(prev.end, s.end), f"{prev.text} {s.text}")
        else:
            out.append(s)
    return out


_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_STAMP_LINE = re.compile(rf"^\s*[\[(]?({_CLOCK})[\])]?\s*$")  # Google Meet: "00:05:00"
_OTTER = re.compile(rf"^\s*([^\W\d][^:\[\]()]{{0,39}}?)\s+[\[(]?({_CLOCK})[\])]?\s*$")  # "Anna  0:05"
_SAID = re.compile(rf"^\s*(?:[\[(]?({_CLOCK})[\])]?\s*[-–]?\s*)?([^\W\d][^:\[\]()]{{0,39}}?(?:\s*\((?!\d)[^)]{{1,20}}\))?)"
                   rf"\s*(?:[\[(]({_CLOCK})[\])])?\s*:\s+(.+)$")  # "[0:05] Anna: text", "Anna (0:05): text"
WORDS_PER_S = 2.5  # 150 words a minute: a calm speaking rate


def _clock(text: str) -> float:
    parts = [float(x) for x in text.replace(",", ".").split(":")]
    return sum(v * 60 ** i for i, v in enumerate(reversed(parts)))


def _said(line: str):
    """(time or None, speaker, text) of a "Name: text" line; None if it is not one. A name
    is at most five words, so a sentence with a colon is not read as a speaker."""
    m = _SAID.match(line)
    if not m or len(m.group(2).split()) > 5:
        return None
    stamp = m.group(1) or m.group(3)
    return (_clock(stamp) if stamp else None), m.group(2).strip(), m.group(4).strip()


def _plain_lines(text: str) -> bool:
    """Does the text read as a plain transcript (a "Name: text" or Otter line near the top)?"""
    lines = [ln for ln in text.splitlines() if ln.strip()][:20]
    return any(_said(ln) or _OTTER.match(ln) for ln in lines)


def _plain(text: str) -> list[Segment]:
    turns: list[list] = []  # [start or None, speaker, text]
    stamp = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if m := _STAMP_LINE.match(line):
            stamp = _clock(m.group(1))
        elif m := _OTTER.match(line):
            turns.append([_clock(m.group(2)), m.group(1).strip(), ""])
        elif said := _said(line):
            t, who, words = said
            turns.append([t if t is not None else stamp, who, words])
            stamp = None
        elif turns:
            turns[-1][2] = f"{turns[-1][2]} {line.strip()}".strip()
    # "Kort gezegd: ..." on a line of its own is a sentence, not a speaker: a name said once
    # where two others speak more often goes back into the line above
    seen: dict[str, int] = {}
    for t in turns:
        seen[t[1]] = seen.get(t[1], 0) + 1
    if sum(1 for n in seen.values() if n >= 2) >= 2:
        for i in range(len(turns) - 1, 0, -1):
            if seen[turns[i][1]] == 1 and turns[i][0] is None:
                turns[i - 1][2] = f"{turns[i - 1][2]} {turns[i][1]}: {turns[i][2]}".strip()
                del turns[i]
    # never overlapping: estimated times cannot tell an interruption
    out, now = [], 0.0
    for i, (start, who, words) in enumerate(turns):
        if not words:
            continue
        start = max(now, start if start is not None else now)
        end = start + max(0.6, len(words.split()) / WORDS_PER_S)
        now = end + 0.3  # a short pause between turns
        nxt = next((t[0] for t in turns[i + 1:] if t[0] is not None), None)
        if nxt is not None and start < nxt < now:
            end = now = min(end, nxt)  # the next stamp says it ended by then
        out.append(Segment(who, round(start, 2), round(end, 2), " ".join(words.split()), estimated=True))
    return out


def _check(seg: Segment, where: str) -> None:
    if not (math.isfinite(seg.end) and seg.end >= seg.start >= 0):
        raise TranscriptError(f"{where}: start {seg.start} and end {seg.end} must satisfy 0 <= start <= end; "
                              "fix the times there")


def to_events(segments: list[Segment], coachee: str, *, tick_s: float = 0.1) -> list:
    """Speech events, final transcripts (at each utterance end) and ticks, in canonical order."""
    role = {s.speaker: (COACHEE if s.speaker == coachee else PARTNER) for s in segments}
    evs: list[tuple[float, int, int, object]] = []
    for who in (COACHEE, PARTNER):  # merge a speaker's overlapping spans into speech events
        spans = sorted((s.start, s.end) for s in segments if role[s.speaker] == who)
        cur: list[float] | None = None
        for a, b in spans + [(float("inf"), float("inf"))]:
            if cur is not None and a <= cur[1]:
                cur[1] = max(cur[1], b)
                continue
            if cur is not None:
                evs.append((cur[0], 1, 1, SpeechStarted(t=cur[0], speaker=who)))
                evs.append((cur[1], 1, 0, SpeechEnded(t=cur[1], speaker=who)))
            cur = [a, b]
    for s in segments:
        evs.append((s.end, 2, 0, TranscriptFinal(t=s.end, speaker=role[s.speaker], t0=s.start,
                                                 t1=s.end, text=s.text)))
    last = max(s.end for s in segments)
    for i in range(int(last / tick_s) + 2):
        t = round(i * tick_s, 3)
        evs.append((t, 3, 0, Tick(t=t)))
    evs.sort(key=lambda e: e[:3])
    return [e[3] for e in evs]
