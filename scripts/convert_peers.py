#!/usr/bin/env python3
"""Converts every zoo model to ONNX for the GPU peer benchmark (run in .venv-peers; see
scripts/setup_peers.sh) and records per model which conversion failed and why.

usage: scripts/convert_peers.py [--models a,b] [--out-dir .peers] [--no-pnnx] [--no-torch] [--stub-only]

Per model (models/index.json; a model with a LiteRT copy, `reference_file`, is converted from that
copy, whose builtin TRANSPOSE_CONV replaces MediaPipe's custom op):
  1. tflite -> ONNX with tf2onnx (opset 17, 4D inputs made NCHW, the peers' native layout), then
     ONNX Runtime's basic graph optimizations (constant folding: fp16 DEQUANTIZE and DENSIFY
     chains become plain fp32 initializers, as our importer folds them) -> OUT/onnx/NAME.onnx
     (real weights, stays here);
  2. ONNX Runtime on it vs LiteRT on the .tflite, same input uniform in [0, 1): relative L2 per
     output (proves the ONNX file is the same network);
  3. the architecture-only copy OUT/arch/NAME.onnx (bench/peers_onnx.py: weights replaced by
     shape/dtype/mean/std/seed stubs) that travels to the GPU machine;
  4. unless --no-pnnx / --no-torch: pnnx (ONNX -> ncnn) and onnx2torch on the real-weight ONNX,
     so a peer's conversion failure is known before the GPU run.
OUT/arch/manifest.json holds the per-model status and reasons; OUT/conversion.md a table.
"""
import argparse
import json
import re
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np
import onnx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import peers_onnx  # noqa: E402

SEED = 20261123


def short(e: BaseException) -> str:
    custom = sorted(set(re.findall(r"TFL_(?!CUSTOM)([A-Za-z0-9]+)", str(e))))
    if custom:  # tf2onnx passes a TFLite custom op through as an unknown ONNX op
        return "TFLite custom ops tf2onnx cannot convert: " + ", ".join(custom)
    msg = str(e).strip().splitlines()
    text = f"{type(e).__name__}: {msg[-1] if msg else ''}"
    return text[:300]


def densify(tflite: Path, out: Path) -> bool:
    """Writes a copy of the model whose DENSIFY ops are replaced by their dense constant results
    (tf2onnx cannot read sparse constants; our importer folds them the same way). LiteRT's
    reference kernels compute the dense values. Returns False (and writes nothing) if none."""
    from ai_edge_litert import schema_py_generated as schema  # noqa: PLC0415
    from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: PLC0415
    from ai_edge_litert.tools import flatbuffer_utils  # noqa: PLC0415

    model = flatbuffer_utils.read_model(str(tflite))
    codes = model.operatorCodes
    dense_code = schema.BuiltinOperator.DENSIFY

    def is_densify(op):
        c = codes[op.opcodeIndex]
        return max(c.builtinCode, c.deprecatedBuiltinCode) == dense_code

    sg = model.subgraphs[0]
    ops = [op for op in sg.operators if is_densify(op)]
    if not ops:
        return False
    interp = Interpreter(model_path=str(tflite), experimental_preserve_all_tensors=True,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
    interp.invoke()
    for op in ops:
        t = op.outputs[0]
        buf = schema.BufferT()
        buf.data = np.frombuffer(interp.get_tensor(t).tobytes(), np.uint8)
        model.buffers.append(buf)
        sg.tensors[t].buffer = len(model.buffers) - 1
        sg.tensors[op.inputs[0]].sparsity = None
        sg.tensors[op.inputs[0]].buffer = 0
    sg.operators = [op for op in sg.operators if not is_densify(op)]
    flatbuffer_utils.write_model(model, str(out))
    return True


def tflite_to_onnx(tflite: Path, out: Path) -> onnx.ModelProto:
    import onnxruntime as ort  # noqa: PLC0415
    import tf2onnx  # noqa: PLC0415
    from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415

    interp = Interpreter(model_path=str(tflite))
    nchw = [d["name"] for d in interp.get_input_details() if len(d["shape"]) == 4]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        dense = Path(tmp) / "dense.tflite"
        if densify(tflite, dense):
            tflite = dense
        tf2onnx.convert.from_tflite(str(tflite), opset=17, inputs_as_nchw=nchw, output_path=str(raw))
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(out)
        ort.InferenceSession(str(raw), opts, providers=["CPUExecutionProvider"])
    model = onnx.load(str(out))
    if peers_onnx.normalize_pads(model) + peers_onnx.dcr_to_crd(model):
        onnx.save(model, str(out))
    onnx.checker.check_model(model)
    return model


def litert_vs_ort(tflite: Path, onnx_path: Path) -> dict:
    """Relative L2 of each ONNX Runtime output against LiteRT's, same uniform [0, 1) input."""
    import onnxruntime as ort  # noqa: PLC0415
    from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415

    interp = Interpreter(model_path=str(tflite))
    interp.allocate_tensors()
    rng = np.random.default_rng(SEED)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    feeds = {}
    for d, o in zip(interp.get_input_details(), sess.get_inputs()):
        x = rng.random(tuple(d["shape"]), dtype=np.float32)
        interp.set_tensor(d["index"], x)
        feeds[o.name] = x.transpose(0, 3, 1, 2).copy() if x.ndim == 4 else x
    interp.invoke()
    ref = {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}
    got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    errs = {}
    for name, r in ref.items():
        g = got.get(name)
        if g is None:  # tf2onnx may rename: fall back to the output with the same element count
            g = next((v for v in got.values() if v.size == r.size), None)
        errs[name] = peers_onnx.rel_l2(g, r) if g is not None else float("inf")
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(ROOT / "models" / "index.json"))
    ap.add_argument("--out-dir", default=str(ROOT / ".peers"))
    ap.add_argument("--models", default="")
    ap.add_argument("--no-pnnx", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--stub-only", action="store_true", help="only rewrite OUT/arch from the existing OUT/onnx files")
    args = ap.parse_args()
    index = json.load(open(args.index))["models"]
    wanted = set(filter(None, args.models.split(",")))
    out = Path(args.out_dir)
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    (out / "arch").mkdir(parents=True, exist_ok=True)
    manifest_path = out / "arch" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    models_dir = Path(args.index).parent
    for m in index:
        name = m["name"]
        if wanted and name not in wanted:
            continue
        src = models_dir / Path(m.get("reference_file") or m["file"]).name
        rec = {"source": src.name, "steps": {}}
        full = out / "onnx" / f"{name}.onnx"
        if args.stub_only:
            if name in manifest and full.exists():
                arch = onnx.load(str(full))
                manifest[name]["weight_bytes_dropped"] = peers_onnx.stub_initializers(arch)
                onnx.save(arch, str(out / "arch" / f"{name}.onnx"))
                manifest[name]["arch_bytes"] = (out / "arch" / f"{name}.onnx").stat().st_size
            continue
        try:
            model = tflite_to_onnx(src, full)
            rec["steps"]["tflite_to_onnx"] = "ok"
        except Exception as e:  # noqa: BLE001 - a model that does not convert is recorded, not fatal
            rec["steps"]["tflite_to_onnx"] = "failed: " + short(e)
            manifest[name] = rec
            print(json.dumps({name: rec}), flush=True)
            continue
        rec["inputs"] = peers_onnx.input_shapes(model)
        rec["ops"] = sorted({n.op_type for n in model.graph.node})
        try:
            rec["ort_vs_litert_rel_l2"] = litert_vs_ort(src, full)
        except Exception as e:  # noqa: BLE001
            rec["steps"]["ort_vs_litert"] = "failed: " + short(e)
        arch = onnx.load(str(full))
        rec["weight_bytes_dropped"] = peers_onnx.stub_initializers(arch)
        onnx.save(arch, str(out / "arch" / f"{name}.onnx"))
        rec["arch_bytes"] = (out / "arch" / f"{name}.onnx").stat().st_size
        if not args.no_pnnx:
            try:
                peers_onnx.to_ncnn(full, out / "ncnn" / name, rec["inputs"])
                rec["steps"]["onnx_to_ncnn"] = "ok"
            except Exception as e:  # noqa: BLE001
                rec["steps"]["onnx_to_ncnn"] = "failed: " + short(e)
        if not args.no_torch:
            try:
                import torch  # noqa: PLC0415
                module = peers_onnx.to_torch(model)
                with torch.no_grad():
                    module(*[torch.rand(*s) for s in rec["inputs"].values()])
                rec["steps"]["onnx_to_torch"] = "ok"
            except Exception as e:  # noqa: BLE001
                rec["steps"]["onnx_to_torch"] = "failed: " + short(e)
                traceback.print_exc(limit=2)
        manifest[name] = rec
        manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
        print(json.dumps({name: rec}), flush=True)
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    lines = ["| model | tflite->onnx | ORT vs LiteRT (max rel L2) | onnx->ncnn (pnnx) | onnx->torch | arch KB |",
             "|---|---|---|---|---|---|"]
    for name, rec in manifest.items():
        st = rec["steps"]
        err = rec.get("ort_vs_litert_rel_l2")
        lines.append(f"| {name} | {st.get('tflite_to_onnx', '')} | "
                     f"{f'{max(err.values()):.1e}' if err else st.get('ort_vs_litert', '')} | "
                     f"{st.get('onnx_to_ncnn', '')} | {st.get('onnx_to_torch', '')} | "
                     f"{rec.get('arch_bytes', 0) // 1024} |")
    (out / "conversion.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
