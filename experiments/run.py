#!/usr/bin/env python3
"""experiments/run.py: runs the study of issue #15 (E1-E8) on this machine and writes
experiments/results/<machine>_<date>/: one CSV per experiment, plots (PNG + SVG), machine.json and
REPORT.md (every number computed from the CSVs). Resumable: configurations whose rows are in the
CSVs are skipped. Usage: experiments/run.sh [--quick] [--only E1,E5] [--out DIR] [--models a,b]
       experiments/run.sh --report-only --out DIR      (the plots and REPORT.md again from the CSVs)"""
import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import e1_potential, e2_granularity, e3_overheads, e4_imbalance  # noqa: E401,E402
import e5_environment, e6_diversity, e7_memory_energy, e8_predictors  # noqa: E401,E402
import machine  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
from common import ROOT, CsvStore, Progress, env_cache, log  # noqa: E402

EXPERIMENTS = [e1_potential, e2_granularity, e3_overheads, e4_imbalance, e5_environment, e6_diversity,
               e7_memory_energy, e8_predictors]
QUICK_MODELS = ["face_detection_short_range", "selfie_segmentation"]


def csv_name(exp):
    return f"{exp.NAME}_{exp.TITLE.replace(' ', '_')}.csv"


class Ctx:
    def __init__(self, args, out):
        self.args, self.quick, self.out = args, args.quick, out
        b = Path(args.bin)
        self.binary = b / "hetsched"
        self.gpu_load = b / "hetsched_gpu_load"
        self.split_sweep = b / "split_sweep"
        for exe in (self.binary, self.gpu_load, self.split_sweep):
            if not exe.is_file():
                raise SystemExit(f"experiments: {exe} not found (ninja -C build hetsched_cli hetsched_gpu_load "
                                 "split_sweep, or --bin DIR)")
        # hetsched does not save tuning timings taken while the load average is above 2 x cores + 1;
        # on a shared machine tuning would then never complete, so the study saves them (and says so).
        self.cache = out / ".cache"
        self.cache.mkdir(parents=True, exist_ok=True)
        if not args.quick:  # a full run tunes into its own cache; --quick reuses the user's (CI: tuned by the tests)
            os.environ.setdefault("HETSCHED_BUSY_LOAD", "1000")
            env_cache(out)
        self.timer = measure.Timer(self.binary, args.engine)
        self.timer.max_s = args.max_config_s if args.max_config_s is not None else (2.0 if args.quick else 10.0)
        self.warmup, self.iterations = (2, 8) if args.quick else (5, 40)
        if args.iterations:
            self.iterations = args.iterations
        cores = os.cpu_count()
        counts, t = [], 1
        while t < cores:
            counts.append(t)
            t *= 2
        counts.append(cores)
        self.thread_counts = [1, cores] if args.quick else counts
        self.models_dir = Path(args.models_dir)
        self.zoo_models = zoo(self.models_dir, args.models or (",".join(QUICK_MODELS) if args.quick else ""))
        self.generated = generated(self, 0 if args.quick else args.generated)
        self.models = self.zoo_models + list(self.generated)
        # E2, E4, E5, E7 (the costly sweeps, loads and energy) run on these; E1, E3's fixed costs and E6 on all.
        focus = [m for m in args.focus_models.split(",") if m in self.models]
        self.focus = self.models if args.quick else (focus or self.models[:4])
        self.state = {}

    def model_path(self, name):
        return str(self.generated.get(name) or (self.models_dir / f"{name}.tflite"))


def zoo(models_dir, wanted):
    names = [n for n in wanted.split(",") if n]
    index = models_dir / "index.json"
    if not names and index.exists():
        names = [Path(m["file"]).stem for m in json.load(open(index))["models"] if not m.get("expect_refused")]
    return [n for n in names if (models_dir / f"{n}.tflite").exists()]


def generated(ctx, count):
    """Seeded NAS-Bench-101 cells and mobile blocks, kept in the results' .cache (see generate_archs)."""
    if count <= 0:
        return {}
    return generate_archs(ctx.cache / "archs", count)


def generate_archs(d, count):
    """count NAS-Bench-101 cells and count mobile blocks (profiles/gen, TensorFlow), seeded, small
    enough for the machine (here: lavapipe), in d unless there already (experiments/device_run.sh
    pack makes them here for the GPU machine, which has no TensorFlow). Returns {name: path}."""
    import subprocess
    for fam, extra in (("nb101", ["--resolution", "32", "--stem-channels", "32"]),
                       ("mobile", ["--min-res", "96", "--max-res", "160", "--width-scale", "0.75"])):
        if len(list(d.glob(f"{fam}_s{e8_predictors.GEN_SEED + 1}_*.tflite"))) < count:
            log(f"generating {count} {fam} architectures (seed {e8_predictors.GEN_SEED + 1})")
            try:
                subprocess.run([sys.executable, str(ROOT / "profiles/gen/gen_archs.py"), "--family", fam, "--count",
                                str(count), "--seed", str(e8_predictors.GEN_SEED + 1), "--out", str(d), *extra],
                               check=True, capture_output=True, text=True)
            except subprocess.CalledProcessError as e:
                last = (e.stderr or "").strip().splitlines()[-1:] or ["no error output"]
                raise SystemExit(f"experiments: no generated {fam} architectures in {d} and this Python cannot make "
                                 f"them ({last[0]}); the generator needs TensorFlow (the project .venv). On the GPU "
                                 f"machine carry them: experiments/device_run.sh pack makes .xfer-twins/archs, or "
                                 f"pass --generated 0") from None
    return {p.stem: p for p in sorted(d.glob("*.tflite"))}


def run_all(ctx, plans, prog):
    """Measures every configuration not in its CSV yet; a failure is recorded as a row and counted."""
    failures = 0
    for exp, store, cfgs in plans:
        for i, cfg in enumerate(cfgs, 1):
            label = " ".join(f"{k}={v}" for k, v in cfg.items() if v != "*")
            if store.has(cfg):
                prog.step(exp.NAME, i, len(cfgs), label, skipped=True)
                continue
            if ctx.args.budget_s and time.time() - prog.t0 > ctx.args.budget_s:
                log(f"--budget-s {ctx.args.budget_s:.0f} s reached: {prog.total - prog.done} configuration(s) left "
                    "for the next run (it resumes from the CSVs)")
                return failures
            prog.step(exp.NAME, i, len(cfgs), label)
            t0 = time.time()
            try:
                rows = exp.measure_config(ctx, cfg)
            except Exception as e:  # recorded, not fatal: the study goes on and the report says so
                failures += 1
                log(f"{exp.NAME} {label}: {e}")
                if os.environ.get("EXPERIMENTS_DEBUG"):
                    traceback.print_exc()
                rows = [dict(cfg, status=f"error: {str(e)[:200]}")]
            store.append(rows)
            prog.measured_one(time.time() - t0)
        if hasattr(exp, "close"):
            exp.close(ctx)
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="every experiment on two small models, few runs (CI)")
    ap.add_argument("--only", default="", help="comma-separated experiments, e.g. E1,E5")
    ap.add_argument("--out", default="", help="results folder (default experiments/results/<machine>_<date>)")
    ap.add_argument("--models", default="", help="comma-separated zoo model names (default: the zoo)")
    ap.add_argument("--focus-models", default="face_detection_short_range,selfie_segmentation,hand_landmark_full,"
                    "mobilenet_v2", help="the models of E2, E4, E5 and E7 in a full run (those of --models among them)")
    ap.add_argument("--models-dir", default=str(ROOT / "models"))
    ap.add_argument("--bin", default=str(ROOT / "build"), help="folder with hetsched, hetsched_gpu_load, split_sweep")
    ap.add_argument("--engine", choices=["auto", "package", "cli"], default="auto",
                    help="in-process timing: the hetsched package (auto: when installed) or a CLI process each")
    ap.add_argument("--iterations", type=int, default=0, help="timed runs per configuration (default 40, quick 8)")
    ap.add_argument("--generated", type=int, default=3, help="generated architectures per family in E1/E6 (full run)")
    ap.add_argument("--e8-archs", type=int, default=12, help="E8: generated architectures per family (full run)")
    ap.add_argument("--e8-train", default="", help="E8: comma-separated dataset CSVs measured elsewhere (no generation)")
    ap.add_argument("--e8-zoo", default="", help="E8 with --e8-train: the zoo's dataset CSVs (evaluation only)")
    ap.add_argument("--e8-gpu", action="store_true", help="E8: also profile the GPU")
    ap.add_argument("--max-config-s", type=float, default=None,
                    help="in-process timing: stop a configuration's timed runs after this many seconds once 5 ran "
                         "(default 10, quick 2; 0: never)")
    ap.add_argument("--budget-s", type=float, default=0,
                    help="start no configuration after this many seconds (the next run resumes); 0: none")
    ap.add_argument("--report-only", action="store_true", help="only the plots and REPORT.md, from the CSVs")
    args = ap.parse_args()

    only = {x.strip().upper() for x in args.only.split(",") if x.strip()}
    bad = only - {e.NAME for e in EXPERIMENTS}
    if bad:
        ap.error(f"--only: unknown experiment(s) {sorted(bad)}; known: E1..E8")
    exps = [e for e in EXPERIMENTS if not only or e.NAME in only]

    if args.report_only:
        if not args.out:
            ap.error("--report-only needs --out DIR")
        report.write(Path(args.out), EXPERIMENTS, csv_name)
        return 0

    desc_path = Path(args.out) / "machine.json" if args.out else None
    desc = json.load(open(desc_path)) if desc_path and desc_path.exists() else None
    if desc is None:
        log("describing the machine (2 s of background CPU utilization)")
        desc = machine.describe(Path(args.bin) / "hetsched")
    out = Path(args.out) if args.out else ROOT / "experiments" / "results" / machine.folder_name(desc, args.quick)
    out.mkdir(parents=True, exist_ok=True)
    (out / "machine.json").write_text(json.dumps(desc, indent=1) + "\n")
    ctx = Ctx(args, out)
    log(f"results in {out}; models: {', '.join(ctx.models)}; threads {ctx.thread_counts}; engine {ctx.timer.engine}; "
        f"input seed {measure.SEED}")

    plans = [(e, CsvStore(out / csv_name(e), e.COLUMNS, e.KEY), e.configs(ctx)) for e in exps]
    prog = Progress(sum(len(c) for _, _, c in plans))
    failures = 0
    try:
        failures = run_all(ctx, plans, prog)
    finally:  # loads never outlive the run (an interrupted E5 phase included)
        for exp, _, _ in plans:
            if hasattr(exp, "close"):
                exp.close(ctx)
    machine.finish(desc)
    desc["engine"] = ctx.timer.engine
    desc["warmup"], desc["iterations"] = ctx.warmup, ctx.iterations
    desc["quick"] = args.quick
    desc["hetsched_busy_load"] = os.environ.get("HETSCHED_BUSY_LOAD", "")
    (out / "machine.json").write_text(json.dumps(desc, indent=1) + "\n")
    report.write(out, EXPERIMENTS, csv_name)
    log(f"done in {time.time() - prog.t0:.0f} s: {out / 'REPORT.md'} ({failures} configuration(s) failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
