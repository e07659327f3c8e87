# Diagnoses fp16 error on a zoo model with LiteRT alone: its sensitivity to float16 rounding of its tensors.
"""Usage: .venv/bin/python scripts/fp16_sensitivity.py MODEL SEED [--per-op [T]] [--emulate RULE] [--rank [N]]

Inputs are the conformance suite's (zoo.random_inputs(entry, SEED, 0, 1)); errors are relative L2
(zoo.relative_l2) against LiteRT float32 on the unrounded input. No GPU and no hetsched binary:
this measures the model, so it tells a model's conditioning apart from a defect of our fp16 path.

  (default)       LiteRT float32 with only the input rounded to float16, per output: no fp16
                  implementation that rounds its input can be expected closer to LiteRT than this.
  --per-op [T]    also every op output that the input rounding moves by more than T (2e-3): where
                  the perturbation grows, in op order.
  --emulate RULE  float16 storage emulated in LiteRT: the model is rewritten with CAST
                  float32 -> float16 -> float32 after every op (builtin kernels), arithmetic float32.
                  RULE all: every activation; unbounded: all but the outputs of CONV_2D,
                  DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD without a fused activation (a
                  mixed-precision rule: those stay float32). Prints the share of activation bytes
                  kept float32 too.
  --rank [N]      rounds one op output at a time and lists the N (20) that move the outputs most.

Findings (2026-11-23, see the fp16 paragraph of README.md): pose_landmark_full, seed 2280899589:
the input rounding alone moves outputs 0 and 4 by 0.215 and 0.446 (growth in the 2x2x288 tail,
ops 286-318); pose_landmark_lite's segmentation output (2) moves by 0.029-0.032 (seeds
2280899589, 11) when only ONE residual-stream tensor (op 26 or 36 output, 64x64x16, values up to
155-309) is rounded, and by 0.055-0.073 with every activation rounded (the GPU's fp16 run with
fp16 block products: 0.082-0.093).
"""
import argparse
import copy
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zoo  # noqa: E402

warnings.filterwarnings("ignore", message=".*preserve_all_tensors.*")  # debugging is the point here
LINEAR_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD")


def interpreter(path=None, content=None, keep_tensors=False, builtin=False):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kwargs = {"model_path": str(path)} if path else {"model_content": bytes(content)}
    if keep_tensors:
        kwargs["experimental_preserve_all_tensors"] = True
    if builtin:
        kwargs["experimental_op_resolver_type"] = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    it = Interpreter(**kwargs)
    it.allocate_tensors()
    return it


class Rewriter:
    """The model as a flatbuffer object tree; rounds chosen op outputs through float16 with CAST pairs."""

    def __init__(self, path: Path):
        from ai_edge_litert import schema_py_generated as schema
        from ai_edge_litert.tools import flatbuffer_utils
        self.schema, self.fu = schema, flatbuffer_utils
        self.model = flatbuffer_utils.read_model(str(path))
        names = {v: k for k, v in schema.BuiltinOperator.__dict__.items() if not k.startswith("_")}
        codes = self.model.operatorCodes
        self.op_names = [names[max(codes[op.opcodeIndex].builtinCode, codes[op.opcodeIndex].deprecatedBuiltinCode)]
                         for op in self.model.subgraphs[0].operators]

    def candidates(self) -> list:
        """Op indices whose first output is a float32 activation (DEQUANTIZE of constants excluded)."""
        sg = self.model.subgraphs[0]
        return [i for i, op in enumerate(sg.operators) if self.op_names[i] != "DEQUANTIZE"
                and sg.tensors[op.outputs[0]].type == self.schema.TensorType.FLOAT32]

    def unbounded(self, i: int) -> bool:
        opts = self.model.subgraphs[0].operators[i].builtinOptions
        return self.op_names[i] in LINEAR_OPS and getattr(opts, "fusedActivationFunction", 0) == 0

    def bytes_of(self, i: int) -> int:
        t = self.model.subgraphs[0].tensors[self.model.subgraphs[0].operators[i].outputs[0]]
        return int(np.prod(t.shape)) * 4

    def rounded(self, ops: set) -> bytes:
        m = copy.deepcopy(self.model)
        sg = m.subgraphs[0]
        code = self.schema.OperatorCodeT()
        code.builtinCode = code.deprecatedBuiltinCode = self.schema.BuiltinOperator.CAST
        code.version = 1
        m.operatorCodes.append(code)
        cast = len(m.operatorCodes) - 1
        new_ops = []
        for i, op in enumerate(sg.operators):
            new_ops.append(op)
            if i not in ops:
                continue
            t = op.outputs[0]
            half, back = copy.deepcopy(sg.tensors[t]), copy.deepcopy(sg.tensors[t])
            half.type, half.buffer, back.buffer = self.schema.TensorType.FLOAT16, 0, 0
            sg.tensors += [half, back]
            h, b = len(sg.tensors) - 2, len(sg.tensors) - 1
            for other in sg.operators:
                if other is not op:
                    other.inputs = [b if x == t else x for x in other.inputs]
            sg.outputs = [b if x == t else x for x in sg.outputs]
            for src, dst in ((t, h), (h, b)):
                c = self.schema.OperatorT()
                c.opcodeIndex, c.inputs, c.outputs = cast, [src], [dst]
                new_ops.append(c)
        sg.operators = new_ops
        return self.fu.convert_object_to_bytearray(m)


def errors(got: list, want: list) -> str:
    return " ".join(f"{zoo.relative_l2(g, w):.3g}" for g, w in zip(got, want))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("seed", type=int)
    ap.add_argument("--per-op", nargs="?", type=float, const=2e-3, default=None, metavar="T")
    ap.add_argument("--emulate", choices=["all", "unbounded"])
    ap.add_argument("--rank", nargs="?", type=int, const=20, default=None, metavar="N")
    a = ap.parse_args()
    e = next((x for x in zoo.load_index() if x["name"] == a.model), None)
    if e is None:
        print(f"fp16_sensitivity: no model '{a.model}' in models/index.json", file=sys.stderr)
        return 2
    path = zoo.reference_path(e)
    inputs = zoo.random_inputs(e, a.seed, 0.0, 1.0)
    rounded_inputs = [x.astype(np.float16).astype(np.float32) for x in inputs]
    exact_it, moved_it = interpreter(path, keep_tensors=True), interpreter(path, keep_tensors=True)
    exact, moved = zoo.run_litert(exact_it, inputs), zoo.run_litert(moved_it, rounded_inputs)
    outs = " ".join(o["name"] for o in e["outputs"])
    print(f"{a.model} seed {a.seed}, relative L2 per output ({outs}):")
    print(f"  LiteRT fp32, input rounded to fp16: {errors(moved, exact)}")
    if a.per_op is not None:
        names = {d["index"]: d["name"] for d in exact_it.get_tensor_details()}
        print(f"  op outputs moved by more than {a.per_op:g} (op, shape, change, max |value|):")
        for op in exact_it._get_ops_details():  # noqa: SLF001 (LiteRT has no public per-op listing)
            if op["op_name"] == "DELEGATE" or not op["outputs"]:
                continue
            t = op["outputs"][0]
            x, y = exact_it.get_tensor(t), moved_it.get_tensor(t)
            if x.dtype == np.float32 and x.size and zoo.relative_l2(y, x) > a.per_op:
                print(f"    {op['index']} {op['op_name']} {list(x.shape)} {zoo.relative_l2(y, x):.3g} "
                      f"{np.abs(x).max():.3g} {names[t][-60:]}")
    if a.emulate or a.rank is not None:
        rw = Rewriter(path)
        cands = rw.candidates()
    if a.emulate:
        chosen = {i for i in cands if a.emulate == "all" or not rw.unbounded(i)}
        kept = sum(rw.bytes_of(i) for i in cands if i not in chosen)
        total = sum(rw.bytes_of(i) for i in cands)
        got = zoo.run_litert(interpreter(content=rw.rounded(chosen), builtin=True), rounded_inputs)
        print(f"  fp16 storage emulated ({a.emulate}; {len(chosen)} of {len(cands)} op outputs rounded, "
              f"{kept / total:.0%} of activation bytes kept fp32): {errors(got, exact)}")
    if a.rank is not None:
        rows = []
        for i in cands:
            got = zoo.run_litert(interpreter(content=rw.rounded({i}), builtin=True), inputs)
            worst = max(zoo.relative_l2(g, w) for g, w in zip(got, exact))
            shape = list(rw.model.subgraphs[0].tensors[rw.model.subgraphs[0].operators[i].outputs[0]].shape)
            rows.append((worst, i, rw.op_names[i], shape, "no activation" if rw.unbounded(i) else "", errors(got, exact)))
        print(f"  the {a.rank} op outputs whose fp16 rounding alone moves an output most (worst, op, per output):")
        for worst, i, name, shape, note, per in sorted(rows, reverse=True)[:a.rank]:
            print(f"    {worst:.3g} op {i} {name} {shape} {note}: {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
