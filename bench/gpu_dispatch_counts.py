"""GPU dispatch counts per zoo model (issue #16 bullet 3), device-free (`hetsched info MODEL --gpu
--json`, the executor's GPU-only dispatch list): before any fusion (no epilogues), with the fusions
on main before gpu_fusions.h (epilogues, in-place concats), with each kernel fusion of
gpu/gpu_fusions.h alone (HETSCHED_FUSE_DWPW / HETSCHED_NO_FUSE_MEANFC), and with both.

    python3 bench/gpu_dispatch_counts.py [--bin build/hetsched] [--out FILE.md] [MODEL ...]
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {  # name: environment
    "epilogues only": {"HETSCHED_FUSE_DWPW": "0", "HETSCHED_NO_FUSE_MEANFC": "1"},
    "+ dw/pw": {"HETSCHED_FUSE_DWPW": "1", "HETSCHED_NO_FUSE_MEANFC": "1"},
    "+ MEAN/FC": {"HETSCHED_FUSE_DWPW": "0", "HETSCHED_NO_FUSE_MEANFC": "0"},
    "+ both": {"HETSCHED_FUSE_DWPW": "1", "HETSCHED_NO_FUSE_MEANFC": "0"},
}


def info(binary, model, env):
    p = subprocess.run([binary, "info", str(model), "--gpu", "--json"], capture_output=True, text=True,
                       env=dict(os.environ, **env), timeout=300)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip()[-300:])
    return json.loads(p.stdout)["gpu"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "build" / "hetsched"))
    ap.add_argument("--out", help="write the markdown table here too")
    ap.add_argument("models", nargs="*", help="default: every models/*.tflite")
    a = ap.parse_args()
    models = [Path(m) for m in a.models] or sorted((ROOT / "models").glob("*.tflite"))
    head = ["model", "no fusion"] + list(VARIANTS) + ["dw/pw kernels", "MEAN/FC kernels", "removed", "ratio"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    totals = [0] * (len(VARIANTS) + 1)
    for m in models:
        try:
            rows = {name: info(a.bin, m, env) for name, env in VARIANTS.items()}
        except Exception as e:  # a model hetsched cannot load is a row, not the end
            lines.append(f"| {m.stem} | failed: {str(e).splitlines()[-1][:80]} |")
            continue
        counts = [rows["epilogues only"]["dispatches_before_fusion"]] + [r["dispatches_after_fusion"] for r in rows.values()]
        totals = [t + c for t, c in zip(totals, counts)]
        both = rows["+ both"]
        lines.append(f"| {m.stem} | " + " | ".join(map(str, counts)) +
                     f" | {both['fused_depthwise_pointwise']} | {both['fused_mean_fc']} | {counts[1] - counts[-1]} |"
                     f" {counts[-1] / counts[1]:.2f} |")
        print(lines[-1], flush=True)
    lines.append("| **total** | " + " | ".join(map(str, totals)) +
                 f" | | | {totals[1] - totals[-1]} | {totals[-1] / max(totals[1], 1):.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text)


if __name__ == "__main__":
    sys.exit(main())
