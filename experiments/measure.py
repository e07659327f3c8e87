"""experiments/: timing a policy the way an app runs it: its own session (in this process through
the `hetsched` package, or its own `hetsched run --json` process), warm-up runs, then back-to-back
timed runs. GPU tuning is completed before anything is timed."""
import collections
import json
import os
import subprocess
import time

from common import log

SEED = 1  # inputs: uniform in [-1, 1) from this seed (printed in the report)


def package():
    try:
        import hetsched
        return hetsched
    except ImportError:
        return None


def random_inputs(model, seed=SEED):
    import numpy as np
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, size=tuple(t.shape)).astype(np.float32) for t in model.inputs]


def cli_json(binary, args, timeout=600, env=None):
    """`hetsched ARGS --json` parsed; RuntimeError with the last stderr line when it fails."""
    p = subprocess.run([str(binary), *map(str, args), "--json"], capture_output=True, text=True,
                       timeout=timeout, env=env)
    if p.returncode != 0:
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"
        raise RuntimeError(f"hetsched {' '.join(map(str, args))}: {last}")
    return json.loads(p.stdout)


def time_cli(binary, model_path, policy, threads, warmup, iterations, extra=(), timeout=600):
    """One `hetsched run` process: latencies of every timed run, runner, decisions, init time."""
    j = cli_json(binary, ["run", model_path, "--policy", policy, "--threads", threads, "--warmup", warmup,
                          "--iterations", iterations, "--seed", SEED, *extra], timeout=timeout)
    return {"latencies": j["latencies_ms"], "runner": ";".join(f"{k}:{v}" for k, v in
                                                                sorted(j.get("runs_by_runner", {}).items())),
            "decisions": len(j.get("decisions", [])), "init_ms": j.get("init_ms", ""), "engine": "cli",
            "json": j}


class InProcess:
    """Sessions in this process (the package): one Model per file, a fresh Session per configuration."""

    def __init__(self):
        self.hs = package()
        self.models = {}

    @property
    def available(self):
        return self.hs is not None

    def model(self, path):
        if path not in self.models:
            m = self.hs.Model(str(path))
            self.models[path] = (m, random_inputs(m))
        return self.models[path]

    def session(self, path, policy, threads, **kw):
        m, x = self.model(path)
        t0 = time.perf_counter()
        s = self.hs.Session(m, policy=policy, threads=threads, **kw)
        return s, x, (time.perf_counter() - t0) * 1e3

    def time(self, path, policy, threads, warmup, iterations, max_s=0):
        """Warm-up, then `iterations` timed runs; with max_s, the timed runs stop once they took max_s
        seconds and at least 5 ran (a configuration far slower than the rest, e.g. a software GPU:
        fewer runs, the count is in the CSV's n), and warm-up stops after max_s / 4."""
        s, x, init_ms = self.session(path, policy, threads)
        t_w = time.perf_counter()
        for _ in range(warmup):
            s.run(x)
            if max_s and time.perf_counter() - t_w > max_s / 4:
                break
        lat, runners = [], collections.Counter()
        t_start = time.perf_counter()
        for _ in range(iterations):
            if max_s and len(lat) >= 5 and time.perf_counter() - t_start > max_s:
                break
            t0 = time.perf_counter()
            s.run(x)
            lat.append((time.perf_counter() - t0) * 1e3)
            runners[s.last_run_summary().get("runner", "")] += 1
        return {"latencies": lat, "runner": ";".join(f"{k}:{v}" for k, v in sorted(runners.items())),
                "decisions": len(s.decisions), "init_ms": round(init_ms, 3), "engine": "package"}


class Timer:
    """Picks the engine: the package in this process when it is installed (issue #13: experiments
    time in-process through it), else a `hetsched run` process per configuration."""

    def __init__(self, binary, engine="auto"):
        self.binary = binary
        self.inproc = InProcess() if engine in ("auto", "package") else None
        if engine == "package" and not self.inproc.available:
            raise RuntimeError("--engine package: the hetsched Python package is not installed")
        if self.inproc is not None and not self.inproc.available:
            self.inproc = None
        self.engine = "package" if self.inproc else "cli"

    max_s = 0  # per-configuration time cap of in-process timing (run.py sets it)

    def time(self, model_path, policy, threads, warmup, iterations, separate_process=False):
        if self.inproc is not None and not separate_process:
            return self.inproc.time(model_path, policy, threads, warmup, iterations, self.max_s)
        return time_cli(self.binary, model_path, policy, threads, warmup, iterations)


_tuned = set()


def complete_tuning(binary, model_path, threads=0, timeout=900):
    """GPU sessions started (own processes) until no kernel's tuning is deferred to a later start;
    returns how many starts it took (-1: still deferred after 10). Once per model and run."""
    key = (str(model_path), threads)
    if key in _tuned:
        return 0
    for start in range(10):
        j = cli_json(binary, ["run", model_path, "--policy", "gpu", "--threads", threads, "--iterations", 1,
                              "--warmup", 0], timeout=timeout)
        if j["tuning"]["deferred"] == 0:
            _tuned.add(key)
            log(f"GPU tuning of {os.path.basename(str(model_path))} complete after {start + 1} start(s)")
            return start + 1
    log(f"GPU tuning of {model_path} still deferred after 10 starts")
    _tuned.add(key)  # not again for every configuration
    return -1
