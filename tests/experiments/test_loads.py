# The load generators of experiments/ really load the processor: stress-ng at a share of the cores
# and hetsched_gpu_load at a duty cycle, each measured (CPU utilization from /proc/stat; the GPU
# busy share from the generator's timestamps).
import math
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "experiments"))
import loads  # noqa: E402


def gpu_load_binary():
    b = Path(os.environ.get("HETSCHED_BIN", ROOT / "build" / "hetsched")).parent / "hetsched_gpu_load"
    if not b.is_file():
        pytest.fail(f"{b} not found (ninja -C build hetsched_gpu_load)")
    return b


def test_cpu_workers_split_the_share():
    assert loads.cpu_workers(0, 2) == (0, 0)
    assert loads.cpu_workers(0.25, 2) == (1, 50)
    assert loads.cpu_workers(1.0, 2) == (2, 100)
    assert loads.cpu_workers(0.25, 16) == (4, 100)
    assert loads.parse_phase("cpu50+gpu90") == (0.5, 0.9) and loads.parse_phase("idle") == (0, 0)
    with pytest.raises(ValueError):
        loads.parse_phase("disk50")


def test_stress_ng_loads_the_cpu():
    cores = os.cpu_count()
    load = loads.CpuLoad(1.0 / cores).start()  # one core's worth
    try:
        time.sleep(0.3)
        util = loads.measure_utilization(1.5)
        n = load.proc.pid
    finally:
        load.stop()
    print(f"stress-ng (1 worker) on {cores} cores: {util:.2f} of all cores busy")
    # One busy worker is 1/cores of the machine; other processes only add to it.
    assert util >= 0.8 / cores, util
    assert n > 0 and load.proc is None


def test_gpu_load_keeps_the_device_busy():
    g = loads.GpuLoad(0.5, gpu_load_binary()).start()
    m = loads.CpuMeter().start()
    time.sleep(2.5)
    mark_busy = g.busy_since(0)
    util = m.stop()
    busy = g.stop()
    print(f"hetsched_gpu_load --duty 0.5: busy share {busy:.3f} (per second {mark_busy}), CPU {util:.2f}")
    assert 0.3 <= busy <= 0.7, busy
    assert not math.isnan(mark_busy)
    assert util > 0  # on lavapipe the "GPU" is CPU threads; elsewhere the host thread submits
