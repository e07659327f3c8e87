#!/usr/bin/env python3
"""Per-op GPU times of two variants of one model side by side, from a bench/coopmat_device.sh archive
(each variant's `hetsched run --json`: every op's median GPU time from timestamps around its
dispatch). Markdown on stdout: the ops sorted by the first variant's time, the ratio, and the totals
by op type.

usage: bench/coopmat_ops.py ARCHIVE.tar.gz MODEL VARIANT_A VARIANT_B [--top 20]
e.g.   bench/coopmat_ops.py coopmat_h100.tar.gz resnet50 fp16_coop fp16
"""
import argparse
import json
import sys
import tarfile


def load(archive: tarfile.TarFile, model: str, variant: str) -> dict:
    for member in archive.getmembers():
        if member.name.endswith(f"/{model}_{variant}.json"):
            return json.load(archive.extractfile(member))
    sys.exit(f"coopmat_ops: no {model}_{variant}.json in the archive")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("archive")
    ap.add_argument("model")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    with tarfile.open(args.archive) as t:
        a, b = load(t, args.model, args.a), load(t, args.model, args.b)
    ops_b = {o["index"]: o for o in b["ops"]}
    print(f"# {args.model}: {args.a} vs {args.b} (GPU time per op, us)\n")
    print(f"whole-run median: {args.a} {a['latency_ms']['median']:.4f} ms, {args.b} {b['latency_ms']['median']:.4f} ms; "
          f"sum of op medians {1000 * sum(o['ms'] for o in a['ops']):.1f} / {1000 * sum(o['ms'] for o in b['ops']):.1f} us\n")
    print(f"| op | type | {args.a} | {args.b} | ratio |\n|---|---|---|---|---|")
    for o in sorted(a["ops"], key=lambda o: -o["ms"])[: args.top]:
        other = ops_b.get(o["index"])
        tb = other["ms"] if other else float("nan")
        print(f"| {o['index']} | {o['type']} | {1000 * o['ms']:.1f} | {1000 * tb:.1f} | {o['ms'] / tb if tb else float('nan'):.2f} |")
    by_type: dict[str, list[float]] = {}
    for o in a["ops"]:
        other = ops_b.get(o["index"])
        acc = by_type.setdefault(o["type"], [0.0, 0.0])
        acc[0] += o["ms"]
        acc[1] += other["ms"] if other else 0.0
    print(f"\n| type | {args.a} us | {args.b} us |\n|---|---|---|")
    for k, (ta, tb) in sorted(by_type.items(), key=lambda kv: -kv[1][0]):
        print(f"| {k} | {1000 * ta:.1f} | {1000 * tb:.1f} |")


if __name__ == "__main__":
    main()
