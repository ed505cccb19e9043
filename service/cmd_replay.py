"""``pullcoach replay``: the whole live pipeline on recorded audio, events as JSON lines."""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import time
from pathlib import Path

from pullcoach.errors import AudioError, ConfigError, cannot_write
from pullcoach.rules.events import (
    NudgeIssued, NudgeWithdrawn, PipelineWarning, SpeechStarted, TranscriptFinal, to_json,
)


def add_pipeline_args(p) -> None:
    from pullcoach.lang_arg import add_lang

    add_lang(p, "conversation language")
    p.add_argument("--model", default=None,
                   help="Whisper model: 'base' (packaged default), a faster-whisper size name, or a CTranslate2 directory")
    p.add_argument("--no-partials", action="store_true", help="final transcripts only (less CPU)")
    p.add_argument("--no-rules", action="store_true", help="speech and transcript events only")
    p.add_argument("--rules", metavar="FILE", help="a custom rule pack (TOML; may say extends = \"nl\")")
    p.add_argument("--focus", metavar="RULE,...",
                   help="deliver only these rules live (the rest go to the report); a trainer can "
                        "change it on the dashboard")
    p.add_argument("--near-gate", choices=("auto", "both", "coachee", "off"), default="auto",
                   help="silence voices far under a channel's own level (people across the room): "
                        "auto = the coachee always, the partner unless it is a call's output "
                        "(a loopback/monitor device)")


def register(sub) -> None:
    p = sub.add_parser("replay", help="run the live pipeline on a recording; events as JSON lines",
                       description="Replay AUDIO (stereo: left = coachee, right = partner) or two "
                                   "mono files AUDIO AUDIO2 through the live pipeline.")
    p.add_argument("audio", metavar="AUDIO")
    p.add_argument("audio2", metavar="AUDIO2", nargs="?")
    p.add_argument("more", nargs="*", default=[], help=argparse.SUPPRESS)  # said as replay's own mistake
    p.add_argument("--speed", choices=("realtime", "max"), default="max",
                   help="realtime behaves exactly like live capture; max (default) is as fast as possible")
    p.add_argument("--events", metavar="FILE", help="write events here (default: stdout)")
    add_pipeline_args(p)
    p.set_defaults(func=run_replay)

    from pullcoach import bench

    bench.register(sub)


def make_engine(lang: str, *, rules: str | None = None, enabled: bool = True, focus: str | None = None,
                plugins: bool = True):
    """The rule engine for a session (``rules``: a custom pack file; ``focus``: the
    ``--focus`` list), or None. ``plugins`` False: a check before the session (the pack, the
    focus), which makes no plugin rule: each is made once, for its session."""
    if not enabled:
        return None
    from pullcoach.rules.engine import Engine, EngineConfig

    from pullcoach.cmd_analyze import load_rule_pack, parse_focus, rule_names

    pack = load_rule_pack(rules, lang) if rules else None
    if focus is None:
        return Engine(lang=lang, pack=pack, config=EngineConfig(plugins=plugins))
    # plugins' rules count too; a rule may be named by its nudge, as the chips name it
    named = pack if pack is not None else load_rule_pack(None, lang)
    from pullcoach.rules.settings import off_rules
    chosen = parse_focus(focus, rule_names(named, session=True, make=False), dict(named.messages),
                         off=off_rules(named.settings))
    return Engine(lang=lang, pack=pack, config=EngineConfig(focus=chosen, plugins=plugins))


def pipeline_config(args, *, partner_loopback: bool = False):
    from pullcoach.pipeline import PipelineConfig
    from pullcoach.vad import VadConfig

    gate = getattr(args, "near_gate", "auto")
    if gate == "auto":
        gate = "coachee" if partner_loopback else "both"
    speakers = {"both": ("coachee", "partner"), "coachee": ("coachee",), "off": ()}[gate]
    return PipelineConfig(partials=not getattr(args, "no_partials", False),
                          vad=VadConfig(near_speakers=speakers))


def run_replay(args) -> int:
    from pullcoach.asr import load_transcriber
    from pullcoach.audio import FileSource
    from pullcoach.session import LiveSession

    from pullcoach.cmd_run import check_replay_files, check_service_args
    check_replay_files([args.audio, args.audio2, *args.more], "replay")
    check_service_args(args)  # --focus with --no-rules
    from pullcoach.lang_arg import take_pack_lang
    take_pack_lang(args)  # an English --rules pack: English, no --lang en needed
    source = FileSource(args.audio, args.audio2, speed=args.speed)
    engine = make_engine(args.lang, rules=args.rules, enabled=not args.no_rules, focus=args.focus)
    if args.events and any(Path(args.events).exists() and Path(args.events).samefile(a) for a in source.paths):
        raise ConfigError(f"--events {args.events} is the recording being replayed: writing the events "
                          "there would wipe it; give another file (e.g. events.jsonl)")
    try:  # before the model loads: a wrong path is said at once
        out = open(args.events, "w", encoding="utf-8") if args.events else sys.stdout
    except OSError as exc:
        raise cannot_write(args.events, exc, "--events FILE") from None
    transcriber = load_transcriber(args.model, lang=args.lang)
    session = LiveSession(source, transcriber=transcriber, lang=args.lang, engine=engine,
                          config=pipeline_config(args), pace="max" if args.speed == "max" else "live")
    counts: collections.Counter = collections.Counter()
    nudges: collections.Counter = collections.Counter()
    warnings: list[str] = []

    def sink(_sid, event) -> None:
        out.write(to_json(event) + "\n")
        counts[type(event).__name__] += 1
        if isinstance(event, NudgeIssued):
            nudges[event.rule] += 1
        elif isinstance(event, NudgeWithdrawn):
            nudges[event.rule] -= 1
        elif isinstance(event, PipelineWarning):
            warnings.append(event.message)

    session.add_sink(sink)
    started = time.perf_counter()
    broke = None
    try:
        asyncio.run(session.run())
    except AudioError as err:  # the coachee's (or the stereo) file broke: the events up to it stand
        broke = err
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    wall = time.perf_counter() - started
    audio_s = session.clock
    stats = source.stats()
    print(f"replayed {audio_s:.1f} s of audio in {wall:.1f} s (not stored: for a stored session "
          f"and its report, `pullcoach run --replay`); "
          f"speech turns: {counts[SpeechStarted.__name__]}, finals: {counts[TranscriptFinal.__name__]}, "
          f"dropped blocks: {stats.get('dropped', 0)}", file=sys.stderr)
    nudges = +nudges  # withdrawn ones out
    if nudges:
        print("nudges: " + ", ".join(f"{r} ×{n}" for r, n in nudges.most_common()), file=sys.stderr)
    for w in warnings:
        if w not in [str(broke)] + [b.message for b in source.broken] and not (broke and str(broke) in w):
            # (said below; a replay's break is also a file-broken warning holding its text)
            print(f"warning: {w}", file=sys.stderr)
    where = f"in {args.events}" if args.events else "above"
    if broke is not None:
        whose = "It is the coachee's side (the one coached), so the" if args.audio2 else "The"
        raise type(broke)(f"{broke}. {whose} replay stops there; its events up to {audio_s:.1f} s are "
                          f"{where}") from None
    if source.broken:  # exit 3 as for any broken audio: a script must not take it for a whole replay
        b = source.broken[0]
        raise AudioError(f"{b.detail['error']}. It is the partner's side: the coachee's was replayed to "
                         f"its end, the partner's is silence from {b.t:.1f} s")
    return 0
