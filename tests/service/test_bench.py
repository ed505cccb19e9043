"""The benchmark's measurement helpers (the benchmark itself is run by hand: `pullcoach bench`)."""

from pullcoach.bench import _true_end

TRUTH = {"turns": [{"speaker": "coachee", "start": 1.1, "end": 5.28},
                   {"speaker": "partner", "start": 5.88, "end": 10.08},
                   {"speaker": "coachee", "start": 10.68, "end": 18.1}]}


def test_a_final_is_timed_from_the_true_end_of_the_turn_it_closes():
    assert _true_end(TRUTH, "coachee", 5.5) == 5.28     # the VAD ends 0.22 s late
    assert _true_end(TRUTH, "partner", 10.2) == 10.08
    assert _true_end(TRUTH, "coachee", 13.9) is None    # cut for length mid-turn: no truth end
    assert _true_end(TRUTH, "partner", 5.5) is None     # the other speaker's turn does not count
