#!/usr/bin/env python3
# Writes models/index.json: one entry per zoo model (source, I/O shapes, ops, MACs, sha256, LiteRT reference file).
"""Usage: make_index.py [--models DIR]

Entry fields: name, file (path from the repository root), source ({kind: mediapipe, package,
version} or {kind: generated, generator, seed}), inputs/outputs ([{name, shape, dtype}], model
order), ops ({type: count}), macs, sha256, size; reference_file when LiteRT must run another file
(the .litert.tflite rewrite of the custom transposed conv); expect_refused + refused_reason for
models hetsched must reject at import.
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from list_ops import describe  # noqa: E402
from zoo_manifest import (CUSTOM_TRANSPOSE_MODELS, EXPECT_REFUSED, GENERATED_MODELS,  # noqa: E402
                          MEDIAPIPE_MODELS, MEDIAPIPE_PACKAGES)


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path.resolve())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    args = ap.parse_args()
    generated = json.loads((args.models / "generated.json").read_text())
    entries = []
    names = list(MEDIAPIPE_MODELS) + GENERATED_MODELS
    for name in names:
        path = args.models / f"{name}.tflite"
        if not path.is_file():
            sys.exit(f"make_index: {path} missing (run scripts/fetch_models.sh)")
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if name in MEDIAPIPE_MODELS:
            package, want_sha, _ = MEDIAPIPE_MODELS[name]
            if sha != want_sha:
                sys.exit(f"make_index: {path}: sha256 {sha} != expected {want_sha}")
            source = {"kind": "mediapipe", "package": package, "version": MEDIAPIPE_PACKAGES[package]}
        else:
            rec = generated.get(name, {})
            if sha != rec.get("sha256"):
                sys.exit(f"make_index: {path}: sha256 {sha} != recorded in generated.json")
            source = {"kind": "generated", "generator": "scripts/gen_zoo.py", "seed": rec["seed"]}
        d = describe(path)
        entry = {"name": name, "file": rel(path), "source": source,
                 "inputs": d["inputs"], "outputs": d["outputs"], "ops": d["ops"],
                 "macs": d["macs"], "sha256": sha, "size": len(data)}
        if name in CUSTOM_TRANSPOSE_MODELS:
            ref = args.models / f"{name}.litert.tflite"
            if not ref.is_file():
                sys.exit(f"make_index: {ref} missing (run scripts/replace_custom_transpose.py)")
            entry["reference_file"] = rel(ref)
            entry["reference_sha256"] = hashlib.sha256(ref.read_bytes()).hexdigest()
        if name in EXPECT_REFUSED:
            entry["expect_refused"] = True
            entry["refused_reason"] = EXPECT_REFUSED[name]
        entries.append(entry)
    out = args.models / "index.json"
    text = json.dumps({"models": entries}, indent=1) + "\n"
    if not out.is_file() or out.read_text() != text:
        out.write_text(text)
    print(f"make_index: {len(entries)} models in {rel(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
