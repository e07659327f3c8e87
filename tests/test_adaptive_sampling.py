# Adaptive sampling (profiles/gen/adaptive.py, issue #14 bullet 2): on a synthetic dataset where
# 7x7 kernels follow no learnable law and 3x3 / 5x5 a linear one, the focus file must weight 7x7
# highest, and gen_archs.py --focus must then draw 7x7 blocks more often than uniform sampling does
# (and reproducibly, under names that cannot collide with uniform ones).
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "profiles" / "train"))
sys.path.insert(0, str(ROOT / "profiles" / "gen"))
import adaptive  # noqa: E402
import predictors as P  # noqa: E402

SEED = 20261206


def synthetic_dataset(seed):
    print(f"synthetic dataset seed={seed}")
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(60):
        res = int(rng.choice(range(96, 321, 32)))
        for i in range(15):
            k = int(rng.choice([3, 5, 7]))
            h = int(rng.choice([res // 2, res // 4, res // 8]))
            c = int(rng.choice([16, 32, 64, 128]))
            macs = h * h * c * k * k
            f = dict.fromkeys(P.FEATURE_NAMES, 0.0)
            f.update(in_h=res if i == 0 else h, in_w=h, in_c=c, out_h=h, out_w=h, out_c=c, kernel_h=k, kernel_w=k,
                     stride_h=1, stride_w=1, dilation_h=1, dilation_w=1, groups=c, depthwise=1, macs=macs,
                     bytes_in=h * h * c * 4, bytes_out=h * h * c * 4, range_macs=macs,
                     range_bytes_out=h * h * c * 4)
            us = 5.0 + 1e-3 * macs
            if k == 7:
                us *= float(rng.uniform(0.3, 3.0))  # nothing in the features explains this
            r = {"model": f"mobile_s1_{m}.tflite", "op_index": str(i), "op_type": "DEPTHWISE_CONV_2D",
                 "processor": "cpu", "threads": "1", "precision": "fp32", "axis": "whole", "corun": "",
                 "median_us": repr(us)}
            r.update({"f_" + n: repr(float(v)) for n, v in f.items()})
            rows.append(r)
    d = P.Dataset(rows)
    d.feature_names = P.FEATURE_NAMES
    return d


def test_focus_weights_the_kernel_the_predictor_gets_wrong(tmp_path):
    focus = adaptive.focus_from(synthetic_dataset(SEED), holdout=0.3, rounds=300, mix=0.8)
    print(json.dumps(focus["errors"]["kernels"]))
    e = focus["errors"]["kernels"]
    assert e["7"]["outside_share"] > 0.5 > max(e["3"]["outside_share"], e["5"]["outside_share"])
    w = focus["kernels"]
    assert w["7"] > 0.5 and w["7"] > 2 * max(w["3"], w["5"]), w
    assert abs(sum(w.values()) - 1) < 1e-9 and abs(sum(focus["resolutions"].values()) - 1) < 1e-9
    assert 0 < focus["within_bound"] < 1

    # gen_archs.py --focus draws 7x7 blocks more often than uniform sampling.
    path = tmp_path / "focus.json"
    path.write_text(json.dumps(focus))

    def kernels(*extra):
        out = subprocess.run([sys.executable, str(ROOT / "profiles/gen/gen_archs.py"), "--family", "mobile",
                              "--count", "40", "--spec-only", "--out", str(tmp_path / "a"), *extra],
                             capture_output=True, text=True, check=True).stdout
        ks = [b["kernel"] for line in out.splitlines() for b in json.loads(line)["blocks"]]
        return out, float(np.mean(np.array(ks) == 7))

    uniform_text, uniform7 = kernels()
    focused_text, focused7 = kernels("--focus", str(path))
    print(f"share of 7x7 blocks: uniform {uniform7:.2f}, focused {focused7:.2f}")
    assert uniform7 < 0.45 and focused7 > 0.6
    assert kernels("--focus", str(path))[0] == focused_text  # reproducible


def test_focused_files_are_named_apart(tmp_path):
    focus = tmp_path / "f.json"
    focus.write_text(json.dumps({"kernels": {"7": 1.0}}))
    r = subprocess.run([sys.executable, str(ROOT / "profiles/gen/gen_archs.py"), "--family", "nb101", "--count", "1",
                        "--spec-only", "--out", str(tmp_path / "a"), "--focus", str(focus)],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "--focus applies to --family mobile" in r.stderr
