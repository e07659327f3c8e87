#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian 12 machine: apt packages, the Python .venv, the model zoo,
# the hetsched Python package (into .venv).
# Run it or source it (run.sh and test.sh source it). Fast when nothing changed: each step keeps a
# stamp keyed on the hash of what it depends on (requirements.txt, the zoo scripts, the model files,
# the package's sources).
# Sets HETSCHED_ROOT and HETSCHED_PY (the venv's python) for the caller.
set -euo pipefail
HETSCHED_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HETSCHED_PY="$HETSCHED_ROOT/.venv/bin/python"
export HETSCHED_ROOT HETSCHED_PY

_hs_stamps="$HETSCHED_ROOT/.cache/stamps"
mkdir -p "$_hs_stamps"

# The Debian packages the build, the GPU executor, the fuzzer and the zoo scripts need.
HETSCHED_APT_PACKAGES=(
  cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
  libtbb-dev libfmt-dev libgtest-dev libbenchmark-dev libhwy-dev libcli11-dev nlohmann-json3-dev
  libflatbuffers-dev flatbuffers-compiler
  libvulkan-dev mesa-vulkan-drivers vulkan-tools glslang-tools glslang-dev spirv-tools
  python3 python3-venv nodejs npm ca-certificates
  stress-ng
  xz-utils  # the device packs' archives (scripts/device_common.sh device_pack_xz)
)

_hs_log() { echo "setup: $*" >&2; }

# A package also counts as present when its command is on PATH from elsewhere (e.g. NodeSource's
# nodejs bundles npm, and Debian's npm package then conflicts with it).
declare -A HETSCHED_APT_COMMANDS=([npm]=npm [nodejs]=node)

_hs_apt() {
  local missing=() p status
  for p in "${HETSCHED_APT_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] && continue
    [[ -n "${HETSCHED_APT_COMMANDS[$p]:-}" ]] && command -v "${HETSCHED_APT_COMMANDS[$p]}" >/dev/null && continue
    missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  _hs_log "installing apt packages: ${missing[*]}"
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

_hs_hash() { cat "$@" | sha256sum | cut -c1-32; }

_hs_venv() {
  local key stamp="$_hs_stamps/venv"
  key="$( { python3 --version; cat "$HETSCHED_ROOT/requirements.txt"; } | sha256sum | cut -c1-32)"
  if [[ -x "$HETSCHED_PY" && -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then return 0; fi
  _hs_log "creating .venv and installing requirements.txt"
  [[ -x "$HETSCHED_PY" ]] || python3 -m venv "$HETSCHED_ROOT/.venv"
  "$HETSCHED_PY" -m pip install -q --disable-pip-version-check -r "$HETSCHED_ROOT/requirements.txt"
  echo "$key" > "$stamp"
}

# Key of the zoo: the scripts that make it plus the size/mtime of every model file they wrote.
_hs_models_key() {
  (
    cd "$HETSCHED_ROOT"
    cat requirements.txt scripts/zoo_manifest.py scripts/fetch_mediapipe.py scripts/gen_zoo.py \
        scripts/list_ops.py scripts/replace_custom_transpose.py scripts/make_index.py scripts/fetch_models.sh
    stat -c '%n %s %Y' models/*.tflite models/index.json models/generated.json 2>/dev/null || true
  ) | sha256sum | cut -c1-32
}

_hs_models() {
  local stamp="$_hs_stamps/models"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(_hs_models_key)" ]]; then return 0; fi
  _hs_log "building the model zoo (scripts/fetch_models.sh)"
  bash "$HETSCHED_ROOT/scripts/fetch_models.sh"
  _hs_models_key > "$stamp"
}

# The `hetsched` Python package (pyproject.toml: scikit-build-core + nanobind) installed into .venv.
# No build isolation (the pinned build tools come from requirements.txt) and a kept build dir
# (build-py/<wheel tag>), so a change rebuilds only what changed. Key: the sources it is built from.
_hs_python_key() {
  (
    cd "$HETSCHED_ROOT"
    "$HETSCHED_PY" --version
    find CMakeLists.txt pyproject.toml requirements.txt cmake graph memory cpu gpu partition profiles scheduler python \
      -type f ! -name '*.pyc' | LC_ALL=C sort | xargs sha256sum
  ) | sha256sum | cut -c1-32
}

_hs_python_package() {
  local key stamp="$_hs_stamps/python"
  key="$(_hs_python_key)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then return 0; fi
  _hs_log "building and installing the hetsched Python package into .venv (build-py/)"
  local args=(--no-build-isolation --no-deps -q --disable-pip-version-check)
  if command -v ccache >/dev/null; then
    args+=(-C cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache -C cmake.define.CMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  (cd "$HETSCHED_ROOT" && "$HETSCHED_PY" -m pip install "${args[@]}" .)
  echo "$key" > "$stamp"
}

# One set-up at a time (run.sh and test.sh may start together); the lock is released on return.
(
  flock 9
  _hs_apt
  _hs_venv
  _hs_models
  _hs_python_package
) 9>"$_hs_stamps/lock"
