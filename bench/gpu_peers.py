#!/usr/bin/env python3
"""GPU peers, same device, same run: every zoo model GPU-only with ours (fp32, fp16), ncnn's
Vulkan backend (fp32, fp16) and PyTorch (onnx2torch; eager and CUDA-graph replay, fp32 and fp16),
batch 1, median of N synchronized runs after warm-up. Writes gpu_peers_<tag>_<date>.csv and .md
(ratios ours/ncnn and ours/torch-graph per precision, geometric means, failures with reasons).

usage: bench/gpu_peers.py [--onnx-dir .peers/arch] [--work-dir /tmp/peers] [--bin build/hetsched]
         [--engines ours,ncnn,torch] [--precisions fp32,fp16] [--device cuda|cpu]
         [--iterations 50] [--warmup 10] [--models a,b] [--verify] [--out-dir bench/results] [--tag h100]

--onnx-dir holds NAME.onnx per model from scripts/convert_peers.py: architecture-only stubs (their
weights are re-materialized here with seeded random values of the same shapes, bench/peers_onnx.py)
or real-weight files. pnnx (ONNX -> ncnn) and onnx2torch run on the materialized file. Every
engine gets the same uniform [0, 1) input (NCHW for the peers). --verify compares each peer's
outputs with ONNX Runtime (CPU) on the same ONNX file and, with --litert, with LiteRT on the
.tflite (only meaningful for real weights). --device cpu runs torch on the CPU (a local check of
the path; no CUDA graph) and ncnn still on its first Vulkan device.
"""
import argparse
import csv
import datetime
import json
import math
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import onnx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers_onnx  # noqa: E402
from bench_common import add_zoo_run_args, median_ms, warmup_runs  # noqa: E402

SEED = 20261123


def short(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[-1] if lines else ''}"[:240].replace("|", "/")


# ---- ours -------------------------------------------------------------------------------------

def run_ours(binary, tflite: Path, precision: str, iterations: int, warmup: int, warmup_ms: float = 0.0) -> float:
    def start(iters: int, warm: int) -> dict:
        cmd = [str(binary), "run", str(tflite), "--policy", "gpu", "--json", "--iterations", str(iters),
               "--warmup", str(warm), "--seed", "1"]
        if precision != "fp32":
            cmd += ["--precision", precision]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
        if p.returncode != 0:
            err = (p.stderr.strip() or p.stdout.strip() or f"exit {p.returncode}").splitlines()[-1]
            raise RuntimeError(err)
        return json.loads(p.stdout)

    # Complete the tuning cache first: a start tunes within its budget and defers the remaining
    # op shapes (local sizes x register blocks) to the next start.
    for _ in range(30):
        last = start(1, 0)
        if last.get("tuning", {}).get("deferred", 0) == 0:
            break
    estimate = last.get("latency_ms", {}).get("median")
    return float(start(iterations, warmup_runs(estimate, warmup, warmup_ms))["latency_ms"]["median"])


# ---- ncnn (Vulkan) ----------------------------------------------------------------------------

def ncnn_device_name() -> str:
    import ncnn  # noqa: PLC0415
    n = ncnn.get_gpu_count()
    if n <= 0:
        return ""
    try:
        return ncnn.get_gpu_info(ncnn.get_default_gpu_index()).device_name()
    except Exception:  # noqa: BLE001 - older bindings lack get_gpu_info
        return f"{n} Vulkan device(s)"


class NcnnModel:
    def __init__(self, param: Path, binf: Path, fp16: bool):
        import ncnn  # noqa: PLC0415
        if ncnn.get_gpu_count() <= 0:
            raise RuntimeError("ncnn sees no Vulkan device")
        self.ncnn = ncnn
        self.net = ncnn.Net()
        opt = self.net.opt
        opt.use_vulkan_compute = True
        opt.use_fp16_packed = fp16
        opt.use_fp16_storage = fp16
        opt.use_fp16_arithmetic = fp16
        # No .bin: every weight zero, read from ncnn's empty data reader (as ncnn's benchncnn times
        # param-only models; its kernels do the same work whatever the values).
        weights = ncnn.DataReaderFromEmpty() if binf is None else str(binf)
        if self.net.load_param(str(param)) != 0 or self.net.load_model(weights) != 0:
            raise RuntimeError(f"ncnn could not load {param.name}")
        self.inputs = list(self.net.input_names())
        self.outputs = list(self.net.output_names())

    def run(self, feeds: list) -> list:
        ex = self.net.create_extractor()
        for name, x in zip(self.inputs, feeds):
            ex.input(name, self.ncnn.Mat(np.ascontiguousarray(x[0] if x.ndim == 4 else x)))
        outs = []
        for name in self.outputs:
            ret, mat = ex.extract(name)
            if ret != 0:
                raise RuntimeError(f"ncnn extract {name} returned {ret}")
            outs.append(np.array(mat))
        return outs

    def close(self):
        self.net.clear()


# ---- PyTorch ----------------------------------------------------------------------------------

def torch_tf32_defaults(torch) -> tuple:
    """PyTorch's TF32 switches as shipped (cuDNN convolutions, CUDA matmuls), read once in main()."""
    return (bool(torch.backends.cudnn.allow_tf32), bool(torch.backends.cuda.matmul.allow_tf32))


TORCH_TF32_DEFAULTS = (True, False)  # replaced in main() where torch is there

# Precision names: fp32 (PyTorch as shipped: cuDNN may run fp32 convolutions as TF32 on tensor
# cores, torch.backends.cudnn.allow_tf32 defaults to True), fp32strict (PyTorch with TF32 off for
# convolutions and matmuls: float32 arithmetic as ours and ncnn's fp32; ours runs its fp32 for it)
# and fp16.
STRICT = "fp32strict"
# mixed: ours with --precision mixed (float32 tensors, float16 operands on tensor cores, float32
# accumulation) against PyTorch's fp32 as shipped (TF32 convolutions: a reduced operand type too);
# the PyTorch column is the fp32 column's run where both are asked for. ncnn has no such mode.
MIXED = "mixed"


def engine_precision(prec: str) -> str:
    """The precision ours and ncnn run for a column: fp32strict is their fp32."""
    return "fp32" if prec == STRICT else prec


class TorchModel:
    def __init__(self, onnx_model, device: str, fp16: bool, feeds: list, tf32: bool = True):
        import torch  # noqa: PLC0415
        self.torch = torch
        # Process-wide switches: set for every model, so a strict column never leaks into the next.
        torch.backends.cudnn.allow_tf32 = TORCH_TF32_DEFAULTS[0] and tf32
        torch.backends.cuda.matmul.allow_tf32 = TORCH_TF32_DEFAULTS[1] and tf32
        self.device = torch.device(device)
        self.dtype = torch.float16 if fp16 else torch.float32
        self.module = peers_onnx.to_torch(onnx_model).to(self.device)
        if fp16:
            self.module = self.module.half()
        self.host_constants = peers_onnx.host_constants(self.module)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        self.inputs = [torch.from_numpy(x).to(self.device, self.dtype) for x in feeds]
        self.graph = None

    def sync(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def eager(self):
        with self.torch.inference_mode():
            out = self.module(*self.inputs)
        self.sync()
        return out

    def capture(self):
        torch = self.torch
        if self.device.type != "cuda":
            raise RuntimeError("CUDA graphs need --device cuda")
        static = [x.clone() for x in self.inputs]
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.inference_mode(), torch.cuda.stream(side):
            for _ in range(3):
                self.module(*static)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.inference_mode(), torch.cuda.graph(self.graph):
            self.static_out = self.module(*static)
        self.sync()

    def replay(self):
        self.graph.replay()
        self.torch.cuda.synchronize()
        return self.static_out

    def outputs_np(self, out) -> list:
        outs = out if isinstance(out, (list, tuple)) else [out]
        return [o.detach().float().cpu().numpy() for o in outs]


# ---- verification -----------------------------------------------------------------------------

def ort_outputs(onnx_path: Path, feeds: list) -> list:
    import onnxruntime as ort  # noqa: PLC0415
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    return sess.run(None, {i.name: x for i, x in zip(sess.get_inputs(), feeds)})


def litert_outputs(tflite: Path, feeds: list) -> list:
    from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415
    interp = Interpreter(model_path=str(tflite))
    interp.allocate_tensors()
    for d, x in zip(interp.get_input_details(), feeds):
        interp.set_tensor(d["index"], x.transpose(0, 2, 3, 1).copy() if x.ndim == 4 else x)
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()]


def match_errors(got: list, ref: list) -> float:
    """Max relative L2 over the reference outputs, each matched to a peer output of equal size
    (ncnn drops the batch axis and may order outputs differently)."""
    worst, pool = 0.0, [np.asarray(g) for g in got]
    for r in ref:
        cands = [k for k, g in enumerate(pool) if g.size == r.size]
        if not cands:
            return float("inf")
        best = min(cands, key=lambda k: peers_onnx.rel_l2(pool[k].reshape(r.shape), r))
        worst = max(worst, peers_onnx.rel_l2(pool.pop(best).reshape(r.shape), r))
    return worst


# ---- per model --------------------------------------------------------------------------------

def bench_model(m, args, work: Path, row: dict, failures: list):
    name = m["name"]
    tflite = Path(args.models_dir) / Path(m["file"]).name
    precisions = args.precisions.split(",")
    engines = args.engines.split(",")

    def fail(engine, e):
        row[f"{engine}_ms"] = ""
        failures.append((name, engine, short(e)))
        print(f"  {name} {engine}: failed: {short(e)}", flush=True)

    if "ours" in engines:
        for prec in precisions:
            if prec == STRICT and "fp32" in precisions:  # the same run of ours as the fp32 column
                if "ours_fp32_ms" in row:
                    row[f"ours_{prec}_ms"] = row["ours_fp32_ms"]
                continue
            try:
                row[f"ours_{prec}_ms"] = run_ours(args.bin, tflite, engine_precision(prec), args.iterations,
                                                  args.warmup, args.warmup_ms)
            except Exception as e:  # noqa: BLE001 - recorded as a failure, the run goes on
                fail(f"ours_{prec}", e)

    src = Path(args.onnx_dir) / f"{name}.onnx"
    if not src.exists():
        reason = args.conversion.get(name, "no ONNX file (scripts/convert_peers.py found no conversion)")
        for eng in [e for e in engines if e != "ours"]:
            for prec in precisions:
                for kind in (["eager", "graph"] if eng == "torch" else [""]):
                    failures.append((name, f"{eng}_{kind + '_' if kind else ''}{prec}", reason))
        return
    model = onnx.load(str(src))
    filled = peers_onnx.materialize(model)
    row["weights"] = "random (stubs)" if filled else "real"
    full = work / "onnx" / f"{name}.onnx"
    full.parent.mkdir(parents=True, exist_ok=True)
    if not full.exists() or full.stat().st_mtime < src.stat().st_mtime:  # materializing is deterministic
        onnx.save(model, str(full))
    shapes = peers_onnx.input_shapes(model)
    rng = np.random.default_rng(SEED)
    feeds = [rng.random(tuple(s), dtype=np.float32) for s in shapes.values()]
    refs = {}
    if args.verify:
        refs["ort"] = ort_outputs(full, feeds)
        if args.litert and not filled:
            ref_file = Path(args.models_dir) / Path(m.get("reference_file") or m["file"]).name
            refs["litert"] = litert_outputs(ref_file, feeds)
            row["ort_vs_litert"] = match_errors(refs["ort"], refs["litert"])

    def check(label, outs):
        for ref_name, ref in refs.items():
            row[f"{label}_vs_{ref_name}"] = match_errors(outs, ref)

    if "ncnn" in engines:
        try:
            if args.ncnn_dir:  # pnnx ran elsewhere (scripts/peers_pack.sh ncnn): NAME.ncnn.param or .failed
                param = Path(args.ncnn_dir) / f"{name}.ncnn.param"
                if not param.exists():
                    why = param.with_name(f"{name}.ncnn.failed")
                    raise RuntimeError(why.read_text().strip() if why.exists() else f"no {param.name} in --ncnn-dir")
                binf = param.with_name(f"{name}.ncnn.bin")
                if not binf.exists():
                    binf = None
                    row["ncnn_weights"] = "zeros (param only)"
            else:
                param, binf = peers_onnx.to_ncnn(full, work / "ncnn" / name, shapes)
        except Exception as e:  # noqa: BLE001
            for prec in [p for p in precisions if p not in (STRICT, MIXED)]:
                fail(f"ncnn_{prec}", e)
        else:
            for prec in [p for p in precisions if p not in (STRICT, MIXED)]:  # ncnn's fp32 is strict already
                try:
                    net = NcnnModel(param, binf, prec == "fp16")
                    try:
                        outs = net.run(feeds)
                        if binf is not None:  # zero weights: nothing to compare with
                            check(f"ncnn_{prec}", outs)
                        row[f"ncnn_{prec}_ms"] = median_ms(lambda: net.run(feeds), args.iterations, args.warmup,
                                                           args.warmup_ms)
                    finally:
                        net.close()
                except Exception as e:  # noqa: BLE001
                    fail(f"ncnn_{prec}", e)

    if "torch" in engines:
        for prec in precisions:
            if prec == MIXED and "fp32" in precisions:  # PyTorch's fp32 (TF32) run serves both columns
                for kind in ("eager", "graph"):
                    if f"torch_{kind}_fp32_ms" in row:
                        row[f"torch_{kind}_{prec}_ms"] = row[f"torch_{kind}_fp32_ms"]
                continue
            try:
                tm = TorchModel(model, args.device, prec == "fp16", feeds, tf32=prec != STRICT)
                check(f"torch_{prec}", tm.outputs_np(tm.eager()))
                row[f"torch_eager_{prec}_ms"] = median_ms(tm.eager, args.iterations, args.warmup, args.warmup_ms)
            except Exception as e:  # noqa: BLE001
                fail(f"torch_eager_{prec}", e)
                if args.debug:
                    traceback.print_exc()
                continue
            try:
                tm.capture()
                row[f"torch_graph_{prec}_ms"] = median_ms(tm.replay, args.iterations, args.warmup, args.warmup_ms)
            except Exception as e:  # noqa: BLE001
                fail(f"torch_graph_{prec}", e)
            del tm


# ---- report -----------------------------------------------------------------------------------

def geomean(values):
    values = [v for v in values if isinstance(v, float) and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def write_report(rows, failures, args, meta):
    precisions = args.precisions.split(",")
    for r in rows:
        for p in precisions:
            ours = r.get(f"ours_{p}_ms")
            for peer in ("ncnn", "torch_graph"):
                other = r.get(f"{peer}_{p}_ms")
                if isinstance(ours, float) and isinstance(other, float):
                    r[f"ours_over_{peer}_{p}"] = ours / other
    timing = [f"{e}_{p}_ms" for p in precisions for e in ("ours", "ncnn", "torch_eager", "torch_graph")]
    ratios = [f"ours_over_{peer}_{p}" for p in precisions for peer in ("ncnn", "torch_graph")]
    checks = sorted({k for r in rows for k in r if "_vs_" in k})
    cols = ["model", "macs_m", "weights"] + timing + ratios + checks
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"gpu_peers_{args.tag}_{meta['date']}"
    with open(out / f"{stem}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: (f"{r[c]:.4g}" if isinstance(r.get(c), float) else r.get(c, "")) for c in cols})
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else ("fail" if v == "" else "-" if v is None else str(v))  # noqa: E731
    lines = [f"# GPU peers on {meta['machine']}, {meta['date']}", "",
             f"Batch 1, GPU only, median of {args.iterations} synchronized runs after {args.warmup} warm-up "
             f"runs and at least {args.warmup_ms:g} ms of them, "
             f"engines one after another per model (ours as a subprocess), timing around a full inference with "
             f"the host waiting for the result. Latency in ms (lower is better); "
             f"ratio ours/peer > 1 means ours is slower.", "",
             f"- ours: `hetsched run --policy gpu` on {meta.get('ours_device', '?')}, its own median "
             f"(input set once, outputs left in GPU-visible memory)",
             f"- ncnn {meta.get('ncnn_version', '?')} Vulkan on: {meta.get('ncnn_device', '?')} "
             f"(fp16 = fp16 packed+storage+arithmetic); models via tf2onnx -> ONNX -> pnnx; its time includes "
             f"uploading the input and downloading the outputs (the Python API has no other way)"
             + ("; pnnx ran on the development machine and only the .param travelled: ncnn's weights are all "
                "zero (ncnn.DataReaderFromEmpty, as ncnn's benchncnn), so its outputs are not checked"
                if any(r.get("ncnn_weights") for r in rows) else ""),
             f"- PyTorch {meta.get('torch_version', '?')} on {meta.get('torch_device', '?')}: onnx2torch module, "
             f"eager and CUDA-graph replay; fp16 = .half(); fp32 = PyTorch's defaults "
             f"({meta.get('torch_tf32', '?')}: cuDNN may run fp32 convolutions as TF32 on tensor cores); "
             f"{STRICT} = TF32 off for convolutions and matmuls (strict float32, as ours and ncnn's fp32; "
             f"ours' column is its fp32 run); {MIXED} = ours with `--precision mixed` (float16 operands on "
             f"tensor cores, float32 accumulation) against PyTorch's fp32 column (TF32); "
             f"input resident on the GPU, outputs left there",
             f"- weights: {meta.get('weights', '?')}", ""]
    engines = args.engines.split(",")  # only the engines of this run described
    lines = [ln for ln in lines if not (ln.startswith("- ncnn") and "ncnn" not in engines
                                        or ln.startswith("- PyTorch") and "torch" not in engines)]
    lines += ["| " + " | ".join(["model"] + timing + ratios) + " |", "|" + "---|" * (1 + len(timing) + len(ratios))]
    for r in rows:
        lines.append("| " + " | ".join([r["model"]] + [fmt(r.get(c)) for c in timing + ratios]) + " |")
    gm = {c: geomean([r.get(c) for r in rows]) for c in ratios}
    lines.append("| **geometric mean** | " + " | ".join([""] * len(timing)) + " | "
                 + " | ".join(f"**{gm[c]:.3f}**" if gm[c] else "" for c in ratios) + " |")
    lines += ["", "Geometric means are over the models where both engines ran.", ""]
    if checks:
        lines += ["Output checks (max relative L2 over outputs):", "",
                  "| model | " + " | ".join(checks) + " |", "|" + "---|" * (1 + len(checks))]
        for r in rows:
            lines.append(f"| {r['model']} | " + " | ".join(
                f"{r[c]:.1e}" if isinstance(r.get(c), float) else "" for c in checks) + " |")
        lines.append("")
    lines += ["## Failures", "", "| model | engine | reason |", "|---|---|---|"]
    lines += [f"| {m} | {e} | {why} |" for m, e, why in failures] or ["| none | | |"]
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return gm


def main():
    ap = argparse.ArgumentParser()
    add_zoo_run_args(ap, iterations=50, warmup=10)
    ap.add_argument("--warmup-ms", type=float, default=300.0,
                    help="warm up at least this long too, every engine alike: the GPU's clock rises only after "
                         "it has been busy a while (0: --warmup runs only, as until 2026-12-07)")
    ap.add_argument("--onnx-dir", default=str(ROOT / ".peers" / "arch"))
    ap.add_argument("--work-dir", default="/tmp/hetsched_peers")
    ap.add_argument("--engines", default="ours,ncnn,torch")
    ap.add_argument("--precisions", default="fp32,fp16")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--ncnn-dir", default="", help="NAME.ncnn.param converted elsewhere (pnnx not needed here); "
                    "weights zero unless NAME.ncnn.bin is there too")
    ap.add_argument("--verify", action="store_true")
    ap.add_argument("--litert", action="store_true")
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--state", default="", help="JSON-lines file of finished models: skipped, appended to, reported")
    ap.add_argument("--budget-s", type=float, default=0, help="start no new model after this many seconds")
    args = ap.parse_args()
    args.tag = args.tag or os.uname().nodename
    args.models_dir = str(Path(args.index).parent)
    manifest = Path(args.onnx_dir) / "manifest.json"
    args.conversion = {}
    if manifest.exists():
        for name, rec in json.loads(manifest.read_text()).items():
            bad = [f"{k}: {v}" for k, v in rec["steps"].items() if v != "ok"]
            if bad:
                args.conversion[name] = "; ".join(bad)
    meta = {"date": datetime.date.today().isoformat(), "machine": args.tag}
    engines = args.engines.split(",")
    if "ours" in engines:
        try:
            p = subprocess.run([str(args.bin), "devices", "--json"], capture_output=True, text=True, timeout=120)
            dev = json.loads(p.stdout)["devices"][0]
            meta["ours_device"] = f"{dev['name']} ({dev.get('driver_info', '')}, Vulkan {dev.get('api_version', '?')})"
        except Exception as e:  # noqa: BLE001
            meta["ours_device"] = f"unknown ({short(e)})"
    if "ncnn" in engines:
        try:
            import ncnn  # noqa: PLC0415
            meta["ncnn_version"] = getattr(ncnn, "__version__", "?")
            meta["ncnn_device"] = ncnn_device_name() or "no Vulkan device (ncnn.get_gpu_count() == 0)"
        except Exception as e:  # noqa: BLE001
            meta["ncnn_device"] = f"ncnn unavailable: {short(e)}"
    if "torch" in engines:
        try:
            import torch  # noqa: PLC0415
            meta["torch_version"] = torch.__version__
            global TORCH_TF32_DEFAULTS
            TORCH_TF32_DEFAULTS = torch_tf32_defaults(torch)
            meta["torch_tf32"] = (f"cudnn.allow_tf32={TORCH_TF32_DEFAULTS[0]}, "
                                  f"cuda.matmul.allow_tf32={TORCH_TF32_DEFAULTS[1]}")
            meta["torch_device"] = (torch.cuda.get_device_name(0) if args.device == "cuda" and torch.cuda.is_available()
                                    else args.device)
        except Exception as e:  # noqa: BLE001
            meta["torch_device"] = f"torch unavailable: {short(e)}"
    print(json.dumps(meta), flush=True)
    index = json.load(open(args.index))["models"]
    wanted = set(filter(None, args.models.split(",")))
    state = Path(args.state) if args.state else None
    done = {}
    if state and state.exists():
        for line in state.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                done[r["model"]] = r
    work = Path(args.work_dir)
    start = time.monotonic()
    for m in index:
        if (wanted and m["name"] not in wanted) or (not wanted and m.get("expect_refused")) or m["name"] in done:
            continue
        if args.budget_s and time.monotonic() - start > args.budget_s:
            print(f"budget of {args.budget_s} s spent: {m['name']} and later models left for the next call", flush=True)
            break
        row = {"model": m["name"], "macs_m": round(m.get("macs", 0) / 1e6, 1)}
        failures = []
        try:
            bench_model(m, args, work, row, failures)
        except Exception as e:  # noqa: BLE001
            failures.append((m["name"], "setup", short(e)))
            if args.debug:
                traceback.print_exc()
        row["failures"] = [[e, why] for _, e, why in failures]
        print(json.dumps(row), flush=True)
        done[m["name"]] = row
        if state:
            state.parent.mkdir(parents=True, exist_ok=True)
            with open(state, "a") as f:
                f.write(json.dumps(row) + "\n")
    order = [m["name"] for m in index]
    rows = sorted(done.values(), key=lambda r: order.index(r["model"]) if r["model"] in order else len(order))
    failures = [(r["model"], e, why) for r in rows for e, why in r.get("failures", [])]
    weights = {r.get("weights", "") for r in rows}
    for m in index:
        if m.get("expect_refused") and not wanted:
            failures.append((m["name"], "all", "not benchmarked: " + m.get("refused_reason", "refused by ours")))
    meta["weights"] = ", ".join(sorted(w for w in weights if w)) or "?"
    write_report(rows, failures, args, meta)
    if "ncnn" in engines:
        try:
            import ncnn  # noqa: PLC0415
            ncnn.destroy_gpu_instance()
        except Exception:  # noqa: BLE001, S110 - best effort at exit
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
