#!/usr/bin/env bash
# Builds a wheel of the hetsched Python package for one Python interpreter:
#   scripts/python_wheel.sh [PYTHON] [OUT_DIR]     (default: .venv's python, .whl/)
# e.g. scripts/python_wheel.sh ~/.pyenv/versions/3.12.1/bin/python3.12 for the GPU machine (3.12 there).
# The build tools (scikit-build-core, nanobind, pinned in pyproject.toml) come from PyPI into pip's
# isolated build environment; the CMake build dir is kept per wheel tag (build-py/<tag>), so a second
# run rebuilds only what changed, and ccache is used when installed. The wheel links the Debian
# shared libraries (TBB, fmt, Vulkan loader): on a machine without them, carry them
# (../shared/device/prepare.sh on the extension, as scripts/python_device_pack.sh does).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${1:-$ROOT/.venv/bin/python}"
OUT="${2:-$ROOT/.whl}"
"$PY" -c 'import sys' 2>/dev/null || { echo "python_wheel: '$PY' is not a working Python interpreter" >&2; exit 2; }
mkdir -p "$OUT"
args=(--no-deps --disable-pip-version-check -q -w "$OUT")
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
  args+=(-C cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache -C cmake.define.CMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cd "$ROOT"
"$PY" -m pip wheel "${args[@]}" .
tag=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
ls -1 "$OUT"/hetsched-*-"$tag"-*.whl
