#!/usr/bin/env python3
# Lists the ops, MACs and input/output shapes of .tflite models (flatbuffer parse; needs the .venv).
"""Usage: list_ops.py [--json] MODEL.tflite...

Also imported by gen_zoo.py, make_index.py and the tests: `describe(path)` returns a dict with
op counts, MACs and I/O tensors. The flatbuffer is read with ai_edge_litert's object API
(no TensorFlow import). Builtin op = max(builtin_code, deprecated_builtin_code), since some
MediaPipe files store only the deprecated field. Custom ops are named `CUSTOM:<code>`.

MACs: CONV_2D = out elements * KH * KW * Cin; DEPTHWISE_CONV_2D = out elements * KH * KW;
FULLY_CONNECTED = rows * out features * in features; TRANSPOSE_CONV and the custom
Convolution2DTransposeBias = input pixels (N*H*W) * Cout * KH * KW * Cin.
"""
import argparse
import collections
import json
import sys
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.tools import flatbuffer_utils

OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}


def op_name(model, op) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    if builtin == schema.BuiltinOperator.CUSTOM:
        custom = code.customCode.decode() if isinstance(code.customCode, bytes) else code.customCode
        return f"CUSTOM:{custom}"
    return OP_NAMES.get(builtin, f"BUILTIN_{builtin}")


def _shape(tensor) -> list:
    return [int(d) for d in tensor.shape] if tensor.shape is not None else []


def _op_macs(name: str, ins: list, outs: list) -> int:
    """MACs of one op from its tensors' shapes (0 for ops that are not conv/FC-like)."""
    if name == "CONV_2D":  # weights [O, KH, KW, I]
        w = ins[1]
        return int(np.prod(outs[0])) * w[1] * w[2] * w[3]
    if name == "DEPTHWISE_CONV_2D":  # weights [1, KH, KW, C*M]
        w = ins[1]
        return int(np.prod(outs[0])) * w[1] * w[2]
    if name == "FULLY_CONNECTED":  # weights [O, I]
        w = ins[1]
        rows = int(np.prod(ins[0])) // w[1]
        return rows * w[0] * w[1]
    if name == "TRANSPOSE_CONV":  # inputs: output_shape, weights [O, KH, KW, I], input
        w, x = ins[1], ins[2]
        return int(np.prod(x[:-1])) * w[0] * w[1] * w[2] * w[3]
    if name == "CUSTOM:Convolution2DTransposeBias":  # inputs: input, weights [O, KH, KW, I], bias
        x, w = ins[0], ins[1]
        return int(np.prod(x[:-1])) * w[0] * w[1] * w[2] * w[3]
    return 0


def describe(path) -> dict:
    """Returns {ops: {name: count}, op_list: [names], macs, inputs, outputs} of the model's main subgraph."""
    model = flatbuffer_utils.read_model(str(path))
    sg = model.subgraphs[0]
    counts = collections.Counter()
    op_list = []
    macs = 0
    for op in sg.operators:
        name = op_name(model, op)
        counts[name] += 1
        op_list.append(name)
        ins = [_shape(sg.tensors[i]) if i >= 0 else [] for i in op.inputs]
        outs = [_shape(sg.tensors[i]) for i in op.outputs]
        macs += _op_macs(name, ins, outs)

    def io(indices):
        return [{"name": (sg.tensors[i].name.decode() if isinstance(sg.tensors[i].name, bytes) else sg.tensors[i].name),
                 "shape": _shape(sg.tensors[i]),
                 "dtype": TYPE_NAMES.get(sg.tensors[i].type, str(sg.tensors[i].type)).lower()} for i in indices]

    return {"ops": dict(counts.most_common()), "op_list": op_list, "macs": int(macs),
            "inputs": io(sg.inputs), "outputs": io(sg.outputs), "subgraphs": len(model.subgraphs)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print one JSON object per model")
    ap.add_argument("models", nargs="+", type=Path)
    args = ap.parse_args()
    for path in args.models:
        d = describe(path)
        if args.json:
            d.pop("op_list")
            print(json.dumps({"file": str(path), **d}))
            continue
        ops = ", ".join(f"{k} {v}" for k, v in d["ops"].items())
        ins = "; ".join(str(t["shape"]) for t in d["inputs"])
        outs = "; ".join(str(t["shape"]) for t in d["outputs"])
        print(f"{path.name}: {ops} | {d['macs'] / 1e6:.1f} M MACs | in {ins} | out {outs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
