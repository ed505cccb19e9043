"""``pullcoach bench``: the whole live pipeline on fixtures at real-time speed, measured.

Each fixture (a stereo FLAC with a truth JSON beside it) is replayed at real-time speed
through LiveSession -> rule engine -> hub -> websocket server -> a trainer client on
127.0.0.1, exactly as ``pullcoach run --replay`` does. Printed as a table and as JSON:
nudge latency (true interruption onset -> nudge on the socket), transcript latency
after the end of speech, event-loop lag (and which work held the loop), VAD boundary error,
ASR real-time factor per channel, CPU, peak RSS, dropped blocks; then which model sizes keep
up on this machine.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

from pullcoach import evaluate
from pullcoach.rules import events as ev


def register(sub) -> None:
    p = sub.add_parser("bench", help="measure the live pipeline on fixtures at real-time speed",
                       description=__doc__.split("\n\n")[0].split(": ", 1)[1].capitalize())
    p.add_argument("audio", nargs="*", metavar="FIXTURE.flac",
                   help="fixtures with a truth .json beside them (default: the bundled demo, or "
                        "tests/fixtures/audio/{nl,en}_push.flac in a checkout)")
    p.add_argument("--lang", choices=("nl", "en"), default=None, help="default: from the truth file")
    p.add_argument("--model", default=None, help="Whisper model for the pipeline runs (default: packaged base)")
    p.add_argument("--models", default="base,tiny.en,small",
                   help="comma-separated models to test for real-time headroom (default: base,tiny.en,small)")
    p.add_argument("--skip-models", action="store_true", help="skip the model-size check")
    p.add_argument("--no-partials", action="store_true")
    p.add_argument("--sessions", type=int, default=1, metavar="N",
                   help="replay each fixture as N sessions at once on one shared model, as a "
                        "trainer's `serve` with N role-plays does (default: 1)")
    p.add_argument("--load", type=int, default=0, metavar="N",
                   help="keep N other processes busy (a spinning core each) during the replays, "
                        "as a video call on the same laptop does (default: 0)")
    p.add_argument("--json", metavar="FILE", help="also write the results here")
    p.set_defaults(func=run_bench)


def busy(n: int) -> list:
    """``n`` processes that each keep a core busy: the laptop's other work, such as a call."""
    import subprocess
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def _pct(values, q):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return round(float(np.percentile(values, q)), 3)


def default_fixtures() -> list[Path]:
    here = Path("tests/fixtures/audio")
    # nl_push_mb: the same role-play in voices Whisper hears about as well as a person
    picks = [here / "nl_push.flac", here / "nl_push_mb.flac", here / "en_push.flac"]
    if all(p.is_file() for p in picks):
        return picks
    return [Path(__file__).parent / "data" / "demo_nl.flac"]


async def _replay_live(path: Path, truth: dict, transcriber, args, watch: "LoopWatch | None" = None,
                       live_done=lambda: None, source=None) -> dict:
    from websockets.asyncio.client import connect

    from pullcoach import tokens as tk
    from pullcoach.audio import FileSource
    from pullcoach.cmd_replay import make_engine
    from pullcoach.hub import Hub
    from pullcoach.pipeline import PipelineConfig
    from pullcoach.server import Service
    from pullcoach.session import LiveSession

    lang = args.lang or truth.get("lang", "nl")
    source = source or FileSource(path, speed="realtime")  # (a checked fixture's, when one is given)
    session = LiveSession(source, transcriber=transcriber, lang=lang, engine=make_engine(lang),
                          config=PipelineConfig(partials=not args.no_partials), pace="live")
    if watch is not None:
        watch.label(session.segmenter, "feed", "segmenter")
        watch.label(session.segmenter, "finish", "segmenter")
        if session.engine is not None:
            watch.label(session.engine, "feed", "rules")
        watch.label(session, "_send", "sinks")  # the hub, the socket writes
        watch.label(session, "_check_language", "language")
    hub = Hub()
    tokens = tk.Tokens(trainer=tk.new_token(), session=tk.new_token(), explicit=True)
    hub.declare(session.id, tokens.session, lang=lang, controller=session)
    session.add_sink(hub.publish)
    service = await Service(hub, tokens, port=0).start()
    received: list[tuple[float, dict]] = []
    emitted: list = []
    # (no ticks: 20 a second, the scoring does not read them, and a server keeps none)
    session.add_sink(lambda sid, e: None if isinstance(e, ev.Tick) else emitted.append(e))

    async def client():
        async with connect(f"ws://127.0.0.1:{service.port}/ws", max_size=None) as ws:
            await ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer",
                                      "token": tokens.trainer, "client": "bench"}))
            async for text in ws:  # read after the live part: a text is no object to collect
                received.append((time.time(), text))

    reader = asyncio.create_task(client())
    await asyncio.sleep(0.2)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await session.run()
    await asyncio.sleep(0.5)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    reader.cancel()
    await service.close()
    live_done()  # what follows is the bench's own scoring, not the session's loop

    t0 = session.started_wall
    msgs = [(w, m) for w, m in ((w, json.loads(text)) for w, text in received) if m.get("session") == session.id]
    finals = [(w - (t0 + m["t1"])) for w, m in msgs if m.get("type") == "transcript-final"]
    # the same from the true end of the words (the fixture's truth), for finals that end a
    # turn: t1 is the VAD's last voiced sample, and this checks it is not flattering
    ends = [(w, _true_end(truth, m["speaker"], m["t1"])) for w, m in msgs if m.get("type") == "transcript-final"]
    finals_true = [w - (t0 + end) for w, end in ends if end is not None]
    partials = [(w - (t0 + m["t1"])) for w, m in msgs if m.get("type") == "transcript-partial"]
    # every nudge on the socket, also those kept for the report (the trainer sees them; the
    # path and its latency are the same)
    nudges = [(w, m) for w, m in msgs if m.get("type") == "nudge-issued"]
    texts = [m for _, m in msgs if m.get("type") in ("transcript-final", "transcript-partial")]
    # engine -> socket: from the audio moment the rule fired to the message on the socket
    end = round(session.clock, 3)
    fired = fired_latencies(nudges, t0, end)
    # text rules: from the end of the words that triggered the nudge to the message (nudges
    # that fired as a transcript arrived; rules on speech or ticks have no words to time)
    evidence = []
    for w, m in nudges:
        before = [x for x in texts if x["speaker"] == m["speaker"] and x["t"] <= m["t"] + 1e-6]
        last = max(before, key=lambda x: x["t"]) if before else None
        if last is not None and m["t"] - last["t"] < 0.1 and m["rule"] not in ("interruption", "trainer"):
            evidence.append(w - (t0 + last["t1"]))
    # end to end: true onset of each coachee interruption -> the interruption nudge arriving
    inter = []
    for e in truth.get("events", []):
        if e["kind"] == "interruption" and e["by"] == "coachee":
            hits = [w for w, m in nudges if m["rule"] == "interruption"
                    and m.get("evidence_t") is not None and abs(m["evidence_t"] - e["t"]) < 1.0]
            inter.append(min(hits) - (t0 + e["t"]) if hits else None)
    backchannel_false = sum(
        1 for e in truth.get("events", []) if e["kind"] == "backchannel" and e["by"] == "coachee"
        for _, m in nudges if m["rule"] == "interruption" and m.get("evidence_t") is not None
        and abs(m["evidence_t"] - e["t"]) < 0.5)
    score = evaluate.score(emitted, truth)
    rtf = {}
    for sp in ev.SPEAKERS:
        recs = [r for r in session.scheduler.records if r["speaker"] == sp]
        audio = sum(r["audio_s"] for r in recs)
        rtf[sp] = round(sum(r["decode_s"] for r in recs) / audio, 3) if audio else None
    onset = [abs(x) for x in score["onset_errors"] if x is not None]
    offset = [abs(x) for x in score["offset_errors"]]
    return {
        "fixture": path.name, "lang": lang, "audio_s": round(session.clock, 1),
        "final_latency_p50": _pct(finals, 50), "final_latency_p95": _pct(finals, 95),
        "final_latency_true_end_p50": _pct(finals_true, 50), "final_latency_true_end_p95": _pct(finals_true, 95),
        "partial_latency_p50": _pct(partials, 50), "partial_latency_p95": _pct(partials, 95),
        "nudge_after_firing_p50": _pct(fired, 50), "nudge_after_firing_p95": _pct(fired, 95),
        "nudges_after_audio_end": sum(1 for _, m in nudges if m["t"] >= end - 1e-6),
        "text_nudge_latency_p50": _pct(evidence, 50), "text_nudge_latency_p95": _pct(evidence, 95),
        "interruption_e2e": [None if x is None else round(x, 3) for x in inter],
        "interruption_nudges_on_backchannels": backchannel_false,
        "nudges": len(nudges), "nudges_delivered": sum(1 for _, m in nudges if m.get("delivered", True)),
        "vad_onset_err_p50": _pct(onset, 50), "vad_onset_err_p95": _pct(onset, 95),
        "vad_offset_err_p50": _pct(offset, 50), "vad_offset_err_p95": _pct(offset, 95),
        "vad_turns_within_150ms": round(score["boundary_hit_rate"], 3),
        "spurious_speech": score["spurious"], "misattributed": score["misattributed"],
        "wer": round(score["wer"], 3),
        "asr_rtf": rtf, "partials_skipped": session.scheduler.skipped_partials,
        "cpu_cores_busy": round(cpu / wall, 2),
        "dropped_blocks": source.stats().get("dropped", 0),
        "warnings": [e.kind for e in emitted if isinstance(e, ev.PipelineWarning)],
    }


def fired_latencies(nudges: list[tuple[float, dict]], t0: float, end: float) -> list[float]:
    """Seconds from the audio moment each nudge fired to its arrival on the socket (wall).
    Not for nudges at the end of the audio (``end``): once the file is read the audio clock
    stops, so a transcript that comes back later carries the end as its ``t``, and its
    nudge would be timed with the wait for the last decodes (0.85-10 s with three
    role-plays on one model); "end of its words -> socket" times those."""
    return [w - (t0 + m["t"]) for w, m in nudges if m["t"] < end - 1e-6]


async def loop_lag(samples: list[float], every: float = 0.02) -> None:
    """Until cancelled: how late the event loop wakes a sleeper, in seconds. Work that
    holds the loop (a rule engine pass, an encoder call) delays every session's events
    and socket writes by as much."""
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(every)
        samples.append(max(0.0, loop.time() - start - every))


def _true_end(truth: dict, speaker: str, t1: float, within: float = 0.5) -> float | None:
    """The end of the truth turn this VAD end closes, if one is that near."""
    ends = [x["end"] for x in truth.get("turns", []) if x["speaker"] == speaker and abs(x["end"] - t1) <= within]
    return min(ends, key=lambda e: abs(e - t1)) if ends else None


class LoopWatch:
    """Which work held the event loop: every loop step (one callback) is timed, wall and
    the loop thread's CPU; labelled calls (``label``) and garbage collections on the loop
    thread say what ran in it. A step long in wall time but short in CPU waited for a core
    or the GIL (another thread's pure Python); one long in CPU held the loop itself."""

    def __init__(self, over: float = 0.01) -> None:
        self.over = over
        self.steps: list[tuple[float, float, dict]] = []  # (wall s, cpu s, {label: cpu s})
        self._now: Counter = Counter()
        self._gc0 = 0.0
        self._thread = threading.get_ident()
        self.on = True
        self.full: list[float] = []  # each full collection's wall time, on any thread
        self.tracked: int | None = None  # objects a full collection walks when the live part ends
        self._full0 = 0.0

    def label(self, obj, name: str, what: str) -> None:
        """Count the CPU of ``obj.name(...)`` on the loop thread as ``what``."""
        inner = getattr(obj, name)

        def timed(*a, **k):
            c0 = time.thread_time()
            try:
                return inner(*a, **k)
            finally:
                if threading.get_ident() == self._thread:
                    self._now[what] += time.thread_time() - c0
        setattr(obj, name, timed)

    def _gc(self, phase: str, info: dict) -> None:
        # a collection holds the GIL, so one in another thread (the VAD's, a decode's) holds
        # the loop too: counted by its wall time, named by its thread
        here = threading.get_ident() == self._thread
        if info["generation"] == 2 and self.on:
            if phase == "start":
                self._full0 = time.perf_counter()
            else:
                self.full.append(time.perf_counter() - self._full0)
        if phase == "start":
            self._gc0 = time.thread_time() if here else time.perf_counter()
        elif here:
            self._now[f"gc{info['generation']}"] += time.thread_time() - self._gc0
        else:
            name = threading.current_thread().name.split("_")[0]
            self._now[f"gc{info['generation']} in {name}"] += time.perf_counter() - self._gc0

    def __enter__(self) -> "LoopWatch":
        from asyncio import events
        self._handle_run = run = events.Handle._run
        watch = self

        def timed_run(handle):
            watch._now.clear()
            w0, c0 = time.perf_counter(), time.thread_time()
            try:
                return run(handle)
            finally:
                wall = time.perf_counter() - w0
                if wall >= watch.over and watch.on:
                    watch.steps.append((wall, time.thread_time() - c0, dict(watch._now)))
        events.Handle._run = timed_run
        gc.callbacks.append(self._gc)
        return self

    def __exit__(self, *exc) -> None:
        from asyncio import events
        events.Handle._run = self._handle_run
        gc.callbacks.remove(self._gc)

    def summary(self, top: int = 3) -> dict:
        slow = sorted(self.steps, key=lambda s: -s[0])[:top]
        return {"loop_steps_over_20ms": sum(1 for w, _, _ in self.steps if w >= 0.02),
                "slowest_loop_steps": [describe_step(*s) for s in slow],
                "full_gc_ms": [round(x * 1000, 1) for x in self.full],
                "gc_tracked": self.tracked}


def describe_step(wall: float, cpu: float, parts: dict) -> str:
    """'38 ms (loop CPU 31: rules 29, gc2 1)': a loop step and what its CPU went to."""
    said = ", ".join(f"{k} {v * 1000:.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])
                     if v >= 0.0005)
    return f"{wall * 1000:.0f} ms (loop CPU {cpu * 1000:.0f}" + (f": {said})" if said else ")")


def warm_up(lang: str) -> None:
    """What a process does once, before its first session (a server at its start): the
    imports, the rule pack's first load (~0.1 s) and Silero's (~0.04 s), then the freeze of
    what lives as long as the process (``runtime.settle``). Done on the loop inside the first
    replay, they were its slowest loop step (0.16-0.22 s of the loop's CPU on a busy
    machine); unfrozen, a full collection walked the model's objects (25-45 ms)."""
    import websockets.asyncio.client  # noqa: F401

    from pullcoach import hub, server  # noqa: F401
    from pullcoach.runtime import settle

    settle(lang)


async def _replay_many(n: int, path: Path, truth: dict, transcriber, args, source=None) -> list[dict]:
    warm_up(args.lang or truth.get("lang", "nl"))
    lags: list[float] = []
    left = [n]

    def live_done() -> None:  # every session's live part is over: stop measuring the loop
        left[0] -= 1
        if not left[0]:
            watch.tracked = len(gc.get_objects())
            watch.on = False
            probe.cancel()

    with LoopWatch() as watch:
        probe = asyncio.create_task(loop_lag(lags))
        try:
            # the checked source is the first session's; each other one reads the file itself
            runs = await asyncio.gather(*(_replay_live(path, truth, transcriber, args, watch, live_done,
                                                       source if i == 0 else None) for i in range(n)))
        finally:
            probe.cancel()
    held = watch.summary()
    for r in runs:  # one loop for the fixture's sessions: its lag is theirs
        r["loop_lag_p95_ms"] = None if not lags else round(float(np.percentile(lags, 95)) * 1000, 1)
        r["loop_lag_max_ms"] = None if not lags else round(max(lags) * 1000, 1)
        r.update(held)
    if n > 1:
        for i, r in enumerate(runs, 1):
            r["fixture"] = f"{path.name}#{i}"
    return list(runs)


def model_headroom(names: list[str], clip: np.ndarray, lang: str) -> list[dict]:
    """Decode a clip per model; real-time factor of a final and a partial decode."""
    from pullcoach.asr import load_transcriber
    from pullcoach.errors import ModelError

    rows = []
    for name in names:
        try:
            tr = load_transcriber(name, lang="en" if name.endswith(".en") else lang)
        except ModelError as exc:
            rows.append({"model": name, "available": False, "note": str(exc).split(" (")[0]})
            continue
        tr.transcribe(clip[:16000], final=False)  # warm-up
        secs = len(clip) / 16000
        final = min(tr.transcribe(clip, final=True).decode_s for _ in range(2)) / secs
        partial = min(tr.transcribe(clip, final=False).decode_s for _ in range(2)) / secs
        # both people may talk at once: finals for two channels plus partials must fit
        keeps_up = 2 * final + partial < 0.8
        rows.append({"model": name, "available": True, "final_rtf": round(final, 3),
                     "partial_rtf": round(partial, 3), "keeps_up": keeps_up})
    return rows


def _print_table(runs: list[dict], models: list[dict], out=sys.stdout) -> None:
    keys = [("final_latency_p50", "final transcript latency p50 (s)"),
            ("final_latency_p95", "final transcript latency p95 (s)"),
            ("final_latency_true_end_p50", "final latency from the true end of a turn p50 (s)"),
            ("final_latency_true_end_p95", "final latency from the true end of a turn p95 (s)"),
            ("partial_latency_p95", "partial transcript latency p95 (s)"),
            ("interruption_e2e", "interruption onset -> nudge on socket (s)"),
            ("text_nudge_latency_p50", "text nudge: end of its words -> socket p50 (s)"),
            ("text_nudge_latency_p95", "text nudge: end of its words -> socket p95 (s)"),
            ("nudge_after_firing_p95", "nudge: rule fired -> socket p95 (s)"),
            ("nudges_after_audio_end", "nudges fired after the audio ended (not in that p95)"),
            ("loop_lag_p95_ms", "event-loop lag p95 (ms)"),
            ("loop_lag_max_ms", "event-loop lag max (ms)"),
            ("loop_steps_over_20ms", "event-loop steps over 20 ms"),
            ("slowest_loop_steps", "slowest loop steps (what ran on the loop)"),
            ("full_gc_ms", "full garbage collections (ms each)"),
            ("gc_tracked", "objects a full collection walks, at the end"),
            ("interruption_nudges_on_backchannels", "interruption nudges on backchannels"),
            ("vad_onset_err_p95", "VAD onset error p95 (s)"),
            ("vad_offset_err_p95", "VAD offset error p95 (s)"),
            ("vad_turns_within_150ms", "turns with both bounds within 150 ms"),
            ("wer", "word error rate"),
            ("asr_rtf", "ASR real-time factor per channel"),
            ("cpu_cores_busy", "CPU (cores busy)"),
            ("dropped_blocks", "dropped audio blocks"),
            ("warnings", "pipeline warnings")]
    width = max(len(label) for _, label in keys)
    print(f"{'':{width}}  " + "  ".join(r["fixture"] for r in runs), file=out)
    for key, label in keys:
        print(f"{label:{width}}  " + "  ".join(str(r[key]) for r in runs), file=out)
    print(f"{'peak RSS (MB)':{width}}  {runs[0]['peak_rss_mb'] if runs else ''}", file=out)
    if models:
        print("\nmodel sizes on this machine (decode of one utterance, both channels busy):", file=out)
        for m in models:
            if not m["available"]:
                print(f"  {m['model']:<10} not available here: {m['note']}", file=out)
            else:
                verdict = "keeps up in real time" if m["keeps_up"] else "too slow for live use here"
                print(f"  {m['model']:<10} final RTF {m['final_rtf']:.2f}, partial RTF "
                      f"{m['partial_rtf']:.2f}: {verdict}", file=out)
        print("  Dutch is far better with 'small' or larger (FLEURS WER: base ~27%, small ~14%) "
              "when it keeps up: pullcoach run --model small", file=out)


def open_fixture(path: Path) -> tuple:
    """A fixture's source (paced as live) and truth (empty without one): a file that is
    missing, mono or not audio, or a truth that does not read, is said here. The source is
    the one its (first) session replays: the file is opened once."""
    from pullcoach.audio import FileSource
    from pullcoach.audio_file import CHANNEL_HINT
    from pullcoach.errors import AudioError, ConfigError

    try:
        source = FileSource(path, speed="realtime")  # no such file, not audio, not stereo
    except AudioError as err:  # (two mono files are replay's and run's, not the bench's)
        raise AudioError(str(err).replace(CHANNEL_HINT, "the bench replays stereo recordings "
                                                        "(left = coachee, right = partner)")) from None
    truth_path = path.with_suffix(".json")
    if not truth_path.is_file():
        return source, {"turns": [], "events": []}
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if not isinstance(truth, dict):
            raise ValueError("not a JSON object")
    except (ValueError, UnicodeDecodeError) as err:
        raise ConfigError(f"{truth_path} beside {path.name} is not a fixture's truth ({err}); fix it, "
                          "or move it away to bench without one (then no VAD or nudge figures)") from None
    return source, truth


def _bench_fixture(path: Path, source, truth: dict, args, transcribers: dict) -> list[dict]:
    from pullcoach.asr import load_transcriber

    lang = args.lang or truth.get("lang", "nl")
    if lang not in transcribers:
        transcribers[lang] = load_transcriber(args.model, lang=lang)
        transcribers[lang].warm_up()
    n = max(1, args.sessions)
    print(f"replaying {path.name} at real-time speed ({truth.get('duration', '?')} s)"
          + (f", {n} sessions at once" if n > 1 else "")
          + (f", {args.load} other core(s) kept busy" if args.load else "") + "…",
          file=sys.stderr)
    return asyncio.run(_replay_many(n, path, truth, transcribers[lang], args, source))


def run_bench(args) -> int:
    from faster_whisper.audio import decode_audio

    fixtures = [Path(a) for a in args.audio] or default_fixtures()
    opened = [open_fixture(path) for path in fixtures]  # all said wrong before anything starts
    if args.json:
        _check_writable(Path(args.json), fixtures)  # not after minutes of benching
    runs = []
    transcribers: dict[str, object] = {}
    load = busy(args.load)
    try:
        for path, (source, truth) in zip(fixtures, opened):  # (a source per run: one replays once)
            runs += _bench_fixture(path, source, truth, args, transcribers)
    finally:
        for proc in load:
            proc.kill()
            proc.wait()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for r in runs:
        r["peak_rss_mb"] = round(peak)
    models = []
    if not args.skip_models:
        clip = decode_audio(str(fixtures[0]), split_stereo=True)[0][16000: 16000 * 7]
        lang = args.lang or runs[0]["lang"]
        models = model_headroom([m for m in args.models.split(",") if m], clip, lang)
    _print_table(runs, models)
    result = {"machine": {"cores": os.cpu_count(), "platform": sys.platform,
                          "busy_processes": args.load},
              "runs": runs, "models": models}
    print("\n" + json.dumps(result, indent=1))
    if args.json:
        try:
            Path(args.json).write_text(json.dumps(result, indent=1))
        except OSError as exc:  # (the results are printed above)
            from pullcoach.errors import cannot_write
            raise cannot_write(args.json, exc, "--json FILE") from None
    return 0


def _check_writable(path: Path, fixtures: list[Path]) -> None:
    from pullcoach.errors import ConfigError, cannot_write
    import errno
    for f in (g for fixture in fixtures for g in (fixture, fixture.with_suffix(".json"))):
        if path.exists() and f.exists() and path.samefile(f):
            raise ConfigError(f"--json {path} is {'the truth of ' if f.suffix == '.json' else ''}a fixture "
                              "being benched: the results would overwrite it; give another file")
    if path.is_dir():
        raise cannot_write(path, OSError(errno.EISDIR, "is a folder"), "--json FILE")
    if not path.parent.is_dir():
        raise cannot_write(path, OSError(errno.ENOENT, "no folder"), "--json FILE")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise ConfigError(f"cannot write {path}: permission denied; choose another --json FILE")
