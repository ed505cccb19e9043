"""Read timed transcripts (JSONL, WebVTT, SRT) and turn them into engine events.

- JSONL: one ``{"speaker", "start", "end", "text"}`` object a line (seconds).
- WebVTT: cues with ``<v Speaker>`` voice tags (Teams), or ``Speaker: text`` lines (Zoom).
- SRT: cues whose text starts with ``Speaker:`` or ``[Speaker]``.
"""

from __future__ import annotations

import json
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


def read_transcript(path: str | Path) -> list[Segment]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TranscriptError(f"{p}: no such file; give the path of a .jsonl, .vtt or .srt transcript") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{p}: cannot read it as UTF-8 text ({exc}); export the transcript as UTF-8") from None
    return parse_transcript(text, name=str(p), suffix=p.suffix.lower())


def parse_transcript(text: str, *, name: str = "transcript", suffix: str = "") -> list[Segment]:
    head = text.lstrip()
    if suffix == ".vtt" or head.startswith("WEBVTT"):
        segs = _cues(text, name, vtt=True)
    elif suffix == ".srt" or (suffix not in (".jsonl", ".json") and "-->" in text and not head.startswith("{")):
        segs = _cues(text, name, vtt=False)
    elif suffix in (".jsonl", ".json") or head.startswith("{"):
        segs = _jsonl(text, name)
    else:
        raise TranscriptError(f"{name}: unknown transcript format; use JSONL, WebVTT (.vtt) or SRT (.srt)")
    if not segs:
        raise TranscriptError(f"{name}: no utterances found; check that the file is a timed transcript")
    return sorted(segs, key=lambda s: (s.start, s.end))


def _jsonl(text: str, name: str) -> list[Segment]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            seg = Segment(str(d["speaker"]), float(d["start"]), float(d["end"]), str(d["text"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise TranscriptError(f"{name}:{n}: expected a JSON object with speaker, start, end (seconds) "
                                  f"and text ({exc.__class__.__name__}: {exc})") from None
        _check(seg, f"{name}:{n}")
        out.append(seg)
    return out


_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>|(?=<v[\s.])|$)", re.S)
_NAMED = re.compile(r"^\s*(?:\[([^\]]{1,60})\]|([^:<>\d][^:<>]{0,59}):)\s*(.+)$", re.S)
_TAG = re.compile(r"<[^>]+>")


def _seconds(m: re.Match) -> float:
    h, mnt, s, frac = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _cues(text: str, name: str, *, vtt: bool) -> list[Segment]:
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln for ln in block.strip().split("\n") if ln.strip()]
        idx = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if idx is None:
            continue
        a, _, b = lines[idx].partition("-->")
        ma, mb = _TIME.search(a), _TIME.search(b)
        if not ma or not mb:
            raise TranscriptError(f"{name}: bad cue timing {lines[idx]!r}; use 00:00:01.000 --> 00:00:04.000")
        start, end = _seconds(ma), _seconds(mb)
        body = "\n".join(lines[idx + 1:])
        voices = _VOICE.findall(body) if vtt else []
        if voices:
            parts = [(spk.strip(), _TAG.sub("", txt).strip()) for spk, txt in voices]
        else:
            m = _NAMED.match(_TAG.sub("", body))
            if not m:
                raise TranscriptError(f"{name}: cue at {lines[idx].strip()} has no speaker; mark speakers "
                                      "with <v Name> tags or start the text with 'Name:'")
            parts = [((m.group(1) or m.group(2)).strip(), m.group(3).strip())]
        for spk, txt in parts:
            if txt:
                seg = Segment(spk, start, end, " ".join(txt.split()))
                _check(seg, name)
                out.append(seg)
    return out


def _check(seg: Segment, where: str) -> None:
    if not (seg.end >= seg.start >= 0):
        raise TranscriptError(f"{where}: start {seg.start} and end {seg.end} must satisfy 0 <= start <= end")


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
