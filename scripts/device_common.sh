#!/usr/bin/env bash
# What the GPU-machine scripts share (sourced first thing; it moves to the project root, ROOT): on
# the development machine, build Release targets and carry their binaries and libraries in .device/
# (../shared/device/prepare.sh), and copy zoo models into an ignored .xfer-* folder; on the GPU
# machine, the output and cache folders and the bundled stress-ng. Used by bench/load_device.sh,
# bench/auto_device.sh, bench/coopmat_device.sh, bench/gmean_device.sh, bench/cpu_scaling_device.sh
# and experiments/device_run.sh:
#   source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

# device_pack_targets TARGET... : configures build/ (Release, tests on), builds the targets, and
# prepares the binaries named by the remaining arguments (paths relative to the build folder)
# after `--`, e.g. device_pack_targets hetsched_cli -- hetsched.
device_pack_targets() {
  local build="${HETSCHED_BUILD_DIR:-$PWD/build}" shared="${HETSCHED_SHARED:-$PWD/../shared}" targets=() bins=()
  [[ -f $shared/device/prepare.sh ]] || shared=/work/shared
  while (( $# )) && [[ $1 != -- ]]; do targets+=("$1"); shift; done
  shift || true
  for b in "$@"; do bins+=("$build/$b"); done
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHETSCHED_BUILD_TESTS=ON >/dev/null
  ninja -C "$build" "${targets[@]}" >/dev/null
  bash "$shared/device/prepare.sh" "${bins[@]}"
}

# device_xfer_dir DIR: DIR (an ignored .xfer-* folder, listed in the git exclude file) emptied,
# with DIR/models.
device_xfer_dir() {
  local exclude
  exclude=$(git rev-parse --git-path info/exclude)
  grep -qx "/$1/" "$exclude" 2>/dev/null || echo "/$1/" >> "$exclude"
  rm -rf "$1" && mkdir -p "$1/models"
}

# device_xfer_index DIR MODELS: DIR/models/index.json, the zoo index entries of the comma-separated
# models that travel (tests/python and scripts/zoo.py read it there).
device_xfer_index() {
  [[ -f models/index.json ]] && python3 - "$1/models/index.json" "$2" <<'PY'
import json, sys
names = set(sys.argv[2].split(","))
index = json.load(open("models/index.json"))  # scripts/make_index.py: {"models": [...], ...}
index["models"] = [e for e in index["models"] if e["name"] in names]
json.dump(index, open(sys.argv[1], "w"), indent=1)
PY
}

# device_xfer_models DIR MODELS [SKIP_DIR]: DIR gets DIR/models/<name>.tflite for each
# comma-separated name, except those already in SKIP_DIR/models (travelling in another folder).
device_xfer_models() {
  local dir="$1" models="$2" skip="${3:-}"
  device_xfer_dir "$dir"
  for m in ${models//,/ }; do
    [[ -n $skip && -f $skip/models/$m.tflite ]] || cp -L "models/$m.tflite" "$dir/models/"
  done
  device_xfer_index "$dir" "$models"
}

# device_xfer_twins DIR [MODELS]: DIR/models/<name>.tflite.xz, the timing twins
# (scripts/timing_twin.py: same graphs, compressible weights; for timing only) of the comma-separated
# zoo models (default: every zoo model, resnet50 included: 1.1 MB in all), and their index. There,
# device_unpack_twins DIR DEST makes DEST/<name>.tflite and DEST/index.json.
device_xfer_twins() {
  local dir="$1" models="${2:-}" files=()
  [[ -n $models ]] || models=$(ls models/*.tflite | grep -v '\.litert\.tflite$' | xargs -n1 basename | sed 's/\.tflite$//' | paste -sd,)
  device_xfer_dir "$dir"
  for m in ${models//,/ }; do files+=("models/$m.tflite"); done
  "$ROOT/.venv/bin/python" scripts/timing_twin.py pack "$dir/models" "${files[@]}" 2> "$dir/twins.log"
  device_xfer_index "$dir" "$models"
}
device_unpack_twins() {
  python3 scripts/timing_twin.py unpack "$1/models" "$2"
  [[ -f $1/models/index.json ]] && cp "$1/models/index.json" "$2/"
}

# device_machine_env [SUBDIR]: on the GPU machine: OUT (default /tmp/out) and HS_HOME (/root/hs),
# the folders $OUT/SUBDIR and $HS_HOME/cache, and HETSCHED_CACHE_DIR (that cache, kept between
# calls while the machine stays warm) and PYTHONUNBUFFERED exported.
device_machine_env() {
  OUT="${OUT:-/tmp/out}"
  HS_HOME="${HS_HOME:-/root/hs}"
  mkdir -p "$OUT/${1:-}" "$HS_HOME/cache"
  export HETSCHED_CACHE_DIR="$HS_HOME/cache" PYTHONUNBUFFERED=1
}

# device_pack_xz DIR NAME ARCHIVE: DIR/NAME packed into ARCHIVE with xz (0.55x gzip's size on these
# binaries: the growing tree and a load pack must fit the device tool's 64 MiB).
device_pack_xz() {
  tar -C "$1" -cf - "$2" | xz -6 -T0 > "$3"
}
# device_unpack_xz ARCHIVE DIR: tar's xz where the machine has it, else Python's tarfile (lzma is in
# the standard library; the GPU machine's image may lack the xz program).
device_unpack_xz() {
  if command -v xz > /dev/null; then
    tar -C "$2" -xJf "$1"
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
  fi
}

# device_archive_bins: on the development machine, .device/bin's binaries stripped and packed into
# .device/bin.tar.xz (14 MB of binaries travel as 2.3 MB); device_unpack_bins restores .device/bin
# there (enter.sh's LD_LIBRARY_PATH already points at .device/lib).
device_archive_bins() {
  strip --strip-unneeded .device/bin/* && device_pack_xz .device bin .device/bin.tar.xz && rm -rf .device/bin
}
device_unpack_bins() {
  [[ -f .device/bin.tar.xz && ! -d .device/bin ]] && device_unpack_xz .device/bin.tar.xz .device
  return 0
}

# device_unpack_stress_ng: stress-ng as bench/load_device.sh pack bundled it (.device/stress-ng.tar.xz),
# unpacked once to $HS_HOME/stress-ng/ (the GPU machine's image lacks stress-ng).
device_unpack_stress_ng() {
  if [[ -f .device/stress-ng.tar.xz && ! -x $HS_HOME/stress-ng/stress-ng ]]; then
    device_unpack_xz .device/stress-ng.tar.xz "$HS_HOME"
  fi
}
