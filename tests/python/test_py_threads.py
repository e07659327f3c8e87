# The GIL is released while a model runs: Python threads go on meanwhile, sessions in two threads
# run at once, and one session shared by two threads serializes its runs (each gets its own result).
import threading
import time

import numpy as np
import pytest

from py_support import import_hetsched, model_path

hetsched = import_hetsched()
MODEL = "mobilenet_v2"  # ~20-40 ms per CPU run here: long enough to see the GIL released
SEED = 7


@pytest.fixture(scope="module")
def model():
    return hetsched.Model(model_path(MODEL))


def inputs(model, n):
    print(f"inputs: np.random.default_rng({SEED})")
    rng = np.random.default_rng(SEED)
    return [rng.uniform(0, 1, size=model.inputs[0].shape).astype(np.float32) for _ in range(n)]


def test_gil_is_released_while_running(model):
    s = hetsched.Session(model, policy="cpu", threads=1)
    (x,) = inputs(model, 1)
    s.run([x])
    count, stop = [0], threading.Event()

    def ticker():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.01)
        ticks = []
        for _ in range(3):
            before = count[0]
            s.run([x])
            ticks.append(count[0] - before)
    finally:
        stop.set()
        t.join()
    print(f"ticker iterations during each run: {ticks}, run {s.last_run_ms():.1f} ms")
    # Held GIL: the ticker would get at most a switch interval's worth during a run.
    assert min(ticks) > 1000, ticks


def test_two_sessions_in_two_threads_overlap(model):
    a = hetsched.Session(model, policy="cpu", threads=1)
    b = hetsched.Session(model, policy="cpu", threads=1)
    xa, xb = inputs(model, 2)
    want_a, want_b = a.run([xa]), b.run([xb])
    spans = {"a": [], "b": []}
    results = {}
    barrier = threading.Barrier(2)

    def work(name, s, x):
        barrier.wait()
        for _ in range(4):
            s.run([x])
            spans[name].append((time.perf_counter() - s.last_run_ms() / 1e3, time.perf_counter()))
        results[name] = s.run([x])

    ta = threading.Thread(target=work, args=("a", a, xa))
    tb = threading.Thread(target=work, args=("b", b, xb))
    ta.start(); tb.start(); ta.join(); tb.join()
    assert np.array_equal(results["a"][0], want_a[0]) and np.array_equal(results["b"][0], want_b[0])
    overlaps = sum(1 for (s1, e1) in spans["a"] for (s2, e2) in spans["b"] if s1 < e2 and s2 < e1)
    print(f"run intervals overlapping: {overlaps} of {len(spans['a']) * len(spans['b'])} pairs")
    assert overlaps > 0


def test_one_session_from_two_threads(model):
    s = hetsched.Session(model, policy="cpu", threads=1)
    xs = inputs(model, 2)
    want = [s.run([x])[0] for x in xs]
    errors, got = [], {0: [], 1: []}

    def work(i):
        try:
            for _ in range(5):
                got[i].append(s.run([xs[i]])[0])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(2):
        assert len(got[i]) == 5 and all(np.array_equal(g, want[i]) for g in got[i])
