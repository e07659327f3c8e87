# Helpers shared by the conformance tests and the benchmarks: the zoo index, seeded inputs, LiteRT runs, the CLI path.
"""Import with `sys.path.insert(0, <repo>/scripts)`; needs the .venv (numpy, ai_edge_litert)."""
import json
import os
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def load_index() -> list:
    """The entries of models/index.json (scripts/make_index.py writes it)."""
    return json.loads((ROOT / "models" / "index.json").read_text())["models"]


def hetsched_bin() -> Path:
    """The CLI under test: $HETSCHED_BIN (relative paths from the repo root), default build/hetsched."""
    p = Path(os.environ.get("HETSCHED_BIN", "build/hetsched"))
    return p if p.is_absolute() else ROOT / p


def model_seed(seed: int, name: str) -> int:
    """A per-model seed, independent of test order."""
    return (seed ^ zlib.crc32(name.encode())) & 0xFFFFFFFF


def random_inputs(entry: dict, seed: int, low: float = -1.0, high: float = 1.0) -> list:
    """Uniform float32 inputs in [low, high) for every model input, in model order."""
    rng = np.random.default_rng(model_seed(seed, entry["name"]))
    out = []
    for t in entry["inputs"]:
        if t["dtype"] != "float32":
            raise ValueError(f"{entry['name']}: input {t['name']} is {t['dtype']}, only float32 supported")
        out.append(rng.uniform(low, high, size=t["shape"]).astype(np.float32))
    return out


def reference_path(entry: dict) -> Path:
    """The file LiteRT runs for this model (the .litert rewrite when the original has a custom op)."""
    return ROOT / entry.get("reference_file", entry["file"])


# LiteRT's three CPU paths: the XNNPACK delegate (its default), the builtin optimized kernels, and the
# builtin reference kernels. Their results differ by float32 rounding (summation order, FMA).
LITERT_PATHS = ("xnnpack", "builtin", "reference")


def make_interpreter(path: Path, threads: int = 1, kernels: str = "xnnpack"):
    """A LiteRT interpreter on one of LITERT_PATHS, tensors allocated."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    resolver = {"xnnpack": OpResolverType.AUTO,
                "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
                "reference": OpResolverType.BUILTIN_REF}[kernels]
    it = Interpreter(model_path=str(path), num_threads=threads, experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    return it


def run_litert(interpreter, inputs: list) -> list:
    """Sets the inputs (model order), invokes once, returns copies of the outputs (model order)."""
    for detail, x in zip(interpreter.get_input_details(), inputs):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]


def time_litert(interpreter, inputs: list, iterations: int, warmup: int) -> list:
    """Milliseconds of each of `iterations` invoke() calls after `warmup` untimed ones."""
    for detail, x in zip(interpreter.get_input_details(), inputs):
        interpreter.set_tensor(detail["index"], x)
    for _ in range(warmup):
        interpreter.invoke()
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        interpreter.invoke()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


# Outputs whose RMS is below this are compared as if their RMS were this (see relative_l2). 1e-3
# since 2026-12-07 (was 1e-4): pose_landmark_full's presence flag, a sigmoid at logit -10.47
# (2.85e-5), came out 1.05e-8 from XNNPACK on the CPU (relative 3.7e-4: a logit off by 3.7e-4, float32
# noise after 330 ops; LiteRT's own paths 3.3e-9 apart), 1.05e-4 under the 1e-4 floor against a bound
# of 1e-4 (fresh clone, seed 2110258126). Under this floor a flag is held to 1e-7 absolute, i.e. its
# logit to ~3.5e-3: a wrong kernel on the way is still far outside.
RMS_FLOOR = 1e-3


def relative_l2(actual: np.ndarray, expected: np.ndarray, rms_floor: float = RMS_FLOOR) -> float:
    """||actual - expected|| / max(||expected||, rms_floor * sqrt(n)), in float64.

    The floor matters only for outputs that are nearly all zero, e.g. a sigmoid far in its tail
    (pose_landmark's [1,1] flag is ~1e-5): there the relative error of LiteRT's own two kernel
    sets (XNNPACK vs builtin) reaches 2e-4 although the absolute difference is ~1e-9."""
    a = actual.astype(np.float64).ravel()
    e = expected.astype(np.float64).ravel()
    denom = max(float(np.linalg.norm(e)), rms_floor * np.sqrt(max(e.size, 1)))
    return float(np.linalg.norm(a - e) / denom)
