#!/usr/bin/env python3
# Adaptive sampling (nn-Meter, MobiSys'21): where does the predictor err, and what to generate next.
"""Usage: adaptive.py DATASET.csv... --out FOCUS.json [--holdout 0.3] [--rounds 100] [--mix 0.5]

Trains the kernel predictors (profiles/train/predictors.py) on a hash-chosen train split of the
generated architectures' models (never the zoo's), predicts the held-out models' kernel rows, and
measures, per region of the generator's space, the share of rows outside +-10%: by kernel size
(CONV_2D and DEPTHWISE_CONV_2D rows) and by the model's input resolution (rounded to the mobile
generator's 32-pixel steps). The focus file weights each value by
    mix * (its share of the out-of-bound rows) + (1 - mix) * uniform
(the uniform part keeps exploring), and gen_archs.py --focus samples new mobile architectures with
those weights. A later round profiles them, and this runs again on the grown dataset. The file also
records the errors it was derived from, so a round's choice can be read back.
"""
import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "profiles" / "train"))
import predictors as P  # noqa: E402

KERNELS = [3, 5, 7]
KERNEL_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D")


def held_out(model, share):
    h = int(hashlib.sha256(P.model_stem(model).encode()).hexdigest()[:8], 16)
    return (h % 1000) < share * 1000


def resolution_step(h, lo=96, hi=320):
    """The mobile generator's input resolution nearest to h (its steps of 32 from lo to hi)."""
    steps = list(range(lo, hi + 1, 32))
    return min(steps, key=lambda s: abs(s - h))


def model_resolutions(rows):
    """A model's input resolution: the largest input height among its kernel rows."""
    res = defaultdict(int)
    for r in rows:
        res[r["model"]] = max(res[r["model"]], int(float(r["f_in_h"])))
    return res


def focus_from(ds, holdout=0.3, rounds=100, mix=0.5, bound=0.10):
    gen = ds.subset(lambda r: not P.is_zoo(r["model"]))
    train = gen.subset(lambda r: not held_out(r["model"], holdout))
    test_rows = [r for r in P.kernel_rows(gen) if held_out(r["model"], holdout)]
    if not test_rows or not P.kernel_rows(train):
        raise SystemExit("adaptive: need kernel rows of several generated models (train and held out)")
    trained = P.train_all(train, rounds=rounds)
    pred = P.predict_rows(trained, "gbt", test_rows, gen.feature_names)
    meas = np.array([P.row_time(r) for r in test_rows])
    ok = np.isfinite(pred) & (meas > 0)
    bad = np.zeros(len(test_rows), dtype=bool)
    bad[ok] = np.abs(pred[ok] - meas[ok]) / meas[ok] > bound
    res_of = model_resolutions(P.kernel_rows(gen))

    def shares(key_of, values):
        miss, count = defaultdict(int), defaultdict(int)
        for r, b, good in zip(test_rows, bad, ok):
            k = key_of(r)
            if k is None or not good:
                continue
            count[k] += 1
            miss[k] += int(b)
        total_miss = sum(miss.values())
        weights = {}
        for v in values:
            error_share = miss.get(v, 0) / total_miss if total_miss else 0.0
            weights[str(v)] = mix * error_share + (1 - mix) / len(values)
        errors = {str(v): {"rows": count.get(v, 0), "outside": miss.get(v, 0),
                           "outside_share": (miss.get(v, 0) / count[v]) if count.get(v) else None} for v in values}
        return weights, errors

    kernel_key = lambda r: int(float(r["f_kernel_h"])) if r["op_type"] in KERNEL_OPS and \
        int(float(r["f_kernel_h"])) in KERNELS else None  # noqa: E731
    resolutions = list(range(96, 321, 32))
    res_key = lambda r: resolution_step(res_of[r["model"]])  # noqa: E731
    kw, ke = shares(kernel_key, KERNELS)
    rw, re_ = shares(res_key, resolutions)
    return {"format": "hetsched-sampling-focus", "version": 1, "bound": bound, "mix": mix,
            "held_out_rows": int(ok.sum()), "within_bound": float(1 - bad[ok].mean()) if ok.any() else None,
            "kernels": kw, "resolutions": rw, "errors": {"kernels": ke, "resolutions": re_}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--holdout", type=float, default=0.3)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--mix", type=float, default=0.5, help="weight of the error shares against uniform (0..1)")
    a = ap.parse_args()
    if not 0 <= a.mix <= 1:
        ap.error("--mix must be in [0, 1]")
    focus = focus_from(P.Dataset.load(a.datasets), a.holdout, a.rounds, a.mix)
    a.out.write_text(json.dumps(focus, indent=1) + "\n")
    print(f"adaptive: {focus['held_out_rows']} held-out kernel rows, {100 * focus['within_bound']:.1f}% within "
          f"+-{100 * focus['bound']:.0f}%; kernels {focus['kernels']}; resolutions {focus['resolutions']}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
