"""Architecture-only ONNX files for the GPU peer benchmark: weight stubs, their re-materialization,
and the ONNX -> ncnn (pnnx) and ONNX -> PyTorch (onnx2torch) conversions.

A stub replaces a float initializer of more than STUB_MIN_ELEMENTS elements by its shape, dtype,
mean, standard deviation and a seed (JSON in the initializer's doc_string, no data), so a zoo
model travels in kilobytes instead of megabytes. materialize() refills every stub with seeded normal
random values: the same shapes, so the same dense-kernel work (latency does not depend on the
weight values). Weights of Conv/ConvTranspose/Gemm/MatMul get mean 0 and deviation
1/sqrt(fan-in) (LeCun), so activations keep about unit size through any depth and fp16 runs do
not overflow (random values with the real weights' own deviation do: the real ones are
correlated, the random ones are not); other tensors (biases, PReLU slopes, scales) get the
recorded mean and deviation. Integer initializers (shapes, axes,
indices) and small float ones are kept verbatim: they define the graph, not the work.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

STUB_MIN_ELEMENTS = 64
STUB_TAG = "hetsched-stub:"
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE}


def weight_fan_in(model: onnx.ModelProto) -> dict:
    """Initializer name -> fan-in, for the weights of Conv, ConvTranspose, Gemm and MatMul."""
    dims = {i.name: list(i.dims) for i in model.graph.initializer}
    fan = {}
    for n in model.graph.node:
        if len(n.input) < 2 or n.input[1] not in dims:
            continue
        w = dims[n.input[1]]
        attrs = {a.name: a for a in n.attribute}
        group = attrs["group"].i if "group" in attrs else 1
        if n.op_type == "Conv" and len(w) >= 3:
            fan[n.input[1]] = int(np.prod(w[1:]))
        elif n.op_type == "ConvTranspose" and len(w) >= 3:
            fan[n.input[1]] = max(1, w[0] // group * int(np.prod(w[2:])) // int(np.prod(attrs["strides"].ints)
                                                                               if "strides" in attrs else 1))
        elif n.op_type == "Gemm" and len(w) == 2:
            fan[n.input[1]] = w[1] if "transB" in attrs and attrs["transB"].i else w[0]
        elif n.op_type == "MatMul" and len(w) == 2:
            fan[n.input[1]] = w[0]
    return fan


def stub_initializers(model: onnx.ModelProto) -> int:
    """Replaces large float initializers by stubs in place; returns how many bytes of data left."""
    dropped = 0
    fan = weight_fan_in(model)
    for init in model.graph.initializer:
        count = int(np.prod(init.dims)) if init.dims else 1
        if init.data_type not in FLOAT_TYPES or count <= STUB_MIN_ELEMENTS:
            continue
        values = numpy_helper.to_array(init).astype(np.float64)
        meta = {"mean": float(values.mean()), "std": float(values.std()),
                "seed": zlib.crc32(init.name.encode())}
        if init.name in fan:  # a weight: LeCun scale, so activations keep their size through depth
            meta.update(mean=0.0, std=float(1.0 / np.sqrt(fan[init.name])), fan_in=fan[init.name])
        dims, dtype, name = list(init.dims), init.data_type, init.name
        dropped += values.size * np.dtype(onnx.helper.tensor_dtype_to_np_dtype(dtype)).itemsize
        init.Clear()
        init.name, init.data_type = name, dtype
        init.dims.extend(dims)
        init.doc_string = STUB_TAG + json.dumps(meta)
    return dropped


def is_stubbed(model: onnx.ModelProto) -> bool:
    return any(i.doc_string.startswith(STUB_TAG) for i in model.graph.initializer)


def materialize(model: onnx.ModelProto) -> int:
    """Refills every stub with seeded normal random values in place; returns how many it filled."""
    filled = 0
    for init in model.graph.initializer:
        if not init.doc_string.startswith(STUB_TAG):
            continue
        meta = json.loads(init.doc_string[len(STUB_TAG):])
        dtype = onnx.helper.tensor_dtype_to_np_dtype(init.data_type)
        rng = np.random.default_rng(meta["seed"])
        values = rng.normal(meta["mean"], meta["std"], size=tuple(init.dims)).astype(dtype)
        init.CopyFrom(numpy_helper.from_array(values, init.name))
        filled += 1
    return filled


def input_shapes(model: onnx.ModelProto) -> dict:
    """Graph inputs (not initializers) -> static shape list."""
    inits = {i.name for i in model.graph.initializer}
    shapes = {}
    for inp in model.graph.input:
        if inp.name in inits:
            continue
        dims = [d.dim_value if d.dim_value > 0 else 1 for d in inp.type.tensor_type.shape.dim]
        shapes[inp.name] = dims
    return shapes


def pnnx_binary() -> str:
    """The pnnx executable: $PNNX, else the one inside the pnnx package, else pnnx on PATH."""
    if os.environ.get("PNNX"):
        return os.environ["PNNX"]
    import importlib.util  # noqa: PLC0415 - found, not imported: `import pnnx` needs torch
    spec = importlib.util.find_spec("pnnx")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if os.access(os.path.join(folder, "pnnx"), os.X_OK):
            return os.path.join(folder, "pnnx")
    found = shutil.which("pnnx")
    if not found:
        raise RuntimeError("pnnx not found (install the pnnx wheel or set $PNNX)")
    return found


def to_ncnn(onnx_path: Path, out_dir: Path, shapes: dict, timeout: int = 600) -> tuple:
    """ONNX -> ncnn with pnnx; returns (param, bin) paths. Raises RuntimeError with pnnx's last lines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = onnx_path.stem
    param, binf = out_dir / f"{stem}.ncnn.param", out_dir / f"{stem}.ncnn.bin"
    if param.exists() and binf.exists() and param.stat().st_mtime >= onnx_path.stat().st_mtime:
        return param, binf  # converted by an earlier call
    shape_arg = ",".join("[" + ",".join(str(d) for d in s) + "]" for s in shapes.values())
    local = out_dir / onnx_path.name
    if local.resolve() != onnx_path.resolve():
        shutil.copyfile(onnx_path, local)
    cmd = [pnnx_binary(), local.name, f"inputshape={shape_arg}", "fp16=0",
           f"ncnnparam={param.name}", f"ncnnbin={binf.name}", f"ncnnpy={stem}_ncnn.py",
           f"pnnxparam={stem}.pnnx.param", f"pnnxbin={stem}.pnnx.bin", f"pnnxpy={stem}_pnnx.py",
           f"pnnxonnx={stem}.pnnx.onnx"]
    p = subprocess.run(cmd, cwd=out_dir, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0 or not param.exists() or not binf.exists():
        tail = (p.stderr.strip() or p.stdout.strip()).splitlines()[-3:]
        raise RuntimeError(f"pnnx exit {p.returncode}: " + " | ".join(tail))
    check = subprocess.run(  # a child process: ncnn and TensorFlow in one process abort at exit
        [sys.executable, "-c", "import ncnn, sys; n = ncnn.Net(); n.opt.use_vulkan_compute = False; "
         "sys.exit(1 if n.load_param(sys.argv[1]) else 0)", str(param)], capture_output=True, text=True)
    if check.returncode != 0:
        missing = sorted(set(re.findall(r"layer (\S+) not exists", check.stderr + check.stdout)))
        param.unlink()
        raise RuntimeError("ncnn cannot load pnnx's output: " + (
            "layers " + ", ".join(missing) + " not in ncnn" if missing else check.stderr.strip()[-200:]))
    return param, binf


def normalize_pads(model: onnx.ModelProto) -> int:
    """Gives every Pad node an explicit mode and constant value (tf2onnx omits both, and pnnx then
    leaves the node as an ONNX 'Pad' that ncnn cannot load); same semantics. Returns the count."""
    zero = "hetsched_pad_zero"
    count = 0
    for n in model.graph.node:
        if n.op_type != "Pad":
            continue
        if not any(a.name == "mode" for a in n.attribute):
            n.attribute.append(onnx.helper.make_attribute("mode", "constant"))
        if len(n.input) == 2:
            n.input.append(zero)
        count += 1
    if count and not any(i.name == zero for i in model.graph.initializer):
        model.graph.initializer.append(numpy_helper.from_array(np.array(0, np.float32), zero))
    return count


def to_torch(onnx_model: onnx.ModelProto):
    """ONNX -> torch.nn.Module (eval mode) with onnx2torch."""
    from onnx2torch import convert  # noqa: PLC0415 - optional: only the torch path needs it
    return convert(onnx_model).eval()


def rel_l2(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / ||b||, with the reference norm floored at an RMS of 1e-4 (as the conformance
    tests do): outputs that are nearly all zero (a saturated sigmoid on noise input) would
    otherwise turn round-off into errors of order 1."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    if a.size != b.size:
        return float("inf")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-4 * np.sqrt(b.size)))



def dcr_to_crd(model: onnx.ModelProto) -> int:
    """Rewrites DepthToSpace in DCR mode (TFLite's order; pnnx and onnx2torch take only CRD, the
    order of PyTorch's pixel_shuffle) as a channel permutation followed by CRD: DCR takes input
    channel (i*b + j)*C' + c where CRD takes c*b*b + i*b + j, so
      x [1,C,H,W] -> Reshape [1, b*b, C', H*W] -> Transpose [0,2,1,3] -> Reshape [1,C,H,W] -> CRD
    (a 3-D transpose once the batch is dropped, which ncnn runs). Returns how many it rewrote."""
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(inferred.graph.value_info) + list(inferred.graph.input)}
    nodes, done = [], 0
    for n in model.graph.node:
        attrs = {a.name: a for a in n.attribute}
        shape = shapes.get(n.input[0], [])
        if (n.op_type != "DepthToSpace" or "mode" not in attrs or attrs["mode"].s != b"DCR"
                or len(shape) != 4 or 0 in shape):
            nodes.append(n)
            continue
        b = attrs["blocksize"].i
        _, c, h, w = shape
        tag = f"hetsched_dcr{done}"
        model.graph.initializer.extend([
            numpy_helper.from_array(np.array([shape[0], b * b, c // (b * b), h * w], np.int64), tag + "_s1"),
            numpy_helper.from_array(np.array(shape, np.int64), tag + "_s2")])
        nodes += [onnx.helper.make_node("Reshape", [n.input[0], tag + "_s1"], [tag + "_r1"], name=tag + "_r1"),
                  onnx.helper.make_node("Transpose", [tag + "_r1"], [tag + "_t"], name=tag + "_t", perm=[0, 2, 1, 3]),
                  onnx.helper.make_node("Reshape", [tag + "_t", tag + "_s2"], [tag + "_r2"], name=tag + "_r2")]
        n.input[0] = tag + "_r2"
        attrs["mode"].s = b"CRD"
        nodes.append(n)
        done += 1
    if done:
        del model.graph.node[:]
        model.graph.node.extend(nodes)
    return done


HOST_CONSTANT_MODULES = {"OnnxReshape", "OnnxPadDynamic", "OnnxResize", "OnnxSqueezeDynamicAxes"}


def host_constants(gm) -> int:
    """Moves the constant operands that onnx2torch's shape-like modules (Reshape, Pad, Resize,
    Squeeze) read with .tolist() back to the CPU after the module went to the GPU: read from GPU
    memory they cost a device sync per call, and a sync is illegal while a CUDA graph is being
    captured. Returns how many tensors moved."""
    import torch  # noqa: PLC0415
    moved = 0
    for n in gm.graph.nodes:
        if n.op != "call_module" or type(gm.get_submodule(n.target)).__name__ not in HOST_CONSTANT_MODULES:
            continue
        for a in list(n.args) + list(n.kwargs.values()):
            if getattr(a, "op", None) != "get_attr":
                continue
            parent, _, leaf = a.target.rpartition(".")
            owner = gm.get_submodule(parent) if parent else gm
            t = getattr(owner, leaf)
            if isinstance(t, torch.Tensor) and t.device.type != "cpu":
                if leaf in owner._buffers:
                    owner._buffers[leaf] = t.cpu()
                elif leaf in owner._parameters:
                    owner._parameters[leaf] = torch.nn.Parameter(t.cpu(), requires_grad=False)
                else:
                    setattr(owner, leaf, t.cpu())
                moved += 1
    return moved
