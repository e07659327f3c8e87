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


def test_gpu_sessions_release_their_device_resources():
    # One process, many sessions one after another (experiments/ times each configuration in a
    # fresh Session): open files and threads return to where they were. On the H100's driver the
    # 34th session of such a process failed in vkCreateInstance (VK_ERROR_INCOMPATIBLE_DRIVER,
    # study run 2026-12-06); this test, run there by scripts/python_device_run.sh, says whether
    # the process is leaking file descriptors or threads per session.
    import os
    import pytest
    if not any(d["usable"] for d in hetsched.devices()):
        pytest.skip("no usable Vulkan device")
    path = model_path(SMALL_MODEL)

    def counts():
        return len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))

    def churn(policy, n):
        for _ in range(n):
            s = hetsched.Session(path, policy=policy, threads=2)
            x = np.zeros(s.model.inputs[0].shape, np.float32)
            s.run([x])
            del s

    for policy, n in (("gpu", 8), ("ratio=0.5", 8), ("auto", 3)):  # auto's decision takes seconds here
        churn(policy, 2)  # first sessions: driver and TBB set-up that stays
        fds0, threads0 = counts()
        churn(policy, n)
        fds1, threads1 = counts()
        print(f"{policy}: fds {fds0} -> {fds1}, threads {threads0} -> {threads1} over {n} sessions")
        assert fds1 - fds0 <= 3, f"{policy}: {fds1 - fds0} file descriptors more after {n} sessions"
        assert threads1 - threads0 <= 3, f"{policy}: {threads1 - threads0} threads more after {n} sessions"
