#!/usr/bin/env python3
"""Per-op GPU profile of the models that miss the GPU-peers targets (issue #16 bullet 6): top kernels by
GPU time, achieved GFLOP/s (2 * MACs / time) and share of the H100's peaks, whole-model TFLOP/s of ours
and of PyTorch's CUDA-graph replay. Markdown on stdout.

usage: bench/gpu_peers_profile.py --peers TORCH_CALL.csv --runs RUNS_JSON_ERR.tar.gz [--zoo ZOO.csv.gz]
           [--bin build/hetsched] [--models-dir models] [--top 8] [--limit 1.5]

--peers  bench/gpu_peers.py's CSV of the call with PyTorch (ours_*_ms, torch_graph_*_ms, macs_m per model).
--runs   a bench/coopmat_device.sh archive of `hetsched run --json` outputs (MODEL_fp32.json and
         MODEL_fp16_nocoop.json: each op's median GPU time from timestamps around its dispatch).
--zoo    optional: a profiler dataset (profiles/device_run.sh zoo.csv.gz) for a second, older column.
Shapes and MACs come from `hetsched info --json` (MACs, the op's index as the run reports it) and the
.tflite itself (input and weight shapes, stride) through scripts/list_ops.py's reader.
"""
import argparse
import csv
import json
import math
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import list_ops  # noqa: E402
from peers_merge import num  # noqa: E402  (a positive finite float or None)
from ai_edge_litert.tools import flatbuffer_utils  # noqa: E402

# NVIDIA H100 SXM5 80GB (132 SMs, 1.98 GHz boost; the card here: device 0x2330, "H100 80GB HBM3"),
# dense TFLOP/s from NVIDIA's Hopper whitepaper table (sparse figures halved).
PEAK_FP32 = 66.9        # FP32 on CUDA cores (our fp32 and fp16 kernels: both compute in float32)
PEAK_FP16 = 133.8       # FP16 on CUDA cores (non-tensor; unused: our fp16 arithmetic is float32)
PEAK_TF32_TC = 494.7    # TF32 tensor cores (cuDNN's default for PyTorch fp32 convolutions)
PEAK_FP16_TC = 989.4    # FP16 tensor cores, fp32 accumulate (PyTorch .half())
HBM_GBS = 3350.0        # HBM3 bandwidth, GB/s
VARIANTS = {"fp32": "fp32", "fp16": "fp16_nocoop"}  # peers precision -> archive variant (fp16 as shipped)


def load_runs(path):
    """{(model, precision): run json} from the archive."""
    runs = {}
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            name = Path(m.name).name
            for prec, var in VARIANTS.items():
                if name.endswith(f"_{var}.json"):
                    runs[(name[: -len(f"_{var}.json")], prec)] = json.load(tar.extractfile(m))
    return runs


def load_zoo(path):
    """{(model, precision, op_index): median_us} of whole-op GPU rows (alone, every slice and row)."""
    import pandas as pd  # noqa: PLC0415
    z = pd.read_csv(path)
    z = z[(z.processor == "gpu") & (z.fraction == 1) & (z.corun.isna()) & (z.op_index >= 0)]
    if "in_model" in z:  # rows timed inside whole runs (profiler since 2026-12-07): not alone
        z = z[z.in_model == 0]
    return {(r.model.removesuffix(".tflite"), r.precision, int(r.op_index)): float(r.median_us)
            for r in z.itertuples()}


class OpShape(NamedTuple):
    text: str          # e.g. "3x3/s1 7x7x512 -> 7x7x512", "dw 3x3/s2 ...", "1280 -> 1000"
    k: int | None      # multiply-adds per output value (KH x KW x Cin), None for non-MAC ops
    vec4s: int | None  # output values / 4 (channels rounded up to whole vec4s)
    elems: int         # input + weights + output elements (PHWC4 padding and 2nd inputs not counted)


def op_shapes(tflite) -> list:
    """OpShape per tflite op index of the model's main subgraph."""
    model = flatbuffer_utils.read_model(str(tflite))
    sg = model.subgraphs[0]
    out = []
    for op in sg.operators:
        name = list_ops.op_name(model, op)
        ins = [list_ops._shape(sg.tensors[i]) if i >= 0 else [] for i in op.inputs]
        o = list_ops._shape(sg.tensors[op.outputs[0]])
        stride = getattr(op.builtinOptions, "strideH", 1) if op.builtinOptions is not None else 1
        x = "x".join(map(str, ins[0][1:])) if ins and ins[0] else "?"
        y = "x".join(map(str, o[1:]))
        vec4s = math.prod(o[:-1]) * -(-o[-1] // 4) if o else None
        data = (math.prod(ins[0]) if ins and ins[0] else 0) + math.prod(o)
        w = ins[1] if len(ins) > 1 else []
        if name == "CONV_2D":
            out.append(OpShape(f"{w[1]}x{w[2]}/s{stride} {x} -> {y}", w[1] * w[2] * w[3], vec4s, data + math.prod(w)))
        elif name == "DEPTHWISE_CONV_2D":
            out.append(OpShape(f"dw {w[1]}x{w[2]}/s{stride} {x} -> {y}", w[1] * w[2], vec4s, data + math.prod(w)))
        elif name == "FULLY_CONNECTED":
            out.append(OpShape(f"{w[1]} -> {w[0]}", w[1], vec4s, data + math.prod(w)))
        else:
            out.append(OpShape(f"{x} -> {y}", None, vec4s, data))
    return out


def info(bin_path, tflite):
    r = subprocess.run([bin_path, "info", "--json", str(tflite)], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def tflops(macs, ms):
    return 2.0 * macs / (ms * 1e-3) / 1e12 if macs and ms else None


def f(v, spec=".2f"):
    return "-" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--zoo")
    ap.add_argument("--bin", default="build/hetsched")
    ap.add_argument("--models-dir", default="models")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--limit", type=float, default=1.5, help="a model above this ratio in either precision is a miss")
    a = ap.parse_args()

    with open(a.peers) as fh:
        peers = {r["model"]: r for r in csv.DictReader(fh)}
    runs = load_runs(a.runs)
    zoo = load_zoo(a.zoo) if a.zoo else {}

    print("## Whole models: achieved TFLOP/s, ours and PyTorch CUDA-graph replay (same run)\n")
    print(f"2 x MACs / latency. Peaks (H100 SXM5, dense): FP32 CUDA cores {PEAK_FP32}, FP16 CUDA cores {PEAK_FP16}, "
      f"TF32 tensor cores {PEAK_TF32_TC}, FP16 tensor cores {PEAK_FP16_TC} TFLOP/s. Ours: strict fp32 and fp16 "
      "storage both compute in float32 on CUDA cores (% of the FP32 CUDA-core peak); PyTorch: cuDNN's fp32 "
      "convolutions may run as TF32 on tensor cores (% of the TF32 peak), .half() on FP16 tensor cores. "
      "`softmax us`: our SOFTMAX step in the per-op run (see below); `ratio w/o softmax`: ours/torch if that "
      "step took 5 us (a projection, not a measurement).\n")
    cols = ["model", "MMACs"]
    for prec in VARIANTS:
        cols += [f"ours {prec} ms", f"torch {prec} ms", "ratio", "ours TFLOP/s", "% peak", "torch TFLOP/s",
                 "% peak", "softmax us", "ratio w/o softmax"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    misses, proj = [], {prec: [] for prec in VARIANTS}
    for model, r in peers.items():
        macs = num(r.get("macs_m"))
        macs = macs * 1e6 if macs else None
        row = [model, f(macs / 1e6 if macs else None, ".0f")]
        missed = False
        for prec in VARIANTS:
            ours, torch = num(r.get(f"ours_{prec}_ms")), num(r.get(f"torch_graph_{prec}_ms"))
            ratio = ours / torch if ours and torch else None
            missed |= bool(ratio and ratio > a.limit)
            run = runs.get((model, prec))
            sm = sum(o["ms"] for o in run["ops"] if o["type"] == "SOFTMAX") * 1e3 if run else None
            pr = (ours - max(0.0, sm - 5.0) * 1e-3) / torch if ratio and sm is not None else ratio
            if pr:
                proj[prec].append(pr)
            to, tt = tflops(macs, ours), tflops(macs, torch)
            tpeak = PEAK_TF32_TC if prec == "fp32" else PEAK_FP16_TC
            row += [f(ours, ".3f"), f(torch, ".3f"), f(ratio), f(to), f(to and 100 * to / PEAK_FP32, ".1f"),
                    f(tt), f(tt and 100 * tt / tpeak, ".1f"), f(sm if sm else None, ".0f"), f(pr)]
        if missed:
            misses.append(model)
        print("| " + " | ".join(row) + " |")
    gm = {k: math.exp(sum(map(math.log, v)) / len(v)) for k, v in proj.items() if v}
    print("\nGeometric mean of `ratio w/o softmax`: " + ", ".join(f"{k} {v:.3f}" for k, v in gm.items()) +
      f" (over the {len(proj['fp32'])} models PyTorch's CUDA graph ran).\n")

    print(f"## Top {a.top} kernels of each model above {a.limit}x in either precision\n")
    print("Per op: the median GPU time of its dispatch (`hetsched run --json` `ops[].ms`, GPU timestamps, fully "
      "tuned, median of 5 profiled runs), GFLOP/s = 2 x MACs / time, % of the FP32 CUDA-core peak "
      f"({PEAK_FP32} TFLOP/s). GB/s: the op's input + weights + output at the storage type's size, once "
      f"(HBM3 {HBM_GBS:.0f} GB/s). K: multiply-adds per output value (KH x KW x Cin); out vec4s: output "
      "values / 4 (one invocation each in the plain conv shader; the register-blocked variants run fewer), "
      "against 132 SMs x 2048 resident threads = 270,336 on the H100." + (" `older us`: the same op in the profiler dataset (an older build, "
                                       "timed alone between idle gaps)." if zoo else "") + "\n")
    for model in misses:
        tflite = Path(a.models_dir) / f"{model}.tflite"
        inf = info(a.bin, tflite)
        shapes = op_shapes(tflite)
        ops = {o["index"]: o for o in inf["ops"]}
        print(f"### {model}\n")
        for prec in VARIANTS:
            run = runs.get((model, prec))
            if not run:
                print(f"{prec}: no per-op run in the archive.\n")
                continue
            steps = [s for s in run["ops"] if s["device"] == "gpu"]
            total = sum(s["ms"] for s in steps)
            by_type = {}
            for s in steps:
                by_type[s["type"]] = by_type.get(s["type"], 0.0) + s["ms"]
            small = [s for s in steps if s["ms"] * 1e3 < 8.0]
            conv_macs = sum(ops[s["index"]]["macs"] for s in steps)
            print(f"**{prec}**: {len(steps)} GPU steps, per-op sum {total:.3f} ms (run median "
              f"{run['latency_ms']['median']:.3f} ms); whole model {f(tflops(conv_macs, total))} TFLOP/s over the "
              f"per-op sum. Time by op type: " + ", ".join(
                  f"{k} {v * 1e3:.0f} us ({100 * v / total:.0f}%)" for k, v in
                  sorted(by_type.items(), key=lambda kv: -kv[1])[:5]) +
              f". Steps under 8 us: {len(small)}, {sum(s['ms'] for s in small) * 1e3:.0f} us in all.\n")
            esize = 4 if prec == "fp32" else 2
            print("| op | type | shape | K | out vec4s | MMACs | us | GFLOP/s | % FP32 peak | GB/s | share of model |" +
              (" older us |" if zoo else ""))
            print("|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if zoo else ""))
            for s in sorted(steps, key=lambda s: -s["ms"])[: a.top]:
                o = ops[s["index"]]
                us = s["ms"] * 1e3
                g = tflops(o["macs"], s["ms"])
                g = g * 1e3 if g else None
                tfl_idx = o.get("model_index", -1)
                shape, k, vec4s, elems = shapes[tfl_idx] if 0 <= tfl_idx < len(shapes) else ("?", None, None, 0)
                byts = elems * esize
                gbs = byts / (us * 1e-6) / 1e9 if byts and us else None
                line = (f"| {s['index']} | {s['type']} | {shape} | {f(k, 'd')} | {f(vec4s, 'd')} | {o['macs'] / 1e6:.1f} | {us:.1f} | {f(g, '.0f')} | "
                        f"{f(g and 100 * g / 1e3 / PEAK_FP32, '.1f')} | {f(gbs, '.0f')} | {100 * s['ms'] / total:.1f}% |")
                if zoo:
                    line += f" {f(zoo.get((model, prec, s['index'])), '.1f')} |"
                print(line)
            print("")
    return 0


if __name__ == "__main__":
    sys.exit(main())
