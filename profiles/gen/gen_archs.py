#!/usr/bin/env python3
# Generates seeded, reproducible .tflite architectures for the latency dataset (never the zoo's).
"""Usage: gen_archs.py --family nb101|mobile|encdec --count N [--seed S] [--start I] --out DIR
                       [--resolution R] [--stem-channels C] [--min-res A --max-res B] [--width-scale W]
                       [--focus FOCUS.json] [--writer tf|hetsched [--hetsched-bin BIN]]

Architecture i of seed S is sampled with numpy.random.default_rng([S, i]) and its weights with
keras seed S * 1000003 + i, so (family, seed, i, options) always gives the same file. Writes
DIR/<family>_s<S>_<i>.tflite, and DIR/<family>_s<S>_<i>.json (the spec), and appends one line per
model to DIR/index.jsonl (file, spec, sha256). Existing files are kept (generation resumes).
--min-res, --max-res and --width-scale apply to mobile and encdec (encdec rounds to multiples of 32).
Small options for a software GPU (lavapipe): --resolution 16 --stem-channels 16, --max-res 128.
--writer hetsched: the same specs, files and index lines, but the .tflite is written by
`hetsched gen-arch` (profiles/arch_writer.h: the graph the converter makes, milliseconds a model, no
TensorFlow; --hetsched-bin, default $HETSCHED_BIN or build/hetsched) with weight seed S * 1000003 + i
(kept in the index line as "seed", so `hetsched gen-arch DIR/index.jsonl` rewrites identical files).
--spec-only --index-lines prints those index lines without writing anything (what
`SPECS=1 profiles/device_run.sh pack` carries to a machine without TensorFlow).
The weights differ from TensorFlow's (seeded, not Keras' initializers); the graph is the same
(tests/test_gen_arch.py compares the two).
--focus (mobile only; written by profiles/gen/adaptive.py from a measured dataset) weights the
input resolutions and kernel sizes toward where the predictor errs (nn-Meter's adaptive sampling);
its files are named <family>_s<S>_f<focus hash>_<i> so they never collide with uniform ones.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import archs  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def spec_for(args, i, focus=None):
    rng = np.random.default_rng([args.seed, i])
    if args.family == "nb101":
        return archs.sample_nb101(rng, args.resolution, args.stem_channels)
    if args.family == "encdec":
        return archs.sample_encdec(rng, args.min_res, args.max_res, args.width_scale)
    return archs.sample_mobile(rng, args.min_res, args.max_res, args.width_scale, focus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", choices=["nb101", "mobile", "encdec"], required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--resolution", type=int, default=32, help="nb101 input resolution (CIFAR: 32)")
    ap.add_argument("--stem-channels", type=int, default=128, help="nb101 stem channels (published: 128)")
    ap.add_argument("--min-res", type=int, default=96)
    ap.add_argument("--max-res", type=int, default=320)
    ap.add_argument("--width-scale", type=float, default=1.0)
    ap.add_argument("--focus", type=Path, help="adaptive.py's focus file: sample where the predictor errs (mobile)")
    ap.add_argument("--spec-only", action="store_true", help="print the specs, build nothing (no TensorFlow)")
    ap.add_argument("--index-lines", action="store_true",
                    help="with --spec-only: print index lines {file, spec, seed} (`hetsched gen-arch` reads them)")
    ap.add_argument("--time-budget", type=float, default=0, help="stop after this many seconds (0: none)")
    ap.add_argument("--writer", choices=["tf", "hetsched"], default="tf",
                    help="who writes the .tflite: TensorFlow's converter (the reference) or `hetsched gen-arch`")
    ap.add_argument("--hetsched-bin", type=Path,
                    default=Path(os.environ.get("HETSCHED_BIN") or Path(__file__).resolve().parents[2] / "build/hetsched"),
                    help="the hetsched binary for --writer hetsched (default: $HETSCHED_BIN, else build/hetsched)")
    args = ap.parse_args()
    focus, tag = None, ""
    if args.focus:
        if args.family != "mobile":
            ap.error("--focus applies to --family mobile")
        text = args.focus.read_text()
        focus = json.loads(text)
        tag = "_f" + hashlib.sha256(text.encode()).hexdigest()[:8]
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    built = 0
    pending = []  # --writer hetsched: (name, spec, weight seed), written in one gen-arch call
    for i in range(args.start, args.start + args.count):
        spec = spec_for(args, i, focus)
        name = f"{args.family}_s{args.seed}{tag}_{i}"
        if args.spec_only:
            print(json.dumps({"file": f"{name}.tflite", "spec": spec, "seed": args.seed * 1000003 + i}
                             if args.index_lines else spec))
            continue
        path = args.out / f"{name}.tflite"
        if path.exists():
            continue
        if args.writer == "hetsched":
            pending.append((name, spec, args.seed * 1000003 + i))
            continue
        if args.time_budget and time.time() - t0 > args.time_budget:
            print(f"gen_archs: time budget reached after {built} models", file=sys.stderr)
            break
        import build  # TensorFlow only when building
        data = build.to_tflite(spec, args.seed * 1000003 + i)
        path.write_bytes(data)
        record(args.out, name, spec, data)
        built += 1
        print(f"gen_archs: {path.name} ({len(data)} bytes)", file=sys.stderr)
    if pending:
        write_with_hetsched(args, pending)
    return 0


def record(out, name, spec, data, extra=None):
    """The spec file and the index line of one written model."""
    (out / f"{name}.json").write_text(json.dumps(spec, indent=1) + "\n")
    line = {"file": f"{name}.tflite", "sha256": hashlib.sha256(data).hexdigest(), "spec": spec, **(extra or {})}
    with open(out / "index.jsonl", "a") as f:
        f.write(json.dumps(line) + "\n")


def write_with_hetsched(args, pending):
    """Writes the pending models with one `hetsched gen-arch` call (no TensorFlow), then records them."""
    batch = args.out / ".gen-arch-batch.jsonl"
    batch.write_text("".join(json.dumps({"file": f"{n}.tflite", "spec": s, "seed": seed}) + "\n"
                             for n, s, seed in pending))
    try:
        r = subprocess.run([str(args.hetsched_bin), "gen-arch", str(batch), "--out", str(args.out), "--quiet"],
                           capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"gen_archs: cannot run {args.hetsched_bin} ({e}); build it or pass --hetsched-bin")
    finally:
        batch.unlink(missing_ok=True)
    if r.returncode != 0:
        sys.exit(f"gen_archs: {args.hetsched_bin} gen-arch failed: {r.stderr.strip()}")
    for name, spec, seed in pending:
        data = (args.out / f"{name}.tflite").read_bytes()
        record(args.out, name, spec, data, {"seed": seed, "writer": "hetsched"})
        print(f"gen_archs: {name}.tflite ({len(data)} bytes, hetsched)", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
