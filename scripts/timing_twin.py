#!/usr/bin/env python3
# Timing twins: .tflite files with the same graph, shapes and types as the originals, whose large
# float weights are replaced by a compressible pattern of the same magnitude, xz-compressed, so that
# a whole model set fits one GPU-machine carry (64 MiB per call; the zoo alone is 227 MB).
"""Usage:
  timing_twin.py pack OUT_DIR MODEL.tflite...   writes OUT_DIR/<name>.tflite.xz for each model
  timing_twin.py unpack DIR [DEST]              writes DEST (default DIR)/<name>.tflite for each
                                                DIR/*.tflite.xz (standard library only: runs on
                                                the GPU machine's python3)

What changes: every FLOAT32/FLOAT16 constant tensor of at least --min-elements (256) values gets
mean(|w|) * s[i mod 61], s a fixed pseudo-random +-1 sequence (seed 61). Operators, tensor shapes,
types, int tensors (shapes, axes, indices) and small constants (most biases) are untouched, so the
importer, the plans and every kernel see the same model; the values keep each layer's magnitude
(no overflow, no denormals from vanishing activations). A twin is for timing only: its outputs are
not the original's. hetsched's kernels do the same arithmetic whatever the weight values (no
sparsity shortcuts); `--check` in bench/timing_twin_check.sh compares twin vs original latencies.
"""
import argparse
import lzma
import sys
from pathlib import Path

PATTERN_PERIOD = 61


def _schema():
    """TensorFlow's generated TFLite schema, loaded from its file without importing TensorFlow."""
    import importlib.util
    spec = importlib.util.find_spec("tensorflow")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("timing_twin: pack needs tensorflow's TFLite schema (the project .venv)")
    path = Path(list(spec.submodule_search_locations)[0]) / "lite" / "python" / "schema_py_generated.py"
    module_spec = importlib.util.spec_from_file_location("tflite_schema", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def twin_bytes(data: bytes, min_elements: int = 256) -> tuple[bytes, int]:
    """Returns the twin's bytes and how many buffers were replaced."""
    import numpy as np
    import flatbuffers
    fb = _schema()
    model = fb.Model.GetRootAsModel(data, 0)
    kinds = {fb.TensorType.FLOAT32: np.float32, fb.TensorType.FLOAT16: np.float16}
    signs = np.where(np.random.default_rng(PATTERN_PERIOD).random(PATTERN_PERIOD) < 0.5, -1.0, 1.0)
    out = bytearray(data)
    replaced = set()
    for g in range(model.SubgraphsLength()):
        graph = model.Subgraphs(g)
        for t in range(graph.TensorsLength()):
            tensor = graph.Tensors(t)
            dtype = kinds.get(tensor.Type())
            index = tensor.Buffer()
            if dtype is None or index == 0 or index in replaced or index >= model.BuffersLength():
                continue
            buffer = model.Buffers(index)
            nbytes = buffer.DataLength()
            itemsize = np.dtype(dtype).itemsize
            if nbytes < min_elements * itemsize or nbytes % itemsize:
                continue
            field = flatbuffers.number_types.UOffsetTFlags.py_type(buffer._tab.Offset(4))
            start = buffer._tab.Vector(field)
            values = np.frombuffer(data, dtype, nbytes // itemsize, start).astype(np.float64)
            magnitude = float(np.mean(np.abs(values[np.isfinite(values)]))) if values.size else 0.0
            out[start:start + nbytes] = (magnitude * np.resize(signs, values.size)).astype(dtype).tobytes()
            replaced.add(index)
    return bytes(out), len(replaced)


def pack(out_dir: Path, models: list[Path], min_elements: int) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in models:
        data = path.read_bytes()
        twin, replaced = twin_bytes(data, min_elements)
        target = out_dir / (path.name + ".xz")
        target.write_bytes(lzma.compress(twin, preset=6))
        print(f"timing_twin: {path.name}: {replaced} weight buffers patterned, "
              f"{len(data) / 1e6:.2f} MB -> {target.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


def unpack(src: Path, dest: Path) -> int:
    dest.mkdir(parents=True, exist_ok=True)
    files = sorted(src.glob("*.tflite.xz"))
    for f in files:
        (dest / f.name[:-3]).write_bytes(lzma.decompress(f.read_bytes()))
    print(f"timing_twin: {len(files)} models unpacked into {dest}", file=sys.stderr)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("out_dir", type=Path)
    p.add_argument("models", type=Path, nargs="+")
    p.add_argument("--min-elements", type=int, default=256)
    u = sub.add_parser("unpack")
    u.add_argument("dir", type=Path)
    u.add_argument("dest", type=Path, nargs="?")
    args = ap.parse_args()
    if args.cmd == "pack":
        return pack(args.out_dir, args.models, args.min_elements)
    return unpack(args.dir, args.dest or args.dir)


if __name__ == "__main__":
    sys.exit(main())
