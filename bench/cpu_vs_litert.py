#!/usr/bin/env python3
# Benchmarks hetsched's CPU policy against LiteRT (XNNPACK) on every runnable zoo model; table, CSV and Markdown.
"""Usage: bench/cpu_vs_litert.py [--threads 1 2] [--iterations 30] [--warmup 3] [--models a,b]
                                 [--litert-only] [--bin build/hetsched] [--seed S] [--out-dir bench/results]
                                 [--bin-before OLD_BINARY] [--tag TAG] [--rounds R]

Same seeded random inputs for both. LiteRT: Interpreter(num_threads=T) (XNNPACK, its default
delegate), median of `iterations` timed invoke() calls after `warmup`. hetsched: in this process
through the `hetsched` Python package (bench_common.time_in_process: a Session with policy cpu and
T threads, median of `iterations` timed run() calls after `warmup`, the same as `hetsched run`
measures) when it is installed, else (or with --engine cli) `hetsched run --json --policy cpu
--threads T --iterations N --warmup W --input in0.npy ...`, its latency_ms.median.
--bin-before OLD_BINARY also times an older build through the CLI in the same loop (LiteRT, before,
ours per model and thread count), for before/after tables taken in the same conditions.
--rounds R repeats each (model, threads) measurement R times back to back, the engines interleaved,
and reports the median of the R medians (a loaded machine's slow phases then hit every engine).
The load average at the start and end is written beside the table.
Writes bench/results/cpu_vs_litert_<machine>_<date>[-TAG].{csv,md}, machine = CPU model name + host.
"""
import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import numpy as np  # noqa: E402
import zoo  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import bench_common  # noqa: E402


def machine_name() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1]
                break
    except OSError:
        pass
    cpu = re.sub(r"\((R|TM|tm|r)\)|CPU|Processor|@.*$", "", cpu)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{cpu} {socket.gethostname()}").strip("-").lower()
    return slug[:80]


def bench_litert(entry, inputs, threads, iterations, warmup) -> float:
    it = zoo.make_interpreter(zoo.reference_path(entry), threads=threads)
    return statistics.median(zoo.time_litert(it, inputs, iterations, warmup))


def bench_hetsched_package(entry, inputs, threads, iterations, warmup) -> dict:
    """In process, through the hetsched package: no process start, no .npy round trip."""
    return bench_common.time_in_process(zoo.ROOT / entry["file"], inputs, policy="cpu", threads=threads,
                                        iterations=iterations, warmup=warmup)


def bench_hetsched(binary, entry, in_paths, threads, iterations, warmup) -> dict:
    cmd = [str(binary), "run", str(zoo.ROOT / entry["file"]), "--json", "--policy", "cpu",
           "--threads", str(threads), "--iterations", str(iterations), "--warmup", str(warmup)]
    for p in in_paths:
        cmd += ["--input", str(p)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"hetsched failed on {entry['name']} ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)  # latency_ms.median, and per-op medians under "ops"


def geomean(values):
    values = [v for v in values if v and v > 0 and math.isfinite(v)]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")


def fmt(v, digits=2):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{digits}f}"


def scaling_section(rows, threads):
    """Thread scaling: per thread count, geomean latency of ours and LiteRT and speedup over 1 thread."""
    base = min(threads)
    out = ["", f"## Thread scaling (speedup over {base} thread{'s' if base > 1 else ''}, geomean over models)", "",
           "| threads | ours ms | ours speedup | LiteRT ms | LiteRT speedup | ratio |", "|---|---|---|---|---|---|"]
    gm = {t: (geomean([r["ours_ms"] for r in rows if r["threads"] == t]),
              geomean([r["litert_ms"] for r in rows if r["threads"] == t])) for t in threads}
    for t in threads:
        o, l = gm[t]
        out.append(f"| {t} | {fmt(o)} | {fmt(gm[base][0] / o)} | {fmt(l)} | {fmt(gm[base][1] / l)} | {fmt(o / l)} |")
    return out


def breakdown_section(rows, op_profiles, threads, count):
    """Where our time goes on the models furthest behind LiteRT: per op type and the slowest ops
    (medians over the profiled runs of `hetsched run`, summed; their sum exceeds the end-to-end
    median by the per-op timing overhead)."""
    sel = sorted((r for r in rows if r["threads"] == threads and r["ratio"]), key=lambda r: -r["ratio"])[:count]
    out = ["", f"## Where our time goes: the {len(sel)} models furthest behind at {threads} thread(s)", "",
           "Per-op medians of 5 profiled runs after the timed ones (`hetsched run --json`, or a package Session "
           "with profiling on), summed by op type; "
           "LiteRT's Python API has no per-op profile, so its total is the only peer number.", ""]
    for r in sel:
        ops = op_profiles.get((r["model"], threads), [])
        total = sum(o["ms"] for o in ops) or float("nan")
        by_type = {}
        for o in ops:
            n, ms = by_type.get(o["type"], (0, 0.0))
            by_type[o["type"]] = (n + 1, ms + o["ms"])
        out += [f"### {r['model']}: ours {fmt(r['ours_ms'])} ms, LiteRT {fmt(r['litert_ms'])} ms, "
                f"ratio {fmt(r['ratio'])}", "", "| op type | ops | ms | share |", "|---|---|---|---|"]
        for t, (n, ms) in sorted(by_type.items(), key=lambda kv: -kv[1][1]):
            out.append(f"| {t} | {n} | {ms:.3f} | {100 * ms / total:.0f}% |")
        slow = sorted(ops, key=lambda o: -o["ms"])[:5]
        out += ["", "slowest ops: " + ", ".join(f"#{o['index']} {o['type']} {o['ms']:.3f} ms" for o in slow), ""]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--models", default="", help="comma-separated names (default: all runnable)")
    ap.add_argument("--litert-only", action="store_true", help="time LiteRT only (no hetsched)")
    ap.add_argument("--bin", type=Path, default=None, help="hetsched binary (default $HETSCHED_BIN or build/hetsched)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engine", choices=["auto", "package", "cli"], default="auto",
                    help="time hetsched in process through the Python package, or through the CLI; auto: the "
                         "package when installed")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--bin-before", type=Path, default=None,
                    help="an older hetsched binary timed through the CLI beside ours (before/after columns)")
    ap.add_argument("--tag", default="", help="suffix of the result files' names")
    ap.add_argument("--rounds", type=int, default=1, help="measurements per (model, threads), engines interleaved")
    ap.add_argument("--breakdown", type=int, default=4,
                    help="per-op time breakdown of this many models with the highest ratio at the fewest threads")
    args = ap.parse_args()
    if args.iterations < 30:
        print(f"note: --iterations {args.iterations} < 30", file=sys.stderr)
    binary = args.bin or zoo.hetsched_bin()
    use_package = args.engine == "package" or (args.engine == "auto" and bench_common.hetsched_package() is not None)
    if use_package and bench_common.hetsched_package() is None:
        sys.exit("cpu_vs_litert: --engine package but the hetsched Python package is not installed")
    print(f"hetsched timed through {'the Python package (in process)' if use_package else binary}", file=sys.stderr)
    if not args.litert_only and not use_package and not binary.is_file():
        sys.exit(f"cpu_vs_litert: {binary} not found (build it, or pass --litert-only)")

    entries = [e for e in zoo.load_index() if not e.get("expect_refused")]
    if args.models:
        wanted = set(args.models.split(","))
        unknown = wanted - {e["name"] for e in entries}
        if unknown:
            sys.exit(f"cpu_vs_litert: unknown models: {', '.join(sorted(unknown))}")
        entries = [e for e in entries if e["name"] in wanted]

    rows = []
    op_profiles = {}
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory(prefix="hetsched-bench-") as tmp:
        for e in entries:
            inputs = zoo.random_inputs(e, args.seed)
            in_paths = []
            for i, x in enumerate(inputs):
                p = Path(tmp) / f"{e['name']}_in{i}.npy"
                np.save(p, x)
                in_paths.append(p)
            for t in args.threads:
                lites, ours_runs, befores = [], [], []
                run = None
                for _ in range(max(1, args.rounds)):
                    lites.append(bench_litert(e, inputs, t, args.iterations, args.warmup))
                    if args.litert_only:
                        run = None
                    elif use_package:
                        run = bench_hetsched_package(e, inputs, t, args.iterations, args.warmup)
                    else:
                        run = bench_hetsched(binary, e, in_paths, t, args.iterations, args.warmup)
                    if run:
                        ours_runs.append(float(run["latency_ms"]["median"]))
                    if args.bin_before:
                        old = bench_hetsched(args.bin_before, e, in_paths, t, args.iterations, args.warmup)
                        befores.append(float(old["latency_ms"]["median"]))
                lite = statistics.median(lites)
                ours = statistics.median(ours_runs) if ours_runs else None
                ratio = ours / lite if ours is not None else None
                row = {"model": e["name"], "threads": t, "macs_m": e["macs"] / 1e6,
                       "ours_ms": ours, "litert_ms": lite, "ratio": ratio}
                if args.bin_before:
                    row["before_ms"] = statistics.median(befores)
                    row["before_ratio"] = row["before_ms"] / lite
                rows.append(row)
                if run:
                    op_profiles[(e["name"], t)] = run.get("ops", [])
                print(f"{e['name']:32s} T={t}  ours {fmt(ours):>9s} ms  LiteRT {fmt(lite):>9s} ms  "
                      f"ratio {fmt(ratio):>6s}"
                      + (f"  before {fmt(row['before_ms']):>9s} ms ratio {fmt(row['before_ratio']):>6s}"
                         if args.bin_before else ""), flush=True)

    load_end = Path("/proc/loadavg").read_text().split()[:3]
    date = datetime.date.today().isoformat()
    machine = machine_name()
    header = ["model", "threads", "MMACs", "ours ms", "LiteRT ms", "ratio (ours/LiteRT)"]
    if args.bin_before:
        header += ["before ms", "before/LiteRT"]
    lines = [f"# hetsched CPU vs LiteRT (XNNPACK), {machine}, {date}", "",
             f"median of {args.iterations} runs after {args.warmup} warm-up, seed {args.seed}"
             + ("" if args.litert_only else f", hetsched timed {'in process (Python package)' if use_package else 'by the CLI'}")
             + (", LiteRT only" if args.litert_only else "")
             + (f"; 'before' = {args.bin_before} by the CLI in the same loop" if args.bin_before else "")
             + (f"; median of {args.rounds} rounds, engines interleaved" if args.rounds > 1 else "")
             + f"; load average (1/5/15 min) {' '.join(load_start)} at the start, {' '.join(load_end)} at the end"
             + f" ({len(os.sched_getaffinity(0))} CPUs)", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        lines.append(f"| {r['model']} | {r['threads']} | {r['macs_m']:.1f} | {fmt(r['ours_ms'])} | "
                     f"{fmt(r['litert_ms'])} | {fmt(r['ratio'])} |"
                     + (f" {fmt(r['before_ms'])} | {fmt(r['before_ratio'])} |" if args.bin_before else ""))
    for t in args.threads:
        sel = [r for r in rows if r["threads"] == t]
        gm_ours = geomean([r["ours_ms"] for r in sel]) if not args.litert_only else None
        gm_lite = geomean([r["litert_ms"] for r in sel])
        gm_ratio = geomean([r["ratio"] for r in sel]) if not args.litert_only else None
        lines.append(f"| **geomean** | {t} | | {fmt(gm_ours)} | {fmt(gm_lite)} | {fmt(gm_ratio)} |"
                     + (f" {fmt(geomean([r['before_ms'] for r in sel]))} | "
                        f"{fmt(geomean([r['before_ratio'] for r in sel]))} |" if args.bin_before else ""))
    if len(args.threads) > 1 and not args.litert_only:
        lines += scaling_section(rows, args.threads)
    if not args.litert_only and args.breakdown > 0:
        lines += breakdown_section(rows, op_profiles, min(args.threads), args.breakdown)
    table = "\n".join(lines) + "\n"
    print()
    print(table)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    stem = args.out_dir / (f"cpu_vs_litert_{machine}_{date}{'_litert-only' if args.litert_only else ''}"
                           + (f"-{args.tag}" if args.tag else ""))
    with open(f"{stem}.csv", "w", newline="") as f:
        fields = ["model", "threads", "macs_m", "ours_ms", "litert_ms", "ratio"]
        w = csv.DictWriter(f, fieldnames=fields + (["before_ms", "before_ratio"] if args.bin_before else []))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.4f}" if isinstance(v, float) else ("" if v is None else v)) for k, v in r.items()})
    Path(f"{stem}.md").write_text(table)
    print(f"wrote {stem}.csv and {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
