#!/usr/bin/env python3
# Trains the latency predictors from profiling datasets and writes predictor files for the C++ side.
"""Usage: train.py DATASET.csv... --out predictor.json [--flops-out flops.json] [--rounds 300]

Rows of the zoo's models are never used (predictors.ZOO). Writes the gradient-boosted predictor
(profiles/predictor.h reads it; `hetsched profile --predict FILE` and `--install-predictor FILE` use
it) and optionally the FLOPs-linear baseline in the same format.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import predictors as P  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--flops-out")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-rows", type=int, default=P.MIN_ROWS_PER_TYPE)
    a = ap.parse_args()
    ds = P.Dataset.load(a.datasets)
    zoo = sum(1 for r in ds.rows if P.is_zoo(r["model"]))
    if zoo:
        print(f"train: ignoring {zoo} rows of zoo models (never trained on)", file=sys.stderr)
    if not P.kernel_rows(ds.subset(lambda r: not P.is_zoo(r["model"]))):
        sys.exit("train: no kernel rows outside the zoo to train on")
    t = P.train_all(ds, a.rounds, a.seed, a.min_rows)
    P.save(t["gbt"], a.out)
    if a.flops_out:
        P.save(t["flops"], a.flops_out)
    for key, p in t["gbt"]["processors"].items():
        print(f"train: {key}: models for {', '.join(sorted(p['kernels']))}", file=sys.stderr)


if __name__ == "__main__":
    main()
