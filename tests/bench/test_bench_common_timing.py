"""bench/bench_common.py's timing helpers: the warm-up lasts at least its runs and its time (a GPU
idle before the loop runs at a low clock until busy a while), and a self-timing process gets
enough warm-up runs for that time."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_common as bc  # noqa: E402


class FakeClock:
    """A clock that each fn() call advances by its `step_ms`."""

    def __init__(self):
        self.t = 0.0
        self.calls = 0

    def __call__(self):
        return self.t

    def run(self, step_ms):
        self.calls += 1
        self.t += step_ms / 1e3


def test_warmup_lasts_its_runs_and_its_time():
    c = FakeClock()
    steps = iter([5.0] * 1000)
    med = bc.median_ms(lambda: c.run(next(steps)), iterations=5, warmup=3, warmup_ms=100, clock=c)
    # 100 ms at 5 ms a run: 20 warm-up runs (not 3), then 5 timed ones.
    assert c.calls == 25
    assert med == pytest.approx(5.0)
    c2 = FakeClock()
    bc.median_ms(lambda: c2.run(5.0), iterations=5, warmup=3, warmup_ms=0, clock=c2)
    assert c2.calls == 8  # without a time: the runs alone


def test_median_is_of_the_timed_runs_only():
    c = FakeClock()
    # Slow warm-up runs (a low clock) must not reach the median; the timed runs are 1, 2, 9, 3, 4.
    steps = iter([50.0, 50.0, 1.0, 2.0, 9.0, 3.0, 4.0])
    assert bc.median_ms(lambda: c.run(next(steps)), iterations=5, warmup=2, clock=c) == pytest.approx(3.0)
    steps = iter([1.0, 2.0, 3.0, 4.0])
    assert bc.median_ms(lambda: c.run(next(steps)), iterations=4, warmup=0, clock=c) == pytest.approx(2.5)


def test_warmup_runs_for_a_self_timing_process():
    assert bc.warmup_runs(0.4, 10, 300) == 750  # 300 ms at 0.4 ms a run
    assert bc.warmup_runs(50.0, 10, 300) == 10  # the runs are the longer rule
    assert bc.warmup_runs(0.001, 10, 300) == 20000  # capped
    assert bc.warmup_runs(None, 10, 300) == 10  # no estimate: the runs alone
    assert bc.warmup_runs(0.4, 10, 0) == 10
