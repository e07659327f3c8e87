#!/usr/bin/env bash
# Prepares what the GPU machine needs (see ../shared/device/README.md): a Release build, the
# Vulkan loader and libraries in .device/ (through ../shared/device/prepare.sh), and the model
# zoo cut into .xfer/part<N>/ folders of at most ~55 MB each (one per device call; big files are
# split and put back together there by scripts/device_unpack.sh). --binaries-only: no models.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${HETSCHED_BUILD_DIR:-$ROOT/build}"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHETSCHED_BUILD_TESTS=ON >/dev/null  # ON: the build dir is shared with scripts/test.sh
ninja -C "$BUILD" hetsched_cli split_sweep >/dev/null
bash ../shared/device/prepare.sh "$BUILD/hetsched" "$BUILD/split_sweep"
[[ ${1:-} == --binaries-only ]] && exit 0
grep -qx '/.xfer/' .git/info/exclude || echo '/.xfer/' >> .git/info/exclude
rm -rf .xfer && mkdir -p .xfer
part=0; used=0; limit=$((55 * 1024 * 1024))
mkdir -p .xfer/part0
for f in models/index.json models/*.tflite; do
  [[ $f == *.litert.tflite ]] && continue   # the device runs LiteRT only on models it knows
  size=$(stat -c %s "$f")
  if (( size > limit )); then
    split -b $((40 * 1024 * 1024)) -d "$f" "$ROOT/.xfer/tmp_$(basename "$f")."
    for piece in .xfer/tmp_"$(basename "$f")".*; do
      psize=$(stat -c %s "$piece")
      if (( used + psize > limit )); then part=$((part + 1)); used=0; mkdir -p .xfer/part$part; fi
      mv "$piece" .xfer/part$part/"$(basename "$piece" | sed 's/^tmp_//')"
      used=$((used + psize))
    done
    continue
  fi
  if (( used + size > limit )); then part=$((part + 1)); used=0; mkdir -p .xfer/part$part; fi
  cp "$f" .xfer/part$part/
  used=$((used + size))
done
for f in models/*.litert.tflite; do  # LiteRT's copies of the custom-op models
  size=$(stat -c %s "$f")
  if (( used + size > limit )); then part=$((part + 1)); used=0; mkdir -p .xfer/part$part; fi
  cp "$f" .xfer/part$part/; used=$((used + size))
done
du -sh .device .xfer/part* | sed 's/^/device_pack: /'
