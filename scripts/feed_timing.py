#!/usr/bin/env python3
"""CPU time of ``Engine.feed`` per final transcript (what the live event loop pays).

    python scripts/feed_timing.py tests/data/transcripts/nego_nl_push.jsonl [--repeat 8]
        [--lang nl] [--base /tmp/ps_base]

``--repeat N`` plays the transcript N times in a row (times shifted), as one long session.
``--base`` times another checkout's ``rules/`` package (see scripts/label_equivalence.py).
Prints p50, p90 and max milliseconds over the feeds that labelled an utterance.
"""

from __future__ import annotations

import argparse
import statistics
import time

from label_equivalence import use_rules_from


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("transcript")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--lang", default="nl", choices=("nl", "en"))
    ap.add_argument("--base")
    args = ap.parse_args(argv)
    if args.base:
        use_rules_from(args.base)
    from pullcoach.rules.engine import Engine, EngineConfig
    from pullcoach.rules.events import UtteranceLabeled
    from pullcoach.transcripts import Segment, read_transcript, to_events

    segs = read_transcript(args.transcript)
    span = max(s.end for s in segs) + 2.0
    long = [Segment(s.speaker, s.start + k * span, s.end + k * span, s.text)
            for k in range(args.repeat) for s in segs]
    engine = Engine(lang=args.lang, config=EngineConfig(plugins=False))
    ms: list[float] = []
    for ev in to_events(long, segs[0].speaker):
        t0 = time.process_time()
        out = engine.feed(ev)
        dt = (time.process_time() - t0) * 1000
        if any(isinstance(o, UtteranceLabeled) for o in out):
            ms.append(dt)
    ms.sort()
    print(f"{args.transcript} x{args.repeat}: {len(ms)} finals; feed ms p50 {statistics.median(ms):.1f} "
          f"p90 {ms[int(0.9 * (len(ms) - 1))]:.1f} max {ms[-1]:.1f} total {sum(ms):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
