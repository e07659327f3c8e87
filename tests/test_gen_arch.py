# `hetsched gen-arch` (profiles/arch_writer.h) against TensorFlow, the reference: seeded small specs of
# every family is built by gen_archs.py --writer tf (Keras + the TFLite converter) and --writer
# hetsched, and the graphs hetsched imports from the two files must be identical (`hetsched info
# --json`: op types in order, activations, fused epilogues, output shapes, MACs, parameter and
# activation bytes; everything but names and weight values), so must the operators in the files
# (builtin codes, every option field, input and output shapes), and both must run on the CPU with
# finite outputs. Skipped (with the reason) where TensorFlow is missing.
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli_support import binary, run  # noqa: E402

GEN = ROOT / "profiles" / "gen" / "gen_archs.py"
# (family, seed, start, count, size options): nb101 seed 11 index 4 needs the converter's name order
# ("conv2d_10" before "conv2d_2"); mobile seed 7 has squeeze-excite, hard_swish and residual Adds.
CASES = [
    ("nb101", 11, 1, 4, ["--resolution", "16", "--stem-channels", "16"]),
    ("mobile", 7, 0, 4, ["--min-res", "96", "--max-res", "128", "--width-scale", "0.5"]),
    # encdec seed 3: classifier heads with and without a hidden Dense, decoders of 1-3 levels with
    # bilinear upsampling, concatenated skips and the reshaped box head, residual Adds, 5x5/7x7 stems,
    # blaze levels (max-pooled and channel-padded shortcuts, ReLU fused into the Add, PReLU), a PReLU
    # stem and conv levels, swish (LOGISTIC + MUL), mask heads at full resolution, hard_swish.
    ("encdec", 3, 0, 9, ["--min-res", "96", "--max-res", "160", "--width-scale", "0.5"]),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{writer: folder} with the CASES written by each writer (skips where TensorFlow is missing)."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow (the reference the hetsched writer is compared with) is not installed here")
    d = tmp_path_factory.mktemp("gen_arch")
    env = dict(os.environ, HETSCHED_CACHE_DIR=str(d / "cache"))
    for writer in ("tf", "hetsched"):
        for family, seed, start, count, opts in CASES:
            run([sys.executable, GEN, "--family", family, "--seed", seed, "--start", start, "--count", count,
                 "--out", d / writer, "--writer", writer, "--hetsched-bin", binary(), *opts], env)
    return {w: d / w for w in ("tf", "hetsched")}, env


def names():
    return [f"{family}_s{seed}_{i}.tflite" for family, seed, start, count, _ in CASES
            for i in range(start, start + count)]


def graph(path, env):
    """`hetsched info --json` without what legitimately differs: file and tensor names, and the tensor
    numbers inside epilogue strings (the converter numbers constants first)."""
    j = json.loads(run([binary(), "info", "--json", path], env).stdout)
    j.pop("model")
    for t in j["inputs"] + j["outputs"]:
        t.pop("name")
    for op in j["ops"]:
        op["epilogue"] = re.sub(r"\bt\d+\b", "t", op["epilogue"])
    return j


@pytest.mark.parametrize("name", names())
def test_same_graph_as_tensorflow(built, name):
    dirs, env = built
    tf, hs = graph(dirs["tf"] / name, env), graph(dirs["hetsched"] / name, env)
    assert [(o["type"], o["output_shape"]) for o in hs["ops"]] == [(o["type"], o["output_shape"]) for o in tf["ops"]]
    assert hs == tf


def flatbuffer_ops(path):
    """Each operator of the file as the converter wrote it: builtin code, every option field, and the
    shapes of its inputs and outputs (K: a constant, T: an activation, None: an absent input)."""
    from tensorflow.lite.python import schema_py_generated as S
    codes = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith("_")}
    option_types = {v: k for k, v in vars(S.BuiltinOptions).items() if not k.startswith("_")}
    m = S.Model.GetRootAsModel(Path(path).read_bytes(), 0)
    g = m.Subgraphs(0)

    def tensor(i):
        if i < 0:
            return None
        t = g.Tensors(i)
        constant = m.Buffers(t.Buffer()).DataLength() > 0
        return ("K" if constant else "T", [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else [])

    ops = []
    for k in range(g.OperatorsLength()):
        op = g.Operators(k)
        code = m.OperatorCodes(op.OpcodeIndex())
        options = None
        if op.BuiltinOptionsType():
            name = option_types[op.BuiltinOptionsType()]
            table = op.BuiltinOptions()
            o = getattr(S, name)()
            o.Init(table.Bytes, table.Pos)
            options = (name, vars(getattr(S, name + "T").InitFromObj(o)))
        ops.append((codes[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())], options,
                    [tensor(i) for i in op.InputsAsNumpy()], [tensor(i) for i in op.OutputsAsNumpy()]))
    return ops


@pytest.mark.parametrize("name", names())
def test_same_operators_and_attributes_in_the_file(built, name):
    """Below the importer: strides, padding, filter sizes, fused activations, keep_dims, axes."""
    dirs, _ = built
    tf, hs = flatbuffer_ops(dirs["tf"] / name), flatbuffer_ops(dirs["hetsched"] / name)
    assert len(hs) == len(tf)
    for i, (a, b) in enumerate(zip(hs, tf)):
        assert a == b, f"operator {i}"


def test_index_lines_regenerate_identical_files(built, tmp_path):
    dirs, env = built
    run([binary(), "gen-arch", dirs["hetsched"] / "index.jsonl", "--out", tmp_path, "--quiet"], env)
    lines = [json.loads(x) for x in (dirs["hetsched"] / "index.jsonl").read_text().splitlines()]
    assert sorted(x["file"] for x in lines) == sorted(names())
    for x in lines:
        assert x["writer"] == "hetsched" and isinstance(x["seed"], int)
        assert (tmp_path / x["file"]).read_bytes() == (dirs["hetsched"] / x["file"]).read_bytes(), x["file"]


def expected_output_shape(spec):
    """[1, classes], or an encdec box head's [1, H * W * anchors, values] at the decoder's resolution,
    or its mask head's [1, 2H, 2W, 1]."""
    head = spec.get("head", {"kind": "classes", "classes": spec.get("classes")})
    if head["kind"] == "classes":
        return (1, head["classes"])
    side = spec["resolution"] // 2 // 2 ** len(spec["levels"]) * 2 ** len(spec["decoder"])
    if head["kind"] == "mask":
        return (1, 2 * side, 2 * side, 1)
    return (1, side * side * head["anchors"], head["values"])


@pytest.mark.parametrize("writer", ["tf", "hetsched"])
def test_both_run_on_the_cpu_with_finite_outputs(built, writer, tmp_path):
    dirs, env = built
    for name in names():
        out = tmp_path / name
        run([binary(), "run", dirs[writer] / name, "--policy", "cpu", "--threads", "1", "--warmup", "0",
             "--iterations", "1", "--seed", "3", "--output-dir", out], env)
        y = np.load(out / "output_0.npy")
        spec = json.loads((dirs[writer] / name).with_suffix(".json").read_text())
        assert y.shape == expected_output_shape(spec), name
        assert np.all(np.isfinite(y)), name


def test_gen_arch_refuses_a_malformed_spec_naming_file_and_field(tmp_path):
    spec = {"family": "mobile", "resolution": 96, "stem_channels": 16, "stem_act": "relu", "head_channels": 32,
            "classes": 10, "blocks": [{"kind": "ds", "stride": 1, "expansion": 1, "out": 16, "act": "relu",
                                       "se_ratio": 0.0}]}
    (tmp_path / "bad.json").write_text(json.dumps(spec))
    r = subprocess.run([binary(), "gen-arch", str(tmp_path / "bad.json"), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "bad.json" in r.stderr and "blocks[0].kernel" in r.stderr, r.stderr


def test_gen_arch_refuses_an_encdec_decoder_deeper_than_its_encoder(tmp_path):
    spec = {"family": "encdec", "resolution": 64, "stem_channels": 8, "stem_kernel": 3, "stem_act": "relu",
            "levels": [{"block": "conv", "out": 16, "kernel": 3, "residual": 0, "residual_kernel": 3, "act": "relu"}],
            "decoder": [{"out": 8, "kernel": 1, "act": "relu"}, {"out": 8, "kernel": 1, "act": "relu"}],
            "head": {"kind": "boxes", "anchors": 2, "values": 4}}
    (tmp_path / "deep.json").write_text(json.dumps(spec))
    r = subprocess.run([binary(), "gen-arch", str(tmp_path / "deep.json"), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "deep.json" in r.stderr and "'decoder'" in r.stderr and "2 levels" in r.stderr, r.stderr
