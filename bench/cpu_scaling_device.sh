#!/usr/bin/env bash
# CPU thread scaling on the GPU machine's 16-core Xeon (issue #17), in one device call of ~8 minutes:
# the per-op fork/join cost of the executor's scheduling schemes (bench/fork_join_bench.cpp) at
# 1, 2, 4, 8, 16 threads, then hetsched's CPU policy vs LiteRT (XNNPACK) at the same thread counts
# (bench/cpu_vs_litert.py: same seeded inputs, median of 30 runs after 3 warm-up, per-op breakdown).
#
# On the development machine, from the project root:
#   bash bench/cpu_scaling_device.sh pack
# builds hetsched and fork_join_bench (Release), fills .device/ (scripts/device_common.sh), downloads
# the ai-edge-litert 2.3.0 wheel and the dependencies the GPU machine's python3.12 may lack into
# .whl/ (pip download, once), and packs the models' timing twins into .xfer-cpu/ (scripts/timing_twin.py:
# same graphs and shapes, compressible weights; both engines run the same twin, so the ratio is
# fair; ~0.2 MB, so the whole zoo fits under the device tool's 64 MiB). Then, with
# the device tool, carry [".device", ".whl", ".xfer-cpu"]:
#   bash .device/enter.sh bash bench/cpu_scaling_device.sh
# which writes $OUT/cpu_scaling/: fork_join.md, cpu_vs_litert_*.md/.csv, lscpu.txt. Commit them as
# bench/results/cpu_vs_litert_<machine>_<date>-scaling.{md,csv} and fork_join_<machine>_<date>.md.
# Knobs: MODELS (comma-separated zoo names), THREADS ("1 2 4 8 16"), ITERATIONS (30), BUDGET_S (500).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
MODELS="${MODELS:-face_detection_short_range,face_detection_full_range,face_landmark,hand_landmark_lite,hand_landmark_full,palm_detection_lite,pose_detection,selfie_segmentation,selfie_segmentation_landscape,unet_seg}"

if [[ ${1:-} == pack ]]; then
  set -e
  device_pack_targets hetsched_cli fork_join_bench -- hetsched fork_join_bench
  device_xfer_twins .xfer-cpu "$MODELS"
  cp models/index.json .xfer-cpu/models/
  litert=()
  for m in ${MODELS//,/ }; do  # LiteRT's copies of the custom-op models
    [[ -f models/$m.litert.tflite ]] && litert+=("models/$m.litert.tflite")
  done
  (( ${#litert[@]} )) && .venv/bin/python scripts/timing_twin.py pack .xfer-cpu/models "${litert[@]}" 2>> .xfer-cpu/twins.log
  exclude=$(git rev-parse --git-path info/exclude)
  grep -qx '/.whl/' "$exclude" 2>/dev/null || echo '/.whl/' >> "$exclude"
  mkdir -p .whl
  if ! ls .whl/ai_edge_litert-*.whl >/dev/null 2>&1; then
    plat=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
          --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)
    for p in ai-edge-litert==2.3.0 backports.strenum flatbuffers ml_dtypes protobuf tqdm typing-extensions; do
      python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        "${plat[@]}" -d .whl "$p"
    done
  fi
  du -shc .device .whl .xfer-cpu | sed 's/^/cpu_scaling_device: /'
  echo "cpu_scaling_device: carry [\".device\", \".whl\", \".xfer-cpu\"]; run: bash .device/enter.sh bash bench/cpu_scaling_device.sh"
  exit 0
fi

# --- on the GPU machine ---
OUT="${OUT:-/tmp/out}/cpu_scaling"
THREADS="${THREADS:-1 2 4 8 16}"
ITERATIONS="${ITERATIONS:-30}"
BUDGET_S="${BUDGET_S:-500}"
BIN="${BIN:-.device/bin}"
start=$(date +%s)
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONUNBUFFERED=1
if [[ -d .xfer-cpu/models ]]; then
  twins=/tmp/hs_cpu_models
  device_unpack_twins .xfer-cpu "$twins" >/dev/null
  rm -rf models.orig; mv models models.orig 2>/dev/null; ln -sfn "$twins" models
fi
lscpu > "$OUT/lscpu.txt"
nproc > "$OUT/nproc.txt"
uptime > "$OUT/load.txt"

echo "== fork_join_bench ($(date -u +%T))"
$BIN/fork_join_bench --threads "${THREADS// /,}" --work-ns 0,2000,20000,100000 --reps 31 | tee "$OUT/fork_join.md"

echo "== cpu_vs_litert ($(date -u +%T))"
for m in ${MODELS//,/ }; do
  (( $(date +%s) - start < BUDGET_S - 40 )) || { echo "cpu_scaling_device: budget spent before $m"; break; }
  python3 bench/cpu_vs_litert.py --engine cli --bin $BIN/hetsched --threads $THREADS --iterations "$ITERATIONS" \
    --warmup 3 --models "$m" --out-dir "$OUT/per_model/$m" --breakdown 1 | grep -E "T=" || echo "cpu_scaling_device: $m failed"
done
# One table over every model done (the merged CSV, geomeans and scaling): bench/merge_device_results.py
# merges per-model folders the same way for the litert suite of device_batch.sh.
python3 - "$OUT" <<'PY'
import csv, math, sys
from pathlib import Path
out = Path(sys.argv[1])
rows = []
for f in sorted(out.glob("per_model/*/*.csv")):
    rows += list(csv.DictReader(open(f)))
if not rows:
    sys.exit("no results")
with open(out / "cpu_vs_litert_all.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
gm = lambda v: math.exp(sum(map(math.log, v)) / len(v))
lines = ["| threads | models | ours ms (geomean) | LiteRT ms | ratio ours/LiteRT | worst model |", "|---|---|---|---|---|---|"]
for t in sorted({int(r["threads"]) for r in rows}):
    sel = [r for r in rows if int(r["threads"]) == t and r["ours_ms"]]
    worst = max(sel, key=lambda r: float(r["ratio"]))
    lines.append(f"| {t} | {len(sel)} | {gm([float(r['ours_ms']) for r in sel]):.2f} | "
                 f"{gm([float(r['litert_ms']) for r in sel]):.2f} | {gm([float(r['ratio']) for r in sel]):.2f} | "
                 f"{worst['model']} {float(worst['ratio']):.2f} |")
(out / "summary.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
echo "cpu_scaling_device: done in $(( $(date +%s) - start )) s"
# One archive back (the device tool returns at most 8 files, 2 folders down).
tar -C "$(dirname "$OUT")" -czf "$OUT.tar.gz" cpu_scaling && rm -rf "$OUT" && echo "cpu_scaling_device: $OUT.tar.gz"
