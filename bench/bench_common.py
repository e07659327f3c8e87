"""Helpers the benchmark scripts share: running `hetsched run --json`, listing the zoo and writing
a zoo table."""
import csv
import datetime
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_hetsched(binary, model, policy, iterations, warmup, cache_dir, *extra, timeout=3600):
    """`hetsched run MODEL --json` with seed 1 and the given cache dir; its JSON summary.
    Raises RuntimeError with hetsched's last error line when it fails."""
    env = dict(os.environ, HETSCHED_CACHE_DIR=str(cache_dir))
    cmd = [str(binary), "run", str(model), "--json", "--policy", policy, "--iterations", str(iterations),
           "--warmup", str(warmup), "--seed", "1", *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}")
    return json.loads(p.stdout)


def median_ms(fn, iterations, warmup, warmup_ms=0.0, clock=None):
    """fn() runs one synchronized inference; the median wall time of `iterations` calls, in ms,
    after at least `warmup` calls and at least `warmup_ms` of them: a GPU idle before the loop
    (a new process, a model load) runs at a low clock until it has been busy a while, and 10
    warm-ups of a 0.4 ms model are 4 ms (the H100's SM clock sat below 1000 MHz in half of the
    dataset call's samples, profiles/results/h100_2026-12-07)."""
    clock = clock or time.perf_counter
    t0, done = clock(), 0
    while done < warmup or (clock() - t0) * 1e3 < warmup_ms:
        fn()
        done += 1
    times = []
    for _ in range(iterations):
        t = clock()
        fn()
        times.append((clock() - t) * 1e3)
    return statistics.median(times)


def warmup_runs(estimate_ms, warmup, warmup_ms, cap=20000):
    """Warm-up runs for a process that times itself (`hetsched run --warmup N`): at least `warmup`,
    and enough to last `warmup_ms` at `estimate_ms` a run (at most `cap`)."""
    if not warmup_ms or not estimate_ms or estimate_ms <= 0:
        return warmup
    return max(warmup, min(cap, int(-(-warmup_ms // estimate_ms))))


def run_json(binary, args, timeout):
    """`hetsched ARGS --json` parsed; RuntimeError with the args, exit code and stderr's tail."""
    proc = subprocess.run([str(binary), *map(str, args), "--json"], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))}: exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)


def complete_tuning(binary, model, *extra, timeout=600, log=print, max_starts=10):
    """GPU tuning completed before any timing: `hetsched run MODEL --policy gpu EXTRA` starts (own
    processes, one run each) until no kernel's tuning is deferred to a later start. Returns how many
    starts it took (-1: still deferred after max_starts)."""
    for start in range(max_starts):
        j = run_json(binary, ["run", model, "--policy", "gpu", *extra, "--iterations", "1", "--warmup", "0"], timeout)
        deferred = j["tuning"]["deferred"]
        log(f"  tuning start {start + 1}: {j['tuning']['shapes_timed']} shapes timed, {deferred} deferred")
        if deferred == 0:
            return start + 1
    return -1


def add_zoo_run_args(ap, iterations=50, warmup=5):
    """The arguments every zoo benchmark takes: the binary, the zoo index and a subset of it, timed
    and warm-up runs, and where its results go (--out-dir, --tag)."""
    ap.add_argument("--bin", default=str(ROOT / "build" / "hetsched"))
    ap.add_argument("--index", default=str(ROOT / "models" / "index.json"))
    ap.add_argument("--models", default="", help="comma-separated zoo names (default: all)")
    ap.add_argument("--iterations", type=int, default=iterations)
    ap.add_argument("--warmup", type=int, default=warmup)
    ap.add_argument("--out-dir", default=str(ROOT / "bench" / "results"))
    ap.add_argument("--tag", default="")


def write_zoo_table(args, name, rows, cols, heading, md_cols=None, cell=None):
    """A zoo benchmark's table: ARGS.out_dir/NAME_TAG_DATE.csv (every column of `cols`, "" where a
    row lacks one) and .md (`heading` lines, then a Markdown table of `md_cols`, default `cols`;
    cell(row, col) gives a cell's value, default the row's, floats to 3 decimals), printed too.
    TAG is --tag or the host name, DATE today's; heading(tag, date) returns the heading lines."""
    date = datetime.date.today().isoformat()
    tag = args.tag or os.uname().nodename
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{name}_{tag}_{date}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    md_cols = md_cols or cols
    cell = cell or (lambda r, c: r.get(c, ""))
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = heading(tag, date) + ["", "| " + " | ".join(md_cols) + " |", "|" + "---|" * len(md_cols)]
    for r in rows:
        lines.append("| " + " | ".join(fmt(cell(r, c)) for c in md_cols) + " |")
    (out / f"{name}_{tag}_{date}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def zoo_models(index_path, wanted=""):
    """(index entry, model path) for the runnable zoo models, optionally only the comma-separated names."""
    names = set(filter(None, wanted.split(",")))
    models_dir = Path(index_path).parent
    for m in json.load(open(index_path))["models"]:
        if m.get("expect_refused") or (names and m["name"] not in names):
            continue
        yield m, models_dir / Path(m["file"]).name


def hetsched_package():
    """The `hetsched` Python package when installed (set-up puts it in .venv), else None: the
    benchmarks then time through the CLI as before."""
    try:
        import hetsched
    except ImportError:
        return None
    return hetsched


def time_in_process(model_path, inputs, policy="cpu", threads=0, iterations=30, warmup=3, profiled=5, **options):
    """Times a Session in this process, as `hetsched run --json` does: `warmup` untimed runs,
    `iterations` timed ones (no profiling), then up to `profiled` profiled runs for per-op medians.
    Returns the same fields as its JSON summary: latency_ms {median, min, max}, ops [{index, type,
    device, ms}], tuning, policy, threads, engine="package". Needs the hetsched package."""
    hetsched = hetsched_package()
    if hetsched is None:
        raise RuntimeError("the hetsched Python package is not installed (scripts/setup.sh installs it)")
    session = hetsched.Session(str(model_path), policy=policy, threads=threads, **options)
    for _ in range(warmup):
        session.run(inputs)
    latencies = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        session.run(inputs)
        latencies.append((time.perf_counter() - t0) * 1e3)
    session.profiling = True
    per_step = []
    for _ in range(min(iterations, profiled)):
        session.run(inputs)
        steps = session.last_report()
        per_step.append(steps)
    steps = per_step[-1] if per_step else []
    ops = [{"index": s["op_index"], "type": s["op_type"], "device": s["device"],
            "ms": statistics.median(run[k]["end_ms"] - run[k]["start_ms"] for run in per_step)}
           for k, s in enumerate(steps)]
    return {"engine": "package", "policy": policy, "threads": threads, "tuning": session.tuning,
            "latency_ms": {"median": statistics.median(latencies), "min": min(latencies), "max": max(latencies)},
            "ops": ops}
