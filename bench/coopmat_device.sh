#!/usr/bin/env bash
# Issue #16 (tensor cores) on the GPU machine in one device call: correctness of the
# cooperative-matrix conv/FC kernels (gtest: whole, empty and partial slice x row ranges on
# poisoned buffers, fp32-storage "mixed" and fp16 storage, epilogues) and the zoo's GPU-only
# latency with and without them, with each model's dispatch count and the output error of
# mixed/fp16 against strict fp32.
#
# On the development machine (packs binaries + loader into .device/, the models' timing twins into
# .xfer-coopmat/: scripts/timing_twin.py, same graphs with patterned weights, so the whole zoo fits;
# the rel_l2_vs_fp32 column is then the twins' precision error, not the real models'):
#   bash bench/coopmat_device.sh pack          # MODELS=a,b,... to choose (default below)
# On the GPU machine, device tool, carry [".device", ".xfer-coopmat"], one call (< 600 s):
#   bash .device/enter.sh bash bench/coopmat_device.sh
# Output: stdout (summary) and $OUT/coopmat_<TAG>.tar.gz (devices.txt, gtest.txt, latency.csv, latency.md, *.json).
# Robustness: a driver that rejects the cooperative pipeline makes hetsched say so on stderr and
# fall back (the csv's tensor_core_kernels column is then 0); a failing model is recorded, not fatal.
# Kernel fusions (gpu/gpu_fusions.h, issue #16 bullet 3): the variant fp32_nofuse runs with
# HETSCHED_NO_FUSE_MEANFC=1 (no fusion), fp32_dwpw with HETSCHED_FUSE_DWPW=1 (the depthwise +
# pointwise fusion, off by default since it was slower here); the summary gives each model's dispatch counts
# with and without them and the fp32 latency saved per removed dispatch.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
MODELS="${MODELS:-mobilenet_v2,efficientnet_b0,pose_landmark_full,palm_detection_full,selfie_segmentation,face_detection_short_range}"
if [[ ${1:-} == pack ]]; then
  set -e
  device_pack_targets hetsched_cli coopmat_gpu_test gpu_fusions_gpu_test -- hetsched tests/coopmat_gpu_test \
    tests/gpu_fusions_gpu_test >/dev/null
  device_xfer_twins .xfer-coopmat "$MODELS"
  du -shL .device .xfer-coopmat | sed 's/^/coopmat_device: /'
  exit 0
fi

OUT="${OUT:-/tmp/out}"
TAG="${TAG:-h100}"
DIR="$OUT/coopmat_$TAG"
mkdir -p "$DIR" /tmp/hs_coopmat_cache
export HETSCHED_CACHE_DIR=/tmp/hs_coopmat_cache
BIN="${BIN:-.device/bin/hetsched}"
TEST_BIN="${TEST_BIN:-.device/bin/coopmat_gpu_test}"
PY="${PY:-python3}"
WARMUP="${WARMUP:-10}" ITER="${ITER:-50}"
# Tuned by default (the fallback's local sizes and register blocks, the cooperative tiles), as users
# run: one untimed start per variant fills the tuning cache first. TUNE=0: every kernel's default.
TUNE_FLAG=""; [[ ${TUNE:-1} == 0 ]] && TUNE_FLAG=--no-tune

echo "== device"
"$BIN" devices 2>&1 | tee "$DIR/devices.txt"
MODELS_DIR=/tmp/hs_coopmat_models
[[ -d .xfer-coopmat/models ]] && device_unpack_twins .xfer-coopmat "$MODELS_DIR"

echo "== correctness: cooperative-matrix kernels (gtest)"
timeout 240 "$TEST_BIN" --gtest_filter="${GTEST_FILTER:-CoopMatGpu.*}" 2>&1 | tee "$DIR/gtest.txt" | \
  grep -E "^\[ +(OK|FAILED|SKIPPED|PASSED) +\]|cooperative|relative L2|Failure|rel|skipped|Skipped" | head -80
echo "gtest exit: ${PIPESTATUS[0]}"
FUSE_TEST_BIN="${FUSE_TEST_BIN:-.device/bin/gpu_fusions_gpu_test}"
if [[ -x $FUSE_TEST_BIN ]]; then
  echo "== correctness: fused kernels (gpu/gpu_fusions.h: depthwise + 1x1 conv, MEAN + FC; any range, poisoned buffers)"
  timeout 180 "$FUSE_TEST_BIN" 2>&1 | tee "$DIR/gtest_fusions.txt" | grep -E "^\[ +(OK|FAILED|PASSED) +\]|Failure|seed" | head -20
  echo "gtest (fusions) exit: ${PIPESTATUS[0]}"
fi

echo "== latency (GPU only, ms, median of $ITER; ${TUNE_FLAG:-tuned})"
# variant: name | precision | env
# fp16 and mixed: each conv-like op holds its shader and its tensor-core kernel and tuning keeps the
# faster (gpu/ops/tensor_core_choice.h; fp16 since session 17, before that fp16 ran the shaders
# alone, what fp16_nocoop runs now); *_tconly run the tensor-core kernels alone
# (HETSCHED_TENSOR_CORES_ONLY=1), *_nocoop the shaders alone (HETSCHED_NO_COOPMAT=1).
variants=("fp32|fp32|" "fp32_nofuse|fp32|HETSCHED_NO_FUSE_MEANFC=1" "fp32_dwpw|fp32|HETSCHED_FUSE_DWPW=1" "mixed|mixed|"
          "mixed_tconly|mixed|HETSCHED_TENSOR_CORES_ONLY=1" "mixed_nocoop|mixed|HETSCHED_NO_COOPMAT=1" "fp16|fp16|"
          "fp16_tconly|fp16|HETSCHED_TENSOR_CORES_ONLY=1" "fp16_nocoop|fp16|HETSCHED_NO_COOPMAT=1")
echo "model,variant,median_ms,min_ms,tensor_core_kernels,dispatches_after/before_fusion,rel_l2_vs_fp32,status" > "$DIR/latency.csv"
# ONLY=fp32,fp32_nofuse (say) runs just those variants (a quicker fusion A/B).
for m in ${MODELS//,/ }; do
  f=$MODELS_DIR/$m.tflite; [[ -f $f ]] || f=models/$m.tflite
  [[ -f $f ]] || { echo "$m,,,,,,,missing" >> "$DIR/latency.csv"; continue; }
  for v in "${variants[@]}"; do
    IFS='|' read -r name prec envs <<< "$v"
    [[ -n ${ONLY:-} && ",$ONLY," != *",$name,"* ]] && continue
    # This variant's dispatch count (its environment may turn kernel fusions off).
    # shellcheck disable=SC2086
    disp=$(env $envs "$BIN" info "$f" --gpu --json 2>/dev/null | "$PY" -c 'import json,sys; j = json.load(sys.stdin); g = j.get("gpu", j); a, b = g["dispatches_after_fusion"], g["dispatches_before_fusion"]; print(f"{a}/{b}")' 2>/dev/null || echo "")
    od="$DIR/out_${m}_$name"; mkdir -p "$od"
    # Tuning completed first (bench_common.complete_tuning: `gpu` starts until nothing is deferred);
    # one start left most kernels untuned on the H100 (2026-12-06: up to 79 deferred).
    # shellcheck disable=SC2086
    [[ -z $TUNE_FLAG ]] && env $envs "$PY" -c 'import sys; sys.path.insert(0, "bench"); import bench_common as b
b.complete_tuning(sys.argv[1], sys.argv[2], "--precision", sys.argv[3], timeout=120)' "$BIN" "$f" "$prec" \
      >> "$DIR/${m}_$name.tune.err" 2>&1
    # shellcheck disable=SC2086
    env $envs timeout 120 "$BIN" run "$f" --policy gpu --precision "$prec" $TUNE_FLAG --warmup "$WARMUP" \
      --iterations "$ITER" --seed 7 --output-dir "$od" --json > "$DIR/${m}_$name.json" 2> "$DIR/${m}_$name.err"
    rc=$?
    grep -h "cooperative" "$DIR/${m}_$name.err" | head -3
    "$PY" - "$DIR" "$m" "$name" "$rc" "$disp" >> "$DIR/latency.csv" <<'PY'
import glob, json, os, sys
d, m, name, rc, disp = sys.argv[1:6]
try:
    j = json.load(open(f"{d}/{m}_{name}.json"))
    med, mn = j["latency_ms"]["median"], j["latency_ms"]["min"]
    # Tensor-core kernels running (tuning's choice); older runs: the ones built.
    coop = j.get("tuning", {}).get("tensor_core_kernels", j.get("coopmat_kernels", ""))
except Exception:
    print(f"{m},{name},,,,{disp},,failed rc {rc}: " + open(f"{d}/{m}_{name}.err").read().strip().replace(",", ";").replace("\n", " ")[:200])
    sys.exit(0)
err = ""
try:
    import numpy as np
except ImportError:
    name = "fp32"  # no numpy: latency only
if name != "fp32":
    num = den = 0.0
    for ref in sorted(glob.glob(f"{d}/out_{m}_fp32/output_*.npy")):
        mine = f"{d}/out_{m}_{name}/" + os.path.basename(ref)
        if not os.path.exists(mine): continue
        a, b = np.load(ref).astype(np.float64), np.load(mine).astype(np.float64)
        num += float(((a - b) ** 2).sum()); den += float((a ** 2).sum())
    err = f"{(num / den) ** 0.5:.3g}" if den > 0 else ""
deferred = j.get("tuning", {}).get("deferred", 0)  # kernels still untuned: not the card's latency
print(f"{m},{name},{med:.4f},{mn:.4f},{coop},{disp},{err}," + ("ok" if not deferred else f"untuned {deferred}"))
PY
  done
  grep "^$m," "$DIR/latency.csv"
done
"$PY" - "$DIR" <<'PY'
import csv, math, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(open(f"{d}/latency.csv")) if r["status"] == "ok"]
by = {}
for r in rows: by.setdefault(r["model"], {})[r["variant"]] = r
names = ["fp32", "fp32_nofuse", "fp32_dwpw", "mixed", "mixed_tconly", "mixed_nocoop", "fp16", "fp16_tconly", "fp16_nocoop"]
lines = ["| model | dispatches (after/before fusion) | " + " | ".join(f"{n} ms" for n in names) + " | mixed err | fp16 err | coop kernels (mixed) |",
         "|---|---|" + "---|" * (len(names) + 3)]
ratios = {"mixed/fp32": [], "fp16/fp32": [], "fp16/fp16_nocoop": [], "fp16_tconly/fp16_nocoop": []}
for m, v in by.items():
    g = lambda n, k="median_ms": v.get(n, {}).get(k, "")
    lines.append(f"| {m} | {g('fp32', 'dispatches_after/before_fusion')} | " + " | ".join(g(n) for n in names) +
                 f" | {g('mixed', 'rel_l2_vs_fp32')} | {g('fp16', 'rel_l2_vs_fp32')} | {g('mixed', 'tensor_core_kernels')} |")
    for key, (a, b) in {"mixed/fp32": ("mixed", "fp32"), "fp16/fp32": ("fp16", "fp32"),
                        "fp16/fp16_nocoop": ("fp16", "fp16_nocoop"),
                        "fp16_tconly/fp16_nocoop": ("fp16_tconly", "fp16_nocoop")}.items():
        if g(a) and g(b): ratios[key].append(float(g(a)) / float(g(b)))
# Upper bound of the per-dispatch cost: fp32 latency / dispatches after fusion (issue #16 bullet 3).
per = []
for m, v in by.items():
    disp, ms = v.get("fp32", {}).get("dispatches_after/before_fusion", ""), v.get("fp32", {}).get("median_ms", "")
    if disp and ms:
        n = int(disp.split("/")[0])
        per.append(f"{m} {1000 * float(ms) / n:.2f}")
if per: lines.append("\nfp32 us per dispatch (latency / dispatches after fusion): " + ", ".join(per))
# Kernel fusions (gpu/gpu_fusions.h): dispatches without -> with, and the fp32 latency each removed
# dispatch saved ((nofuse - fused) / removed: the dependent dispatch's cost net of the fused
# kernels' extra work).
fus = []
for m, v in by.items():
    a, b = v.get("fp32", {}), v.get("fp32_nofuse", {})
    if a.get("median_ms") and b.get("median_ms") and a.get("dispatches_after/before_fusion") and b.get("dispatches_after/before_fusion"):
        da, db = int(a["dispatches_after/before_fusion"].split("/")[0]), int(b["dispatches_after/before_fusion"].split("/")[0])
        ma, mb = float(a["median_ms"]), float(b["median_ms"])
        saved = f"{1000 * (mb - ma) / (db - da):.2f} us/dispatch" if db > da else "-"
        fus.append(f"{m}: {db} -> {da} dispatches, {mb:.3f} -> {ma:.3f} ms ({saved})")
if fus: lines.append("\nkernel fusions, fp32 (fp32_nofuse -> fp32): " + "; ".join(fus))
for k, r in ratios.items():
    if r: lines.append(f"\ngeomean {k}: {math.exp(sum(map(math.log, r)) / len(r)):.3f} over {len(r)} models")
open(f"{d}/latency.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
# One archive back (the device tool returns at most 8 files).
tar -C "$OUT" -czf "$OUT/coopmat_$TAG.tar.gz" "coopmat_$TAG" && rm -rf "$DIR"
echo "coopmat_device: $OUT/coopmat_$TAG.tar.gz"
