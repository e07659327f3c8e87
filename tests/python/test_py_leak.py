# No leak per run: 1000 runs of a small model (policy cpu) keep the process RSS flat and the
# refcounts of the inputs and outputs unchanged.
import sys

import numpy as np

from py_support import SMALL_MODEL, import_hetsched, model_path, rss_mb

hetsched = import_hetsched()
RUNS = 1000
SEED = 5


def test_rss_flat_over_1000_runs():
    s = hetsched.Session(model_path(SMALL_MODEL), policy="cpu", threads=1)
    x = np.random.default_rng(SEED).uniform(0, 1, size=s.model.inputs[0].shape).astype(np.float32)
    out_bytes = sum(int(np.prod(t.shape)) * 4 for t in s.model.outputs)
    for _ in range(100):  # warm-up: allocator pools, TBB arenas
        s.run([x])
        s.last_report()
    refs_x = sys.getrefcount(x)
    before = rss_mb()
    for _ in range(RUNS):
        outs = s.run({s.model.inputs[0].name: x})
        s.last_report()
    after = rss_mb()
    grown = after - before
    leak_if_outputs_leaked = RUNS * out_bytes / 2**20
    print(f"RSS {before:.1f} -> {after:.1f} MB over {RUNS} runs (outputs {out_bytes} bytes per run; leaking them "
          f"would grow {leak_if_outputs_leaked:.1f} MB)")
    assert sys.getrefcount(x) == refs_x
    control = [np.zeros(3, np.float32)]
    assert [sys.getrefcount(outs[i]) for i in range(len(outs))] == [sys.getrefcount(control[0])] * len(outs)
    assert leak_if_outputs_leaked > 20  # the check below can see a leak of the outputs
    assert grown < 8, f"RSS grew {grown:.1f} MB over {RUNS} runs"
