"""scripts/timing_twin.py: a twin keeps the graph (ops, shapes, MACs, the importer's view) and
changes the large weights only; pack/unpack round-trips through xz; the twin runs."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from cli_support import ROOT, binary, cache_workspace, run

sys.path.insert(0, str(ROOT / "scripts"))
import timing_twin  # noqa: E402

MODEL = ROOT / "models" / "face_detection_short_range.tflite"


def info(path, env):
    return json.loads(run([binary(), "info", str(path), "--json"], env).stdout)


def test_twin_keeps_the_graph_and_replaces_large_weights(tmp_path_factory):
    work, env = cache_workspace(tmp_path_factory, "twin", MODEL)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "timing_twin.py"), "pack", str(work / "xz"), str(MODEL)],
                   check=True, capture_output=True)
    packed = work / "xz" / (MODEL.name + ".xz")
    assert packed.stat().st_size < MODEL.stat().st_size / 4, "the twin should compress far below the original"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "timing_twin.py"), "unpack", str(work / "xz"),
                    str(work / "out")], check=True, capture_output=True)
    twin = work / "out" / MODEL.name
    original, copy = MODEL.read_bytes(), twin.read_bytes()
    assert len(copy) == len(original)
    changed = sum(a != b for a, b in zip(original[::97], copy[::97]))
    assert changed > 0, "no weight changed"
    a, b = info(MODEL, env), info(twin, env)
    a.pop("model", None), b.pop("model", None)
    assert a == b, "the twin's graph (ops, shapes, MACs, bytes) differs from the original's"
    out = json.loads(run([binary(), "run", str(twin), "--policy", "cpu", "--iterations", "2", "--warmup", "0",
                          "--json"], env).stdout)
    assert out["latency_ms"]["median"] > 0


def test_pattern_keeps_each_tensors_magnitude():
    data = MODEL.read_bytes()
    twin, replaced = timing_twin.twin_bytes(data)
    assert replaced > 10
    fb = timing_twin._schema()
    model = fb.Model.GetRootAsModel(twin, 0)
    dtypes = {fb.TensorType.FLOAT32: np.float32, fb.TensorType.FLOAT16: np.float16}
    graph = model.Subgraphs(0)
    checked = 0
    for t in range(graph.TensorsLength()):
        tensor = graph.Tensors(t)
        dtype, buffer = dtypes.get(tensor.Type()), model.Buffers(tensor.Buffer())
        n = buffer.DataLength()
        if dtype is None or n < np.dtype(dtype).itemsize * 256:
            continue
        start = buffer._tab.Vector(buffer._tab.Offset(4))
        w = np.frombuffer(twin, dtype, n // np.dtype(dtype).itemsize, start).astype(np.float64)
        w0 = np.frombuffer(data, dtype, w.size, start).astype(np.float64)
        # Each value is +-mean|w0|, and 61 values (the pattern's period) repeat: what compresses.
        assert np.allclose(np.abs(w), np.mean(np.abs(w0)), rtol=2e-3), f"tensor {t}"
        assert np.array_equal(w[:61], w[61:122]), f"tensor {t}"
        checked += 1
    assert checked > 5
