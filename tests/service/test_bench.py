"""The benchmark's measurement helpers (the benchmark itself is run by hand: `pullcoach bench`)."""

import asyncio
import time

from pullcoach.bench import _true_end, fired_latencies, loop_lag

TRUTH = {"turns": [{"speaker": "coachee", "start": 1.1, "end": 5.28},
                   {"speaker": "partner", "start": 5.88, "end": 10.08},
                   {"speaker": "coachee", "start": 10.68, "end": 18.1}]}


def test_a_final_is_timed_from_the_true_end_of_the_turn_it_closes():
    assert _true_end(TRUTH, "coachee", 5.5) == 5.28     # the VAD ends 0.22 s late
    assert _true_end(TRUTH, "partner", 10.2) == 10.08
    assert _true_end(TRUTH, "coachee", 13.9) is None    # cut for length mid-turn: no truth end
    assert _true_end(TRUTH, "partner", 5.5) is None     # the other speaker's turn does not count


def test_rule_fired_to_socket_leaves_out_nudges_after_the_audio_ended():
    # wall clock of audio sample 0 is 100.0; the audio (and its clock) ends at 57.024 s
    nudges = [(100.0 + 21.55 + 0.06, {"t": 21.55}),   # fired mid-call, on the socket 60 ms later
              (100.0 + 57.024 + 0.85, {"t": 57.024})]  # its transcript came 0.85 s after the end
    assert [round(x, 3) for x in fired_latencies(nudges, 100.0, 57.024)] == [0.06]


def test_loop_lag_sees_work_that_holds_the_event_loop():
    lags: list[float] = []

    async def main():
        probe = asyncio.create_task(loop_lag(lags, every=0.01))
        await asyncio.sleep(0.05)
        time.sleep(0.2)  # a blocking call on the loop, as a labelling pass would be
        await asyncio.sleep(0.05)
        probe.cancel()

    asyncio.run(main())
    assert max(lags) >= 0.15
    assert sorted(lags)[len(lags) // 2] < 0.05  # the rest of the time the loop was free


def test_loop_watch_says_which_work_held_the_loop():
    from pullcoach.bench import LoopWatch

    class Rules:
        def feed(self, event):  # pure Python on the loop thread: holds the loop ~30 ms of CPU
            c0 = time.thread_time()
            while time.thread_time() - c0 < 0.03:
                pass
            return []

    rules = Rules()

    async def main():
        with LoopWatch() as watch:
            watch.label(rules, "feed", "rules")
            await asyncio.sleep(0.01)
            rules.feed(None)
            await asyncio.sleep(0.01)
            await asyncio.to_thread(rules.feed, None)  # off the loop: not the loop's CPU
        return watch

    watch = asyncio.run(main())
    held = [s for s in watch.steps if "rules" in s[2]]
    assert len(held) == 1
    wall, cpu, parts = held[0]
    assert parts["rules"] >= 0.03 and cpu >= parts["rules"] * 0.99 and wall >= 0.03  # (two clocks: no finer)
    summary = watch.summary()
    assert summary["loop_steps_over_20ms"] >= 1
    assert any("rules" in s for s in summary["slowest_loop_steps"])


def test_a_slow_loop_step_is_described_by_what_its_cpu_went_to():
    from pullcoach.bench import describe_step

    assert describe_step(0.038, 0.031, {"rules": 0.029, "gc2": 0.0012, "segmenter": 0.0001}) == \
        "38 ms (loop CPU 31: rules 29, gc2 1)"
    assert describe_step(0.12, 0.002, {}) == "120 ms (loop CPU 2)"  # waited for a core
