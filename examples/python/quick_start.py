#!/usr/bin/env python3
# The shortest use of the hetsched package: load a model, run it, read the outputs and the report.
"""Usage: examples/python/quick_start.py [MODEL] [POLICY]   (default models/mobilenet_v2.tflite cpu)"""
import sys
from pathlib import Path

import numpy as np

import hetsched

ROOT = Path(__file__).resolve().parents[2]
path = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "models" / "mobilenet_v2.tflite")
policy = sys.argv[2] if len(sys.argv) > 2 else "cpu"

model = hetsched.Model(path)
print(model)
for t in model.inputs:
    print(f"input   {t.name} {list(t.shape)} {t.dtype}")
for t in model.outputs:
    print(f"output  {t.name} {list(t.shape)} {t.dtype}")

session = hetsched.Session(model, policy=policy)
rng = np.random.default_rng(0)
inputs = {t.name: rng.uniform(0, 1, size=t.shape).astype(np.float32) for t in model.inputs}
outputs = session.run(inputs)
for spec, out in zip(model.outputs, outputs):
    print(f"{spec.name}: shape {out.shape}, mean {out.mean():.4f}, argmax {int(out.argmax())}")
steps = session.last_report()
print(f"{len(steps)} steps in {session.last_run_ms():.2f} ms on {sorted({s['device'] for s in steps})}")
