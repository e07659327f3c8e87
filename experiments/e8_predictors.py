"""E8 predictors: the latency predictors' accuracy (profiles/report.py of issue #14: FLOPs-linear,
lookup table, boosted trees; RMSE, MAPE, share within +-5% and +-10%, kernel level on held-out
architectures and model level), rerun on this machine: generated NAS-Bench-101 cells and mobile
blocks (profiles/gen, seeded) profiled here with `hetsched profile`, the zoo profiled for
evaluation only. --quick rescores the committed small dataset (pipeline check, 20 rounds)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from common import ROOT, log

NAME, TITLE = "E8", "predictors"
KEY = ["level", "processor", "predictor"]
COLUMNS = KEY + ["n", "rmse_us", "mape", "within5", "within10", "dataset", "status"]
GEN_SEED = 15  # seed of the generated architectures (printed in the report)


def configs(ctx):
    return [{"level": "*", "processor": "*", "predictor": "*"}]


def run(args, timeout=7200):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:3]))}: {p.stderr.strip()[-400:]}")
    return p


def dataset(ctx):
    """(train CSVs, zoo CSVs, description)."""
    if ctx.args.e8_train:  # a dataset measured elsewhere (the GPU machine: profiles/device_run.sh)
        train = [Path(x) for x in ctx.args.e8_train.split(",")]
        zoo = [Path(x) for x in ctx.args.e8_zoo.split(",") if x]
        return train, zoo, "given dataset " + ", ".join(p.name for p in train + zoo)
    if ctx.quick:
        d = ROOT / "profiles/results/small_scale_2026-12-05/data"
        return [d / "tiny_gpu.csv.gz"], [], "committed profiles/results/small_scale_2026-12-05/data/tiny_gpu.csv.gz"
    work = ctx.cache / "e8"
    archs = work / "archs"
    n = ctx.args.e8_archs
    for fam, extra in (("nb101", ["--resolution", "16", "--stem-channels", "16"]),
                       ("mobile", ["--min-res", "64", "--max-res", "128", "--width-scale", "0.5"])):
        log(f"E8: generating {n} {fam} architectures (seed {GEN_SEED}, TensorFlow)")
        run([sys.executable, ROOT / "profiles/gen/gen_archs.py", "--family", fam, "--count", n, "--seed", GEN_SEED,
             "--out", archs, *extra])
    train = work / "archs.csv"
    if not train.exists():
        models = sorted(archs.glob("*.tflite"))
        gpu = ["--gpu", "--no-fp16"] if ctx.args.e8_gpu else []
        log(f"E8: profiling {len(models)} architectures")
        run([ctx.binary, "profile", *models, "--threads", "1,0", *gpu, "--out", str(train) + ".part",
             "--no-device-profile"])
        shutil.move(str(train) + ".part", train)
    zoo = work / "zoo.csv"
    if not zoo.exists():
        run([ctx.binary, "profile", *[ctx.model_path(m) for m in ctx.zoo_models], "--threads", "1,0", "--models-only",
             "--out", str(zoo) + ".part", "--no-device-profile"])
        shutil.move(str(zoo) + ".part", zoo)
    return [train], [zoo], f"{n} nb101 + {n} mobile architectures (seed {GEN_SEED}) and the zoo, profiled here"


def measure_config(ctx, cfg):
    train, zoo, desc = dataset(ctx)
    out = ctx.out / "E8_report"
    args = [sys.executable, ROOT / "profiles/report.py", "--train", *train, "--out", out,
            "--rounds", 20 if ctx.quick else 300, "--label", desc]
    if zoo:
        args += ["--zoo", *zoo]
    run(args)
    metrics = json.loads((out / "metrics.json").read_text())
    for f in out.glob("predictor_*.json"):  # MBs of trees: rebuilt by profiles/train/train.py
        f.unlink()
    rows = []
    for level in ("kernel", "model_held_out", "model_zoo"):
        for key, m in metrics.get(level, {}).items():
            proc, pred = key.rsplit("/", 1)
            rows.append({"level": level, "processor": proc, "predictor": pred, "n": m["n"],
                         "rmse_us": round(m["rmse_us"], 3), "mape": round(m["mape"], 4),
                         "within5": round(m["within5"], 4), "within10": round(m["within10"], 4),
                         "dataset": desc, "status": "ok"})
    return rows + [dict(cfg, dataset=desc, status="done")]
