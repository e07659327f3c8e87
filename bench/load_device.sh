#!/usr/bin/env bash
# The load scenario (issue #12 bullet 4) on the GPU machine, in one device call of ~7 minutes.
#
# On the development machine, from the project root (what scripts/device_pack.sh does for the
# other suites, plus stress-ng, which the GPU machine's image lacks):
#   bash bench/load_device.sh pack
# builds load_scenario, hetsched_gpu_load and hetsched (Release), fills .device/ through
# ../shared/device/prepare.sh, bundles stress-ng with its own libraries in
# .device/stress-ng.tar.xz (unpacked there to $HS_HOME/stress-ng/, on their own LD_LIBRARY_PATH,
# so Debian's copies never shadow Ubuntu's for anything else), packs the binaries, stripped, into
# .device/bin.tar.xz (device_archive_bins: the carry limit), and copies the models into
# .xfer-load/ as timing twins (~0.1 MB; TWINS=0: the real models, ~20 MB). Then, with the device
# tool, carry [".device", ".xfer-load"]:
#   bash .device/enter.sh bash bench/load_device.sh
# which writes into $OUT/load_<TAG>/, per model: <model>_runs.csv.gz (every run of every policy),
# <model>_phases.csv, <model>.png/.svg, <model>_summary.md; and summary.md, devices.txt and
# nvidia-smi.txt. Commit that folder as bench/results/load_<tag>_<date>/.
# Knobs: MODELS (comma-separated), POLICIES (cpu,gpu,auto:static,auto), SCHEDULE, THREADS (16),
#   WARMUP (20), BUDGET_S (480: no process starts that would end later), TAG (h100; say h200 when
#   the card is one), LOAD_ARGS (more load_scenario arguments for every process, e.g.
#   '--sensor-interval-ms 1e9': auto without its GPU probe; the CPU reading stays).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
MODELS="${MODELS:-hand_landmark_full,mobilenet_v2,selfie_segmentation,face_detection_short_range}"

if [[ ${1:-} == pack ]]; then
  set -e
  device_pack_targets hetsched_cli load_scenario hetsched_gpu_load -- hetsched load_scenario hetsched_gpu_load
  # stress-ng and every library it links that a bare Ubuntu 24.04 may lack, behind a wrapper that
  # sets their LD_LIBRARY_PATH, as one archive (29 MB unpacked, 5.6 MB packed).
  sng=$(command -v stress-ng) || { echo "load_device: stress-ng is not installed (scripts/setup.sh)"; exit 1; }
  tmp=$(mktemp -d) && mkdir -p "$tmp/stress-ng/lib"
  cp "$sng" "$tmp/stress-ng/stress-ng.bin"
  system='^(linux-vdso|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|ld-linux|libgcc_s\.so|libstdc\+\+\.so)'
  ldd "$sng" | awk '/=>/ {print $1, $3}' | while read -r name path; do
    [[ $name =~ $system ]] || { [[ -f $path ]] && cp -fL "$path" "$tmp/stress-ng/lib/"; }
  done
  cat > "$tmp/stress-ng/stress-ng" <<'WRAP'
#!/bin/bash
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LD_LIBRARY_PATH="$here/lib" exec "$here/stress-ng.bin" "$@"
WRAP
  chmod +x "$tmp/stress-ng/stress-ng"
  device_pack_xz "$tmp" stress-ng .device/stress-ng.tar.xz && rm -rf "$tmp"
  device_archive_bins
  # The models' timing twins (scripts/timing_twin.py: same graphs, compressible weights; latencies
  # within 2.4% of the originals on the H100's GPU): 0.1 MB instead of ~20 MB, so .device and the
  # tree fit the device tool's 64 MiB. TWINS=0 carries the real models.
  if [[ ${TWINS:-1} == 0 ]]; then device_xfer_models .xfer-load "$MODELS"; else device_xfer_twins .xfer-load "$MODELS"; fi
  du -sh .device .xfer-load | sed 's/^/load_device: /'
  echo "load_device: carry [\".device\", \".xfer-load\"]; run: bash .device/enter.sh bash bench/load_device.sh"
  exit 0
fi

# --- on the GPU machine ---
BIN="${BIN:-.device/bin}"
TAG="${TAG:-h100}"
POLICIES="${POLICIES:-cpu,gpu,auto:static,auto}"
SCHEDULE="${SCHEDULE:-idle:2,gpu90:4,idle:3,cpu100:4,both:3,idle:2}"
THREADS="${THREADS:-16}"
device_machine_env "load_$TAG"
device_unpack_bins
models_dir=.xfer-load/models
if ls .xfer-load/models/*.tflite.xz >/dev/null 2>&1; then  # timing twins (pack's default)
  models_dir=/tmp/hs_load_models
  device_unpack_twins .xfer-load "$models_dir"
fi
[[ -d $models_dir ]] || models_dir=models
device_unpack_stress_ng
STRESS_NG="${STRESS_NG:-$HS_HOME/stress-ng/stress-ng}"
[[ -x $STRESS_NG ]] || STRESS_NG=$(command -v stress-ng || echo stress-ng)
"$STRESS_NG" --version || echo "load_device: stress-ng does not run: cpuNN phases will report it"
$BIN/hetsched devices > "$OUT/load_$TAG/devices.txt" 2>&1
nvidia-smi > "$OUT/load_$TAG/nvidia-smi.txt" 2>&1 || true
card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
python3 bench/load_scenario.py --bin "$BIN" --models "$MODELS" --models-dir "$models_dir" --policies "$POLICIES" \
  --schedule "$SCHEDULE" --threads "$THREADS" --warmup "${WARMUP:-20}" --stress-ng "$STRESS_NG" --complete-tuning \
  --timeout 150 --budget-s "${BUDGET_S:-480}" "--extra=${LOAD_ARGS:-}" --drop-raw --out-dir "$OUT/load_$TAG" --title "${card:-GPU machine} + $(nproc) cores, $(date -u +%F)" \
  --note "Machine: ${card:-unknown GPU} (Vulkan, NVIDIA driver), CPU ${cpu:-unknown} x $(nproc); $THREADS session threads." \
  --note "GPU load: hetsched_gpu_load (Vulkan busy loop, 20 ms period); CPU load: stress-ng --cpu N --cpu-method matrixprod."
echo "load_device: done ($(du -sh "$OUT/load_$TAG" | cut -f1) in $OUT/load_$TAG)"
# One archive back (the device tool returns at most 8 files).
tar -C "$OUT" -czf "$OUT/load_$TAG.tar.gz" "load_$TAG" && rm -rf "$OUT/load_$TAG" && echo "load_device: $OUT/load_$TAG.tar.gz"
