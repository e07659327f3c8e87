#!/usr/bin/env bash
# Configures (cmake -G Ninja) and builds one build directory: build.sh DIR [CMAKE_ARG...] [-- NINJA_TARGET...]
# Jobs: HETSCHED_JOBS (default: number of cores). Re-configuring an existing directory is cheap.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$1"; shift
cmake_args=() targets=()
while (($#)); do
  if [[ "$1" == "--" ]]; then shift; targets=("$@"); break; fi
  cmake_args+=("$1"); shift
done
cmake -S "$ROOT" -B "$dir" -G Ninja "${cmake_args[@]}" > "$dir.configure.log" 2>&1 || {
  cat "$dir.configure.log" >&2; echo "build: cmake configure of $dir failed" >&2; exit 1; }
ninja -C "$dir" -j"${HETSCHED_JOBS:-$(nproc)}" "${targets[@]}"
