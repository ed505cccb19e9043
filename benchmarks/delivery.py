"""Delivery latency: ``hub.publish`` -> a websocket client has the message, on loopback.

    .venv/bin/python benchmarks/delivery.py [--clients 1,100,1000] [--events 100] [--json FILE]

The server (Hub + Service) runs in this process, exactly as in ``pullcoach run``. The
clients run in ``--procs`` subprocesses (real websockets clients, overlay role, one
session), so their receive work does not share the server's event loop. Each nudge
carries ``detail.sent`` = ``time.monotonic()`` at publish (CLOCK_MONOTONIC is one clock
for all processes on Linux); a client's latency is its receive time minus that, so the
numbers include the client processes' own scheduling: an upper bound for the server.

Each client count runs twice: without and with one extra trainer client that stops
reading (its transport is paused). Between nudges the hub also publishes 16 KB transcript
partials that only trainers receive, so the stalled client's socket and queue really fill
(it is dropped-oldest, then closed after the stall timeout), while overlays get nothing
extra. The claim to check: p99 at 1,000 clients <= 50 ms, and the stalled client does not
raise the others' latency. Not a timed test: it prints a table and JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time

TOKEN = "bench-overlay-token-0123456789"
TRAINER = "bench-trainer-token-0123456789"
SESSION = "bench"


# --- client side (subprocess) -----------------------------------------------------------

async def _clients(url: str, n: int, stuck: bool) -> None:
    from websockets.asyncio.client import connect

    lat: list[float] = []
    ready = asyncio.Event()
    connected = 0
    gate = asyncio.Semaphore(50)  # do not overrun the listen backlog

    async def one() -> None:
        nonlocal connected
        async with gate:
            ws = await connect(url, compression=None, open_timeout=60, ping_interval=None)
            await ws.send(json.dumps({"v": 1, "type": "hello", "role": "overlay", "token": TOKEN,
                                      "session": SESSION, "client": "bench"}))
            await ws.recv(), await ws.recv()  # welcome, status
        connected += 1
        if connected == n:
            ready.set()
        async for raw in ws:
            now = time.monotonic()
            msg = json.loads(raw)
            if msg["type"] == "nudge-issued":
                lat.append(now - msg["detail"]["sent"])
            elif msg["type"] == "session-ended":
                break
        await ws.close()

    async def staller() -> None:
        ws = await connect(url, compression=None, ping_interval=None, max_queue=1)
        await ws.send(json.dumps({"v": 1, "type": "hello", "role": "trainer", "token": TRAINER}))
        await ws.recv()
        ws.transport.pause_reading()  # from now on this client reads nothing
        await asyncio.sleep(3600)

    tasks = [asyncio.create_task(one()) for _ in range(n)]
    if stuck:
        tasks.append(asyncio.create_task(staller()))
    await ready.wait()
    print("READY", flush=True)
    await asyncio.gather(*tasks[:n])
    print(json.dumps(lat), flush=True)
    os._exit(0)  # do not wait for the staller


# --- server side ------------------------------------------------------------------------

def _raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def _scenario(n: int, stuck: bool, events: int, interval: float, procs: int) -> dict:
    from pullcoach import tokens as tk
    from pullcoach.hub import Hub
    from pullcoach.rules import events as ev
    from pullcoach.server import Service

    hub = Hub()
    service = await Service(hub, tk.Tokens(trainer=TRAINER), port=0, ping_interval=None,
                            stall_timeout=2.0).start()
    hub.declare(SESSION, TOKEN)
    hub.publish(SESSION, ev.SessionStarted(session=SESSION, wall_clock=time.time()))
    url = f"ws://127.0.0.1:{service.port}/ws"
    procs = max(1, min(procs, n))
    shares = [n // procs + (i < n % procs) for i in range(procs)]
    children = []
    for i, k in enumerate(shares):
        children.append(await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client", url, "--n", str(k),
            *(["--stuck"] if stuck and i == 0 else []),
            stdout=subprocess.PIPE))
    for child in children:
        line = await asyncio.wait_for(child.stdout.readline(), 120)
        assert line.strip() == b"READY", line
    await asyncio.sleep(0.5)
    filler = "x" * 16_000
    publish_cost = []
    for i in range(events):
        for _ in range(4):  # trainer-only traffic that fills a stalled trainer's socket
            hub.publish(SESSION, ev.TranscriptPartial(t=i, speaker="partner", t0=i, t1=i, text=filler))
        t0 = time.monotonic()
        hub.publish(SESSION, ev.NudgeIssued(t=float(i), rule="interruption", message="Laat de ander uitpraten",
                                            evidence_t=float(i), detail={"sent": time.monotonic()}))
        publish_cost.append(time.monotonic() - t0)
        await asyncio.sleep(interval)
    hub.publish(SESSION, ev.SessionEnded(t=float(events)))
    lat: list[float] = []
    for child in children:
        out, _ = await asyncio.wait_for(child.communicate(), 120)
        lat += json.loads(out.decode().strip().splitlines()[-1])
    health = service.health()
    await service.close()
    lat_ms = sorted(x * 1000 for x in lat)
    q = statistics.quantiles(lat_ms, n=100, method="inclusive") if len(lat_ms) > 1 else lat_ms * 99
    return {"clients": n, "stalled_client": stuck, "client_procs": procs, "events": events,
            "received": len(lat_ms), "expected": n * events,
            "p50_ms": round(q[49], 2), "p99_ms": round(q[98], 2), "max_ms": round(lat_ms[-1], 2),
            "publish_p99_ms": round(sorted(publish_cost)[int(0.99 * (len(publish_cost) - 1))] * 1000, 3),
            "dropped": health["dropped"], "closed_slow": health["closed_slow"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", default="1,100,1000")
    ap.add_argument("--events", type=int, default=100)
    ap.add_argument("--interval", type=float, default=0.05, help="seconds between nudges")
    ap.add_argument("--procs", type=int, default=2, help="client subprocesses")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--client", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--stuck", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    nofile = _raise_nofile()
    if args.client:
        asyncio.run(_clients(args.client, args.n, args.stuck))
        return 0
    counts = [int(x) for x in args.clients.split(",")]
    if max(counts) + 64 > nofile:
        print(f"ulimit -n is {nofile}: too low for {max(counts)} clients", file=sys.stderr)
        return 2
    rows = []
    for n in counts:
        for stuck in (False, True):
            rows.append(asyncio.run(_scenario(n, stuck, args.events, args.interval, args.procs)))
            r = rows[-1]
            print(f"{r['clients']:>6} {'yes' if stuck else 'no':>8} {r['p50_ms']:>8} {r['p99_ms']:>8} "
                  f"{r['max_ms']:>8} {r['received']:>8}/{r['expected']:<8} {r['publish_p99_ms']:>8} "
                  f"{r['dropped']:>7} {r['closed_slow']:>5}", file=sys.stderr, flush=True)
    print(f"{'clients':>6} {'stalled':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'received':>17} {'pub p99':>8} {'dropped':>7} {'slow':>5}")
    for r in rows:
        print(f"{r['clients']:>6} {'yes' if r['stalled_client'] else 'no':>8} {r['p50_ms']:>8} "
              f"{r['p99_ms']:>8} {r['max_ms']:>8} {r['received']:>8}/{r['expected']:<8} "
              f"{r['publish_p99_ms']:>8} {r['dropped']:>7} {r['closed_slow']:>5}")
    result = {"benchmark": "delivery", "results": rows}
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
