"""``pullcoach run | demo | serve | capture``: the service wired to sessions and clients.

    run      capture (devices or --replay) + pipeline + service + overlay, one session
    demo     run --replay of the bundled Dutch role-play (service/data/demo_nl.flac)
    serve    the service only; sessions come from `pullcoach capture` on /ingest
    capture  stream local audio to a remote `pullcoach serve`
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket
import sys
from importlib import resources

from pullcoach.errors import AudioDeviceError, AudioError, ConfigError, StoreError
from pullcoach.store import StoreDamaged
from pullcoach.lang_arg import add_lang, chosen, from_env, take_pack_lang

DEFAULT_PORT = 8765


def _device(spec: str | None) -> int | str | None:
    return int(spec) if spec is not None and spec.isdigit() else spec


def _service_args(p, *, port: bool = True) -> None:
    if port:
        p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; anything else needs both tokens set)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also accept this Host/Origin name (e.g. behind a TLS reverse proxy)")
    p.add_argument("--data-dir", default=None, help="where sessions are stored (default: user data dir)")
    p.add_argument("--keep-audio", action="store_true",
                   help="also store each channel's audio as FLAC beside the database (off by default)")


def _capture_args(p) -> None:
    p.add_argument("--replay", nargs="+", metavar="AUDIO",
                   help="use a recording as the live source at real-time speed (stereo, or two mono files)")
    p.add_argument("--stereo", metavar="DEV", help="one stereo device: left coachee, right partner")
    p.add_argument("--coachee", metavar="DEV", help="the coachee's microphone")
    p.add_argument("--partner", metavar="DEV", help="the partner's audio (mic or loopback device)")


def register(sub) -> None:
    from pullcoach.cmd_replay import add_pipeline_args

    run = sub.add_parser("run", help="coach a live conversation: capture, service and overlay",
                         description="Capture two speakers (or --replay a recording), run the coach, "
                                     "serve clients and show the overlay. Ctrl-C ends the session.")
    _capture_args(run)
    _service_args(run)
    add_pipeline_args(run)
    run.add_argument("--no-overlay", action="store_true",
                     help="do not start the Tk overlay; print nudges here (as without a display)")
    run.add_argument("--coachee-name", default="coachee", metavar="NAME",
                     help="your name in the report; reports compare with your previous conversation by it")
    run.add_argument("--partner-name", default="partner", metavar="NAME", help="the partner's name")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="the coach on a bundled Dutch role-play, no hardware needed",
                          description="Replay a bundled Dutch role-play (55 s) as if live: nudges on the "
                                      "overlay (or printed without a display), then the report.")
    _service_args(demo)
    add_pipeline_args(demo)
    demo.add_argument("--no-overlay", action="store_true", help="print nudges instead of the overlay")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="the service only: sessions come from `pullcoach capture`",
                           description="Run the service for several role-plays: each pair streams with "
                                       "`pullcoach capture`; the trainer watches on /trainer. Ctrl-C stops it.")
    _service_args(serve)
    add_pipeline_args(serve)
    serve.set_defaults(func=cmd_serve)

    cap = sub.add_parser("capture", help="stream this machine's audio to a remote `pullcoach serve`",
                         description="Capture this machine's two speakers (or --replay a recording) and "
                                     "stream them to a `pullcoach serve`, which coaches and stores the session. "
                                     "Ctrl-C ends the session; a capture that stopped without ending it (a "
                                     "crash, kill -9, a closed terminal) and is started again within 2 "
                                     "minutes with the same --server and --coachee-name goes on with that "
                                     "session.")
    cap.add_argument("--server", required=True, help="ws://HOST:PORT of the service")
    cap.add_argument("--token", default=None, help="the service's capture token (default $PULLCOACH_TOKEN)")
    add_lang(cap, "conversation language", default=None, otherwise="the server's --lang")
    cap.add_argument("--coachee-name", default=None, metavar="NAME",
                     help="who is coached, as the trainer, the report and 'since your previous "
                          "conversation' know them (default: 'coachee (THIS-HOST)')")
    cap.add_argument("--partner-name", default="partner", metavar="NAME", help="the partner's name")
    cap.add_argument("--new", action="store_true",
                     help="start a new session even if the capture before this one left one unfinished "
                          "(that one is ended)")
    _capture_args(cap)
    cap.set_defaults(func=cmd_capture)


# --- sources ----------------------------------------------------------------------------

def make_source(args):
    if args.replay:
        check_replay_files(args.replay, "--replay")
        if args.stereo or args.coachee or args.partner:
            raise ConfigError("give either --replay or capture devices, not both")
        from pullcoach.audio import FileSource
        return FileSource(*args.replay, speed="realtime")
    from pullcoach.audio import LiveSource
    coachee, partner = _device(args.coachee), _device(args.partner)
    if coachee is None and partner is None and args.stereo is None:
        coachee, partner = _guess_devices()
    return LiveSource(coachee=coachee, partner=partner, stereo=_device(args.stereo))


def check_replay_files(files: list, what: str) -> None:
    """One or two recordings, or ConfigError saying what ``what`` takes."""
    files = [f for f in files if f is not None]
    if len(files) > 2:
        raise ConfigError(f"{what} takes one stereo file (left = coachee, right = partner) or two files "
                          f"(the coachee's, then the partner's), not {len(files)} ("
                          + ", ".join(files[:4]) + (", …" if len(files) > 4 else "")
                          + "): give one or two; a path with spaces needs quotes")


def _guess_devices() -> tuple[int, int]:
    """No devices given: the default mic and the one input that looks like the call's output."""
    from pullcoach.cmd_devices import list_inputs, pick_pair
    mic, loop = pick_pair(list_inputs())
    print(f"coachee: {mic['index']} {mic['name']}; partner: {loop['index']} {loop['name']} (looks like "
          "a call's output). Give --coachee and --partner to choose others.", file=sys.stderr)
    return mic["index"], loop["index"]


# --- commands ---------------------------------------------------------------------------

def check_service_args(args) -> None:
    """What can be told wrong before the model loads: flags that exclude each other first (a
    busy port is the machine's state, not the command's), the port, --focus with --no-rules."""
    devices = any(getattr(args, k, None) for k in ("stereo", "coachee", "partner"))
    if getattr(args, "replay", None) and devices:
        raise ConfigError("give either --replay or capture devices, not both")
    if getattr(args, "stereo", None) and (getattr(args, "coachee", None) or getattr(args, "partner", None)):
        raise ConfigError("give either a stereo device or coachee/partner devices, not both")
    port = getattr(args, "port", None)  # (replay serves nothing: no port to check)
    if port is not None and not 0 <= port <= 65535:
        raise ConfigError(f"--port {port}: a port is 1-65535 (or 0 for any free one)")
    if port and _in_use(args.host, port):  # serve binds after the model loads
        raise ConfigError(f"port {port} on {args.host} is in use (another pullcoach `run`, `demo` or "
                          "`serve`?): stop that, or add --port N")
    if getattr(args, "focus", None) is not None and getattr(args, "no_rules", False):
        raise ConfigError("--focus picks which rules' nudges go live, but --no-rules runs no rules: "
                          "leave out one of the two")


def check_rules(args) -> None:
    """A missing or broken --rules pack, or a wrong --focus name: said before the model
    loads and a session starts, as the session would load them."""
    if (getattr(args, "rules", None) or getattr(args, "focus", None) is not None) \
            and not getattr(args, "no_rules", False):
        from pullcoach.cmd_replay import make_engine
        make_engine(args.lang, rules=args.rules, focus=args.focus, plugins=False)


def _in_use(host: str, port: int) -> bool:
    """Something already listens on (host, port); anything else is left for the service to say."""
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the service binds
            probe.bind(addr)
    except OSError as exc:
        return exc.errno == errno.EADDRINUSE
    return False


def cmd_run(args) -> int:
    from pullcoach.runtime import Runtime
    check_service_args(args)
    take_pack_lang(args)  # an English --rules pack: an English session, no --lang en needed
    check_rules(args)
    source = make_source(args)
    # no overlay to show them (no display, or --no-overlay): the nudges are printed here
    printer = not os.environ.get("DISPLAY") or args.no_overlay
    runtime = Runtime(args, os.environ)
    try:
        code = asyncio.run(runtime.run_local(
            source, printer=printer, coachee=args.coachee_name, partner=args.partner_name))
    except StoreDamaged as err:
        raise _damaged_at_end(err, runtime, args) from None
    except AudioError as err:  # a file broke or a device went mid-session: say what is kept
        kept = list(getattr(runtime, "reports", {}))
        if not kept:
            raise
        from pullcoach.paths import dir_flag
        raise type(err)(f"{err}. The session up to there is kept: pullcoach report "
                        f"{kept[-1]}{dir_flag(args.data_dir)}") from None
    broken = getattr(source, "broken", None)
    if broken:  # exit 3 as for any broken audio: a script must not take it for a whole session
        from pullcoach.paths import dir_flag
        kept = list(getattr(runtime, "reports", {}))
        see = f": pullcoach report {kept[-1]}{dir_flag(args.data_dir)}" if kept else ""
        raise AudioError(f"{broken[0].detail['error']}. It is the partner's side: the coachee's was "
                         f"coached to its end, the partner's is silence from {broken[0].t:.1f} s; the "
                         f"session is kept and its report says so{see}")
    return code


def _damaged_at_end(err: StoreDamaged, runtime, args) -> StoreError:
    """The end-of-run read found the store damaged: not "report again any time" (exit 6)."""
    from pullcoach.paths import dir_flag
    kept = list(getattr(runtime, "reports", {}))
    then = f"; then: pullcoach report {kept[-1]}{dir_flag(args.data_dir)}" if kept else ""
    return StoreError(f"the session ended, but reading it back found the store damaged: {err}"
                      f"{then}")


def cmd_demo(args) -> int:
    from pullcoach.debrief import DEMO_NAMES  # the bundled role-play's two speakers
    from pullcoach.runtime import Runtime
    from pullcoach.audio import FileSource
    check_service_args(args)
    take_pack_lang(args)
    check_rules(args)
    if args.lang != "nl":
        said = ("$PULLCOACH_LANG is en: add --lang nl to see it" if from_env(args.lang) else
                "--lang en: add --lang nl to see it" if chosen(args.lang) else
                f"--rules {args.rules} is an English pack: give a Dutch one, or none")
        raise ConfigError(f"the demo is a Dutch role-play; there is no English one ({said}). For "
                          "English, `pullcoach run --replay FILE --lang en` or "
                          "`pullcoach analyze TRANSCRIPT --lang en`")
    with resources.as_file(resources.files("pullcoach").joinpath("data/demo_nl.flac")) as path:
        if not path.is_file():
            raise ConfigError("the demo recording is missing from this install; reinstall pullcoach")
        print("pullcoach demo: a Dutch role-play (55 s) replayed as if live.", file=sys.stderr)
        source = FileSource(path, speed="realtime")
        no_display = not os.environ.get("DISPLAY") or args.no_overlay
        runtime = Runtime(args, os.environ)
        try:  # names of their own, so a demo is never "your previous conversation" in a report
            return asyncio.run(runtime.run_local(
                source, printer=no_display, coachee=DEMO_NAMES[0], partner=DEMO_NAMES[1]))
        except StoreDamaged as err:
            raise _damaged_at_end(err, runtime, args) from None


def cmd_serve(args) -> int:
    from pullcoach.runtime import Runtime
    check_service_args(args)
    if (args.rules or args.focus is not None) and not args.no_rules:
        # each session loads the pack: a broken one started the server, then refused every
        # capture with no-session (a code that says "retry"); say it now, before the model
        from pullcoach.cmd_replay import make_engine
        take_pack_lang(args)  # the pack's language is the server's (a --lang given must be it)
        make_engine(args.lang, rules=args.rules, focus=args.focus, plugins=False)  # as a session will
    return asyncio.run(Runtime(args, os.environ).serve_forever())


def cmd_capture(args) -> int:
    from pullcoach import capture
    from pullcoach.capture_state import StateFile
    token = args.token or os.environ.get("PULLCOACH_TOKEN")
    if not token:
        raise ConfigError("no token: pass --token T (the server prints its capture token) or set PULLCOACH_TOKEN")
    capture.ingest_url(args.server)  # check the URL before opening devices
    source = make_source(args)

    report = []

    def welcome(w) -> None:
        sid, lang = w.sessions[0].session, w.sessions[0].lang
        base = args.server.rstrip("/").removesuffix("/ws").replace("ws", "http", 1)
        if w.report:
            report.append(base + w.report)
        print(f"session {sid}\noverlay token {w.token}\n"
              f"overlay: {base}/?session={sid}{'&lang=en' if lang == 'en' else ''}#token={w.token}\n"
              f"  or: PULLCOACH_OVERLAY_TOKEN={w.token} pullcoach overlay --url "  # (not in `ps`)
              f"{args.server.rstrip('/').removesuffix('/ws')}/ws --session {sid}", file=sys.stderr)
        if getattr(w, "audio_kept", False):  # consent: the pair hears it before they start talking
            print("recording: this server keeps both voices as audio files (serve --keep-audio), "
                  "beside the session on the trainer's machine", file=sys.stderr)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, source.close)
        coachee = args.coachee_name or f"coachee ({socket.gethostname().split('.')[0] or 'capture'})"
        try:
            sid = await capture.stream(args.server, token, source, lang=args.lang,
                                       coachee=coachee, partner=args.partner_name,
                                       on_welcome=welcome, fresh=args.new,
                                       state=StateFile(capture.ingest_url(args.server), coachee))
        except AudioError as err:  # --replay whose coachee's file broke off: the server was told
            if not getattr(source, "paths", None) or isinstance(err, AudioDeviceError) or not report:
                raise
            whose, what = (("It is the coachee's side", "the file") if len(source.paths) == 2 else
                           ("It holds both sides (one stereo file)", "the recording"))
            raise AudioError(f"{err}. {whose}: the session ended there (the server was "
                             f"told: its report says {what} broke off there); your report: "
                             f"{report[0]}") from None
        print(f"session {sid} ended" + (f"; your report: {report[0]}" if report else ""), file=sys.stderr)
        broken = getattr(source, "broken", None)
        if broken:  # --replay whose partner's file broke off: exit 3, as run and replay do
            raise AudioError(f"{broken[0].detail['error']}. It is the partner's side: the coachee's was "
                             f"streamed to its end, the partner's is silence from {broken[0].t:.1f} s (the "
                             "server was told: its report says the file broke off there)")
        return 0

    return asyncio.run(main())
