"""E7 memory and energy: per model and policy, the planned arena bytes (`hetsched info --memory
--policy P`: the co-execution arena for splits and plans), the peak RSS of a `hetsched run`
process, and the energy per inference where the machine exposes it (RAPL package energy, NVIDIA
board power from nvidia-smi), measured around back-to-back runs of a warmed-up session; a row
says "not available" and why otherwise."""
import os
import subprocess
import tempfile
import time

import measure
from common import STAT_COLS, summarize
from energy import NvidiaPower, Rapl

NAME, TITLE = "E7", "memory and energy"
KEY = ["model", "policy"]
COLUMNS = KEY + ["arena_bytes", "peak_rss_mib", "cpu_energy_mj", "gpu_energy_mj", "energy_runs", "energy_note"] \
    + STAT_COLS + ["status"]


def policies(quick):
    return ["cpu", "gpu", "ratio=0.5"] if quick else ["cpu", "gpu", "auto", "ratio=0.5", "ratio=0.5:rows", "plan"]


def configs(ctx):
    return [{"model": m, "policy": p} for m in ctx.focus for p in policies(ctx.quick)]


def arena_bytes(ctx, model, policy):
    info = measure.cli_json(ctx.binary, ["info", ctx.model_path(model), "--memory", "--policy", policy])
    co = info.get("coexec_memory")
    if co and co.get("total_bytes"):
        return co["total_bytes"]
    return min(m["bytes"] for m in info["memory"])


def peak_rss_mib(ctx, model, policy):
    """Peak RSS of a `hetsched run` process. Through GNU time when installed (a fork of this big
    Python process would report this process's RSS: Linux keeps ru_maxrss across exec), else the
    child's VmHWM polled from /proc every 10 ms (the last reading before it exits)."""
    cmd = [str(ctx.binary), "run", ctx.model_path(model), "--policy", policy, "--warmup", "1",
           "--iterations", "3", "--seed", str(measure.SEED)]
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile("r", suffix=".txt") as t:
            p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, *cmd], capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr[-300:]}")
            return round(int(open(t.name).read().split()[-1]) / 1024, 2)
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm = 0
    while p.poll() is None:
        try:
            for line in open(f"/proc/{p.pid}/status"):
                if line.startswith("VmHWM"):
                    hwm = max(hwm, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.01)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.read().decode()[-300:]}")
    return round(hwm / 1024, 2)


def energy(ctx, model, policy, seconds):
    """(cpu mJ, gpu mJ per inference, runs, note, latencies) over >= `seconds` of back-to-back runs."""
    rapl, nv = Rapl(), NvidiaPower()
    inp = ctx.timer.inproc
    if inp is None:
        return "", "", 0, "no hetsched Python package: energy not measured", []
    s, x, _ = inp.session(ctx.model_path(model), policy, 0)
    for _ in range(ctx.warmup):
        s.run(x)
    lat = []
    rapl.start()
    nv.start()
    t_end = time.time() + seconds
    while time.time() < t_end or len(lat) < 3:
        t0 = time.perf_counter()
        s.run(x)
        lat.append((time.perf_counter() - t0) * 1e3)
    cpu_j, gpu_j = rapl.stop(), nv.stop()
    notes = [w for w in (rapl.why, nv.why) if w]
    f = lambda j: round(j * 1e3 / len(lat), 4) if j is not None else ""  # noqa: E731
    return f(cpu_j), f(gpu_j), len(lat), "; ".join(notes) or "available", lat


def measure_config(ctx, cfg):
    model, policy = cfg["model"], cfg["policy"]
    measure.complete_tuning(ctx.binary, ctx.model_path(model))
    if policy == "plan":
        from e1_potential import plan_file
        policy = f"plan={plan_file(ctx, model, 0)}"
    arena = arena_bytes(ctx, model, policy) if not policy.startswith("auto") else ""
    rss = peak_rss_mib(ctx, model, policy)
    cpu_mj, gpu_mj, runs, note, lat = energy(ctx, model, policy, 0.5 if ctx.quick else 3.0)
    return [dict(cfg, arena_bytes=arena, peak_rss_mib=rss, cpu_energy_mj=cpu_mj, gpu_energy_mj=gpu_mj,
                 energy_runs=runs, energy_note=note, status="ok", **summarize(lat))]
